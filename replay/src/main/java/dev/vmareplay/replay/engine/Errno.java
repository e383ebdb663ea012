package dev.vmareplay.replay.engine;

/** The Linux x86-64 errno values the engine returns (positive, like the kernel's -errno negated). */
public final class Errno {
    private Errno() { }

    public static final int OK = 0;
    public static final int EPERM = 1;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOSYS = 38;
    public static final int EOVERFLOW = 75;
    public static final int EOPNOTSUPP = 95;

    /** The symbolic name ("ENOMEM") of an errno value, or "E?n". */
    public static String name(int errno) {
        switch (errno) {
            case OK: return "OK";
            case EPERM: return "EPERM";
            case EBADF: return "EBADF";
            case EAGAIN: return "EAGAIN";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EFAULT: return "EFAULT";
            case EEXIST: return "EEXIST";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case ENOSYS: return "ENOSYS";
            case EOVERFLOW: return "EOVERFLOW";
            case EOPNOTSUPP: return "EOPNOTSUPP";
            default: return "E?" + errno;
        }
    }
}
