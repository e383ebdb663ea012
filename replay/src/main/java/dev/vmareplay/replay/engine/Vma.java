package dev.vmareplay.replay.engine;

/**
 * One VMA ({@code struct vm_area_struct}): the half-open range [start, end) and every attribute
 * that decides a merge. Addresses are unsigned 64-bit byte addresses, page aligned; {@code pgoff}
 * is in pages.
 *
 * <p>Instances are owned by one {@link Mm}; read them freely, change them only through {@link Mm}.
 * The object identity is the kernel's pointer identity: a merge keeps the target's object (the
 * counters in {@link VmaEvent} do not need it, tests do).
 */
public final class Vma {
    /** A special mapping: never merges (VM_DONTEXPAND), refuses to be split (may_split). */
    public enum Special { VDSO, VVAR, VVAR_VCLOCK, VSYSCALL, UPROBES, OTHER }

    /** Identity of this VMA object (the kernel's pointer), unique in its {@link VmaIds} family; a dup gets a new one. */
    final long id;
    long start;
    long end;
    long pgoff;
    long flags;
    VmaFile file;
    AnonVma anonVma;
    /** anon_vma_chain length: 0 without anon_vma, 1 normally, &gt;1 for a fork child. */
    int anonChain;
    MemPolicy policy;
    long uffdCtx;
    String anonName;
    /** vm_ops->close of a non-file VMA (drivers in tests); file VMAs take it from the file. */
    boolean closeHook;
    Special special;
    /** maps label of a seeded VMA that is not derivable ([stack], [heap] are derived by Mm). */
    String label;
    /** The anon_vma state was assumed by policy rather than observed. */
    boolean anonAssumed;
    /** Epoch (Mm call counter) in which the anon state was last known for certain. */
    long anonKnownEpoch;
    /**
     * The seeded VMA this one comes from (its id; kept by splits, and by a VMA that reused its
     * anon_vma), 0 for one the trace created: pieces of one seeded VMA share its anon_vma for
     * certain, VMAs of two seeded ones only by the seed's assumption.
     */
    long seedOrigin;

    Vma(long id, long start, long end, long pgoff, long flags, VmaFile file) {
        this.id = id;
        this.start = start;
        this.end = end;
        this.pgoff = pgoff;
        this.flags = flags;
        this.file = file;
    }

    /** vm_area_dup(): every attribute copied, the anon_vma shared (chain cloned); the copy is VMA {@code id}. */
    Vma dup(long id) {
        Vma v = new Vma(id, start, end, pgoff, flags, file);
        v.anonVma = anonVma;
        v.anonChain = anonChain;
        v.policy = policy;
        v.uffdCtx = uffdCtx;
        v.anonName = anonName;
        v.closeHook = closeHook;
        v.special = special;
        v.label = label;
        v.anonAssumed = anonAssumed;
        v.anonKnownEpoch = anonKnownEpoch;
        v.seedOrigin = seedOrigin;
        return v;
    }

    /** This VMA's identity: merges keep the target's, splits give the new piece a new one. */
    public long id() { return id; }

    public long start() { return start; }

    public long end() { return end; }

    /** Length in bytes. */
    public long length() { return end - start; }

    /** Length in pages. */
    public long pages() { return (end - start) >>> Mm.PAGE_SHIFT; }

    /** vm_pgoff, in pages. For anonymous private VMAs, the virtual page number at creation. */
    public long pgoff() { return pgoff; }

    /** vm_flags (see {@link VmFlags}). */
    public long flags() { return flags; }

    /** The mapped open file, or null for anonymous memory. Shared anonymous memory has one. */
    public VmaFile file() { return file; }

    public AnonVma anonVma() { return anonVma; }

    /** Has an anon_vma (has been written, for a private mapping). */
    public boolean hasAnonVma() { return anonVma != null; }

    public int anonChainLength() { return anonChain; }

    /** vma_is_fork_child(): has an anon_vma and its chain has more than one entry. */
    public boolean isForkChild() { return anonVma != null && anonChain > 1; }

    /** True when the anon_vma state comes from the fault policy, not from an observation. */
    public boolean anonAssumed() { return anonAssumed; }

    public MemPolicy policy() { return policy; }

    /** Userfaultfd context identity, 0 when none. */
    public long uffdCtx() { return uffdCtx; }

    /** PR_SET_VMA_ANON_NAME name, or null. */
    public String anonName() { return anonName; }

    /** vm_ops->close present (never deleted by a merge on 6.12+, never merged on 6.1). */
    public boolean hasCloseHook() { return closeHook || (file != null && file.hasCloseHook()); }

    public Special special() { return special; }

    /** The label a seed gave this VMA ([vdso], [stack], ...) or null. */
    public String label() { return label; }

    /** vma_is_anonymous(): no vm_ops, i.e. no file (and not a special mapping). */
    public boolean isAnonymous() { return file == null && special == null; }

    /** vma_is_shmem() for anonymous shared memory (shmem_zero_setup). */
    public boolean isAnonShmem() { return file != null && file.anonShmem(); }

    /** The maps offset column: pgoff &lt;&lt; 12 for file mappings, 0 otherwise. */
    public long mapsOffset() { return file != null ? pgoff << Mm.PAGE_SHIFT : 0; }

    @Override
    public String toString() {
        return String.format("[%x-%x pgoff=%x %s (%s)%s%s%s]", start, end, pgoff, TaskMmu.perms(flags),
            VmFlags.toSmaps(flags).trim(),
            file != null ? " " + file.path() : "", anonVma != null ? " " + anonVma + (anonChain > 1 ? "(child)" : "") : "",
            anonName != null ? " [anon:" + anonName + "]" : "");
    }
}
