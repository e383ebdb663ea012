package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.Mm.PAGE_MASK_LOW;
import static dev.vmareplay.replay.engine.Mm.PAGE_SHIFT;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * A VMA as a /proc/PID/smaps snapshot shows it, inserted into an {@link Mm} without a system
 * call ({@link Mm#seed}): how a replay starts from a snapshot. Defaults: anonymous private rw-p with VM_ACCOUNT-less data flags,
 * pgoff = start's page number (the kernel's choice for anonymous memory created there), no
 * anon_vma.
 */
public final class Seed {
    private final Mm mm;
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

    Seed(Mm mm, long start, long end) {
        this.mm = mm;
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
     * Inserts the VMA. An anon_vma is shared with an adjacent written seeded neighbour when
     * the two could have been one VMA that a split separated (see {@link #seedShare}), unless
     * they would be mergeable if they shared one (then the kernel would have merged them: they
     * must have different anon_vmas).
     *
     * @return the VMA, or null when [start, end) is invalid or overlaps an existing VMA
     */
    public Vma insert() {
        if ((start & PAGE_MASK_LOW) != 0 || (end & PAGE_MASK_LOW) != 0 || Long.compareUnsigned(start, end) >= 0
            || mm.tree.findIntersecting(start, end) != null) {
            return null;
        }
        Vma v = new Vma(start, end, pgoffSet ? pgoff : start >>> PAGE_SHIFT, flags, file);
        v.anonName = name;
        v.label = label;
        v.special = special;
        v.policy = policy;
        v.uffdCtx = uffd;
        v.closeHook = close;
        v.anonKnownEpoch = mm.epoch;
        v.seedOrigin = v.id;
        if (special != null) {
            v.flags |= VM_DONTEXPAND;
        }
        mm.link(v);
        if (anon) {
            AnonVma a = null;
            Vma p = mm.tree.prev(v);
            Vma n = mm.tree.next(v);
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

    /**
     * The anon_vma adjacent VMAs a and b (in that order, one of them written) are taken to
     * share, or null. A snapshot cannot show sharing. Two written anonymous neighbours that
     * differ only in flags a split can separate (mprotect's access bits and VM_ACCOUNT,
     * pkey_mprotect's key, mlock's VM_LOCKED/VM_LOCKONFAULT) with contiguous pgoffs were most
     * often one VMA: __split_vma() gives both halves the one anon_vma, and so does
     * find_mergeable_anon_vma() for a neighbour first written later (mm/vma.c). It is an
     * assumption all the same, marked on the anon_vma: every merge decision resting on it is
     * reported assumed ({@link VmaEngine}).
     */
    private AnonVma seedShare(Vma a, Vma b) {
        if (a == null || b == null) {
            return null;
        }
        Vma other = a.anonVma != null ? a : b.anonVma != null ? b : null;
        if (other == null || other.anonChain != 1 || !couldBeOneVma(a, b)) {
            return null;
        }
        boolean wouldMerge = a.flags == b.flags && a.uffdCtx == b.uffdCtx
            && java.util.Objects.equals(a.anonName, b.anonName) && !a.hasCloseHook() && !b.hasCloseHook()
            && a.special == null && b.special == null;
        if (wouldMerge) {
            return null;
        }
        other.anonVma.seedShared = true;
        return other.anonVma;
    }

    /** a and b could be the two halves of one VMA split by mprotect, pkey_mprotect or mlock. */
    private boolean couldBeOneVma(Vma a, Vma b) {
        long separable = VM_ACCESS_FLAGS | VM_ACCOUNT | VM_PKEY_MASK | VM_LOCKED_MASK
            | (mm.version.stickyFlags() ? VM_STICKY : VM_SOFTDIRTY);
        return a.end == b.start && MemPolicy.equal(a.policy, b.policy) && VmaFile.same(a.file, b.file)
            && ((a.flags ^ b.flags) & ~separable) == 0
            && b.pgoff == a.pgoff + ((b.start - a.start) >>> PAGE_SHIFT);
    }
}
