package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.Addr.*;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * mm/mseal.c: do_mseal(), range_contains_unmapped() and the per-VMA apply loop on
 * vma_modify_flags(). What sealing forbids is checked where the kernel checks it: munmap and
 * MAP_FIXED (vms_gather_munmap_vmas), mprotect_fixup, mremap, madvise's discards.
 */
final class Mseal {
    private Mseal() { }

    /**
     * do_mseal() (6.10+; 6.17+ semantics: any hole: ENOMEM before anything changes).
     *
     * @return 0, EINVAL, ENOMEM, ENOSYS (6.1)
     */
    static int doMseal(Mm mm, long start, long lenIn, long flags) {
        if (!mm.version.mseal()) {
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
        if (rangeContainsUnmapped(mm, start, end)) {
            return Errno.ENOMEM;
        }
        VmaIterator vmi = mm.iterator(start);
        Vma vma = vmi.find(end);
        // We know there are no gaps so this will be non-NULL.
        assert vma != null && !ugt(vma.start, start) : "mseal_apply() found no VMA at " + Long.toHexString(start);
        Vma prev = vmi.prev();
        if (ugt(start, vma.start)) {
            prev = vma;
        }
        for (Vma v = vmi.find(end); v != null; v = vmi.find(end)) { // for_each_vma_range(vmi, vma, end)
            // mainline computes curr_start per VMA; the 6.17 rewrite carried it over from the
            // previous iteration, which goes stale when a merge extends past curr_end
            long currStart = ugt(v.start, start) ? v.start : start;
            long currEnd = umin(v.end, end);
            if ((v.flags & VM_SEALED) == 0) {
                Memory.materialize(mm, v);
                VmaOrErr res = mm.engine.vmaModifyFlags(prev, v, currStart, currEnd, v.flags | VM_SEALED, 0);
                if (res.isErr()) {
                    return res.error();
                }
                res.vma().flags |= VM_SEALED;
                v = res.vma();
            }
            prev = v;
            vmi.set(prev.end); // the iterator continues after the range just changed
        }
        return 0;
    }

    /**
     * range_contains_unmapped(): a hole anywhere in [start, end). Also the all-or-nothing hole
     * check of mbind (queue_pages_range() without MPOL_MF_DISCONTIG_OK) and userfaultfd
     * registration.
     */
    static boolean rangeContainsUnmapped(Mm mm, long start, long end) {
        long prevEnd = start;
        VmaIterator vmi = mm.iterator(start);
        for (Vma v = vmi.find(end); v != null; v = vmi.find(end)) { // for_each_vma_range(vmi, vma, end)
            if (ugt(v.start, prevEnd)) {
                return true;
            }
            prevEnd = v.end;
        }
        return ult(prevEnd, end);
    }
}
