package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import dev.vmareplay.replay.engine.VmaEvent.RefusalReason;
import java.util.ArrayList;
import java.util.List;

import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * One address space (the kernel's {@code mm_struct}) and the mmap-family system calls on it,
 * modelled on Linux 6.18 (or the {@link KernelVersion} given).
 *
 * <p>Every system call returns 0 or the kernel's positive errno, and never throws for bad input:
 * alignment, wrap-around and range checks are done like the kernel's. Addresses and lengths are
 * unsigned 64-bit byte values; pgoffs are in pages. The address a non-fixed mmap or a moving
 * mremap landed at is an input (the trace says where), not something the model chooses.
 *
 * <p>Not thread-safe: one replay thread owns one Mm.
 */
public final class Mm {
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    static final long PAGE_MASK_LOW = PAGE_SIZE - 1;
    /** x86-64 4-level paging TASK_SIZE_MAX. */
    public static final long DEFAULT_TASK_SIZE = (1L << 47) - PAGE_SIZE;
    public static final int DEFAULT_MAX_MAP_COUNT = 65530;

    final KernelVersion version;
    final FaultPolicy faultPolicy;
    final VmaTree tree = new VmaTree();
    final VmaEngine engine = new VmaEngine(this);
    private VmaObserver observer;

    int maxMapCount = DEFAULT_MAX_MAP_COUNT;
    long taskSize = DEFAULT_TASK_SIZE;
    long hugePageSize = 2L << 20;
    long stackGuardGap = 256L << PAGE_SHIFT;
    long defFlags;
    long startBrk;
    long brk;
    boolean brkKnown;
    long startStack;
    boolean overcommitNever;
    boolean thp = true;
    boolean softDirty;
    boolean anonVmaNameSupported = true;
    int executeOnlyPkey = -1;

    private long mappedBytes;
    /** Counts completed system calls; faults can only happen between them. */
    long epoch;
    private int preallocFailures;
    private long shmemIds;

    /** A 6.18 address space with the default fault policy and no observer. */
    public Mm() {
        this(KernelVersion.V6_18, FaultPolicy.WRITE_BEFORE_PROTECT, VmaObserver.NONE);
    }

    public Mm(KernelVersion version, FaultPolicy faultPolicy, VmaObserver observer) {
        this.version = version;
        this.faultPolicy = faultPolicy;
        this.observer = observer == null ? VmaObserver.NONE : observer;
    }

    // ================================================================== configuration

    public KernelVersion version() { return version; }

    public FaultPolicy faultPolicy() { return faultPolicy; }

    public void setObserver(VmaObserver observer) {
        this.observer = observer == null ? VmaObserver.NONE : observer;
    }

    /** vm.max_map_count (default 65530). */
    public void setMaxMapCount(int max) { this.maxMapCount = max; }

    /** vm.overcommit_memory == 2: MAP_NORESERVE no longer gives VM_NORESERVE. */
    public void setOvercommitNever(boolean never) { this.overcommitNever = never; }

    /** CONFIG_TRANSPARENT_HUGEPAGE (MAP_STACK -&gt; VM_NOHUGEPAGE). Default true. */
    public void setThp(boolean thp) { this.thp = thp; }

    /** CONFIG_MEM_SOFT_DIRTY: new and expanded VMAs get VM_SOFTDIRTY. Default false (the captures show no 'sd'). */
    public void setSoftDirty(boolean on) { this.softDirty = on; }

    /** CONFIG_ANON_VMA_NAME (the capture machine has it off: prctl then fails with EINVAL). Default true. */
    public void setAnonVmaNameSupported(boolean on) { this.anonVmaNameSupported = on; }

    /** Whether prctl(PR_SET_VMA_ANON_NAME) works (CONFIG_ANON_VMA_NAME). */
    public boolean anonVmaNameSupported() { return anonVmaNameSupported; }

    /** The x86 execute-only protection key used for PROT_EXEC-only mappings, -1 for none (default). */
    public void setExecuteOnlyPkey(int pkey) { this.executeOnlyPkey = pkey; }

    /** mm->start_brk and mm->brk (from a snapshot's [heap] line or the first brk(NULL)). */
    public void setBrkArea(long startBrk, long brk) {
        this.startBrk = startBrk;
        this.brk = brk;
        this.brkKnown = true;
    }

    public long startBrk() { return startBrk; }

    public long brkValue() { return brk; }

    /** mm->start_stack: the VMA containing it prints as [stack]. */
    public void setStartStack(long addr) { this.startStack = addr; }

    /** mm->def_flags (VM_LOCKED after mlockall(MCL_FUTURE)). */
    public long defFlags() { return defFlags; }

    /**
     * Test hook: the next {@code n} tree preallocations (the only failure point of a merge, a
     * split, or a new VMA's insertion) fail with ENOMEM.
     */
    public void failPreallocations(int n) { this.preallocFailures = n; }

    // ================================================================== inspection

    /** map_count: the number of VMAs. */
    public int mapCount() { return tree.size(); }

    /** The sum of all VMA lengths, in bytes. */
    public long mappedBytes() { return mappedBytes; }

    /** The VMA containing addr, or null. */
    public Vma find(long addr) { return tree.contains(addr); }

    /** find_vma(): the first VMA ending above addr, or null. */
    public Vma findVma(long addr) { return tree.findVma(addr); }

    /** The VMA before {@code vma}, or null. */
    public Vma prev(Vma vma) { return tree.prev(vma); }

    /** The VMA after {@code vma}, or null. */
    public Vma next(Vma vma) { return tree.next(vma); }

    /** All VMAs in address order (a live view: do not modify the Mm while iterating). */
    public Iterable<Vma> vmas() { return tree.all(); }

    /** The VMAs intersecting [start, end), in address order (live view). */
    public Iterable<Vma> vmas(long start, long end) { return tree.range(start, end); }

    /** A VMA iterator positioned at addr. */
    public VmaIterator iterator(long addr) { return new VmaIterator(tree, addr); }

    /** The merge/split primitives of mm/vma.c on this address space. */
    public VmaEngine engine() { return engine; }

    /**
     * The name column of /proc/PID/maps for vma: the file path, [heap], [stack], a special
     * mapping's label, [anon:NAME] / [anon_shmem:NAME], or "" for plain anonymous memory.
     */
    public String mapsName(Vma v) {
        if (v.file != null) {
            if (v.file.anonShmem() && v.anonName != null) {
                return "[anon_shmem:" + v.anonName + "]";
            }
            return v.file.path();
        }
        if (v.label != null && v.special != null) {
            return v.label;
        }
        if (brkKnown && Long.compareUnsigned(v.start, brk) <= 0 && Long.compareUnsigned(v.end, startBrk) >= 0
            && startBrk != 0) {
            return "[heap]";
        }
        if (startStack != 0 && Long.compareUnsigned(v.start, startStack) <= 0
            && Long.compareUnsigned(v.end, startStack) >= 0) {
            return "[stack]";
        }
        if (v.label != null) {
            return v.label;
        }
        if (v.anonName != null) {
            return "[anon:" + v.anonName + "]";
        }
        return "";
    }

    /** One line of /proc/PID/maps for vma, exactly as show_map_vma() prints it (no newline). */
    public String mapsLine(Vma v) {
        String dev = v.file != null ? v.file.dev() : "00:00";
        long ino = v.file != null ? v.file.inode() : 0;
        StringBuilder sb = new StringBuilder(96);
        sb.append(String.format("%08x-%08x %s %08x %s %d ", v.start, v.end, VmFlags.toMapsPerms(v.flags),
            v.mapsOffset(), dev, ino));
        String name = mapsName(v);
        if (!name.isEmpty()) {
            while (sb.length() < 73) {
                sb.append(' ');
            }
            sb.append(name);
        }
        return sb.toString();
    }

    /** The whole address space as /proc/PID/maps lines, in address order. O(n). */
    public List<String> mapsLines() {
        List<String> out = new ArrayList<>(tree.size());
        for (Vma v : tree.all()) {
            out.add(mapsLine(v));
        }
        return out;
    }

    /**
     * Checks the tree: sorted, non-overlapping, page aligned, non-empty, map count and mapped
     * bytes consistent. O(n); for tests and debugging.
     *
     * @throws IllegalStateException naming the first violation
     */
    public void checkInvariants() {
        long prevEnd = 0;
        boolean first = true;
        int n = 0;
        long bytes = 0;
        for (Vma v : tree.all()) {
            n++;
            if ((v.start & PAGE_MASK_LOW) != 0 || (v.end & PAGE_MASK_LOW) != 0) {
                throw new IllegalStateException("unaligned VMA " + v);
            }
            if (Long.compareUnsigned(v.start, v.end) >= 0) {
                throw new IllegalStateException("empty or inverted VMA " + v);
            }
            if (!first && Long.compareUnsigned(v.start, prevEnd) < 0) {
                throw new IllegalStateException("overlapping or unsorted VMA " + v);
            }
            if (tree.contains(v.start) != v) {
                throw new IllegalStateException("VMA not found at its own start " + v);
            }
            if ((v.anonVma == null) != (v.anonChain == 0)) {
                throw new IllegalStateException("anon_vma chain inconsistent " + v);
            }
            bytes += v.end - v.start;
            prevEnd = v.end;
            first = false;
        }
        if (n != tree.size()) {
            throw new IllegalStateException("map_count " + tree.size() + " but " + n + " VMAs");
        }
        if (bytes != mappedBytes) {
            throw new IllegalStateException("mapped bytes " + mappedBytes + " but VMAs sum to " + bytes);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Vma v : tree.all()) {
            sb.append(v).append('\n');
        }
        return sb.toString();
    }

    // ================================================================== seeding

    /** Starts a seed of [start, end) (a VMA as a /proc/PID/smaps snapshot shows it). */
    public Seed seed(long start, long end) {
        return new Seed(start, end);
    }

    /**
     * Builder for a seeded VMA. Defaults: anonymous private rw-p with VM_ACCOUNT-less data flags,
     * pgoff = start's page number (the kernel's choice for anonymous memory created there), no
     * anon_vma.
     */
    public final class Seed {
        private final long start;
        private final long end;
        private long flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
        private long pgoff;
        private boolean pgoffSet;
        private VmaFile file;
        private boolean anon;
        private boolean forkChild;
        private AnonVma exact;
        private String name;
        private String label;
        private Vma.Special special;
        private MemPolicy policy;
        private long uffd;
        private boolean close;

        Seed(long start, long end) {
            this.start = start;
            this.end = end;
        }

        /** vm_flags, e.g. from {@link VmFlags#fromSmaps}. */
        public Seed flags(long f) { this.flags = f; return this; }

        /** vm_pgoff in pages (maps' offset &gt;&gt; 12 for files). */
        public Seed pgoff(long p) { this.pgoff = p; this.pgoffSet = true; return this; }

        public Seed file(VmaFile f) { this.file = f; return this; }

        /** smaps "Anonymous:" &gt; 0 (the VMA has an anon_vma). */
        public Seed anonVma(boolean has) { this.anon = has; return this; }

        /** This exact anon_vma (tests, or a driver that knows two VMAs share one). */
        public Seed anonVma(AnonVma a) { this.anon = a != null; this.exact = a; return this; }

        /** The anon_vma_chain has more than one entry (inherited across fork). */
        public Seed forkChild(boolean child) { this.forkChild = child; return this; }

        /** PR_SET_VMA_ANON_NAME name ([anon:NAME]). */
        public Seed anonName(String n) { this.name = n; return this; }

        /** A label shown in maps ([stack], [heap], [vsyscall] ...). */
        public Seed label(String l) { this.label = l; return this; }

        /** A special mapping ([vdso], [vvar], ...): never merges, never splits. */
        public Seed special(Vma.Special s, String lbl) { this.special = s; this.label = lbl; return this; }

        public Seed policy(MemPolicy p) { this.policy = p; return this; }

        public Seed uffd(long ctx) { this.uffd = ctx; return this; }

        public Seed closeHook(boolean c) { this.close = c; return this; }

        /**
         * Inserts the VMA. An anon_vma is shared with an adjacent seeded neighbour when the
         * kernel's find_mergeable_anon_vma() would have shared it, unless the two VMAs would be
         * mergeable if they shared one (then the kernel would have merged them: they must have
         * different anon_vmas).
         *
         * @return the VMA, or null when [start, end) is invalid or overlaps an existing VMA
         */
        public Vma insert() {
            if ((start & PAGE_MASK_LOW) != 0 || (end & PAGE_MASK_LOW) != 0 || Long.compareUnsigned(start, end) >= 0
                || tree.findIntersecting(start, end) != null) {
                return null;
            }
            Vma v = new Vma(start, end, pgoffSet ? pgoff : start >>> PAGE_SHIFT, flags, file);
            v.anonName = name;
            v.label = label;
            v.special = special;
            v.policy = policy;
            v.uffdCtx = uffd;
            v.closeHook = close;
            v.anonKnownEpoch = epoch;
            if (special != null) {
                v.flags |= VM_DONTEXPAND;
            }
            link(v);
            if (anon) {
                AnonVma a = null;
                Vma p = tree.prev(v);
                Vma n = tree.next(v);
                if (exact != null) {
                    a = exact;
                } else if (!forkChild) {
                    a = seedShare(p, v);
                    if (a == null) {
                        a = seedShare(v, n);
                    }
                }
                v.anonVma = a != null ? a : new AnonVma();
                v.anonChain = forkChild ? 2 : 1;
            }
            return v;
        }

        private AnonVma seedShare(Vma a, Vma b) {
            if (a == null || b == null) {
                return null;
            }
            Vma other = a == null ? null : (a.anonVma != null ? a : b.anonVma != null ? b : null);
            if (other == null || other.anonChain != 1 || !anonVmaCompatible(a, b)) {
                return null;
            }
            boolean wouldMerge = a.flags == b.flags && a.uffdCtx == b.uffdCtx
                && java.util.Objects.equals(a.anonName, b.anonName) && !a.hasCloseHook() && !b.hasCloseHook()
                && a.special == null && b.special == null;
            return wouldMerge ? null : other.anonVma;
        }
    }

    // ================================================================== internal helpers

    void emit(Kind kind, RefusalReason reason, long start, long end, int legacy, boolean assumed) {
        emit(kind, reason, start, end, legacy, assumed, null);
    }

    /** Reports an event about {@code subject} (the target, the split VMA, the new or removed one). */
    void emit(Kind kind, RefusalReason reason, long start, long end, int legacy, boolean assumed, Vma subject) {
        observer.on(new VmaEvent(kind, reason, start, end, legacy, assumed && faultPolicy != FaultPolicy.OBSERVED_ONLY,
            subject == null ? 0 : subject.id));
    }

    boolean preallocFails() {
        if (preallocFailures > 0) {
            preallocFailures--;
            return true;
        }
        return false;
    }

    void link(Vma v) {
        tree.insert(v);
        mappedBytes += v.end - v.start;
        observer.linked(v);
    }

    void unlink(Vma v) {
        tree.remove(v);
        mappedBytes -= v.end - v.start;
        observer.unlinked(v);
    }

    void setRange(Vma v, long start, long end, long pgoff) {
        long oldStart = v.start;
        mappedBytes += (end - start) - (v.end - v.start);
        v.start = start;
        v.end = end;
        v.pgoff = pgoff;
        tree.rekey(v, oldStart);
    }

    /** Returned by {@link #adviseEnd} for a range the kernel refuses: no page-aligned end is 1. */
    private static final long BAD_RANGE = 1;

    /**
     * The end of [start, start + PAGE_ALIGN(lenIn)) as madvise, mseal and prctl compute it, or
     * {@link #BAD_RANGE} when the length wraps when aligned or the range wraps past the top
     * (the kernel's EINVAL).
     */
    private static long adviseEnd(long start, long lenIn) {
        long len = pageAlign(lenIn);
        if (lenIn != 0 && len == 0) {
            return BAD_RANGE;
        }
        long end = start + len;
        return ult(end, start) ? BAD_RANGE : end;
    }

    private int endCall(int r) {
        epoch++;
        return r;
    }

    /**
     * Whether v's anon_vma state is an assumption: not under {@link FaultPolicy#OBSERVED_ONLY},
     * and either assumed by policy or "no anon_vma" last known before the current call (the
     * program may have written to it since).
     */
    boolean uncertain(Vma v) {
        if (faultPolicy == FaultPolicy.OBSERVED_ONLY || v == null) {
            return false;
        }
        if (v.anonAssumed) {
            return true;
        }
        return v.anonVma == null && v.anonKnownEpoch < epoch && canHaveAnonVma(v);
    }

    /** Only private mappings get an anon_vma from a write fault. */
    static boolean canHaveAnonVma(Vma v) {
        return (v.flags & VM_MAYSHARE) == 0 && v.special == null;
    }

    /**
     * {@link FaultPolicy#ASSUME_WRITTEN}: give an uncertain private writable VMA the anon_vma its
     * assumed earlier write would have given it.
     */
    void materialize(Vma v) {
        if (faultPolicy == FaultPolicy.ASSUME_WRITTEN && v != null && v.anonVma == null && uncertain(v)
            && (v.flags & VM_WRITE) != 0) {
            assumeWritten(v);
        }
    }

    private void assumeWritten(Vma v) {
        anonVmaPrepare(v);
        v.anonAssumed = true;
    }

    /** anon_vma_prepare(): give v an anon_vma, reusing a compatible neighbour's. */
    void anonVmaPrepare(Vma v) {
        if (v.anonVma != null) {
            return;
        }
        AnonVma a = findMergeableAnonVma(v);
        v.anonVma = a != null ? a : new AnonVma();
        v.anonChain = 1;
        v.anonAssumed = false;
        v.anonKnownEpoch = epoch;
    }

    /**
     * find_mergeable_anon_vma() (mm/vma.c): reuse the anon_vma of the adjacent next VMA, else of
     * the adjacent prev, when anon_vma_compatible() and that neighbour is not a fork child.
     */
    AnonVma findMergeableAnonVma(Vma v) {
        Vma next = tree.next(v);
        if (next != null) {
            AnonVma a = reusableAnonVma(next, v, next);
            if (a != null) {
                return a;
            }
        }
        Vma prev = tree.prev(v);
        if (prev != null) {
            return reusableAnonVma(prev, prev, v);
        }
        return null;
    }

    private AnonVma reusableAnonVma(Vma old, Vma a, Vma b) {
        if (anonVmaCompatible(a, b) && old.anonVma != null && old.anonChain == 1) {
            return old.anonVma;
        }
        return null;
    }

    /**
     * anon_vma_compatible(): adjacent, same policy and file, flags equal except access and
     * soft-dirty bits, pgoff contiguous.
     */
    boolean anonVmaCompatible(Vma a, Vma b) {
        long ignore = VM_ACCESS_FLAGS | (version.stickyFlags() ? VM_STICKY : VM_SOFTDIRTY);
        return a.end == b.start && MemPolicy.equal(a.policy, b.policy) && VmaFile.same(a.file, b.file)
            && ((a.flags ^ b.flags) & ~ignore) == 0
            && b.pgoff == a.pgoff + ((b.start - a.start) >>> PAGE_SHIFT);
    }

    /** populate_vma_page_range()'s effect on the model: a write fault on private writable memory. */
    private void populate(long start, long end, boolean onlyLocked) {
        for (Vma v = tree.findIntersecting(start, end); v != null && Long.compareUnsigned(v.start, end) < 0; v = tree.next(v)) {
            if ((v.flags & (VM_IO | VM_PFNMAP)) != 0) {
                continue;
            }
            if (onlyLocked && ((v.flags & VM_LOCKED) == 0 || (v.flags & VM_LOCKONFAULT) != 0)) {
                continue;
            }
            if ((v.flags & (VM_WRITE | VM_SHARED)) == VM_WRITE && canHaveAnonVma(v)) {
                anonVmaPrepare(v);
            }
        }
    }

    private static long pageAlign(long len) {
        return (len + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
    }

    private static boolean aligned(long addr) {
        return (addr & PAGE_MASK_LOW) == 0;
    }

    private static boolean ult(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    private static boolean ugt(long a, long b) {
        return Long.compareUnsigned(a, b) > 0;
    }

    private static long umin(long a, long b) {
        return ult(a, b) ? a : b;
    }

    private VmaFile newAnonShmemFile() {
        long id = --shmemIds; // negative ids never collide with a driver's fd-table ids
        return new VmaFile(id, "/dev/zero (deleted)", "00:01", -id, true, true, false, true, true);
    }

    // ================================================================== page faults

    /**
     * A page fault at addr (from a perf trace -F event, or a test). A write fault on private memory
     * gives the VMA an anon_vma (reusing a compatible neighbour's); a fault just below a
     * VM_GROWSDOWN VMA grows the stack first.
     *
     * @return 0, or EFAULT when the access would be a SIGSEGV (no VMA, or no permission)
     */
    public int fault(long addr, boolean write) {
        Vma v = tree.findVma(addr);
        if (v == null) {
            return endCall(Errno.EFAULT);
        }
        if (ugt(v.start, addr)) {
            if ((v.flags & VM_GROWSDOWN) == 0 || expandStack(v, addr) != 0) {
                return endCall(Errno.EFAULT);
            }
        }
        if (write ? (v.flags & VM_WRITE) == 0 : (v.flags & (VM_READ | VM_WRITE | VM_EXEC)) == 0) {
            return endCall(Errno.EFAULT);
        }
        if (write && canHaveAnonVma(v)) {
            anonVmaPrepare(v);
        }
        v.anonAssumed = false;
        v.anonKnownEpoch = epoch + 1;
        return endCall(0);
    }

    /** expand_downwards(): grow a VM_GROWSDOWN VMA down to addr (stack guard gap respected). */
    private int expandStack(Vma v, long addr) {
        long start = addr & ~PAGE_MASK_LOW;
        Vma prev = tree.prev(v);
        if (prev != null && (prev.flags & VM_GROWSDOWN) == 0 && (prev.flags & VM_ACCESS_FLAGS) != 0
            && ult(start - stackGuardGap, prev.end) ) {
            return Errno.ENOMEM;
        }
        if (prev != null && ult(start, prev.end)) {
            return Errno.ENOMEM;
        }
        long os = v.start;
        long oe = v.end;
        setRange(v, start, v.end, v.pgoff - ((os - start) >>> PAGE_SHIFT));
        emit(Kind.EXPAND, null, v.start, v.end, 0, false, v);
        return 0;
    }

    // ================================================================== mmap / munmap

    /**
     * mmap() at addr (where the trace says it landed; for MAP_FIXED the requested address).
     *
     * @param addr   the mapping's start
     * @param len    length in bytes (rounded up to pages)
     * @param prot   PROT_* bits
     * @param flags  MAP_* bits
     * @param file   the mapped open file, or null with MAP_ANONYMOUS
     * @param offset file offset in bytes (page aligned)
     * @return 0, or EINVAL, ENOMEM, EEXIST, EACCES, EPERM, EOVERFLOW, EOPNOTSUPP like the kernel;
     *         EEXIST too when a non-fixed mapping would land on an existing one (the model
     *         disagrees with the trace)
     */
    public int mmap(long addr, long len, int prot, int flags, VmaFile file, long offset) {
        return endCall(doMmap(addr, len, prot, flags, file, offset, 0));
    }

    private int doMmap(long addr, long len, int prot, int flags, VmaFile file, long offset, long extraFlags) {
        if ((offset & PAGE_MASK_LOW) != 0) {
            return Errno.EINVAL;
        }
        if (len == 0) {
            return Errno.EINVAL;
        }
        boolean anonymous = (flags & MAP_ANONYMOUS) != 0;
        boolean hugetlb = false;
        if (anonymous && (flags & MAP_HUGETLB) != 0) {
            // ksys_mmap_pgoff(): a new hugetlb file per call, length rounded to the huge page
            len = (len + hugePageSize - 1) & ~(hugePageSize - 1);
            if (len == 0) {
                return Errno.ENOMEM;
            }
            long id = --shmemIds;
            file = new VmaFile(id, "/anon_hugepage (deleted)", "00:0f", -id, true, true, false, false, false);
            flags &= ~MAP_ANONYMOUS;
            anonymous = false;
            hugetlb = true;
        } else if (anonymous) {
            file = null;
        } else if (file == null) {
            return Errno.EBADF;
        }
        long pgoff = offset >>> PAGE_SHIFT;
        len = pageAlign(len);
        if (len == 0) {
            return Errno.ENOMEM;
        }
        if (!aligned(addr)) {
            return Errno.EINVAL;
        }
        // offset overflow?
        if (Long.compareUnsigned(pgoff + (len >>> PAGE_SHIFT), pgoff) < 0) {
            return Errno.EOVERFLOW;
        }
        // Too many mappings?
        if (mapCount() > maxMapCount) {
            return Errno.ENOMEM;
        }
        if (ugt(len, taskSize) || ugt(addr, taskSize - len)) {
            return Errno.ENOMEM;
        }
        // file_mmap_ok(): a regular file's pages end at MAX_LFS_FILESIZE (offsets past 2^63);
        // character devices (here: /dev/zero, and driver files with a close hook) allow ULONG_MAX
        if (file != null && !file.anonShmem() && !file.hasCloseHook() && ugt(pgoff, (Long.MAX_VALUE - len) >>> PAGE_SHIFT)) {
            return Errno.EOVERFLOW;
        }
        long end = addr + len;
        int pkey = 0;
        if (prot == PROT_EXEC && executeOnlyPkey >= 0) {
            pkey = executeOnlyPkey;
        }
        long vmFlags = extraFlags | calcVmProtBits(prot, pkey) | calcVmFlagBits(flags) | defFlags
            | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
        if (tree.findIntersecting(addr, end) != null && (flags & MAP_FIXED) == 0) {
            return Errno.EEXIST; // MAP_FIXED_NOREPLACE, or a placement the model disagrees with
        }
        int type = flags & MAP_TYPE;
        if (file != null) {
            switch (type) {
                case MAP_SHARED:
                case MAP_SHARED_VALIDATE:
                    if (type == MAP_SHARED_VALIDATE && (flags & MAP_SYNC) != 0) {
                        vmFlags |= VM_SYNC;
                    }
                    if ((prot & PROT_WRITE) != 0 && !file.writable()) {
                        return Errno.EACCES;
                    }
                    vmFlags |= VM_SHARED | VM_MAYSHARE;
                    if (!file.writable()) {
                        vmFlags &= ~(VM_MAYWRITE | VM_SHARED);
                    }
                    // fall through
                case MAP_PRIVATE:
                    if (!file.readable()) {
                        return Errno.EACCES;
                    }
                    if ((vmFlags & VM_GROWSDOWN) != 0) {
                        return Errno.EINVAL;
                    }
                    break;
                default:
                    return Errno.EINVAL;
            }
        } else {
            switch (type) {
                case MAP_SHARED:
                case MAP_SHARED_VALIDATE:
                    if ((vmFlags & VM_GROWSDOWN) != 0) {
                        return Errno.EINVAL;
                    }
                    // Ignore pgoff.
                    pgoff = 0;
                    vmFlags |= VM_SHARED | VM_MAYSHARE;
                    break;
                case MAP_DROPPABLE:
                    if (!version.droppable()) {
                        return Errno.EINVAL;
                    }
                    if ((flags & (MAP_HUGETLB | MAP_LOCKED)) != 0 || (vmFlags & VM_GROWSDOWN) != 0) {
                        return Errno.EINVAL;
                    }
                    vmFlags |= VM_DROPPABLE | VM_WIPEONFORK | VM_DONTDUMP | VM_NORESERVE;
                    pgoff = addr >>> PAGE_SHIFT;
                    break;
                case MAP_PRIVATE:
                    // Set pgoff according to addr for anon_vma.
                    pgoff = addr >>> PAGE_SHIFT;
                    break;
                default:
                    return Errno.EINVAL;
            }
        }
        if ((flags & MAP_NORESERVE) != 0 && (!overcommitNever || hugetlb)) {
            vmFlags |= VM_NORESERVE;
        }
        if (hugetlb) {
            // hugetlbfs' mmap: VM_HUGETLB | VM_DONTEXPAND, so it never merges
            vmFlags |= VM_HUGETLB | VM_DONTEXPAND;
        }
        int r = mmapRegion(file, addr, len, vmFlags, pgoff, (flags & MAP_FIXED_NOREPLACE) != 0 && (flags & MAP_FIXED) == 0);
        if (r != 0) {
            return r;
        }
        Vma v = tree.contains(addr);
        if (v != null && ((v.flags & VM_LOCKED) != 0 || ((flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))) {
            populate(addr, end, (flags & MAP_POPULATE) == 0);
        }
        return 0;
    }

    /** calc_vm_prot_bits() (x86: pkey bits). */
    private static long calcVmProtBits(int prot, int pkey) {
        long f = 0;
        if ((prot & PROT_READ) != 0) {
            f |= VM_READ;
        }
        if ((prot & PROT_WRITE) != 0) {
            f |= VM_WRITE;
        }
        if ((prot & PROT_EXEC) != 0) {
            f |= VM_EXEC;
        }
        return VmFlags.withPkey(f, pkey);
    }

    /** calc_vm_flag_bits(). */
    private long calcVmFlagBits(int flags) {
        long f = 0;
        if ((flags & MAP_GROWSDOWN) != 0) {
            f |= VM_GROWSDOWN;
        }
        if ((flags & MAP_LOCKED) != 0) {
            f |= VM_LOCKED;
        }
        if ((flags & MAP_STACK) != 0 && thp && version.mapStackNoHugepage()) {
            f |= VM_NOHUGEPAGE;
        }
        return f;
    }

    /**
     * mmap_region() / __mmap_region(): unmap what the range overlaps (MAP_FIXED), then merge the
     * new range with the VMAs outside it, or insert a new VMA.
     */
    private int mmapRegion(VmaFile file, long addr, long len, long vmFlags, long pgoff, boolean noreplace) {
        long end = addr + len;
        // __mmap_setup(): find the first overlapping VMA and gather what must be unmapped
        VmaEngine.Gathered gathered = null;
        Vma prev;
        Vma next;
        Vma first = tree.findIntersecting(addr, end);
        if (first != null) {
            if (noreplace) {
                return Errno.EEXIST;
            }
            gathered = new VmaEngine.Gathered();
            int e = engine.gatherMunmapVmas(first, addr, end, gathered);
            if (e != 0) {
                return e;
            }
            prev = gathered.prev;
            next = gathered.next;
        } else {
            prev = tree.prevOf(addr);
            next = tree.findVma(addr);
        }
        // Private writable mapping: check memory availability (accountable_mapping)
        if ((file == null || (vmFlags & VM_HUGETLB) == 0)
            && (vmFlags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE) {
            vmFlags |= VM_ACCOUNT;
        }
        // Clear the old mappings: from here on they are gone even if the new one fails.
        if (gathered != null) {
            engine.completeMunmapVmas(gathered);
        }
        // Merge with prev/next. Shared anonymous memory has no file yet (shmem_zero_setup comes
        // later), so it never merges.
        Vma vma = null;
        if (prev != null || next != null) {
            VmaMergeState g = VmaMergeState.forNewRange(prev, next, addr, end, vmFlags, file, pgoff);
            vma = engine.vmaMergeNewRange(g);
            if (vma == null && g.nomem()) {
                return Errno.ENOMEM;
            }
        }
        if (vma == null) {
            if (preallocFails()) {
                return Errno.ENOMEM;
            }
            VmaFile f = file;
            if (f == null && (vmFlags & VM_SHARED) != 0) {
                f = newAnonShmemFile();
            }
            vma = new Vma(addr, end, pgoff, vmFlags, f);
            vma.anonKnownEpoch = epoch;
            link(vma);
            emit(Kind.NEW_NONE, null, addr, end, 0, false, vma);
        }
        // __mmap_complete()
        if ((vma.flags & VM_LOCKED) != 0) {
            if ((vma.flags & VM_SPECIAL) != 0 || (vma.flags & VM_HUGETLB) != 0 || (vma.flags & VM_DROPPABLE) != 0) {
                vma.flags &= ~VM_LOCKED_MASK;
            }
        }
        if (softDirty) {
            vma.flags |= VM_SOFTDIRTY;
        }
        return 0;
    }

    /**
     * munmap().
     *
     * @return 0, EINVAL (unaligned, zero length, beyond TASK_SIZE), ENOMEM (map count), EPERM (sealed)
     */
    public int munmap(long start, long len) {
        return endCall(doMunmap(start, len));
    }

    private int doMunmap(long start, long len) {
        if (!aligned(start) || ugt(start, taskSize) || ugt(len, taskSize - start)) {
            return Errno.EINVAL;
        }
        long end = start + pageAlign(len);
        if (end == start) {
            return Errno.EINVAL;
        }
        Vma vma = tree.findIntersecting(start, end);
        if (vma == null) {
            return 0;
        }
        return engine.doVmiAlignMunmap(vma, start, end);
    }

    // ================================================================== mprotect

    /** mprotect(). @return 0, EINVAL, ENOMEM (hole / unmapped), EACCES, EPERM (sealed) */
    public int mprotect(long start, long len, int prot) {
        return endCall(doMprotectPkey(start, len, prot, -1));
    }

    /** pkey_mprotect(); pkey -1 keeps each VMA's key. */
    public int pkeyMprotect(long start, long len, int prot, int pkey) {
        if (pkey < -1 || pkey > 15) {
            return endCall(Errno.EINVAL);
        }
        return endCall(doMprotectPkey(start, len, prot, pkey));
    }

    private int doMprotectPkey(long start, long len, int prot, int pkey) {
        int grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
        prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
        if (grows == (PROT_GROWSDOWN | PROT_GROWSUP)) {
            return Errno.EINVAL;
        }
        if (!aligned(start)) {
            return Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        len = pageAlign(len);
        long end = start + len;
        if (Long.compareUnsigned(end, start) <= 0) {
            return Errno.ENOMEM;
        }
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) != 0) {
            return Errno.EINVAL;
        }
        Vma vma = tree.findIntersecting(start, end);
        if (vma == null) {
            return Errno.ENOMEM;
        }
        if (grows == PROT_GROWSDOWN) {
            start = vma.start;
            if ((vma.flags & VM_GROWSDOWN) == 0) {
                return Errno.EINVAL;
            }
        } else {
            if (ugt(vma.start, start)) {
                return Errno.ENOMEM;
            }
            if (grows == PROT_GROWSUP) {
                return Errno.EINVAL; // no VM_GROWSUP on x86
            }
        }
        Vma prev = tree.prev(vma);
        if (ugt(start, vma.start)) {
            prev = vma;
        }
        long nstart = start;
        long tmp = vma.start;
        int error = 0;
        Vma v = vma;
        while (v != null && ult(v.start, end)) {
            if (v.start != tmp) {
                error = Errno.ENOMEM;
                break;
            }
            int vpkey = pkey >= 0 ? pkey : (prot == PROT_EXEC && executeOnlyPkey >= 0 ? executeOnlyPkey : VmFlags.pkey(v.flags));
            long newflags = calcVmProtBits(prot, vpkey) | (v.flags & ~(VM_ACCESS_FLAGS | VM_PKEY_MASK));
            // newflags >> 4 shift VM_MAY% in place of VM_%
            if ((newflags & ~(newflags >>> 4) & VM_ACCESS_FLAGS) != 0) {
                error = Errno.EACCES;
                break;
            }
            tmp = umin(v.end, end);
            Vma[] pprev = {prev};
            error = mprotectFixup(v, pprev, nstart, tmp, newflags);
            if (error != 0) {
                break;
            }
            prev = pprev[0];
            tmp = prev.end;
            nstart = tmp;
            v = tree.next(prev);
        }
        if (error == 0 && ult(tmp, end)) {
            error = Errno.ENOMEM;
        }
        return error;
    }

    /** mprotect_fixup(). */
    private int mprotectFixup(Vma vma, Vma[] pprev, long start, long end, long newflags) {
        long oldflags = vma.flags;
        if ((oldflags & VM_SEALED) != 0) {
            return Errno.EPERM;
        }
        if (newflags == oldflags) {
            pprev[0] = vma;
            return 0;
        }
        long assumedMask = 0;
        if ((newflags & VM_WRITE) == 0 && (oldflags & VM_WRITE) != 0 && vma.anonVma == null && uncertain(vma)
            && canHaveAnonVma(vma) && faultPolicy != FaultPolicy.OBSERVED_ONLY
            && ((newflags & (VM_READ | VM_EXEC)) != 0 || faultPolicy == FaultPolicy.ASSUME_WRITTEN)) {
            // private memory that was writable is being made read-only or executable: assume it
            // was written first (RELRO, JIT code, sealed tables). Memory made PROT_NONE is not:
            // guard pages (thread stacks) and uncommitted reservations are never written
            // (WRITE_BEFORE_PROTECT; ASSUME_WRITTEN assumes it anyway)
            assumeWritten(vma);
        }
        if ((newflags & VM_WRITE) != 0) {
            if ((oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)) == 0) {
                newflags |= VM_ACCOUNT;
            }
        } else if (version.mprotectDropsAccount() && (oldflags & VM_ACCOUNT) != 0 && vma.isAnonymous()) {
            if (vma.anonVma == null) {
                newflags &= ~VM_ACCOUNT;
            }
            if (uncertain(vma)) {
                assumedMask = VM_ACCOUNT;
            }
        }
        materialize(vma);
        long[] ref = {newflags};
        int[] err = {0};
        Vma res = engine.vmaModifyFlags(pprev[0], vma, start, end, ref, assumedMask, err);
        if (res == null) {
            return err[0];
        }
        pprev[0] = res;
        res.flags = ref[0];
        return 0;
    }

    // ================================================================== madvise

    /**
     * madvise(). Flag-changing advice merges or splits; holes are skipped and reported as ENOMEM
     * after the rest is done; ENOMEM from a merge/split is reported as EAGAIN.
     */
    public int madvise(long start, long lenIn, int advice) {
        return endCall(doMadvise(start, lenIn, advice));
    }

    private static boolean madviseBehaviorValid(int b) {
        switch (b) {
            case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED: case MADV_DONTNEED:
            case MADV_FREE: case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK: case MADV_MERGEABLE:
            case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
            case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD: case MADV_PAGEOUT: case MADV_POPULATE_READ:
            case MADV_POPULATE_WRITE: case MADV_DONTNEED_LOCKED: case MADV_COLLAPSE: case MADV_HWPOISON:
            case MADV_SOFT_OFFLINE:
                return true;
            default:
                return false;
        }
    }

    private int doMadvise(long start, long lenIn, int advice) {
        if (!aligned(start)) {
            return Errno.EINVAL;
        }
        boolean guard = advice == MADV_GUARD_INSTALL || advice == MADV_GUARD_REMOVE;
        if (!madviseBehaviorValid(advice) && !(guard && version.guardRegions())) {
            return Errno.EINVAL;
        }
        long end = adviseEnd(start, lenIn);
        if (end == BAD_RANGE) {
            return Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        return madviseWalk(start, end, advice, null, false);
    }

    /** madvise_walk_vmas(); {@code name}/{@code setName} for the anon-name pseudo advice. */
    private int madviseWalk(long start, long end, int advice, String name, boolean setName) {
        int unmappedError = 0;
        Vma vma = tree.findVma(start);
        Vma prev = vma != null ? tree.prev(vma) : tree.prevOf(start);
        if (vma != null && ugt(start, vma.start)) {
            prev = vma;
        }
        long rstart = start;
        for (;;) {
            if (vma == null) {
                return Errno.ENOMEM;
            }
            if (ult(rstart, vma.start)) {
                unmappedError = Errno.ENOMEM;
                rstart = vma.start;
                if (Long.compareUnsigned(rstart, end) >= 0) {
                    break;
                }
            }
            long rend = umin(vma.end, end);
            Vma[] pprev = {prev};
            int error = setName ? madviseSetName(vma, pprev, rstart, rend, name)
                : madviseVmaBehavior(vma, pprev, rstart, rend, advice);
            if (error != 0) {
                return error;
            }
            prev = pprev[0];
            rstart = rend;
            // a merge may have carried prev past the piece just done
            if (prev != null && ult(rstart, prev.end)) {
                rstart = prev.end;
            }
            if (Long.compareUnsigned(rstart, end) >= 0) {
                break;
            }
            vma = tree.findVma(prev.end);
            if (vma == null) {
                return Errno.ENOMEM;
            }
        }
        return unmappedError;
    }

    private static boolean isDiscard(int advice) {
        switch (advice) {
            case MADV_FREE: case MADV_DONTNEED: case MADV_DONTNEED_LOCKED: case MADV_REMOVE:
            case MADV_DONTFORK: case MADV_WIPEONFORK: case MADV_GUARD_INSTALL:
                return true;
            default:
                return false;
        }
    }

    /** madvise_vma_behavior() for one VMA piece [start, end). */
    private int madviseVmaBehavior(Vma vma, Vma[] pprev, long start, long end, int advice) {
        // can_madvise_modify(): sealed anonymous read-only memory refuses discards
        if ((vma.flags & VM_SEALED) != 0 && isDiscard(advice) && vma.isAnonymous() && (vma.flags & VM_WRITE) == 0) {
            return Errno.EPERM;
        }
        long newFlags = vma.flags;
        switch (advice) {
            case MADV_NORMAL:
                newFlags &= ~(VM_RAND_READ | VM_SEQ_READ);
                break;
            case MADV_SEQUENTIAL:
                newFlags = (newFlags & ~VM_RAND_READ) | VM_SEQ_READ;
                break;
            case MADV_RANDOM:
                newFlags = (newFlags & ~VM_SEQ_READ) | VM_RAND_READ;
                break;
            case MADV_DONTFORK:
                newFlags |= VM_DONTCOPY;
                break;
            case MADV_DOFORK:
                if ((vma.flags & VM_IO) != 0) {
                    return Errno.EINVAL;
                }
                newFlags &= ~VM_DONTCOPY;
                break;
            case MADV_WIPEONFORK:
                // MADV_WIPEONFORK is only supported on anonymous memory.
                if (vma.file != null || (vma.flags & VM_SHARED) != 0) {
                    return Errno.EINVAL;
                }
                newFlags |= VM_WIPEONFORK;
                break;
            case MADV_KEEPONFORK:
                if ((vma.flags & VM_DROPPABLE) != 0) {
                    return Errno.EINVAL;
                }
                newFlags &= ~VM_WIPEONFORK;
                break;
            case MADV_DONTDUMP:
                newFlags |= VM_DONTDUMP;
                break;
            case MADV_DODUMP:
                if (((vma.flags & VM_HUGETLB) == 0 && (newFlags & VM_SPECIAL) != 0) || (vma.flags & VM_DROPPABLE) != 0) {
                    return Errno.EINVAL;
                }
                newFlags &= ~VM_DONTDUMP;
                break;
            case MADV_MERGEABLE:
                if ((newFlags & (VM_MERGEABLE | VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO | VM_DONTEXPAND
                    | VM_HUGETLB | VM_MIXEDMAP | VM_DROPPABLE)) == 0) {
                    newFlags |= VM_MERGEABLE;
                }
                break;
            case MADV_UNMERGEABLE:
                newFlags &= ~VM_MERGEABLE;
                break;
            case MADV_HUGEPAGE:
                if (!thp) {
                    return Errno.EINVAL;
                }
                newFlags = (newFlags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
                break;
            case MADV_NOHUGEPAGE:
                if (!thp) {
                    return Errno.EINVAL;
                }
                newFlags = (newFlags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
                break;
            case MADV_GUARD_INSTALL:
                if ((vma.flags & (VM_SPECIAL | VM_HUGETLB | VM_LOCKED_MASK)) != 0) {
                    return Errno.EINVAL;
                }
                // 6.18.44: the whole VMA is marked VM_MAYBE_GUARD in place, nothing is split
                if (version.maybeGuardFlag()) {
                    vma.flags |= VM_MAYBE_GUARD;
                }
                if (vma.isAnonymous()) {
                    anonVmaPrepare(vma);
                }
                pprev[0] = vma;
                return 0;
            case MADV_DONTNEED:
            case MADV_DONTNEED_LOCKED:
            case MADV_FREE:
                if ((vma.flags & (VM_PFNMAP | VM_HUGETLB)) != 0
                    || (advice != MADV_DONTNEED_LOCKED && (vma.flags & VM_LOCKED) != 0)) {
                    return Errno.EINVAL;
                }
                if (advice == MADV_FREE && !vma.isAnonymous()) {
                    return Errno.EINVAL;
                }
                pprev[0] = vma;
                return 0;
            case MADV_POPULATE_WRITE:
                if ((vma.flags & (VM_IO | VM_PFNMAP)) != 0) {
                    return Errno.EINVAL;
                }
                if ((vma.flags & VM_WRITE) == 0) {
                    return Errno.EFAULT;
                }
                if (canHaveAnonVma(vma)) {
                    anonVmaPrepare(vma);
                }
                pprev[0] = vma;
                return 0;
            case MADV_POPULATE_READ:
                if ((vma.flags & (VM_IO | VM_PFNMAP)) != 0) {
                    return Errno.EINVAL;
                }
                if ((vma.flags & VM_ACCESS_FLAGS) == 0) {
                    return Errno.EFAULT;
                }
                pprev[0] = vma;
                return 0;
            default:
                // WILLNEED, COLD, PAGEOUT, REMOVE, COLLAPSE, HWPOISON, SOFT_OFFLINE, GUARD_REMOVE:
                // no VMA change
                pprev[0] = vma;
                return 0;
        }
        return madviseUpdateVma(vma, pprev, start, end, newFlags, vma.anonName, false);
    }

    /** madvise_update_vma(). */
    private int madviseUpdateVma(Vma vma, Vma[] pprev, long start, long end, long newFlags, String name, boolean setName) {
        if (newFlags == vma.flags && java.util.Objects.equals(vma.anonName, name)) {
            pprev[0] = vma;
            return 0;
        }
        materialize(vma);
        int[] err = {0};
        Vma res;
        long[] ref = {newFlags};
        if (setName) {
            res = engine.vmaModifyName(pprev[0], vma, start, end, name, err);
        } else {
            res = engine.vmaModifyFlags(pprev[0], vma, start, end, ref, 0, err);
        }
        if (res == null) {
            return err[0] == Errno.ENOMEM ? Errno.EAGAIN : err[0];
        }
        pprev[0] = res;
        if (setName) {
            res.anonName = name;
        } else {
            res.flags = ref[0];
        }
        return 0;
    }

    private int madviseSetName(Vma vma, Vma[] pprev, long start, long end, String name) {
        // anonymous memory and anonymous shmem only
        if (vma.file != null && !vma.file.anonShmem()) {
            return Errno.EBADF;
        }
        return madviseUpdateVma(vma, pprev, start, end, vma.flags, name, true);
    }

    /**
     * prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, start, len, name); name null clears.
     *
     * @return 0, EINVAL (bad name, unaligned, CONFIG_ANON_VMA_NAME off), EBADF (file-backed),
     *         ENOMEM (holes, after naming the rest)
     */
    public int setAnonName(long start, long lenIn, String name) {
        if (!anonVmaNameSupported) {
            return endCall(Errno.EINVAL);
        }
        if (name != null) {
            if (name.length() > 80) {
                return endCall(Errno.EINVAL);
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                // is_valid_name_char(): printable, none of [ ] \ $ `
                if (c < 0x20 || c > 0x7e || c == '[' || c == ']' || c == '\\' || c == '$' || c == '`') {
                    return endCall(Errno.EINVAL);
                }
            }
        }
        if (!aligned(start)) {
            return endCall(Errno.EINVAL);
        }
        long end = adviseEnd(start, lenIn);
        if (end == BAD_RANGE) {
            return endCall(Errno.EINVAL);
        }
        if (end == start) {
            return endCall(0);
        }
        return endCall(madviseWalk(start, end, 0, name, true));
    }

    // ================================================================== mlock

    /** mlock(): start rounded down, length rounded up to cover. */
    public int mlock(long start, long len) {
        return endCall(doMlock(start, len, VM_LOCKED));
    }

    /** mlock2(); flags 0 or MLOCK_ONFAULT. */
    public int mlock2(long start, long len, int flags) {
        if ((flags & ~MLOCK_ONFAULT) != 0) {
            return endCall(Errno.EINVAL);
        }
        return endCall(doMlock(start, len, (flags & MLOCK_ONFAULT) != 0 ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED));
    }

    /** munlock(). */
    public int munlock(long start, long len) {
        long l = pageAlign(len + (start & PAGE_MASK_LOW));
        start &= ~PAGE_MASK_LOW;
        return endCall(applyVmaLockFlags(start, l, 0));
    }

    private int doMlock(long start, long len, long flags) {
        len = pageAlign(len + (start & PAGE_MASK_LOW));
        start &= ~PAGE_MASK_LOW;
        int error = applyVmaLockFlags(start, len, flags);
        if (error != 0) {
            return error;
        }
        populate(start, start + len, true);
        return 0;
    }

    private int applyVmaLockFlags(long start, long len, long flags) {
        long end = start + len;
        if (ult(end, start)) {
            return Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        Vma vma = tree.contains(start);
        if (vma == null) {
            return Errno.ENOMEM;
        }
        Vma prev = tree.prev(vma);
        if (ugt(start, vma.start)) {
            prev = vma;
        }
        long nstart = start;
        long tmp = vma.start;
        Vma v = vma;
        while (v != null && ult(v.start, end)) {
            if (v.start != tmp) {
                return Errno.ENOMEM;
            }
            long newflags = (v.flags & ~VM_LOCKED_MASK) | flags;
            tmp = umin(v.end, end);
            Vma[] pprev = {prev};
            int error = mlockFixup(v, pprev, nstart, tmp, newflags);
            if (error != 0) {
                return error;
            }
            prev = pprev[0];
            tmp = prev.end;
            nstart = tmp;
            v = tree.next(prev);
        }
        if (ult(tmp, end)) {
            return Errno.ENOMEM;
        }
        return 0;
    }

    /** vma_supports_mlock() (6.18.y) / the older open-coded filter. */
    private static boolean supportsMlock(Vma v) {
        return (v.flags & (VM_SPECIAL | VM_DROPPABLE | VM_HUGETLB)) == 0 && v.special == null;
    }

    /** mlock_fixup(). */
    private int mlockFixup(Vma vma, Vma[] pprev, long start, long end, long newflags) {
        long oldflags = vma.flags;
        if (newflags == oldflags || !supportsMlock(vma)) {
            pprev[0] = vma;
            return 0;
        }
        materialize(vma);
        long[] ref = {newflags};
        int[] err = {0};
        Vma res = engine.vmaModifyFlags(pprev[0], vma, start, end, ref, 0, err);
        if (res == null) {
            pprev[0] = vma;
            return err[0];
        }
        res.flags = ref[0];
        pprev[0] = res;
        return 0;
    }

    /** mlockall(); flags MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT. */
    public int mlockall(int flags) {
        if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) != 0 || flags == MCL_ONFAULT) {
            return endCall(Errno.EINVAL);
        }
        applyMlockallFlags(flags);
        if ((flags & MCL_CURRENT) != 0) {
            populate(0, taskSize, true);
        }
        return endCall(0);
    }

    /** munlockall(). */
    public int munlockall() {
        applyMlockallFlags(0);
        return endCall(0);
    }

    private void applyMlockallFlags(int flags) {
        long toAdd = 0;
        defFlags &= ~VM_LOCKED_MASK;
        if ((flags & MCL_FUTURE) != 0) {
            defFlags |= VM_LOCKED;
            if ((flags & MCL_ONFAULT) != 0) {
                defFlags |= VM_LOCKONFAULT;
            }
            if ((flags & MCL_CURRENT) == 0) {
                return;
            }
        }
        if ((flags & MCL_CURRENT) != 0) {
            toAdd |= VM_LOCKED;
            if ((flags & MCL_ONFAULT) != 0) {
                toAdd |= VM_LOCKONFAULT;
            }
        }
        Vma prev = null;
        Vma v = tree.first();
        while (v != null) {
            long newflags = (v.flags & ~VM_LOCKED_MASK) | toAdd;
            Vma[] pprev = {prev};
            int error = mlockFixup(v, pprev, v.start, v.end, newflags);
            // Ignore errors, but prev needs fixing up.
            prev = error != 0 ? v : pprev[0];
            v = tree.next(prev);
        }
    }

    // ================================================================== mseal

    /**
     * mseal() (6.10+; 6.17+ semantics: any hole -&gt; ENOMEM before anything changes).
     *
     * @return 0, EINVAL, ENOMEM, ENOSYS (6.1)
     */
    public int mseal(long start, long lenIn, long flags) {
        return endCall(doMseal(start, lenIn, flags));
    }

    private int doMseal(long start, long lenIn, long flags) {
        if (!version.mseal()) {
            return Errno.ENOSYS;
        }
        if (flags != 0 || !aligned(start)) {
            return Errno.EINVAL;
        }
        long end = adviseEnd(start, lenIn);
        if (end == BAD_RANGE) {
            return Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        if (rangeContainsUnmapped(start, end)) {
            return Errno.ENOMEM;
        }
        Vma vma = tree.contains(start);
        Vma prev = tree.prev(vma);
        if (ugt(start, vma.start)) {
            prev = vma;
        }
        Vma v = vma;
        while (v != null && ult(v.start, end)) {
            // mainline computes curr_start per VMA; the 6.17 rewrite carried it over from the
            // previous iteration, which goes stale when a merge extends past curr_end
            long currStart = ugt(v.start, start) ? v.start : start;
            long currEnd = umin(v.end, end);
            if ((v.flags & VM_SEALED) == 0) {
                materialize(v);
                long[] ref = {v.flags | VM_SEALED};
                int[] err = {0};
                Vma res = engine.vmaModifyFlags(prev, v, currStart, currEnd, ref, 0, err);
                if (res == null) {
                    return err[0];
                }
                res.flags |= VM_SEALED;
                v = res;
            }
            prev = v;
            v = tree.next(prev);
        }
        return 0;
    }

    /** range_contains_unmapped(). */
    private boolean rangeContainsUnmapped(long start, long end) {
        long prevEnd = start;
        for (Vma v = tree.findIntersecting(start, end); v != null && ult(v.start, end); v = tree.next(v)) {
            if (ugt(v.start, prevEnd)) {
                return true;
            }
            prevEnd = v.end;
        }
        return ult(prevEnd, end);
    }

    // ================================================================== mbind

    /**
     * mbind(start, len, policy): policy null = MPOL_DEFAULT. A hole in the range fails with
     * EFAULT before anything changes (queue_pages_range without MPOL_MF_DISCONTIG_OK).
     */
    public int mbind(long start, long len, MemPolicy policy) {
        if (!aligned(start)) {
            return endCall(Errno.EINVAL);
        }
        len = pageAlign(len);
        long end = start + len;
        if (ult(end, start)) {
            return endCall(Errno.EINVAL);
        }
        if (end == start) {
            return endCall(0);
        }
        if (rangeContainsUnmapped(start, end)) {
            return endCall(Errno.EFAULT);
        }
        Vma vma = tree.contains(start);
        Vma prev = tree.prev(vma);
        Vma v = vma;
        while (v != null && ult(v.start, end)) {
            long vmstart = v.start;
            if (ugt(start, vmstart)) {
                prev = v;
                vmstart = start;
            }
            long vmend = umin(end, v.end);
            if (MemPolicy.equal(v.policy, policy)) {
                prev = v;
            } else {
                materialize(v);
                int[] err = {0};
                Vma res = engine.vmaModifyPolicy(prev, v, vmstart, vmend, policy, err);
                if (res == null) {
                    return endCall(err[0]);
                }
                res.policy = policy;
                prev = res;
            }
            v = tree.next(prev);
        }
        return endCall(0);
    }

    // ================================================================== userfaultfd

    /**
     * UFFDIO_REGISTER (modes != 0) / UFFDIO_UNREGISTER (modes == 0, ctx 0) on [start, end):
     * flags := (flags minus uffd bits) | modes, uffd ctx replaced; merges like the kernel's
     * vma_modify_flags_uffd. Holes fail with EINVAL before anything changes.
     */
    public int uffdRegister(long start, long len, long modes, long ctx) {
        if (!aligned(start) || !aligned(len) || len == 0) {
            return endCall(Errno.EINVAL);
        }
        long end = start + len;
        if (ult(end, start) || rangeContainsUnmapped(start, end)) {
            return endCall(Errno.EINVAL);
        }
        Vma vma = tree.contains(start);
        Vma prev = tree.prev(vma);
        Vma v = vma;
        while (v != null && ult(v.start, end)) {
            long vstart = v.start;
            if (ugt(start, vstart)) {
                prev = v;
                vstart = start;
            }
            long vend = umin(end, v.end);
            long newFlags = (v.flags & ~VM_UFFD_FLAGS) | modes;
            if (newFlags == v.flags && v.uffdCtx == ctx) {
                prev = v;
            } else {
                materialize(v);
                int[] err = {0};
                Vma res = engine.vmaModifyFlagsUffd(prev, v, vstart, vend, newFlags, ctx, false, err);
                if (res == null) {
                    return endCall(err[0]);
                }
                res.flags = newFlags;
                res.uffdCtx = ctx;
                prev = res;
            }
            v = tree.next(prev);
        }
        return endCall(0);
    }

    // ================================================================== brk

    /**
     * brk(newBrk). Returns what the kernel returns: the new break on success, the old one when the
     * request is refused. brk(0) only reads it. Needs {@link #setBrkArea}; without it the first
     * call's result should be fed there by the driver.
     */
    public long brk(long newBrk) {
        long r = doBrk(newBrk);
        endCall(0);
        return r;
    }

    private long doBrk(long reqBrk) {
        long origbrk = brk;
        if (!brkKnown || ult(reqBrk, startBrk)) {
            return origbrk;
        }
        long newbrk = pageAlign(reqBrk);
        long oldbrk = pageAlign(brk);
        if (oldbrk == newbrk) {
            brk = reqBrk;
            return brk;
        }
        // Always allow shrinking brk.
        if (Long.compareUnsigned(reqBrk, brk) <= 0) {
            Vma brkvma = tree.findIntersecting(newbrk, oldbrk);
            if (brkvma == null || Long.compareUnsigned(brkvma.start, oldbrk) >= 0) {
                return origbrk;
            }
            brk = reqBrk;
            if (engine.doVmiAlignMunmap(brkvma, newbrk, oldbrk) != 0) {
                brk = origbrk;
                return origbrk;
            }
            return brk;
        }
        // check_brk_limits(): get_unmapped_area(MAP_FIXED) refuses a range past TASK_SIZE
        // (and a break whose PAGE_ALIGN wrapped to 0)
        if (ugt(newbrk - oldbrk, taskSize) || ugt(oldbrk, taskSize - (newbrk - oldbrk))) {
            return origbrk;
        }
        // Only check if the next VMA is within the stack_guard_gap of the expansion area
        Vma next = tree.findIntersecting(oldbrk, newbrk + PAGE_SIZE + stackGuardGap);
        if (next != null) {
            // vm_start_gap(): stack_guard_gap below VM_GROWSDOWN, one page below a shadow stack
            long gap = (next.flags & VM_GROWSDOWN) != 0 ? stackGuardGap : (next.flags & VM_SHADOW_STACK) != 0 ? PAGE_SIZE : 0;
            long gapStart = ugt(next.start - gap, next.start) ? 0 : next.start - gap;
            if (ugt(newbrk + PAGE_SIZE, gapStart)) {
                return origbrk;
            }
        }
        // vma_prev_limit(&vmi, mm->start_brk): the VMA below oldbrk, if it reaches above start_brk
        Vma brkvma = tree.prevOf(oldbrk);
        if (brkvma != null && Long.compareUnsigned(brkvma.end, startBrk) <= 0) {
            brkvma = null;
        }
        if (doBrkFlags(brkvma, oldbrk, newbrk - oldbrk, 0) != 0) {
            return origbrk;
        }
        brk = reqBrk;
        if ((defFlags & VM_LOCKED) != 0) {
            populate(oldbrk, newbrk, true);
        }
        return brk;
    }

    /**
     * do_brk_flags(): expand the heap VMA in place (expand-only merge, never merging right) or
     * create a new anonymous VMA.
     */
    int doBrkFlags(Vma vma, long addr, long len, long flags) {
        flags |= VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | defFlags;
        if (mapCount() > maxMapCount) {
            return Errno.ENOMEM;
        }
        // Expand the existing vma if possible
        if (vma != null && vma.end == addr) {
            VmaMergeState g = VmaMergeState.forNewRange(vma, null, addr, addr + len, flags, null, addr >>> PAGE_SHIFT);
            g.justExpand = true;
            Vma merged = engine.vmaMergeNewRange(g);
            if (merged != null) {
                if (softDirty) {
                    merged.flags |= VM_SOFTDIRTY;
                }
                return 0;
            } else if (g.nomem()) {
                return Errno.ENOMEM;
            }
        }
        if (preallocFails()) {
            return Errno.ENOMEM;
        }
        Vma v = new Vma(addr, addr + len, addr >>> PAGE_SHIFT, flags | (softDirty ? VM_SOFTDIRTY : 0), null);
        v.anonKnownEpoch = epoch;
        link(v);
        emit(Kind.NEW_NONE, null, addr, addr + len, 0, false, v);
        return 0;
    }

    // ================================================================== mremap

    /**
     * mremap(oldAddr, oldLen, newLen, flags, newAddr).
     *
     * @param newAddr the address the mapping ends at: MREMAP_FIXED's argument, or what the trace
     *                returned (== oldAddr when resized in place)
     * @return 0, or EINVAL, EFAULT, ENOMEM, EPERM, EAGAIN like the kernel; ENOMEM too when the
     *         trace says "in place" but the model cannot grow in place
     */
    public int mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        return endCall(doMremap(oldAddr, oldLen, newLen, flags, newAddr));
    }

    private int doMremap(long addr, long oldLen, long newLen, int flags, long newAddr) {
        if ((flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) != 0) {
            return Errno.EINVAL;
        }
        if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0 && (flags & MREMAP_MAYMOVE) == 0) {
            return Errno.EINVAL;
        }
        boolean dontunmap = (flags & MREMAP_DONTUNMAP) != 0;
        boolean fixed = (flags & MREMAP_FIXED) != 0;
        if (dontunmap && oldLen != newLen) {
            return Errno.EINVAL;
        }
        if (!aligned(addr)) {
            return Errno.EINVAL;
        }
        oldLen = pageAlign(oldLen);
        newLen = pageAlign(newLen);
        if (newLen == 0) {
            return Errno.EINVAL;
        }
        if (ugt(newLen, taskSize) || ugt(addr, taskSize - umin(oldLen, taskSize))) {
            return Errno.EINVAL;
        }
        boolean moving = fixed || dontunmap || newAddr != addr;
        if (moving) {
            if ((flags & MREMAP_MAYMOVE) == 0) {
                return Errno.ENOMEM; // the model says in place is impossible / trace moved without MAYMOVE
            }
            if (!aligned(newAddr) || ugt(newLen, taskSize) || ugt(newAddr, taskSize - newLen)) {
                return Errno.EINVAL;
            }
            // the source and destination ranges must not overlap
            if (ult(newAddr, addr + oldLen) && ult(addr, newAddr + newLen) && (fixed || dontunmap)) {
                return Errno.EINVAL;
            }
            if (dontunmap || fixed) {
                if (mapCount() + 2 >= maxMapCount - 3) {
                    return Errno.ENOMEM;
                }
            }
        }
        Vma vma = tree.contains(addr);
        if (vma == null) {
            return Errno.EFAULT;
        }
        // 6.17+: MREMAP_FIXED move of the same size may span several VMAs and gaps
        if (fixed && oldLen == newLen && oldLen != 0 && ugt(addr + oldLen, vma.end)) {
            if (!version.mremapMultiVma()) {
                return Errno.EFAULT;
            }
            return mremapMoveMulti(addr, oldLen, newAddr, dontunmap);
        }
        if ((vma.flags & VM_SEALED) != 0) {
            return Errno.EPERM;
        }
        // !old_len duplicates a mapping (mm/mremap.c): a second VMA of the same shared object at
        // the new address, the old one left in place; meaningless for private mappings
        if (oldLen == 0 && (vma.flags & VM_MAYSHARE) == 0) {
            return Errno.EINVAL;
        }
        if (dontunmap && (vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) != 0) {
            return Errno.EINVAL;
        }
        // check_prep_vma(): only meaningful when a new range gets mapped (move or expand)
        if (moving || ugt(newLen, oldLen)) {
            // We can't remap across vm area boundaries
            if (ugt(oldLen, vma.end - addr)) {
                return Errno.EFAULT;
            }
            if (newLen != oldLen && (vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) != 0) {
                return Errno.EFAULT;
            }
        }
        if (moving) {
            if (fixed) {
                // the destination is unmapped first, even if the move later fails
                Vma d = tree.findIntersecting(newAddr, newAddr + newLen);
                if (d != null) {
                    int e = engine.doVmiAlignMunmap(d, newAddr, newAddr + newLen);
                    if (e != 0) {
                        return e;
                    }
                }
            } else if (tree.findIntersecting(newAddr, newAddr + newLen) != null) {
                return Errno.EEXIST; // the model has something where the kernel found a hole
            }
            if (ult(newLen, oldLen)) {
                int e = doMunmapChecked(addr + newLen, oldLen - newLen);
                if (e != 0) {
                    return e;
                }
                oldLen = newLen;
            }
            vma = tree.contains(addr);
            if (vma == null) {
                return Errno.EFAULT;
            }
            return moveVma(vma, addr, oldLen, newLen, newAddr, dontunmap);
        }
        // in place
        if (oldLen == newLen) {
            return 0;
        }
        if (ult(newLen, oldLen)) {
            // shrink: munmap the tail (may cross VMA boundaries)
            return doMunmapChecked(addr + newLen, oldLen - newLen);
        }
        // expand in place
        if (vma.end != addr + oldLen) {
            return Errno.ENOMEM;
        }
        long delta = newLen - oldLen;
        long tailEnd = vma.end + delta;
        if (ult(tailEnd, vma.end) || ugt(tailEnd, taskSize) || tree.findIntersecting(vma.end, tailEnd) != null) {
            return Errno.ENOMEM;
        }
        long oldEnd = vma.end;
        materialize(vma);
        Vma res = engine.vmaMergeExtend(vma, delta);
        if (res == null) {
            return Errno.ENOMEM;
        }
        if ((res.flags & VM_LOCKED) != 0) {
            populate(oldEnd, tailEnd, true);
        }
        return 0;
    }

    private int doMunmapChecked(long start, long len) {
        Vma v = tree.findIntersecting(start, start + len);
        if (v == null) {
            return 0;
        }
        return engine.doVmiAlignMunmap(v, start, start + len);
    }

    /**
     * move_vma(): copy [oldAddr, oldAddr+oldLen) of vma to newAddr (copy_vma merges it there if it
     * can), then unmap the source (or, with DONTUNMAP, leave it mapped without its pages).
     */
    private int moveVma(Vma vma, long oldAddr, long oldLen, long newLen, long newAddr, boolean dontunmap) {
        if (mapCount() >= maxMapCount - 3) {
            return Errno.ENOMEM;
        }
        // may_split vetoes at both ends of the source range
        if (vma.special != null && (vma.start != oldAddr || vma.end != oldAddr + oldLen)) {
            return Errno.EINVAL;
        }
        long newPgoff = vma.pgoff + ((oldAddr - vma.start) >>> PAGE_SHIFT);
        Vma[] src = {vma};
        Vma newVma = engine.copyVma(src, newAddr, newLen, newPgoff);
        if (newVma == null) {
            return Errno.ENOMEM;
        }
        vma = src[0];
        long vmFlags = vma.flags;
        if ((vmFlags & VM_LOCKED) != 0 && ugt(newLen, oldLen)) {
            populate(newAddr + oldLen, newAddr + newLen, true);
        }
        if (dontunmap) {
            // The source VMA stays (not split): it loses VM_LOCKED/VM_LOCKONFAULT but keeps
            // VM_ACCOUNT (6.18.44, spec 0a), and its anon_vma when the whole VMA moved.
            vma.flags &= ~VM_LOCKED_MASK;
            if (newVma != vma && vma.start == oldAddr && vma.end == oldAddr + oldLen) {
                vma.anonVma = null;
                vma.anonChain = 0;
                vma.anonAssumed = false;
                vma.anonKnownEpoch = epoch;
            }
            return 0;
        }
        if (oldLen == 0) {
            return 0; // a duplicate (old_len 0): nothing of the source is unmapped
        }
        // The kernel conceals VM_ACCOUNT during this unmap so the reservation is not undone, and
        // sets it again on the head/tail remnants: no net flag change for the model.
        return doMunmapChecked(oldAddr, oldLen);
    }

    /** 6.17+ multi-VMA MREMAP_FIXED move: each VMA piece moves, gaps preserved. */
    private int mremapMoveMulti(long addr, long len, long newAddr, boolean dontunmap) {
        long end = addr + len;
        // a hole at the very start fails
        if (tree.contains(addr) == null) {
            return Errno.EFAULT;
        }
        for (Vma v = tree.contains(addr); v != null && ult(v.start, end); v = tree.next(v)) {
            if ((v.flags & VM_SEALED) != 0) {
                return Errno.EPERM;
            }
            if (v.uffdCtx != 0) {
                return Errno.EFAULT;
            }
        }
        Vma d = tree.findIntersecting(newAddr, newAddr + len);
        if (d != null) {
            int e = engine.doVmiAlignMunmap(d, newAddr, newAddr + len);
            if (e != 0) {
                return e;
            }
        }
        long cursor = addr;
        while (ult(cursor, end)) {
            Vma v = tree.findIntersecting(cursor, end);
            if (v == null) {
                break;
            }
            long s = ugt(v.start, cursor) ? v.start : cursor;
            long e2 = umin(v.end, end);
            int e = moveVma(v, s, e2 - s, e2 - s, newAddr + (s - addr), dontunmap);
            if (e != 0) {
                return e;
            }
            cursor = e2;
        }
        return 0;
    }

    // ================================================================== fork

    /**
     * fork()/clone without CLONE_VM: the child's address space (dup_mmap). VM_DONTCOPY VMAs are
     * left out, VM_LOCKED/VM_LOCKONFAULT cleared, VM_WIPEONFORK VMAs get no anon_vma, every other
     * faulted VMA gets a new anon_vma chained to the parent's (a fork child), uffd state is dropped
     * (no UFFD_FEATURE_EVENT_FORK assumed). Nothing merges. No events are reported.
     */
    public Mm fork() {
        // the child's VMAs are reported to the child's observer (setObserver), not the parent's
        Mm child = new Mm(version, faultPolicy, VmaObserver.NONE);
        child.maxMapCount = maxMapCount;
        child.taskSize = taskSize;
        child.hugePageSize = hugePageSize;
        child.stackGuardGap = stackGuardGap;
        child.defFlags = defFlags & VM_NOHUGEPAGE; // VM_INIT_DEF_MASK
        child.startBrk = startBrk;
        child.brk = brk;
        child.brkKnown = brkKnown;
        child.startStack = startStack;
        child.overcommitNever = overcommitNever;
        child.thp = thp;
        child.softDirty = softDirty;
        child.anonVmaNameSupported = anonVmaNameSupported;
        child.executeOnlyPkey = executeOnlyPkey;
        child.shmemIds = shmemIds;
        for (Vma v : tree.all()) {
            if ((v.flags & VM_DONTCOPY) != 0) {
                continue;
            }
            materialize(v);
            Vma c = v.dup();
            c.flags &= ~VM_LOCKED_MASK;
            if (c.uffdCtx != 0) {
                c.flags &= ~VM_UFFD_FLAGS;
                c.uffdCtx = 0;
            }
            if ((c.flags & VM_WIPEONFORK) != 0) {
                c.anonVma = null;
                c.anonChain = 0;
            } else if (v.anonVma != null) {
                // anon_vma_fork(): clone the parent's chain, then link a new anon_vma
                c.anonVma = new AnonVma();
                c.anonChain = v.anonChain + 1;
            }
            c.anonKnownEpoch = 0;
            child.link(c);
        }
        child.observer = observer;
        endCall(0);
        return child;
    }
}
