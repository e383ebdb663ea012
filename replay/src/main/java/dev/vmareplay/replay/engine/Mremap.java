package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.Addr.*;
import static dev.vmareplay.replay.engine.Mm.PAGE_SHIFT;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * mm/mremap.c: the mremap() checks (check_mremap_params(), check_prep_vma()), in-place shrink
 * and growth (vma_merge_extend()), move_vma() on copy_vma(), and 6.17's multi-VMA
 * MREMAP_FIXED move. Where a moving mremap landed is an input (the trace says where).
 */
final class Mremap {
    private Mremap() { }

    /**
     * mremap(addr, oldLen, newLen, flags, newAddr).
     *
     * @param newAddr the address the mapping ends at: MREMAP_FIXED's argument, or what the trace
     *                returned (== addr when resized in place)
     * @return 0, or EINVAL, EFAULT, ENOMEM, EPERM, EAGAIN like the kernel; ENOMEM too when the
     *         trace says "in place" but the model cannot grow in place
     */
    static int doMremap(Mm mm, long addr, long oldLen, long newLen, int flags, long newAddr) {
        if ((flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) != 0) {
            return Errno.EINVAL;
        }
        if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0 && (flags & MREMAP_MAYMOVE) == 0) {
            return Errno.EINVAL;
        }
        boolean dontunmap = (flags & MREMAP_DONTUNMAP) != 0;
        boolean fixed = (flags & MREMAP_FIXED) != 0;
        if (dontunmap && oldLen != newLen) {
            return Errno.EINVAL;
        }
        if (!aligned(addr)) {
            return Errno.EINVAL;
        }
        oldLen = pageAlign(oldLen);
        newLen = pageAlign(newLen);
        if (newLen == 0) {
            return Errno.EINVAL;
        }
        if (ugt(newLen, mm.taskSize) || ugt(addr, mm.taskSize - umin(oldLen, mm.taskSize))) {
            return Errno.EINVAL;
        }
        boolean moving = fixed || dontunmap || newAddr != addr;
        if (moving) {
            if ((flags & MREMAP_MAYMOVE) == 0) {
                return Errno.ENOMEM; // the model says in place is impossible / trace moved without MAYMOVE
            }
            if (!aligned(newAddr) || ugt(newLen, mm.taskSize) || ugt(newAddr, mm.taskSize - newLen)) {
                return Errno.EINVAL;
            }
            // the source and destination ranges must not overlap
            if (ult(newAddr, addr + oldLen) && ult(addr, newAddr + newLen) && (fixed || dontunmap)) {
                return Errno.EINVAL;
            }
            if (dontunmap || fixed) {
                if (mm.mapCount() + 2 >= mm.maxMapCount - 3) {
                    return Errno.ENOMEM;
                }
            }
        }
        Vma vma = mm.tree.contains(addr);
        if (vma == null) {
            return Errno.EFAULT;
        }
        // 6.17+: MREMAP_FIXED move of the same size may span several VMAs and gaps
        if (fixed && oldLen == newLen && oldLen != 0 && ugt(addr + oldLen, vma.end)) {
            if (!mm.version.mremapMultiVma()) {
                return Errno.EFAULT;
            }
            return mremapMoveMulti(mm, addr, oldLen, newAddr, dontunmap);
        }
        if ((vma.flags & VM_SEALED) != 0) {
            return Errno.EPERM;
        }
        // !old_len duplicates a mapping (mm/mremap.c): a second VMA of the same shared object at
        // the new address, the old one left in place; meaningless for private mappings
        if (oldLen == 0 && (vma.flags & VM_MAYSHARE) == 0) {
            return Errno.EINVAL;
        }
        if (dontunmap && (vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) != 0) {
            return Errno.EINVAL;
        }
        // check_prep_vma(): only meaningful when a new range gets mapped (move or expand)
        if (moving || ugt(newLen, oldLen)) {
            // We can't remap across vm area boundaries
            if (ugt(oldLen, vma.end - addr)) {
                return Errno.EFAULT;
            }
            if (newLen != oldLen && (vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) != 0) {
                return Errno.EFAULT;
            }
        }
        if (moving) {
            if (fixed) {
                // the destination is unmapped first, even if the move later fails
                Vma d = mm.tree.findIntersecting(newAddr, newAddr + newLen);
                if (d != null) {
                    int e = VmaMunmap.doVmiAlignMunmap(mm, d, newAddr, newAddr + newLen);
                    if (e != 0) {
                        return e;
                    }
                }
            } else if (mm.tree.findIntersecting(newAddr, newAddr + newLen) != null) {
                return Errno.EEXIST; // the model has something where the kernel found a hole
            }
            if (ult(newLen, oldLen)) {
                int e = doMunmapChecked(mm, addr + newLen, oldLen - newLen);
                if (e != 0) {
                    return e;
                }
                oldLen = newLen;
            }
            vma = mm.tree.contains(addr);
            if (vma == null) {
                return Errno.EFAULT;
            }
            return moveVma(mm, vma, addr, oldLen, newLen, newAddr, dontunmap);
        }
        // in place
        if (oldLen == newLen) {
            return 0;
        }
        if (ult(newLen, oldLen)) {
            // shrink: munmap the tail (may cross VMA boundaries)
            return doMunmapChecked(mm, addr + newLen, oldLen - newLen);
        }
        // expand in place
        if (vma.end != addr + oldLen) {
            return Errno.ENOMEM;
        }
        long delta = newLen - oldLen;
        long tailEnd = vma.end + delta;
        if (ult(tailEnd, vma.end) || ugt(tailEnd, mm.taskSize) || mm.tree.findIntersecting(vma.end, tailEnd) != null) {
            return Errno.ENOMEM;
        }
        long oldEnd = vma.end;
        Memory.materialize(mm, vma);
        Vma res = mm.engine.vmaMergeExtend(vma, delta);
        if (res == null) {
            return Errno.ENOMEM;
        }
        if ((res.flags & VM_LOCKED) != 0) {
            Memory.populate(mm, oldEnd, tailEnd, true);
        }
        return 0;
    }

    private static int doMunmapChecked(Mm mm, long start, long len) {
        Vma v = mm.tree.findIntersecting(start, start + len);
        if (v == null) {
            return 0;
        }
        return VmaMunmap.doVmiAlignMunmap(mm, v, start, start + len);
    }

    /**
     * move_vma(): copy [oldAddr, oldAddr+oldLen) of vma to newAddr (copy_vma merges it there if it
     * can), then unmap the source (or, with DONTUNMAP, leave it mapped without its pages).
     */
    private static int moveVma(Mm mm, Vma vma, long oldAddr, long oldLen, long newLen, long newAddr, boolean dontunmap) {
        // check_prep_vma(): "We can't remap across vm area boundaries"
        assert !ult(oldAddr, vma.start) && !ugt(oldAddr + oldLen, vma.end)
            : "move_vma() of [" + Long.toHexString(oldAddr) + ", +" + Long.toHexString(oldLen) + ") outside " + vma;
        if (mm.mapCount() >= mm.maxMapCount - 3) {
            return Errno.ENOMEM;
        }
        // may_split vetoes at both ends of the source range
        if (vma.special != null && (vma.start != oldAddr || vma.end != oldAddr + oldLen)) {
            return Errno.EINVAL;
        }
        long newPgoff = vma.pgoff + ((oldAddr - vma.start) >>> PAGE_SHIFT);
        VmaEngine.CopiedVma copy = mm.engine.copyVma(vma, newAddr, newLen, newPgoff);
        if (copy.error() != 0) {
            return copy.error();
        }
        Vma newVma = copy.vma();
        vma = copy.source();
        long vmFlags = vma.flags;
        if ((vmFlags & VM_LOCKED) != 0 && ugt(newLen, oldLen)) {
            Memory.populate(mm, newAddr + oldLen, newAddr + newLen, true);
        }
        if (dontunmap) {
            // The source VMA stays (not split): it loses VM_LOCKED/VM_LOCKONFAULT but keeps
            // VM_ACCOUNT (6.18.44, as the mremap_dontunmap capture in samples/ shows), and its anon_vma when the whole VMA moved.
            vma.flags &= ~VM_LOCKED_MASK;
            if (newVma != vma && vma.start == oldAddr && vma.end == oldAddr + oldLen) {
                vma.anonVma = null;
                vma.anonChain = 0;
                vma.anonAssumed = false;
                vma.anonKnownEpoch = mm.epoch;
            }
            return 0;
        }
        if (oldLen == 0) {
            return 0; // a duplicate (old_len 0): nothing of the source is unmapped
        }
        // The kernel conceals VM_ACCOUNT during this unmap so the reservation is not undone, and
        // sets it again on the head/tail remnants: no net flag change for the model.
        return doMunmapChecked(mm, oldAddr, oldLen);
    }

    /** 6.17+ multi-VMA MREMAP_FIXED move: each VMA piece moves, gaps preserved. */
    private static int mremapMoveMulti(Mm mm, long addr, long len, long newAddr, boolean dontunmap) {
        long end = addr + len;
        // a hole at the very start fails
        if (mm.tree.contains(addr) == null) {
            return Errno.EFAULT;
        }
        VmaIterator vmi = mm.iterator(addr);
        for (Vma v = vmi.find(end); v != null; v = vmi.find(end)) { // for_each_vma_range(vmi, vma, end)
            if ((v.flags & VM_SEALED) != 0) {
                return Errno.EPERM;
            }
            if (v.uffdCtx != 0) {
                return Errno.EFAULT;
            }
        }
        Vma d = mm.tree.findIntersecting(newAddr, newAddr + len);
        if (d != null) {
            int e = VmaMunmap.doVmiAlignMunmap(mm, d, newAddr, newAddr + len);
            if (e != 0) {
                return e;
            }
        }
        long cursor = addr;
        while (ult(cursor, end)) {
            Vma v = mm.tree.findIntersecting(cursor, end);
            if (v == null) {
                break;
            }
            long s = ugt(v.start, cursor) ? v.start : cursor;
            long e2 = umin(v.end, end);
            int e = moveVma(mm, v, s, e2 - s, e2 - s, newAddr + (s - addr), dontunmap);
            if (e != 0) {
                return e;
            }
            cursor = e2;
        }
        return 0;
    }
}
