package dev.vmareplay.ingest.parse;

import java.util.HashMap;
import java.util.Map;

/** x86-64 constant names as strace (full names) and perf trace (prefix dropped) print them. */
public final class Names {
    private Names() {}

    /** A table of flag/constant names for one argument kind. */
    public static final class Table {
        final String prefix;
        final Map<String, Long> map = new HashMap<>();
        final Map<Long, String> rev = new HashMap<>();

        Table(String prefix, Object... kv) {
            this.prefix = prefix;
            for (int i = 0; i < kv.length; i += 2) {
                String k = (String) kv[i];
                long v = ((Number) kv[i + 1]).longValue();
                map.put(k, v);
                rev.putIfAbsent(v, k);
                if (!prefix.isEmpty() && k.startsWith(prefix)) map.putIfAbsent(k.substring(prefix.length()), v);
            }
        }

        public Long get(String name) {
            return map.get(name);
        }

        /** {@link #lookup}: no such name. */
        static final long ABSENT = Long.MIN_VALUE + 0x5eed;

        // The same names, looked up straight from the trace's bytes (no String per flag):
        // open addressing over the ASCII bytes of every key of map, built on first use.
        private volatile byte[][] keys;
        private long[] vals;
        private int mask;

        /** The value of the name in b[s, e), or {@link #ABSENT}. */
        long lookup(byte[] b, int s, int e) {
            byte[][] k = keys;
            if (k == null) k = build();
            int m = mask;
            int i = hash(b, s, e) & m;
            int len = e - s;
            while (true) {
                byte[] key = k[i];
                if (key == null) return ABSENT;
                if (key.length == len && java.util.Arrays.equals(key, 0, len, b, s, e)) return vals[i];
                i = (i + 1) & m;
            }
        }

        private synchronized byte[][] build() {
            if (keys != null) return keys;
            int cap = Integer.highestOneBit(Math.max(4, map.size() * 4) - 1) << 1;
            byte[][] k = new byte[cap][];
            long[] v = new long[cap];
            int m = cap - 1;
            for (Map.Entry<String, Long> en : map.entrySet()) {
                byte[] key = en.getKey().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                int i = hash(key, 0, key.length) & m;
                while (k[i] != null) i = (i + 1) & m;
                k[i] = key;
                v[i] = en.getValue();
            }
            vals = v;
            mask = m;
            keys = k;
            return k;
        }

        private static int hash(byte[] b, int s, int e) {
            int h = 0;
            for (int i = s; i < e; i++) h = 31 * h + b[i];
            return h ^ (h >>> 16);
        }

        public String name(long v) {
            return rev.get(v);
        }
    }

    public static final Table PROT = new Table("PROT_",
            "PROT_NONE", 0, "PROT_READ", 1, "PROT_WRITE", 2, "PROT_EXEC", 4, "PROT_SEM", 8,
            "PROT_GROWSDOWN", 0x01000000, "PROT_GROWSUP", 0x02000000, "NONE", 0);

    /** The map type of mmap(MAP_DROPPABLE) (6.11+), which strace and perf 6.1 cannot name. */
    public static final long MAP_DROPPABLE = 0x08;

    public static final Table MAP = new Table("MAP_",
            "MAP_SHARED", 1, "MAP_PRIVATE", 2, "MAP_SHARED_VALIDATE", 3, "MAP_DROPPABLE", 8, "MAP_FIXED", 0x10,
            "MAP_ANONYMOUS", 0x20, "MAP_ANON", 0x20, "MAP_32BIT", 0x40, "MAP_GROWSDOWN", 0x100,
            "MAP_DENYWRITE", 0x800, "MAP_EXECUTABLE", 0x1000, "MAP_LOCKED", 0x2000, "MAP_NORESERVE", 0x4000,
            "MAP_POPULATE", 0x8000, "MAP_NONBLOCK", 0x10000, "MAP_STACK", 0x20000, "MAP_HUGETLB", 0x40000,
            "MAP_SYNC", 0x80000, "MAP_FIXED_NOREPLACE", 0x100000, "MAP_UNINITIALIZED", 0x4000000,
            "MAP_FILE", 0, "MAP_HUGE_64KB", 16L << 26, "MAP_HUGE_512KB", 19L << 26, "MAP_HUGE_1MB", 20L << 26,
            "MAP_HUGE_2MB", 21L << 26, "MAP_HUGE_8MB", 23L << 26, "MAP_HUGE_16MB", 24L << 26,
            "MAP_HUGE_32MB", 25L << 26, "MAP_HUGE_256MB", 28L << 26, "MAP_HUGE_512MB", 29L << 26,
            "MAP_HUGE_1GB", 30L << 26, "MAP_HUGE_2GB", 31L << 26, "MAP_HUGE_16GB", 34L << 26);

    public static final Table MADV = new Table("MADV_",
            "MADV_NORMAL", 0, "MADV_RANDOM", 1, "MADV_SEQUENTIAL", 2, "MADV_WILLNEED", 3, "MADV_DONTNEED", 4,
            "MADV_FREE", 8, "MADV_REMOVE", 9, "MADV_DONTFORK", 10, "MADV_DOFORK", 11, "MADV_MERGEABLE", 12,
            "MADV_UNMERGEABLE", 13, "MADV_HUGEPAGE", 14, "MADV_NOHUGEPAGE", 15, "MADV_DONTDUMP", 16,
            "MADV_DODUMP", 17, "MADV_WIPEONFORK", 18, "MADV_KEEPONFORK", 19, "MADV_COLD", 20, "MADV_PAGEOUT", 21,
            "MADV_POPULATE_READ", 22, "MADV_POPULATE_WRITE", 23, "MADV_DONTNEED_LOCKED", 24, "MADV_COLLAPSE", 25,
            "MADV_HWPOISON", 100, "MADV_SOFT_OFFLINE", 101, "MADV_GUARD_INSTALL", 102, "MADV_GUARD_REMOVE", 103);

    public static final Table MREMAP = new Table("MREMAP_",
            "MREMAP_MAYMOVE", 1, "MREMAP_FIXED", 2, "MREMAP_DONTUNMAP", 4);

    public static final Table MCL = new Table("MCL_", "MCL_CURRENT", 1, "MCL_FUTURE", 2, "MCL_ONFAULT", 4);

    public static final Table MLOCK = new Table("MLOCK_", "MLOCK_ONFAULT", 1);

    public static final Table MSEAL = new Table("", "0", 0);

    public static final Table OPEN = new Table("O_",
            "O_RDONLY", 0, "O_WRONLY", 1, "O_RDWR", 2, "O_ACCMODE", 3, "O_CREAT", 0x40, "O_EXCL", 0x80,
            "O_NOCTTY", 0x100, "O_TRUNC", 0x200, "O_APPEND", 0x400, "O_NONBLOCK", 0x800, "O_NDELAY", 0x800,
            "O_DSYNC", 0x1000, "O_SYNC", 0x101000, "O_RSYNC", 0x101000, "O_ASYNC", 0x2000, "O_FASYNC", 0x2000,
            "O_DIRECT", 0x4000, "O_LARGEFILE", 0x8000, "O_DIRECTORY", 0x10000, "O_NOFOLLOW", 0x20000,
            "O_NOATIME", 0x40000, "O_CLOEXEC", 0x80000, "O_PATH", 0x200000, "O_TMPFILE", 0x410000);

    public static final long O_CLOEXEC = 0x80000;

    public static final Table CLONE = new Table("CLONE_",
            "CLONE_NEWTIME", 0x80, "CLONE_VM", 0x100, "CLONE_FS", 0x200, "CLONE_FILES", 0x400, "CLONE_SIGHAND", 0x800,
            "CLONE_PIDFD", 0x1000, "CLONE_PTRACE", 0x2000, "CLONE_VFORK", 0x4000, "CLONE_PARENT", 0x8000,
            "CLONE_THREAD", 0x10000, "CLONE_NEWNS", 0x20000, "CLONE_SYSVSEM", 0x40000, "CLONE_SETTLS", 0x80000,
            "CLONE_PARENT_SETTID", 0x100000, "CLONE_CHILD_CLEARTID", 0x200000, "CLONE_DETACHED", 0x400000,
            "CLONE_UNTRACED", 0x800000, "CLONE_CHILD_SETTID", 0x1000000, "CLONE_NEWCGROUP", 0x2000000,
            "CLONE_NEWUTS", 0x4000000, "CLONE_NEWIPC", 0x8000000, "CLONE_NEWUSER", 0x10000000,
            "CLONE_NEWPID", 0x20000000, "CLONE_NEWNET", 0x40000000, "CLONE_IO", 0x80000000L,
            "CLONE_CLEAR_SIGHAND", 0x100000000L, "CLONE_INTO_CGROUP", 0x200000000L,
            // signals (the exit signal in clone's low byte)
            "SIGHUP", 1, "SIGINT", 2, "SIGQUIT", 3, "SIGILL", 4, "SIGTRAP", 5, "SIGABRT", 6, "SIGIOT", 6,
            "SIGBUS", 7, "SIGFPE", 8, "SIGKILL", 9, "SIGUSR1", 10, "SIGSEGV", 11, "SIGUSR2", 12, "SIGPIPE", 13,
            "SIGALRM", 14, "SIGTERM", 15, "SIGSTKFLT", 16, "SIGCHLD", 17, "SIGCONT", 18, "SIGSTOP", 19,
            "SIGTSTP", 20, "SIGTTIN", 21, "SIGTTOU", 22, "SIGURG", 23, "SIGXCPU", 24, "SIGXFSZ", 25,
            "SIGVTALRM", 26, "SIGPROF", 27, "SIGWINCH", 28, "SIGIO", 29, "SIGPOLL", 29, "SIGPWR", 30, "SIGSYS", 31,
            "SIGRTMIN", 32, "CHLD", 17);

    /** Thread-style clone flags glibc's pthread_create passes to clone3 (used when a format hides them). */
    public static final long PTHREAD_CLONE_FLAGS = 0x3d0f00L;

    public static final Table SIGNAL = CLONE;

    public static final Table MPOL = new Table("MPOL_",
            "MPOL_DEFAULT", 0, "MPOL_PREFERRED", 1, "MPOL_BIND", 2, "MPOL_INTERLEAVE", 3, "MPOL_LOCAL", 4,
            "MPOL_PREFERRED_MANY", 5, "MPOL_WEIGHTED_INTERLEAVE", 6, "MPOL_F_STATIC_NODES", 1 << 15,
            "MPOL_F_RELATIVE_NODES", 1 << 14, "MPOL_F_NUMA_BALANCING", 1 << 13);

    public static final Table MBIND = new Table("MPOL_MF_",
            "MPOL_MF_STRICT", 1, "MPOL_MF_MOVE", 2, "MPOL_MF_MOVE_ALL", 4);

    public static final Table SHM = new Table("SHM_",
            "SHM_RDONLY", 0x1000, "SHM_RND", 0x2000, "SHM_REMAP", 0x4000, "SHM_EXEC", 0x8000);

    public static final Table FCNTL = new Table("F_",
            "F_DUPFD", 0, "F_GETFD", 1, "F_SETFD", 2, "F_GETFL", 3, "F_SETFL", 4, "F_DUPFD_CLOEXEC", 1030);

    public static final Table FD_FLAGS = new Table("FD_", "FD_CLOEXEC", 1);

    public static final Table CLOSE_RANGE = new Table("CLOSE_RANGE_", "CLOSE_RANGE_UNSHARE", 2, "CLOSE_RANGE_CLOEXEC", 4);

    public static final Table MFD = new Table("MFD_",
            "MFD_CLOEXEC", 1, "MFD_ALLOW_SEALING", 2, "MFD_HUGETLB", 4, "MFD_NOEXEC_SEAL", 8, "MFD_EXEC", 0x10);

    public static final Table PRCTL = new Table("PR_",
            "PR_SET_VMA", 0x53564d41, "PR_SET_VMA_ANON_NAME", 0);

    public static final long PR_SET_VMA = 0x53564d41L;

    public static final Table AT = new Table("", "AT_FDCWD", -100, "CWD", -100);

    public static final Table REMAP_FILE_PAGES = new Table("MAP_", "MAP_NONBLOCK", 0x10000, "MAP_POPULATE", 0x8000,
            "MAP_SHARED", 1, "MAP_PRIVATE", 2);

    public static final Table UFFDIO_MODE = new Table("UFFDIO_REGISTER_MODE_",
            "UFFDIO_REGISTER_MODE_MISSING", 1, "UFFDIO_REGISTER_MODE_WP", 2, "UFFDIO_REGISTER_MODE_MINOR", 4);

    public static final long UFFDIO_REGISTER = 0xc020aa00L;
    public static final long UFFDIO_UNREGISTER = 0x8010aa01L;

    /** A table that accepts only numbers. */
    public static final Table NUMERIC = new Table("");

    private static final String[] ERRNO = {
            null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
            "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
            "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
            "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY",
            "ELOOP", null, "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH",
            "ENOCSI", "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", null, "EBFONT",
            "ENOSTR", "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT",
            "ECOMM", "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG",
            "ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS",
            "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT",
            "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL",
            "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN",
            "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT", "ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH",
            "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL", "EISNAM", "EREMOTEIO",
            "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED",
            "EKEYREJECTED", "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"};
    private static final Map<String, Integer> ERRNO_BY_NAME = new HashMap<>();

    static {
        for (int i = 1; i < ERRNO.length; i++) if (ERRNO[i] != null) ERRNO_BY_NAME.put(ERRNO[i], i);
        ERRNO_BY_NAME.put("EWOULDBLOCK", 11);
        ERRNO_BY_NAME.put("EDEADLOCK", 35);
        ERRNO_BY_NAME.put("ENOTSUP", 95);
        ERRNO_BY_NAME.put("ERESTARTSYS", 512);
        ERRNO_BY_NAME.put("ERESTARTNOINTR", 513);
        ERRNO_BY_NAME.put("ERESTARTNOHAND", 514);
        ERRNO_BY_NAME.put("ENOIOCTLCMD", 515);
        ERRNO_BY_NAME.put("ERESTART_RESTARTBLOCK", 516);
        ERRNO_BY_NAME.put("EPROBE_DEFER", 517);
        ERRNO_BY_NAME.put("EOPENSTALE", 518);
        ERRNO_BY_NAME.put("ENOPARAM", 519);
        ERRNO_BY_NAME.put("EBADHANDLE", 521);
        ERRNO_BY_NAME.put("ENOTSYNC", 522);
        ERRNO_BY_NAME.put("EBADCOOKIE", 523);
        ERRNO_BY_NAME.put("ENOTSUPP", 524);
        ERRNO_BY_NAME.put("ETOOSMALL", 525);
        ERRNO_BY_NAME.put("ESERVERFAULT", 526);
        ERRNO_BY_NAME.put("EBADTYPE", 527);
        ERRNO_BY_NAME.put("EJUKEBOX", 528);
        ERRNO_BY_NAME.put("EIOCBQUEUED", 529);
        ERRNO_BY_NAME.put("ERECALLCONFLICT", 530);
    }

    /** errno number of a name like ENOMEM, or -1. */
    public static int errno(String name) {
        return ERRNO_BY_NAME.getOrDefault(name, -1);
    }

    /** The same names, looked up straight from the trace's bytes (one on every failed call's line). */
    private static final Table ERRNO_TABLE = new Table("", ERRNO_BY_NAME.entrySet().stream()
            .flatMap(en -> java.util.stream.Stream.of(en.getKey(), en.getValue())).toArray());

    /** errno number of the name in b[s, e), or -1. */
    public static int errno(byte[] b, int s, int e) {
        long v = ERRNO_TABLE.lookup(b, s, e);
        return v == Table.ABSENT ? -1 : (int) v;
    }

    public static String errnoName(int n) {
        if (n > 0 && n < ERRNO.length && ERRNO[n] != null) return ERRNO[n];
        for (Map.Entry<String, Integer> e : ERRNO_BY_NAME.entrySet()) if (e.getValue() == n) return e.getKey();
        return "E" + n;
    }

    /**
     * Decodes a flag/constant expression: {@code A|B|0x40}, a bare number, {@code 0x3 /* ... *}{@code /}
     * (-X verbose: the number wins), {@code 0x66 /* MADV_??? *}{@code /}. Names are looked up
     * in {@code t} with and without its prefix.
     */
    public static long flags(byte[] b, int s, int e, Table t) {
        s = Bytes.skipSpaces(b, s, e);
        e = Bytes.trimEnd(b, s, e);
        int c = Bytes.indexOf(b, s, e, "/*");
        if (c >= 0) {
            int ce = Bytes.indexOf(b, c, e, "*/");
            int after = ce < 0 ? e : Bytes.skipSpaces(b, ce + 2, e);
            if (after < e && b[after] == '|') {
                // "0x8 /* MAP_??? */|MAP_ANONYMOUS": strace names the rest; the comment only says
                // it cannot name the number before it, whose bits are kept
                return flags(b, s, Bytes.trimEnd(b, s, c), t) | flags(b, after + 1, e, t);
            }
            e = Bytes.trimEnd(b, s, c);
        }
        if (s >= e) throw new ParseError("empty flags");
        long v = 0;
        int i = s;
        while (i < e) {
            int j = i;
            while (j < e && b[j] != '|') j++;
            int ps = Bytes.skipSpaces(b, i, j), pe = Bytes.trimEnd(b, ps, j);
            if (ps >= pe && t == MAP && i == s && j < e) {
                // perf trace 6.1 prints the map type it has no name for as nothing ("flags:|ANONYMOUS"):
                // it names SHARED, PRIVATE and SHARED_VALIDATE, so that is MAP_DROPPABLE (0x08, 6.11+)
                v |= MAP_DROPPABLE;
                i = j + 1;
                continue;
            }
            if (ps >= pe) throw new ParseError("empty flag");
            byte f = b[ps];
            if (Bytes.isDigit(f) || f == '-') {
                v |= Bytes.num(b, ps, pe);
            } else {
                long fast = t.lookup(b, ps, pe);
                if (fast != Table.ABSENT) {
                    v |= fast;
                    i = j + 1;
                    continue;
                }
                String name = Bytes.str(b, ps, pe);
                Long x = t.get(name);
                if (x == null) {
                    x = t.get(t.prefix + name);
                    if (x == null) throw new ParseError("unknown constant " + name);
                }
                v |= x;
            }
            i = j + 1;
        }
        return v;
    }
}
