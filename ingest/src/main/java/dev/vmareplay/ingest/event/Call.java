package dev.vmareplay.ingest.event;

/**
 * The decoded system calls replay acts on. Numeric arguments keep the kernel's raw values
 * (prot, flags and advice as the ABI defines them on x86-64), whatever the trace format
 * printed (names, numbers or omitted zeros); addresses and lengths are unsigned 64-bit.
 */
public sealed interface Call {

    /** The syscall's name as strace prints it. */
    String name();

    /** mmap / mmap2 / mmap_pgoff; {@code file} is null for anonymous mappings. */
    record Mmap(long addr, long len, int prot, int flags, int fd, long offset, FileRef file) implements Call {
        public String name() { return "mmap"; }
    }

    record Munmap(long addr, long len) implements Call {
        public String name() { return "munmap"; }
    }

    /** mprotect ({@code pkey == -1}) and pkey_mprotect. */
    record Mprotect(long addr, long len, int prot, int pkey) implements Call {
        public String name() { return pkey < 0 ? "mprotect" : "pkey_mprotect"; }
    }

    /** madvise and process_madvise (one event per iovec entry; {@code targetPid} 0 = self). */
    record Madvise(long addr, long len, int advice, int targetPid) implements Call {
        public String name() { return targetPid == 0 ? "madvise" : "process_madvise"; }
    }

    /** mlock ({@code flags == 0}, {@code two == false}) and mlock2 (MLOCK_ONFAULT = 1). */
    record Mlock(long addr, long len, int flags, boolean two) implements Call {
        public String name() { return two ? "mlock2" : "mlock"; }
    }

    record Munlock(long addr, long len) implements Call {
        public String name() { return "munlock"; }
    }

    /** MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4. */
    record Mlockall(int flags) implements Call {
        public String name() { return "mlockall"; }
    }

    record Munlockall() implements Call {
        public String name() { return "munlockall"; }
    }

    /** {@code newAddr} is meaningful only with MREMAP_FIXED (2) or MREMAP_DONTUNMAP (4). */
    record Mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr) implements Call {
        public String name() { return "mremap"; }
    }

    /** brk(addr); {@code addr == 0} asks for the current break. The event's ret is the new break. */
    record Brk(long addr) implements Call {
        public String name() { return "brk"; }
    }

    /** mseal (x86-64 syscall 462; strace 6.1 prints it as {@code syscall_0x1ce}). */
    record Mseal(long addr, long len, long flags) implements Call {
        public String name() { return "mseal"; }
    }

    /** prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name); name null clears it. */
    record SetVmaName(long addr, long len, String name) implements Call {
        /** The syscall name ("prctl"): this overrides the accessor of the {@code name} component. */
        public String name() { return "prctl"; }

        /** The VMA name the call sets (null clears it); use this, {@link #name()} is the syscall. */
        public String vmaName() { return name; }
    }

    /** mbind: {@code mode} MPOL_*, {@code nodemask} the first word of the mask. */
    record Mbind(long addr, long len, int mode, long nodemask) implements Call {
        public String name() { return "mbind"; }
    }

    /** remap_file_pages (deprecated; emulated by the kernel with a new mmap). */
    record RemapFilePages(long addr, long size, int prot, long pgoff, int flags) implements Call {
        public String name() { return "remap_file_pages"; }
    }

    /** shmat: the event's ret is the attach address. {@code shmid} identifies the segment. */
    record Shmat(int shmid, long addr, int flags) implements Call {
        public String name() { return "shmat"; }
    }

    record Shmdt(long addr) implements Call {
        public String name() { return "shmdt"; }
    }

    /**
     * fork, vfork, clone, clone3: normalised to clone flags (fork = SIGCHLD,
     * vfork = CLONE_VM|CLONE_VFORK|SIGCHLD). The event's ret is the child's tid.
     */
    record Clone(String syscall, long flags) implements Call {
        public static final long CLONE_VM = 0x100L;
        public static final long CLONE_VFORK = 0x4000L;
        public static final long CLONE_THREAD = 0x10000L;
        public String name() { return syscall; }
        public boolean sharesVm() { return (flags & CLONE_VM) != 0; }
        public boolean isThread() { return (flags & CLONE_THREAD) != 0; }
    }

    /** execve / execveat: on success the task gets a brand-new address space. */
    record Execve(String syscall, String path) implements Call {
        public String name() { return syscall; }
    }

    /** exit (one task) or exit_group (the whole process), and "+++ exited/killed +++". */
    record Exit(boolean group, int status) implements Call {
        public String name() { return group ? "exit_group" : "exit"; }
    }

    /**
     * A page fault reported by perf trace -F ({@code minfault}/{@code majfault}) or by the
     * {@code exceptions:page_fault_user}/{@code page_fault_kernel} tracepoints. A write fault on a
     * private mapping gives the VMA an anon_vma. The minfault/majfault lines alone do not say
     * whether the fault was a write ({@code UNKNOWN}); the tracepoints do (their {@code error_code}
     * bit 1), and in a trace that has them a fault line without one is a read.
     */
    record PageFault(long addr, boolean major, Access access, String target) implements Call {
        public enum Access { READ, WRITE, EXEC, UNKNOWN }
        public String name() { return major ? "majfault" : "minfault"; }
    }

    /**
     * The task took the mmap lock of address space {@code mm} for writing (perf's
     * {@code mmap_lock:mmap_lock_acquire_returned} tracepoint with {@code write: 1}). Every change
     * of the VMA tree is made under it, so these events are the order in which the kernel changed
     * an address space; {@code mm} is the kernel address of the mm_struct, the identity of the
     * address space while it exists (threads share it, fork makes a new one, exec moves to a new
     * one; a value can come back after its process exits).
     *
     * @param during the syscall the task was inside when it took the lock (null: none, e.g. a
     *               stack growing in a page fault)
     */
    record MmapLock(long mm, String during) implements Call {
        public String name() { return "mmap_lock"; }
    }

    /**
     * A call of which the trace printed only its result: perf trace 6.1 sometimes prints a
     * {@code ... [continued]: mmap()) = 0x7f...} half whose entry half (the arguments) never came.
     * The replay infers what it can from the result and from the layout, and counts it as
     * reconciled. {@code syscall} is the call's name.
     */
    record ResultOnly(String syscall) implements Call {
        /** What the canonical CSV's name column says of such a row. */
        public static final String CSV_MARK = "result-only";
        public String name() { return syscall; }
    }

    /** userfaultfd ioctl(UFFDIO_REGISTER / UNREGISTER) on a range, when the trace shows it. */
    record UffdRegister(long addr, long len, long mode, boolean register, long ctx) implements Call {
        public String name() { return "ioctl"; }
    }

    /**
     * A snapshot marker: {@code lseek(-1, 424242001 | 424242002, SEEK_SET)}, the call a snapshot
     * library makes right before it copies /proc/self/smaps (START: after the dynamic loader,
     * END: at exit). It changes no VMA; it tells the replay where in the trace the snapshot was
     * taken. Parsers emit it only when {@code IngestOptions.markers()} is on.
     */
    record Marker(long code) implements Call {
        public static final long START = 424242001L;
        public static final long END = 424242002L;
        public String name() { return "lseek"; }
        public boolean start() { return code == START; }
        /** Whether lseek(fd, offset) is a snapshot marker. */
        public static boolean isMarker(long fd, long offset) {
            return (int) fd == -1 && (offset == START || offset == END);
        }
    }
}
