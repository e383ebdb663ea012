package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;

import static dev.vmareplay.replay.engine.Addr.*;
import static dev.vmareplay.replay.engine.Mm.PAGE_MASK_LOW;
import static dev.vmareplay.replay.engine.Mm.PAGE_SHIFT;
import static dev.vmareplay.replay.engine.Mm.PAGE_SIZE;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * mm/mmap.c: do_mmap(), mmap_region() / __mmap_region(), do_munmap(), brk() and
 * do_brk_flags(), on the primitives of mm/vma.c ({@link VmaEngine}). The address a non-fixed
 * mmap landed at is an input (the trace says where), not chosen here.
 */
final class Mmap {
    private Mmap() { }

    /**
     * do_mmap() at addr (where the trace says it landed; for MAP_FIXED the requested address).
     *
     * @return 0, or EINVAL, ENOMEM, EEXIST, EACCES, EPERM, EOVERFLOW, EOPNOTSUPP like the kernel;
     *         EEXIST too when a non-fixed mapping would land on an existing one (the model
     *         disagrees with the trace)
     */
    static int doMmap(Mm mm, long addr, long len, int prot, int flags, VmaFile file, long offset, long extraFlags) {
        if ((offset & PAGE_MASK_LOW) != 0) {
            return Errno.EINVAL;
        }
        if (len == 0) {
            return Errno.EINVAL;
        }
        boolean anonymous = (flags & MAP_ANONYMOUS) != 0;
        boolean hugetlb = false;
        if (anonymous && (flags & MAP_HUGETLB) != 0) {
            // ksys_mmap_pgoff(): a new hugetlb file per call, length rounded to the huge page
            len = (len + mm.hugePageSize - 1) & ~(mm.hugePageSize - 1);
            if (len == 0) {
                return Errno.ENOMEM;
            }
            long id = --mm.shmemIds;
            file = new VmaFile(id, "/anon_hugepage (deleted)", "00:0f", -id, true, true, false, false, false);
            flags &= ~MAP_ANONYMOUS;
            anonymous = false;
            hugetlb = true;
        } else if (anonymous) {
            file = null;
        } else if (file == null) {
            return Errno.EBADF;
        }
        long pgoff = offset >>> PAGE_SHIFT;
        len = pageAlign(len);
        if (len == 0) {
            return Errno.ENOMEM;
        }
        if (!aligned(addr)) {
            return Errno.EINVAL;
        }
        // offset overflow?
        if (Long.compareUnsigned(pgoff + (len >>> PAGE_SHIFT), pgoff) < 0) {
            return Errno.EOVERFLOW;
        }
        // Too many mappings?
        if (mm.mapCount() > mm.maxMapCount) {
            return Errno.ENOMEM;
        }
        if (ugt(len, mm.taskSize) || ugt(addr, mm.taskSize - len)) {
            return Errno.ENOMEM;
        }
        // file_mmap_ok(): a regular file's pages end at MAX_LFS_FILESIZE (offsets past 2^63);
        // character devices (here: /dev/zero, and driver files with a close hook) allow ULONG_MAX
        if (file != null && !file.anonShmem() && !file.hasCloseHook() && ugt(pgoff, (Long.MAX_VALUE - len) >>> PAGE_SHIFT)) {
            return Errno.EOVERFLOW;
        }
        long end = addr + len;
        int pkey = 0;
        if (prot == PROT_EXEC && mm.executeOnlyPkey >= 0) {
            pkey = mm.executeOnlyPkey;
        }
        long vmFlags = extraFlags | Mman.calcVmProtBits(prot, pkey) | calcVmFlagBits(mm, flags) | mm.defFlags
            | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
        if (mm.tree.findIntersecting(addr, end) != null && (flags & MAP_FIXED) == 0) {
            return Errno.EEXIST; // MAP_FIXED_NOREPLACE, or a placement the model disagrees with
        }
        int type = flags & MAP_TYPE;
        if (file != null) {
            switch (type) {
                case MAP_SHARED:
                case MAP_SHARED_VALIDATE:
                    if (type == MAP_SHARED_VALIDATE && (flags & MAP_SYNC) != 0) {
                        vmFlags |= VM_SYNC;
                    }
                    if ((prot & PROT_WRITE) != 0 && !file.writable()) {
                        return Errno.EACCES;
                    }
                    vmFlags |= VM_SHARED | VM_MAYSHARE;
                    if (!file.writable()) {
                        vmFlags &= ~(VM_MAYWRITE | VM_SHARED);
                    }
                    // fall through
                case MAP_PRIVATE:
                    if (!file.readable()) {
                        return Errno.EACCES;
                    }
                    if ((vmFlags & VM_GROWSDOWN) != 0) {
                        return Errno.EINVAL;
                    }
                    break;
                default:
                    return Errno.EINVAL;
            }
        } else {
            switch (type) {
                case MAP_SHARED:
                case MAP_SHARED_VALIDATE:
                    if ((vmFlags & VM_GROWSDOWN) != 0) {
                        return Errno.EINVAL;
                    }
                    // Ignore pgoff.
                    pgoff = 0;
                    vmFlags |= VM_SHARED | VM_MAYSHARE;
                    break;
                case MAP_DROPPABLE:
                    if (!mm.version.droppable()) {
                        return Errno.EINVAL;
                    }
                    if ((flags & (MAP_HUGETLB | MAP_LOCKED)) != 0 || (vmFlags & VM_GROWSDOWN) != 0) {
                        return Errno.EINVAL;
                    }
                    vmFlags |= VM_DROPPABLE | VM_WIPEONFORK | VM_DONTDUMP | VM_NORESERVE;
                    pgoff = addr >>> PAGE_SHIFT;
                    break;
                case MAP_PRIVATE:
                    // Set pgoff according to addr for anon_vma.
                    pgoff = addr >>> PAGE_SHIFT;
                    break;
                default:
                    return Errno.EINVAL;
            }
        }
        if ((flags & MAP_NORESERVE) != 0 && (!mm.overcommitNever || hugetlb)) {
            vmFlags |= VM_NORESERVE;
        }
        if (hugetlb) {
            // hugetlbfs' mmap: VM_HUGETLB | VM_DONTEXPAND, so it never merges
            vmFlags |= VM_HUGETLB | VM_DONTEXPAND;
        }
        int r = mmapRegion(mm, file, addr, len, vmFlags, pgoff, (flags & MAP_FIXED_NOREPLACE) != 0 && (flags & MAP_FIXED) == 0);
        if (r != 0) {
            return r;
        }
        Vma v = mm.tree.contains(addr);
        if (v != null && ((v.flags & VM_LOCKED) != 0 || ((flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))) {
            Memory.populate(mm, addr, end, (flags & MAP_POPULATE) == 0);
        }
        return 0;
    }

    /** calc_vm_flag_bits() (CONFIG_TRANSPARENT_HUGEPAGE on: MAP_STACK gives VM_NOHUGEPAGE, 6.7+). */
    private static long calcVmFlagBits(Mm mm, int flags) {
        long f = 0;
        if ((flags & MAP_GROWSDOWN) != 0) {
            f |= VM_GROWSDOWN;
        }
        if ((flags & MAP_LOCKED) != 0) {
            f |= VM_LOCKED;
        }
        if ((flags & MAP_STACK) != 0 && mm.version.mapStackNoHugepage()) {
            f |= VM_NOHUGEPAGE;
        }
        return f;
    }

    /**
     * mmap_region() / __mmap_region(): unmap what the range overlaps (MAP_FIXED), then merge the
     * new range with the VMAs outside it, or insert a new VMA.
     */
    private static int mmapRegion(Mm mm, VmaFile file, long addr, long len, long vmFlags, long pgoff, boolean noreplace) {
        long end = addr + len;
        // __mmap_setup(): find the first overlapping VMA and gather what must be unmapped
        VmaMunmap gathered = null;
        Vma prev;
        Vma next;
        Vma first = mm.tree.findIntersecting(addr, end);
        if (first != null) {
            if (noreplace) {
                return Errno.EEXIST;
            }
            gathered = VmaMunmap.gather(mm, first, addr, end);
            if (gathered.error != 0) {
                return gathered.error;
            }
            prev = gathered.prev;
            next = gathered.next;
        } else {
            prev = mm.tree.prevOf(addr);
            next = mm.tree.findVma(addr);
        }
        // Private writable mapping: check memory availability (accountable_mapping)
        if ((file == null || (vmFlags & VM_HUGETLB) == 0)
            && (vmFlags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE) {
            vmFlags |= VM_ACCOUNT;
        }
        // Clear the old mappings: from here on they are gone even if the new one fails.
        if (gathered != null) {
            gathered.complete(mm);
        }
        // Merge with prev/next. Shared anonymous memory has no file yet (shmem_zero_setup comes
        // later), so it never merges.
        Vma vma = null;
        if (prev != null || next != null) {
            VmaMergeState g = VmaMergeState.forNewRange(prev, next, addr, end, vmFlags, file, pgoff);
            vma = mm.engine.vmaMergeNewRange(g);
            if (vma == null && g.nomem()) {
                return Errno.ENOMEM;
            }
        }
        if (vma == null) {
            if (mm.preallocFails()) {
                return Errno.ENOMEM;
            }
            VmaFile f = file;
            if (f == null && (vmFlags & VM_SHARED) != 0) {
                f = newAnonShmemFile(mm);
            }
            vma = new Vma(addr, end, pgoff, vmFlags, f);
            vma.anonKnownEpoch = mm.epoch;
            mm.link(vma);
            mm.emit(Kind.NEW_NONE, null, addr, end, 0, false, vma);
        }
        // __mmap_complete()
        if ((vma.flags & VM_LOCKED) != 0) {
            if ((vma.flags & VM_SPECIAL) != 0 || (vma.flags & VM_HUGETLB) != 0 || (vma.flags & VM_DROPPABLE) != 0) {
                vma.flags &= ~VM_LOCKED_MASK;
            }
        }
        return 0;
    }

    /**
     * do_munmap() / __vm_munmap().
     *
     * @return 0, EINVAL (unaligned, zero length, beyond TASK_SIZE), ENOMEM (map count), EPERM (sealed)
     */
    static int doMunmap(Mm mm, long start, long len) {
        if (!aligned(start) || ugt(start, mm.taskSize) || ugt(len, mm.taskSize - start)) {
            return Errno.EINVAL;
        }
        long end = start + pageAlign(len);
        if (end == start) {
            return Errno.EINVAL;
        }
        Vma vma = mm.tree.findIntersecting(start, end);
        if (vma == null) {
            return 0;
        }
        return VmaMunmap.doVmiAlignMunmap(mm, vma, start, end);
    }

    /**
     * brk(): the new break on success, the old one when the request is refused. Without a
     * known brk area ({@link Mm#setBrkArea}) every request is refused.
     */
    static long doBrk(Mm mm, long reqBrk) {
        long origbrk = mm.brk;
        if (!mm.brkKnown || ult(reqBrk, mm.startBrk)) {
            return origbrk;
        }
        long newbrk = pageAlign(reqBrk);
        long oldbrk = pageAlign(mm.brk);
        if (oldbrk == newbrk) {
            mm.brk = reqBrk;
            return mm.brk;
        }
        // Always allow shrinking mm.brk.
        if (Long.compareUnsigned(reqBrk, mm.brk) <= 0) {
            Vma brkvma = mm.tree.findIntersecting(newbrk, oldbrk);
            if (brkvma == null || Long.compareUnsigned(brkvma.start, oldbrk) >= 0) {
                return origbrk;
            }
            mm.brk = reqBrk;
            if (VmaMunmap.doVmiAlignMunmap(mm, brkvma, newbrk, oldbrk) != 0) {
                mm.brk = origbrk;
                return origbrk;
            }
            return mm.brk;
        }
        // check_brk_limits(): get_unmapped_area(MAP_FIXED) refuses a range past TASK_SIZE
        // (and a break whose PAGE_ALIGN wrapped to 0)
        if (ugt(newbrk - oldbrk, mm.taskSize) || ugt(oldbrk, mm.taskSize - (newbrk - oldbrk))) {
            return origbrk;
        }
        // Only check if the next VMA is within the stack_guard_gap of the expansion area
        Vma next = mm.tree.findIntersecting(oldbrk, newbrk + PAGE_SIZE + mm.stackGuardGap);
        if (next != null) {
            // vm_start_gap(): stack_guard_gap below VM_GROWSDOWN, one page below a shadow stack
            long gap = (next.flags & VM_GROWSDOWN) != 0 ? mm.stackGuardGap : (next.flags & VM_SHADOW_STACK) != 0 ? PAGE_SIZE : 0;
            long gapStart = ugt(next.start - gap, next.start) ? 0 : next.start - gap;
            if (ugt(newbrk + PAGE_SIZE, gapStart)) {
                return origbrk;
            }
        }
        // vma_prev_limit(&vmi, mm->start_brk): the VMA below oldbrk, if it reaches above start_brk
        Vma brkvma = mm.tree.prevOf(oldbrk);
        if (brkvma != null && Long.compareUnsigned(brkvma.end, mm.startBrk) <= 0) {
            brkvma = null;
        }
        if (doBrkFlags(mm, brkvma, oldbrk, newbrk - oldbrk, 0) != 0) {
            return origbrk;
        }
        mm.brk = reqBrk;
        if ((mm.defFlags & VM_LOCKED) != 0) {
            Memory.populate(mm, oldbrk, newbrk, true);
        }
        return mm.brk;
    }

    /**
     * do_brk_flags(): expand the heap VMA in place (expand-only merge, never merging right) or
     * create a new anonymous VMA.
     */
    static int doBrkFlags(Mm mm, Vma vma, long addr, long len, long flags) {
        flags |= VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm.defFlags;
        if (mm.mapCount() > mm.maxMapCount) {
            return Errno.ENOMEM;
        }
        // Expand the existing vma if possible
        if (vma != null && vma.end == addr) {
            VmaMergeState g = VmaMergeState.forNewRange(vma, null, addr, addr + len, flags, null, addr >>> PAGE_SHIFT);
            g.justExpand = true;
            Vma merged = mm.engine.vmaMergeNewRange(g);
            if (merged != null) {
                return 0;
            } else if (g.nomem()) {
                return Errno.ENOMEM;
            }
        }
        if (mm.preallocFails()) {
            return Errno.ENOMEM;
        }
        Vma v = new Vma(addr, addr + len, addr >>> PAGE_SHIFT, flags, null);
        v.anonKnownEpoch = mm.epoch;
        mm.link(v);
        mm.emit(Kind.NEW_NONE, null, addr, addr + len, 0, false, v);
        return 0;
    }

    /** shmem_zero_setup(): shared anonymous memory gets a /dev/zero shmem file of its own. */
    static VmaFile newAnonShmemFile(Mm mm) {
        long id = --mm.shmemIds; // negative ids never collide with a driver's fd-table ids
        return new VmaFile(id, "/dev/zero (deleted)", "00:01", -id, true, true, false, true, true);
    }
}
