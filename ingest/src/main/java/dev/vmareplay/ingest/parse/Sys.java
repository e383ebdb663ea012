package dev.vmareplay.ingest.parse;

import java.nio.charset.StandardCharsets;

/** Syscall names the parsers act on, looked up from bytes without allocating. */
public final class Sys {
    private Sys() {}

    public static final int NONE = 0, MMAP = 1, MUNMAP = 2, MPROTECT = 3, PKEY_MPROTECT = 4, MADVISE = 5,
            PROCESS_MADVISE = 6, MLOCK = 7, MLOCK2 = 8, MUNLOCK = 9, MLOCKALL = 10, MUNLOCKALL = 11, MREMAP = 12,
            BRK = 13, MSEAL = 14, PRCTL = 15, MBIND = 16, REMAP_FILE_PAGES = 17, SHMAT = 18, SHMDT = 19,
            CLONE = 20, CLONE3 = 21, FORK = 22, VFORK = 23, EXECVE = 24, EXECVEAT = 25, EXIT = 26,
            EXIT_GROUP = 27, IOCTL = 28, OPEN = 29, OPENAT = 30, OPENAT2 = 31, CREAT = 32, DUP = 33, DUP2 = 34,
            DUP3 = 35, FCNTL = 36, CLOSE = 37, CLOSE_RANGE = 38, PIPE = 39, PIPE2 = 40, MEMFD_CREATE = 41,
            SOCKETPAIR = 42, FDRET = 43, LSEEK = 44;

    private static final int SIZE = 512;
    private static final byte[][] KEYS = new byte[SIZE][];
    private static final int[] IDS = new int[SIZE];

    static {
        put("mmap", MMAP); put("mmap2", MMAP); put("old_mmap", MMAP); put("munmap", MUNMAP);
        put("mprotect", MPROTECT); put("pkey_mprotect", PKEY_MPROTECT); put("madvise", MADVISE);
        put("process_madvise", PROCESS_MADVISE); put("mlock", MLOCK); put("mlock2", MLOCK2);
        put("munlock", MUNLOCK); put("mlockall", MLOCKALL); put("munlockall", MUNLOCKALL); put("mremap", MREMAP);
        put("brk", BRK); put("mseal", MSEAL); put("syscall_0x1ce", MSEAL); put("syscall_462", MSEAL);
        put("prctl", PRCTL); put("mbind", MBIND); put("remap_file_pages", REMAP_FILE_PAGES);
        put("shmat", SHMAT); put("shmdt", SHMDT); put("clone", CLONE); put("clone3", CLONE3); put("fork", FORK);
        put("vfork", VFORK); put("execve", EXECVE); put("execveat", EXECVEAT); put("exit", EXIT);
        put("exit_group", EXIT_GROUP); put("ioctl", IOCTL); put("open", OPEN); put("openat", OPENAT);
        put("openat2", OPENAT2); put("creat", CREAT); put("dup", DUP); put("dup2", DUP2); put("dup3", DUP3);
        put("fcntl", FCNTL); put("fcntl64", FCNTL); put("close", CLOSE); put("close_range", CLOSE_RANGE);
        put("pipe", PIPE); put("pipe2", PIPE2); put("memfd_create", MEMFD_CREATE); put("socketpair", SOCKETPAIR);
        put("lseek", LSEEK);
        for (String s : new String[] {"socket", "accept", "accept4", "eventfd", "eventfd2", "epoll_create",
                "epoll_create1", "signalfd", "signalfd4", "timerfd_create", "inotify_init", "inotify_init1",
                "fanotify_init", "userfaultfd", "perf_event_open", "io_uring_setup", "pidfd_open", "pidfd_getfd",
                "open_by_handle_at", "memfd_secret", "fsopen", "fsmount", "fspick", "open_tree", "mq_open"}) {
            put(s, FDRET);
        }
    }

    private static int hash(byte[] b, int s, int e) {
        int h = 0;
        for (int i = s; i < e; i++) h = h * 31 + b[i];
        return (h ^ (h >>> 9)) & (SIZE - 1);
    }

    private static void put(String name, int id) {
        byte[] k = name.getBytes(StandardCharsets.ISO_8859_1);
        int h = hash(k, 0, k.length);
        while (KEYS[h] != null) h = (h + 1) & (SIZE - 1);
        KEYS[h] = k;
        IDS[h] = id;
    }

    /** The id of the syscall named by b[s..e), or NONE. */
    public static int lookup(byte[] b, int s, int e) {
        int h = hash(b, s, e);
        int len = e - s;
        while (true) {
            byte[] k = KEYS[h];
            if (k == null) return NONE;
            if (k.length == len) {
                int i = 0;
                while (i < len && k[i] == b[s + i]) i++;
                if (i == len) return IDS[h];
            }
            h = (h + 1) & (SIZE - 1);
        }
    }

    /** mmap-family or process calls that become events. */
    public static boolean isEventCall(int id) {
        return id >= MMAP && id <= IOCTL;
    }
}
