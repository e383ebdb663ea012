package dev.vmareplay.replay.engine;

/**
 * The kernel's {@code struct vma_merge_struct} ("vmg", mm/vma.h): a merge proposal and, after a
 * merge primitive ran, its outcome.
 *
 * <p>Filled by the callers exactly as the kernel's VMG_STATE / VMG_VMA_STATE / VMG_MMAP_STATE
 * macros do: {@link #forNewRange} (mmap, brk), {@link #forExistingVma} (mprotect, madvise, mlock,
 * mseal, mbind, anon names), and copy_vma's variant in {@link VmaEngine#copyVma}.
 */
public final class VmaMergeState {
    /** enum vma_merge_state. */
    public enum State { START, NOMERGE, SUCCESS, ERROR_NOMEM }

    Vma prev;
    Vma middle;
    Vma next;
    Vma target;
    /** mremap's copy: the VMA being copied (6.18.y vma_merge_copied_range). */
    Vma copiedFrom;
    long start;
    long end;
    long pgoff;
    long flags;
    VmaFile file;
    AnonVma anonVma;
    MemPolicy policy;
    long uffdCtx;
    String anonName;
    State state = State.START;
    boolean justExpand;
    boolean giveUpOnOom;
    boolean removeMiddle;
    boolean removeNext;
    boolean adjustMiddleStart;
    boolean adjustNextStart;

    /** A decision rested on anon_vma state the trace cannot show (reported as assumed). */
    boolean assumed;
    /** A decision rested on an anon_vma seeding assumed shared by two seeded VMAs (reported assumed under any fault policy). */
    boolean seedShareAssumed;
    /** Bits of {@link #flags} that came from an assumption (mprotect's VM_ACCOUNT decision). */
    long assumedFlagMask;
    /** The proposed pgoff came from an assumption (copy_vma of a maybe-faulted anon VMA). */
    boolean pgoffAssumed;
    /** The merge kind the last successful merge was classified as. */
    VmaEvent.Kind kind;

    VmaMergeState() { }

    /** VMG_STATE: a new range with only flags, file and pgoff (mmap, brk). */
    static VmaMergeState forNewRange(Vma prev, Vma next, long start, long end, long flags, VmaFile file, long pgoff) {
        VmaMergeState g = new VmaMergeState();
        g.prev = prev;
        g.next = next;
        g.start = start;
        g.end = end;
        g.flags = flags;
        g.file = file;
        g.pgoff = pgoff;
        return g;
    }

    /** VMG_VMA_STATE: everything copied from {@code vma}; pgoff is the linear index of start. */
    static VmaMergeState forExistingVma(Vma prev, Vma vma, long start, long end) {
        VmaMergeState g = new VmaMergeState();
        g.prev = prev;
        g.middle = vma;
        g.start = start;
        g.end = end;
        g.flags = vma.flags;
        g.file = vma.file;
        g.anonVma = vma.anonVma;
        g.policy = vma.policy;
        g.uffdCtx = vma.uffdCtx;
        g.anonName = vma.anonName;
        g.pgoff = vma.pgoff + ((start - vma.start) >>> Mm.PAGE_SHIFT);
        return g;
    }

    public Vma prev() { return prev; }
    public Vma middle() { return middle; }
    public Vma next() { return next; }
    public Vma target() { return target; }
    public long start() { return start; }
    public long end() { return end; }
    public long pgoff() { return pgoff; }
    public long flags() { return flags; }
    public VmaFile file() { return file; }
    public AnonVma anonVma() { return anonVma; }
    public MemPolicy policy() { return policy; }
    public long uffdCtx() { return uffdCtx; }
    public String anonName() { return anonName; }
    public State state() { return state; }
    public boolean justExpand() { return justExpand; }
    public boolean giveUpOnOom() { return giveUpOnOom; }
    public boolean assumed() { return assumed; }
    public boolean seedShareAssumed() { return seedShareAssumed; }

    /** vmg_nomem(). */
    boolean nomem() {
        return state == State.ERROR_NOMEM;
    }
}
