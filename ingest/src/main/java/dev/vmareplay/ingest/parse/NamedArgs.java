package dev.vmareplay.ingest.parse;

import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.FileRef;

/**
 * {@code name: value} arguments as perf prints them (perf trace: symbolic, zero arguments
 * omitted; perf script tracepoints: hex), and the calls built from them. Field names are
 * the kernel's tracepoint field names (mmap addr/len/prot/flags/fd/off, mprotect start,
 * madvise len_in/behavior, ...).
 */
public final class NamedArgs {
    public byte[] b;
    public int n;
    public int[] ns = new int[16], ne = new int[16], vs = new int[16], ve = new int[16];
    /** perf script: every value is a number (hex) */
    public boolean raw;

    public void clear(byte[] b) {
        this.b = b;
        n = 0;
    }

    public void add(int nameS, int nameE, int valS, int valE) {
        if (n == ns.length) {
            ns = java.util.Arrays.copyOf(ns, n * 2);
            ne = java.util.Arrays.copyOf(ne, n * 2);
            vs = java.util.Arrays.copyOf(vs, n * 2);
            ve = java.util.Arrays.copyOf(ve, n * 2);
        }
        ns[n] = nameS; ne[n] = nameE; vs[n] = valS; ve[n] = valE;
        n++;
    }

    /** Splits {@code name: value, name: value} (values may hold {@code <path>} annotations). */
    public void parse(Args args, byte[] b, int s, int e) {
        clear(b);
        for (int k = 0; k < args.n; k++) {
            int as = args.s[k], ae = args.e[k];
            int c = Bytes.indexOf(b, as, ae, (byte) ':');
            if (c < 0) throw new ParseError("argument without a name");
            add(as, Bytes.trimEnd(b, as, c), Bytes.skipSpaces(b, c + 1, ae), ae);
        }
    }

    public int find(String name) {
        for (int k = 0; k < n; k++) if (Bytes.equals(b, ns[k], ne[k], name)) return k;
        return -1;
    }

    public boolean has(String name) {
        return find(name) >= 0;
    }

    public long v(String name, Names.Table t, long dflt) {
        int k = find(name);
        if (k < 0) return dflt;
        int s = vs[k], e = ve[k];
        if (s >= e) {
            // perf trace prints an empty value for a constant it cannot name ("behavior: )"): unknown
            return t == Names.MADV ? -1 : dflt;
        }
        if (raw) return Bytes.hex(b, s, e);
        return Args.value(b, s, e, t);
    }

    /** An int argument: perf script prints 32-bit values (fd 0xffffffff = -1). */
    public int i(String name, Names.Table t, int dflt) {
        return (int) v(name, t, dflt);
    }

    public long v2(String a, String b2, Names.Table t, long dflt) {
        return has(a) ? v(a, t, dflt) : v(b2, t, dflt);
    }

    public String annotation(String name) {
        int k = find(name);
        if (k < 0) return null;
        return Args.annotation(b, vs[k], ve[k]);
    }

    /**
     * The call of an mmap-family / process syscall, or null when this call is not one
     * (fd-table calls are handled by {@link #fdOp}). {@code name} is the syscall name.
     */
    public Call call(int id, String name) {
        switch (id) {
            case Sys.MMAP: {
                long flags = v("flags", Names.MAP, 0);
                int fd = has("fd") ? i("fd", Names.NUMERIC, 0) : ((flags & 0x20) != 0 ? -1 : 0);
                FileRef f = (flags & 0x20) == 0 && fd >= 0 ? new FileRef(-1, null, false) : null;
                return new Call.Mmap(v("addr", Names.NUMERIC, 0), v("len", Names.NUMERIC, 0), (int) v("prot", Names.PROT, 0),
                        (int) flags, fd, v2("off", "pgoff", Names.NUMERIC, 0), f);
            }
            case Sys.MUNMAP:
                return new Call.Munmap(v2("addr", "start", Names.NUMERIC, 0), v("len", Names.NUMERIC, 0));
            case Sys.MPROTECT:
                return new Call.Mprotect(v2("start", "addr", Names.NUMERIC, 0), v("len", Names.NUMERIC, 0), (int) v("prot", Names.PROT, 0), -1);
            case Sys.PKEY_MPROTECT:
                return new Call.Mprotect(v2("start", "addr", Names.NUMERIC, 0), v("len", Names.NUMERIC, 0), (int) v("prot", Names.PROT, 0), i("pkey", Names.NUMERIC, 0));
            case Sys.MADVISE:
                return new Call.Madvise(v2("start", "addr", Names.NUMERIC, 0), v2("len_in", "len", Names.NUMERIC, 0), (int) v2("behavior", "advice", Names.MADV, 0), 0);
            case Sys.MLOCK:
                return new Call.Mlock(v("start", Names.NUMERIC, 0), v("len", Names.NUMERIC, 0), 0, false);
            case Sys.MLOCK2:
                return new Call.Mlock(v("start", Names.NUMERIC, 0), v("len", Names.NUMERIC, 0), (int) v("flags", Names.MLOCK, 0), true);
            case Sys.MUNLOCK:
                return new Call.Munlock(v("start", Names.NUMERIC, 0), v("len", Names.NUMERIC, 0));
            case Sys.MLOCKALL:
                return new Call.Mlockall((int) v("flags", Names.MCL, 0));
            case Sys.MUNLOCKALL:
                return new Call.Munlockall();
            case Sys.MREMAP:
                return new Call.Mremap(v2("addr", "old_addr", Names.NUMERIC, 0), v("old_len", Names.NUMERIC, 0), v("new_len", Names.NUMERIC, 0),
                        (int) v("flags", Names.MREMAP, 0), v("new_addr", Names.NUMERIC, 0));
            case Sys.BRK:
                return new Call.Brk(v("brk", Names.NUMERIC, 0));
            case Sys.MSEAL:
                return new Call.Mseal(v("start", Names.NUMERIC, 0), v("len", Names.NUMERIC, 0), v("flags", Names.NUMERIC, 0));
            case Sys.PRCTL:
                if (v("option", Names.PRCTL, 0) == Names.PR_SET_VMA && v("arg2", Names.NUMERIC, 0) == 0) {
                    return new Call.SetVmaName(v("arg3", Names.NUMERIC, 0), v("arg4", Names.NUMERIC, 0), null);
                }
                return null;
            case Sys.MBIND:
                return new Call.Mbind(v("start", Names.NUMERIC, 0), v("len", Names.NUMERIC, 0), (int) v("mode", Names.MPOL, 0), 0);
            case Sys.REMAP_FILE_PAGES:
                return new Call.RemapFilePages(v("start", Names.NUMERIC, 0), v("size", Names.NUMERIC, 0), (int) v("prot", Names.PROT, 0),
                        v("pgoff", Names.NUMERIC, 0), (int) v("flags", Names.REMAP_FILE_PAGES, 0));
            case Sys.SHMAT:
                return new Call.Shmat(i("shmid", Names.NUMERIC, 0), v("shmaddr", Names.NUMERIC, 0), (int) v("shmflg", Names.SHM, 0));
            case Sys.SHMDT:
                return new Call.Shmdt(v("shmaddr", Names.NUMERIC, 0));
            case Sys.CLONE:
                return new Call.Clone(name, v("clone_flags", Names.CLONE, 0));
            case Sys.CLONE3:
                // the flags are behind a pointer (uargs): guess a pthread_create-style thread
                return new Call.Clone(name, Names.PTHREAD_CLONE_FLAGS);
            case Sys.FORK:
                return new Call.Clone(name, 17);
            case Sys.VFORK:
                return new Call.Clone(name, 0x4000 | 0x100 | 17);
            case Sys.EXECVE: case Sys.EXECVEAT:
                return new Call.Execve(name, null);
            case Sys.EXIT: case Sys.EXIT_GROUP:
                return new Call.Exit(id == Sys.EXIT_GROUP, i("error_code", Names.NUMERIC, 0));
            default:
                return null;
        }
    }

    /** The fd-table change of a successful call returning {@code ret}, or null. */
    public FdOp fdOp(int id, long ts, int tid, long ret) {
        int r = (int) ret;
        switch (id) {
            case Sys.OPEN: case Sys.OPENAT: case Sys.CREAT: case Sys.OPENAT2:
                return new FdOp(ts, tid, FdOp.Kind.OPEN, r, -1, null, id != Sys.CREAT && id != Sys.OPENAT2 && (v("flags", Names.OPEN, 0) & Names.O_CLOEXEC) != 0,
                        id != Sys.CREAT && id != Sys.OPENAT2 && (v("flags", Names.OPEN, 0) & 3) == 0 ? FdOp.READ_ONLY : 0);
            case Sys.MEMFD_CREATE:
                return new FdOp(ts, tid, FdOp.Kind.OPEN, r, -1, null, (v("flags", Names.MFD, 0) & 1) != 0, 0);
            case Sys.DUP:
                return new FdOp(ts, tid, FdOp.Kind.DUP, i("fildes", Names.NUMERIC, 0), r, null, false, 0);
            case Sys.DUP2: case Sys.DUP3:
                return new FdOp(ts, tid, FdOp.Kind.DUP, i("oldfd", Names.NUMERIC, 0), r, null,
                        id == Sys.DUP3 && (v("flags", Names.OPEN, 0) & Names.O_CLOEXEC) != 0, 0);
            case Sys.FCNTL: {
                long cmd = v("cmd", Names.FCNTL, 0);
                if (cmd == 0 || cmd == 1030) return new FdOp(ts, tid, FdOp.Kind.DUP, i("fd", Names.NUMERIC, 0), r, null, cmd == 1030, 0);
                if (cmd == 2) return new FdOp(ts, tid, FdOp.Kind.SET_CLOEXEC, i("fd", Names.NUMERIC, 0), -1, null, (v("arg", Names.FD_FLAGS, 0) & 1) != 0, 0);
                return null;
            }
            case Sys.CLOSE:
                return new FdOp(ts, tid, FdOp.Kind.CLOSE, i("fd", Names.NUMERIC, 0), -1, null, false, 0);
            case Sys.CLOSE_RANGE:
                return new FdOp(ts, tid, FdOp.Kind.CLOSE_RANGE, i("fd", Names.NUMERIC, 0), i("max_fd", Names.NUMERIC, 0), null, false, v("flags", Names.CLOSE_RANGE, 0));
            case Sys.FDRET:
                return new FdOp(ts, tid, FdOp.Kind.OPEN, r, -1, null, false, 0);
            default:
                return null;
        }
    }
}
