package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.Addr.*;
import static dev.vmareplay.replay.engine.Mm.PAGE_MASK_LOW;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * mm/mlock.c: do_mlock(), apply_vma_lock_flags(), mlock_fixup() on vma_modify_flags(),
 * apply_mlockall_flags(), and the population mlock does (mm_populate(), {@link Memory#populate}).
 */
final class Mlock {
    private Mlock() { }

    /** mlock2(); flags 0 or MLOCK_ONFAULT (mlock() is mlock2 with 0). */
    static int mlock2(Mm mm, long start, long len, int flags) {
        if ((flags & ~MLOCK_ONFAULT) != 0) {
            return Errno.EINVAL;
        }
        return doMlock(mm, start, len, (flags & MLOCK_ONFAULT) != 0 ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED);
    }

    /** munlock(): start rounded down, length rounded up to cover. */
    static int munlock(Mm mm, long start, long len) {
        long l = pageAlign(len + (start & PAGE_MASK_LOW));
        start &= ~PAGE_MASK_LOW;
        return applyVmaLockFlags(mm, start, l, 0);
    }

    /** do_mlock(): start rounded down, length rounded up to cover. */
    private static int doMlock(Mm mm, long start, long len, long flags) {
        len = pageAlign(len + (start & PAGE_MASK_LOW));
        start &= ~PAGE_MASK_LOW;
        int error = applyVmaLockFlags(mm, start, len, flags);
        if (error != 0) {
            return error;
        }
        Memory.populate(mm, start, start + len, true);
        return 0;
    }

    /** apply_vma_lock_flags(): start and len are page aligned by the callers (asserted, as the kernel's VM_BUG_ONs). */
    private static int applyVmaLockFlags(Mm mm, long start, long len, long flags) {
        assert (flags & ~VM_LOCKED_MASK) == 0 : "lock flags " + Long.toHexString(flags);
        assert aligned(start) : "VM_BUG_ON(offset_in_page(start))";
        assert len == pageAlign(len) : "VM_BUG_ON(len != PAGE_ALIGN(len))";
        long end = start + len;
        if (ult(end, start)) {
            return Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        VmaIterator vmi = mm.iterator(start);
        Vma vma = vmi.find(end);
        if (vma == null || ugt(vma.start, start)) {
            return Errno.ENOMEM;
        }
        Vma prev = vmi.prev();
        if (ugt(start, vma.start)) {
            prev = vma;
        }
        long nstart = start;
        long tmp = vma.start;
        for (Vma v = vmi.find(end); v != null; v = vmi.find(end)) { // for_each_vma_range(vmi, vma, end)
            if (v.start != tmp) {
                return Errno.ENOMEM;
            }
            long newflags = (v.flags & ~VM_LOCKED_MASK) | flags;
            tmp = umin(v.end, end);
            VmaOrErr r = mlockFixup(mm, v, prev, nstart, tmp, newflags);
            if (r.isErr()) {
                return r.error();
            }
            prev = r.vma();
            tmp = prev.end;
            nstart = tmp;
            vmi.set(tmp); // the iterator continues after the range just changed
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

    /**
     * mlock_fixup().
     *
     * @return the new prev, or the errno (the caller of mlockall then continues from vma)
     */
    private static VmaOrErr mlockFixup(Mm mm, Vma vma, Vma prev, long start, long end, long newflags) {
        long oldflags = vma.flags;
        if (newflags == oldflags || !supportsMlock(vma)) {
            return VmaOrErr.of(vma);
        }
        Memory.materialize(mm, vma);
        VmaOrErr res = mm.engine.vmaModifyFlags(prev, vma, start, end, newflags, 0);
        if (!res.isErr()) {
            res.vma().flags = res.newFlags();
        }
        return res;
    }

    /** mlockall(); flags MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT. */
    static int mlockall(Mm mm, int flags) {
        if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) != 0 || flags == MCL_ONFAULT) {
            return Errno.EINVAL;
        }
        applyMlockallFlags(mm, flags);
        if ((flags & MCL_CURRENT) != 0) {
            Memory.populate(mm, 0, mm.taskSize, true);
        }
        return 0;
    }

    /** apply_mlockall_flags(); munlockall() is flags 0. */
    static void applyMlockallFlags(Mm mm, int flags) {
        long toAdd = 0;
        mm.defFlags &= ~VM_LOCKED_MASK;
        if ((flags & MCL_FUTURE) != 0) {
            mm.defFlags |= VM_LOCKED;
            if ((flags & MCL_ONFAULT) != 0) {
                mm.defFlags |= VM_LOCKONFAULT;
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
        VmaIterator vmi = mm.iterator(0);
        Vma prev = null;
        for (Vma v = vmi.next(); v != null; v = vmi.next()) { // for_each_vma(vmi, vma)
            long newflags = (v.flags & ~VM_LOCKED_MASK) | toAdd;
            VmaOrErr r = mlockFixup(mm, v, prev, v.start, v.end, newflags);
            // Ignore errors, but prev needs fixing up.
            prev = r.isErr() ? v : r.vma();
            vmi.set(prev.end);
        }
    }
}
