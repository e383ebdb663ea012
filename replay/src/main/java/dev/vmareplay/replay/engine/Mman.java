package dev.vmareplay.replay.engine;

/** uapi constants (x86-64) of the mmap family: PROT_*, MAP_*, MADV_*, MREMAP_*, MCL_*, MLOCK_*. */
public final class Mman {
    private Mman() { }

    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;
    public static final int PROT_SEM = 0x8;
    public static final int PROT_GROWSDOWN = 0x01000000;
    public static final int PROT_GROWSUP = 0x02000000;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_SHARED_VALIDATE = 0x03;
    public static final int MAP_DROPPABLE = 0x08;
    public static final int MAP_TYPE = 0x0f;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_32BIT = 0x40;
    public static final int MAP_GROWSDOWN = 0x0100;
    public static final int MAP_DENYWRITE = 0x0800;
    public static final int MAP_EXECUTABLE = 0x1000;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_NONBLOCK = 0x10000;
    public static final int MAP_STACK = 0x20000;
    public static final int MAP_HUGETLB = 0x40000;
    public static final int MAP_SYNC = 0x80000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    public static final int MAP_UNINITIALIZED = 0x4000000;

    public static final int MADV_NORMAL = 0;
    public static final int MADV_RANDOM = 1;
    public static final int MADV_SEQUENTIAL = 2;
    public static final int MADV_WILLNEED = 3;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_FREE = 8;
    public static final int MADV_REMOVE = 9;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_DOFORK = 11;
    public static final int MADV_MERGEABLE = 12;
    public static final int MADV_UNMERGEABLE = 13;
    public static final int MADV_HUGEPAGE = 14;
    public static final int MADV_NOHUGEPAGE = 15;
    public static final int MADV_DONTDUMP = 16;
    public static final int MADV_DODUMP = 17;
    public static final int MADV_WIPEONFORK = 18;
    public static final int MADV_KEEPONFORK = 19;
    public static final int MADV_COLD = 20;
    public static final int MADV_PAGEOUT = 21;
    public static final int MADV_POPULATE_READ = 22;
    public static final int MADV_POPULATE_WRITE = 23;
    public static final int MADV_DONTNEED_LOCKED = 24;
    public static final int MADV_COLLAPSE = 25;
    public static final int MADV_HWPOISON = 100;
    public static final int MADV_SOFT_OFFLINE = 101;
    public static final int MADV_GUARD_INSTALL = 102;
    public static final int MADV_GUARD_REMOVE = 103;

    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;
    public static final int MREMAP_DONTUNMAP = 4;

    public static final int MCL_CURRENT = 1;
    public static final int MCL_FUTURE = 2;
    public static final int MCL_ONFAULT = 4;

    public static final int MLOCK_ONFAULT = 1;

    /** calc_vm_prot_bits() (include/linux/mman.h; x86: the protection key's bits too). */
    static long calcVmProtBits(int prot, int pkey) {
        long f = 0;
        if ((prot & PROT_READ) != 0) {
            f |= VmFlags.VM_READ;
        }
        if ((prot & PROT_WRITE) != 0) {
            f |= VmFlags.VM_WRITE;
        }
        if ((prot & PROT_EXEC) != 0) {
            f |= VmFlags.VM_EXEC;
        }
        return VmFlags.withPkey(f, pkey);
    }
}
