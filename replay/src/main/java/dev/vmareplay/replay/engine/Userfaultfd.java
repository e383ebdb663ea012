package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.Addr.*;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * fs/userfaultfd.c / mm/userfaultfd.c: UFFDIO_REGISTER and UFFDIO_UNREGISTER
 * (userfaultfd_register_range(), userfaultfd_clear_vma()) on vma_modify_flags_uffd().
 */
final class Userfaultfd {
    private Userfaultfd() { }

    /**
     * UFFDIO_REGISTER (modes != 0) / UFFDIO_UNREGISTER (modes == 0, ctx 0) on [start, end):
     * flags := (flags minus uffd bits) | modes, uffd ctx replaced; merges like the kernel's
     * vma_modify_flags_uffd. Holes fail with EINVAL before anything changes.
     */
    static int register(Mm mm, long start, long len, long modes, long ctx) {
        if (!aligned(start) || !aligned(len) || len == 0) {
            return Errno.EINVAL;
        }
        long end = start + len;
        if (ult(end, start) || Mseal.rangeContainsUnmapped(mm, start, end)) {
            return Errno.EINVAL;
        }
        VmaIterator vmi = mm.iterator(start);
        Vma first = vmi.find(end);
        // the range has no hole (checked above): the VMA at start
        assert first != null && !ugt(first.start, start) : "userfaultfd_register_range() found no VMA at "
            + Long.toHexString(start);
        Vma prev = vmi.prev();
        for (Vma v = vmi.find(end); v != null; v = vmi.find(end)) { // for_each_vma_range(vmi, vma, end)
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
                Memory.materialize(mm, v);
                VmaOrErr res = mm.engine.vmaModifyFlagsUffd(prev, v, vstart, vend, newFlags, ctx, false);
                if (res.isErr()) {
                    return res.error();
                }
                res.vma().flags = newFlags;
                res.vma().uffdCtx = ctx;
                prev = res.vma();
            }
            vmi.set(prev.end); // the iterator continues after the range just changed
        }
        return 0;
    }
}
