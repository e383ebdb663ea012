package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import dev.vmareplay.replay.engine.VmaEvent.RefusalReason;

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
    VmaObserver observer;

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
    boolean anonVmaNameSupported = true;
    int executeOnlyPkey = -1;

    private long mappedBytes;
    /** Counts completed system calls; faults can only happen between them. */
    long epoch;
    private int preallocFailures;
    long shmemIds;

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
        return new Seed(this, start, end);
    }

    // ================================================================== link, unlink, events

    /** Reports an event that has no subject VMA (a refused merge). */
    void emit(Kind kind, RefusalReason reason, long start, long end, int legacy, boolean assumed) {
        emit(kind, reason, start, end, legacy, assumed, null);
    }

    /**
     * Reports a merge decision of g: assumed when it rested on the fault policy's assumption
     * (never under {@link FaultPolicy#OBSERVED_ONLY}) or on an anon_vma the seed assumed shared,
     * which no fault shows.
     */
    void emit(Kind kind, RefusalReason reason, long start, long end, int legacy, VmaMergeState g, Vma subject) {
        boolean assumed = (g.assumed && faultPolicy != FaultPolicy.OBSERVED_ONLY) || g.seedShareAssumed;
        observer.on(new VmaEvent(kind, reason, start, end, legacy, assumed, subject == null ? 0 : subject.id));
    }

    /** Reports an event about {@code subject} (the target, the split VMA, the new or removed one). */
    void emit(Kind kind, RefusalReason reason, long start, long end, int legacy, boolean assumed, Vma subject) {
        observer.on(new VmaEvent(kind, reason, start, end, legacy, assumed && faultPolicy != FaultPolicy.OBSERVED_ONLY,
            subject == null ? 0 : subject.id));
    }

    /** The failure point of vma_iter_prealloc(): true (ENOMEM) while {@link #failPreallocations} lasts. */
    boolean preallocFails() {
        if (preallocFailures > 0) {
            preallocFailures--;
            return true;
        }
        return false;
    }

    /**
     * vma_link() / vma_iter_store_new(): v enters the tree. The maple tree would overwrite
     * whatever the range held; every caller has emptied it first (vma_iter_store_overwrite()'s
     * CONFIG_DEBUG_VM_MAPLE_TREE range checks), asserted here.
     */
    void link(Vma v) {
        assert Long.compareUnsigned(v.start, v.end) < 0 && Addr.aligned(v.start) && Addr.aligned(v.end)
            : "vma_link() of an empty or unaligned VMA " + v;
        assert tree.findIntersecting(v.start, v.end) == null
            : "vma_link() over a mapped range: " + v + " overlaps " + tree.findIntersecting(v.start, v.end);
        tree.insert(v);
        mappedBytes += v.end - v.start;
        observer.linked(v);
    }

    /** The removal of a detached VMA from the tree for good. */
    void unlink(Vma v) {
        tree.remove(v);
        mappedBytes -= v.end - v.start;
        observer.unlinked(v);
    }

    /**
     * vma_set_range() followed by the store of v at its new range: the tree kept in order. The
     * new range may reach over no other VMA (the callers shrink or remove a neighbour first, as
     * commit_merge() does; the store's range checks of vma_iter_store_overwrite()), asserted here.
     */
    void setRange(Vma v, long start, long end, long pgoff) {
        assert Long.compareUnsigned(start, end) < 0 && Addr.aligned(start) && Addr.aligned(end)
            : "vma_set_range to an empty or unaligned range";
        assert tree.contains(v.start) == v : "vma_set_range() of a VMA not in the tree: " + v;
        assert storeKeepsNeighbours(v, start, end) : "vma_set_range() of " + v + " to [" + Long.toHexString(start)
            + ", " + Long.toHexString(end) + ") overlaps a neighbour";
        long oldStart = v.start;
        mappedBytes += (end - start) - (v.end - v.start);
        v.start = start;
        v.end = end;
        v.pgoff = pgoff;
        tree.rekey(v, oldStart);
    }

    private boolean storeKeepsNeighbours(Vma v, long start, long end) {
        Vma p = tree.prev(v);
        Vma n = tree.next(v);
        return (p == null || Long.compareUnsigned(p.end, start) <= 0) && (n == null || Long.compareUnsigned(end, n.start) <= 0);
    }

    /** Ends a system call: faults observed after it belong to the next epoch. */
    private int endCall(int r) {
        epoch++;
        return r;
    }

    // ================================================================== system calls
    // Each family lives in the class named after its kernel file; these are the entry points.

    /**
     * A page fault at addr (from a perf trace -F event, or a test); see {@link Memory#fault}.
     *
     * @return 0, or EFAULT when the access would be a SIGSEGV (no VMA, or no permission)
     */
    public int fault(long addr, boolean write) {
        return endCall(Memory.fault(this, addr, write));
    }

    /**
     * mmap() at addr (where the trace says it landed; for MAP_FIXED the requested address);
     * see {@link Mmap#doMmap}.
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
        return endCall(Mmap.doMmap(this, addr, len, prot, flags, file, offset, 0));
    }

    /** munmap(). @return 0, EINVAL (unaligned, zero length, beyond TASK_SIZE), ENOMEM (map count), EPERM (sealed) */
    public int munmap(long start, long len) {
        return endCall(Mmap.doMunmap(this, start, len));
    }

    /**
     * brk(newBrk). Returns what the kernel returns: the new break on success, the old one when the
     * request is refused. brk(0) only reads it. Needs {@link #setBrkArea}; without it the first
     * call's result should be fed there by the driver.
     */
    public long brk(long newBrk) {
        long r = Mmap.doBrk(this, newBrk);
        endCall(0);
        return r;
    }

    /** mprotect(). @return 0, EINVAL, ENOMEM (hole / unmapped), EACCES, EPERM (sealed) */
    public int mprotect(long start, long len, int prot) {
        return endCall(Mprotect.doMprotectPkey(this, start, len, prot, -1));
    }

    /** pkey_mprotect(); pkey -1 keeps each VMA's key. */
    public int pkeyMprotect(long start, long len, int prot, int pkey) {
        if (pkey < -1 || pkey > 15) {
            return endCall(Errno.EINVAL);
        }
        return endCall(Mprotect.doMprotectPkey(this, start, len, prot, pkey));
    }

    /**
     * madvise(). Flag-changing advice merges or splits; holes are skipped and reported as ENOMEM
     * after the rest is done; ENOMEM from a merge/split is reported as EAGAIN.
     */
    public int madvise(long start, long lenIn, int advice) {
        return endCall(Madvise.doMadvise(this, start, lenIn, advice));
    }

    /**
     * prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, start, len, name); name null clears.
     *
     * @return 0, EINVAL (bad name, unaligned, CONFIG_ANON_VMA_NAME off), EBADF (file-backed),
     *         ENOMEM (holes, after naming the rest)
     */
    public int setAnonName(long start, long lenIn, String name) {
        return endCall(Madvise.prctlSetVmaAnonName(this, start, lenIn, name));
    }

    /** mlock(): start rounded down, length rounded up to cover. */
    public int mlock(long start, long len) {
        return endCall(Mlock.mlock2(this, start, len, 0));
    }

    /** mlock2(); flags 0 or MLOCK_ONFAULT. */
    public int mlock2(long start, long len, int flags) {
        return endCall(Mlock.mlock2(this, start, len, flags));
    }

    /** munlock(). */
    public int munlock(long start, long len) {
        return endCall(Mlock.munlock(this, start, len));
    }

    /** mlockall(); flags MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT. */
    public int mlockall(int flags) {
        return endCall(Mlock.mlockall(this, flags));
    }

    /** munlockall(). */
    public int munlockall() {
        Mlock.applyMlockallFlags(this, 0);
        return endCall(0);
    }

    /**
     * mseal() (6.10+; 6.17+ semantics: any hole: ENOMEM before anything changes).
     *
     * @return 0, EINVAL, ENOMEM, ENOSYS (6.1)
     */
    public int mseal(long start, long lenIn, long flags) {
        return endCall(Mseal.doMseal(this, start, lenIn, flags));
    }

    /**
     * mbind(start, len, policy): policy null = MPOL_DEFAULT. A hole in the range fails with
     * EFAULT before anything changes (queue_pages_range without MPOL_MF_DISCONTIG_OK).
     */
    public int mbind(long start, long len, MemPolicy policy) {
        return endCall(Mempolicy.doMbind(this, start, len, policy));
    }

    /**
     * UFFDIO_REGISTER (modes != 0) / UFFDIO_UNREGISTER (modes == 0, ctx 0) on [start, end):
     * flags := (flags minus uffd bits) | modes, uffd ctx replaced; merges like the kernel's
     * vma_modify_flags_uffd. Holes fail with EINVAL before anything changes.
     */
    public int uffdRegister(long start, long len, long modes, long ctx) {
        return endCall(Userfaultfd.register(this, start, len, modes, ctx));
    }

    /**
     * mremap(oldAddr, oldLen, newLen, flags, newAddr); see {@link Mremap#doMremap}.
     *
     * @param newAddr the address the mapping ends at: MREMAP_FIXED's argument, or what the trace
     *                returned (== oldAddr when resized in place)
     * @return 0, or EINVAL, EFAULT, ENOMEM, EPERM, EAGAIN like the kernel; ENOMEM too when the
     *         trace says "in place" but the model cannot grow in place
     */
    public int mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        return endCall(Mremap.doMremap(this, oldAddr, oldLen, newLen, flags, newAddr));
    }

    /**
     * fork()/clone without CLONE_VM: the child's address space ({@link Fork#dupMmap}). Nothing
     * merges; no events are reported.
     */
    public Mm fork() {
        Mm child = Fork.dupMmap(this);
        endCall(0);
        return child;
    }
}
