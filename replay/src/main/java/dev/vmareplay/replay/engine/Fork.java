package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.VmFlags.*;

/** kernel/fork.c: dup_mmap(), the child's address space of a fork without CLONE_VM. */
final class Fork {
    private Fork() { }

    /**
     * fork()/clone without CLONE_VM: the child's address space (dup_mmap). VM_DONTCOPY VMAs are
     * left out, VM_LOCKED/VM_LOCKONFAULT cleared, VM_WIPEONFORK VMAs get no anon_vma, every other
     * faulted VMA gets a new anon_vma chained to the parent's (a fork child), uffd state is dropped
     * (no UFFD_FEATURE_EVENT_FORK assumed). Nothing merges. No events are reported.
     */
    static Mm dupMmap(Mm mm) {
        // the child's VMAs are reported to the child's observer (setObserver), not the parent's
        // one family: the child's VMAs are numbered on from the parent's (VmaIds)
        Mm child = new Mm(mm.version, mm.faultPolicy, VmaObserver.NONE, mm.ids);
        child.maxMapCount = mm.maxMapCount;
        child.taskSize = mm.taskSize;
        child.hugePageSize = mm.hugePageSize;
        child.stackGuardGap = mm.stackGuardGap;
        child.defFlags = mm.defFlags & VM_NOHUGEPAGE; // VM_INIT_DEF_MASK
        child.startBrk = mm.startBrk;
        child.brk = mm.brk;
        child.brkKnown = mm.brkKnown;
        child.startStack = mm.startStack;
        child.overcommitNever = mm.overcommitNever;
        child.anonVmaNameSupported = mm.anonVmaNameSupported;
        child.executeOnlyPkey = mm.executeOnlyPkey;
        child.shmemIds = mm.shmemIds;
        for (Vma v : mm.tree.all()) {
            if ((v.flags & VM_DONTCOPY) != 0) {
                continue;
            }
            Memory.materialize(mm, v);
            Vma c = v.dup(mm.ids.vma());
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
                c.anonVma = mm.ids.anonVma();
                c.anonChain = v.anonChain + 1;
            }
            c.anonKnownEpoch = 0;
            child.link(c);
        }
        child.observer = mm.observer;
        return child;
    }
}
