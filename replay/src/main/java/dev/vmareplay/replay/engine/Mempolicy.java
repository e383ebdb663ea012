package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.Addr.*;

/**
 * mm/mempolicy.c: do_mbind()'s mbind_range() / mbind_range_one() on vma_modify_policy().
 * Policies compare by value ({@link MemPolicy}, mpol_equal()).
 */
final class Mempolicy {
    private Mempolicy() { }

    /**
     * mbind(start, len, policy): policy null = MPOL_DEFAULT. A hole in the range fails with
     * EFAULT before anything changes (queue_pages_range without MPOL_MF_DISCONTIG_OK).
     */
    static int doMbind(Mm mm, long start, long len, MemPolicy policy) {
        if (!aligned(start)) {
            return Errno.EINVAL;
        }
        len = pageAlign(len);
        long end = start + len;
        if (ult(end, start)) {
            return Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        if (Mseal.rangeContainsUnmapped(mm, start, end)) {
            return Errno.EFAULT;
        }
        VmaIterator vmi = mm.iterator(start);
        Vma first = vmi.find(end);
        // the range has no hole (checked above): the VMA at start
        assert first != null && !ugt(first.start, start) : "mbind_range() found no VMA at " + Long.toHexString(start);
        Vma prev = vmi.prev();
        for (Vma v = vmi.find(end); v != null; v = vmi.find(end)) { // for_each_vma_range(vmi, vma, end)
            long vmstart = v.start;
            if (ugt(start, vmstart)) {
                prev = v;
                vmstart = start;
            }
            long vmend = umin(end, v.end);
            if (MemPolicy.equal(v.policy, policy)) {
                prev = v;
            } else {
                Memory.materialize(mm, v);
                VmaOrErr res = mm.engine.vmaModifyPolicy(prev, v, vmstart, vmend, policy);
                if (res.isErr()) {
                    return res.error();
                }
                res.vma().policy = policy;
                prev = res.vma();
            }
            vmi.set(prev.end); // the iterator continues after the range just changed
        }
        return 0;
    }
}
