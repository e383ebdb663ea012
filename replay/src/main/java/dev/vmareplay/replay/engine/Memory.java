package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;

import static dev.vmareplay.replay.engine.Addr.ugt;
import static dev.vmareplay.replay.engine.Addr.ult;
import static dev.vmareplay.replay.engine.Mm.PAGE_MASK_LOW;
import static dev.vmareplay.replay.engine.Mm.PAGE_SHIFT;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * What a page fault does to the VMA model, and the anon_vma state it leaves: the write fault's
 * anon_vma_prepare() (mm/rmap.c), find_mergeable_anon_vma() / reusable_anon_vma() /
 * anon_vma_compatible() (mm/vma.c), handle_mm_fault()'s access check and expand_stack()
 * (mm/memory.c, mm/mmap.c), populate_vma_page_range() (mm/gup.c), and the
 * {@link FaultPolicy}: which anon_vma states are assumptions because the trace shows no faults.
 *
 * <p>Observed state: a VMA seeded with Anonymous &gt; 0, a {@link #fault}, population, or a VMA
 * created during the current call ({@code anonKnownEpoch == mm.epoch}). Everything else is
 * {@link #uncertain}, and under {@link FaultPolicy#ASSUME_WRITTEN} {@link #materialize}d before a
 * call looks at it.
 */
final class Memory {
    private Memory() { }

    /**
     * A page fault at addr. A write fault on private memory gives the VMA an anon_vma (reusing a
     * compatible neighbour's); a fault just below a VM_GROWSDOWN VMA grows the stack first.
     *
     * @return 0, or EFAULT when the access would be a SIGSEGV (no VMA, or no permission)
     */
    static int fault(Mm mm, long addr, boolean write) {
        Vma v = mm.tree.findVma(addr);
        if (v == null) {
            return Errno.EFAULT;
        }
        if (ugt(v.start, addr)) {
            if ((v.flags & VM_GROWSDOWN) == 0 || expandDownwards(mm, v, addr) != 0) {
                return Errno.EFAULT;
            }
        }
        if (write ? (v.flags & VM_WRITE) == 0 : (v.flags & (VM_READ | VM_WRITE | VM_EXEC)) == 0) {
            return Errno.EFAULT;
        }
        if (write && canHaveAnonVma(v)) {
            anonVmaPrepare(mm, v);
        }
        v.anonAssumed = false;
        v.anonKnownEpoch = mm.epoch + 1;
        return 0;
    }

    /** expand_downwards(): grow a VM_GROWSDOWN VMA down to addr (stack guard gap respected). */
    private static int expandDownwards(Mm mm, Vma v, long addr) {
        assert (v.flags & VM_GROWSDOWN) != 0 && ult(addr, v.start) : "expand_downwards of " + v;
        long start = addr & ~PAGE_MASK_LOW;
        Vma prev = mm.tree.prev(v);
        if (prev != null && (prev.flags & VM_GROWSDOWN) == 0 && (prev.flags & VM_ACCESS_FLAGS) != 0
            && ult(start - mm.stackGuardGap, prev.end)) {
            return Errno.ENOMEM;
        }
        if (prev != null && ult(start, prev.end)) {
            return Errno.ENOMEM;
        }
        long os = v.start;
        mm.setRange(v, start, v.end, v.pgoff - ((os - start) >>> PAGE_SHIFT));
        mm.emit(Kind.EXPAND, null, v.start, v.end, 0, false, v);
        return 0;
    }

    /**
     * populate_vma_page_range()'s effect on the model: a write fault on private writable memory
     * of every VMA in [start, end) ({@code onlyLocked}: mm_populate() after mlock, VM_LOCKED
     * VMAs without VM_LOCKONFAULT only).
     */
    static void populate(Mm mm, long start, long end, boolean onlyLocked) {
        VmaIterator vmi = mm.iterator(start);
        for (Vma v = vmi.find(end); v != null; v = vmi.find(end)) { // for_each_vma_range(vmi, vma, end)
            if ((v.flags & (VM_IO | VM_PFNMAP)) != 0) {
                continue;
            }
            if (onlyLocked && ((v.flags & VM_LOCKED) == 0 || (v.flags & VM_LOCKONFAULT) != 0)) {
                continue;
            }
            if ((v.flags & (VM_WRITE | VM_SHARED)) == VM_WRITE && canHaveAnonVma(v)) {
                anonVmaPrepare(mm, v);
            }
        }
    }

    /** Only private mappings get an anon_vma from a write fault. */
    static boolean canHaveAnonVma(Vma v) {
        return (v.flags & VM_MAYSHARE) == 0 && v.special == null;
    }

    /**
     * Whether v's anon_vma state is an assumption: not under {@link FaultPolicy#OBSERVED_ONLY},
     * and either assumed by policy or "no anon_vma" last known before the current call (the
     * program may have written to it since).
     */
    static boolean uncertain(Mm mm, Vma v) {
        if (mm.faultPolicy == FaultPolicy.OBSERVED_ONLY || v == null) {
            return false;
        }
        if (v.anonAssumed) {
            return true;
        }
        return v.anonVma == null && v.anonKnownEpoch < mm.epoch && canHaveAnonVma(v);
    }

    /**
     * {@link FaultPolicy#ASSUME_WRITTEN}: give an uncertain private writable VMA the anon_vma its
     * assumed earlier write would have given it.
     */
    static void materialize(Mm mm, Vma v) {
        if (mm.faultPolicy == FaultPolicy.ASSUME_WRITTEN && v != null && v.anonVma == null && uncertain(mm, v)
            && (v.flags & VM_WRITE) != 0) {
            assumeWritten(mm, v);
        }
    }

    /** The fault policy's assumed write: anon_vma_prepare(), marked as assumed. */
    static void assumeWritten(Mm mm, Vma v) {
        anonVmaPrepare(mm, v);
        v.anonAssumed = true;
    }

    /** anon_vma_prepare() (mm/rmap.c): give v an anon_vma, reusing a compatible neighbour's. */
    static void anonVmaPrepare(Mm mm, Vma v) {
        if (v.anonVma != null) {
            return;
        }
        AnonVma a = findMergeableAnonVma(mm, v);
        if (a != null) {
            // the tie to that neighbour is the model's own (find_mergeable_anon_vma): v counts as
            // a piece of the neighbour's seeded VMA, if any
            Vma n = mm.tree.next(v);
            v.seedOrigin = n != null && n.anonVma == a ? n.seedOrigin : mm.tree.prev(v).seedOrigin;
        }
        v.anonVma = a != null ? a : new AnonVma();
        v.anonChain = 1;
        v.anonAssumed = false;
        v.anonKnownEpoch = mm.epoch;
    }

    /**
     * find_mergeable_anon_vma() (mm/vma.c): reuse the anon_vma of the adjacent next VMA, else of
     * the adjacent prev, when anon_vma_compatible() and that neighbour is not a fork child.
     */
    static AnonVma findMergeableAnonVma(Mm mm, Vma v) {
        // the kernel steps its iterator back from v's end and VM_BUG_ONs unless it lands on v
        assert mm.tree.contains(v.start) == v : "VM_BUG_ON_VMA(prev != vma, vma): " + v + " is not in the tree";
        Vma next = mm.tree.next(v);
        if (next != null) {
            AnonVma a = reusableAnonVma(mm, next, v, next);
            if (a != null) {
                return a;
            }
        }
        Vma prev = mm.tree.prev(v);
        if (prev != null) {
            return reusableAnonVma(mm, prev, prev, v);
        }
        return null;
    }

    /**
     * reusable_anon_vma() (mm/vma.c): old's anon_vma, when a and b are compatible and old's
     * anon_vma_chain is singular (a fork child's anon_vma is never reused).
     */
    private static AnonVma reusableAnonVma(Mm mm, Vma old, Vma a, Vma b) {
        if (anonVmaCompatible(mm, a, b) && old.anonVma != null && old.anonChain == 1) {
            return old.anonVma;
        }
        return null;
    }

    /**
     * anon_vma_compatible() (mm/vma.c): adjacent, same policy and file, flags equal except access
     * and soft-dirty (6.18: sticky) bits, pgoff contiguous.
     */
    static boolean anonVmaCompatible(Mm mm, Vma a, Vma b) {
        long ignore = VM_ACCESS_FLAGS | (mm.version.stickyFlags() ? VM_STICKY : VM_SOFTDIRTY);
        return a.end == b.start && MemPolicy.equal(a.policy, b.policy) && VmaFile.same(a.file, b.file)
            && ((a.flags ^ b.flags) & ~ignore) == 0
            && b.pgoff == a.pgoff + ((b.start - a.start) >>> PAGE_SHIFT);
    }
}
