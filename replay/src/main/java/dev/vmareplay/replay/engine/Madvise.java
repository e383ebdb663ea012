package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.Addr.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * mm/madvise.c: do_madvise(), madvise_walk_vmas(), madvise_vma_behavior() and
 * madvise_update_vma() on vma_modify_flags() / vma_modify_name(), and the anon-name
 * pseudo-advice of prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME) (kernel/sys.c prctl_set_vma(),
 * madvise_set_anon_name()).
 */
final class Madvise {
    private Madvise() { }

    private static boolean madviseBehaviorValid(int b) {
        switch (b) {
            case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED: case MADV_DONTNEED:
            case MADV_FREE: case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK: case MADV_MERGEABLE:
            case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
            case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD: case MADV_PAGEOUT: case MADV_POPULATE_READ:
            case MADV_POPULATE_WRITE: case MADV_DONTNEED_LOCKED: case MADV_COLLAPSE: case MADV_HWPOISON:
            case MADV_SOFT_OFFLINE:
                return true;
            default:
                return false;
        }
    }

    /**
     * do_madvise(). Flag-changing advice merges or splits; holes are skipped and reported as
     * ENOMEM after the rest is done; ENOMEM from a merge/split is reported as EAGAIN.
     */
    static int doMadvise(Mm mm, long start, long lenIn, int advice) {
        if (!aligned(start)) {
            return Errno.EINVAL;
        }
        boolean guard = advice == MADV_GUARD_INSTALL || advice == MADV_GUARD_REMOVE;
        if (!madviseBehaviorValid(advice) && !(guard && mm.version.guardRegions())) {
            return Errno.EINVAL;
        }
        long end = adviseEnd(start, lenIn);
        if (end == BAD_RANGE) {
            return Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        return madviseWalk(mm, start, end, advice, null, false);
    }

    /** madvise_walk_vmas(); {@code name}/{@code setName} for the anon-name pseudo advice. */
    private static int madviseWalk(Mm mm, long start, long end, int advice, String name, boolean setName) {
        int unmappedError = 0;
        Vma vma = mm.tree.findVma(start);
        Vma prev = vma != null ? mm.tree.prev(vma) : mm.tree.prevOf(start);
        if (vma != null && ugt(start, vma.start)) {
            prev = vma;
        }
        long rstart = start;
        for (;;) {
            if (vma == null) {
                return Errno.ENOMEM;
            }
            if (ult(rstart, vma.start)) {
                unmappedError = Errno.ENOMEM;
                rstart = vma.start;
                if (Long.compareUnsigned(rstart, end) >= 0) {
                    break;
                }
            }
            long rend = umin(vma.end, end);
            VmaOrErr r = setName ? madviseSetName(mm, vma, prev, rstart, rend, name)
                : madviseVmaBehavior(mm, vma, prev, rstart, rend, advice);
            if (r.isErr()) {
                return r.error();
            }
            prev = r.vma();
            rstart = rend;
            // a merge may have carried prev past the piece just done
            if (prev != null && ult(rstart, prev.end)) {
                rstart = prev.end;
            }
            if (Long.compareUnsigned(rstart, end) >= 0) {
                break;
            }
            vma = mm.tree.findVma(prev.end);
            if (vma == null) {
                return Errno.ENOMEM;
            }
        }
        return unmappedError;
    }

    private static boolean isDiscard(int advice) {
        switch (advice) {
            case MADV_FREE: case MADV_DONTNEED: case MADV_DONTNEED_LOCKED: case MADV_REMOVE:
            case MADV_DONTFORK: case MADV_WIPEONFORK: case MADV_GUARD_INSTALL:
                return true;
            default:
                return false;
        }
    }

    /** madvise_vma_behavior() for one VMA piece [start, end). */
    private static VmaOrErr madviseVmaBehavior(Mm mm, Vma vma, Vma prev, long start, long end, int advice) {
        // can_madvise_modify(): sealed anonymous read-only memory refuses discards
        if ((vma.flags & VM_SEALED) != 0 && isDiscard(advice) && vma.isAnonymous() && (vma.flags & VM_WRITE) == 0) {
            return VmaOrErr.err(Errno.EPERM);
        }
        long newFlags = vma.flags;
        switch (advice) {
            case MADV_NORMAL:
                newFlags &= ~(VM_RAND_READ | VM_SEQ_READ);
                break;
            case MADV_SEQUENTIAL:
                newFlags = (newFlags & ~VM_RAND_READ) | VM_SEQ_READ;
                break;
            case MADV_RANDOM:
                newFlags = (newFlags & ~VM_SEQ_READ) | VM_RAND_READ;
                break;
            case MADV_DONTFORK:
                newFlags |= VM_DONTCOPY;
                break;
            case MADV_DOFORK:
                if ((vma.flags & VM_IO) != 0) {
                    return VmaOrErr.err(Errno.EINVAL);
                }
                newFlags &= ~VM_DONTCOPY;
                break;
            case MADV_WIPEONFORK:
                // MADV_WIPEONFORK is only supported on anonymous memory.
                if (vma.file != null || (vma.flags & VM_SHARED) != 0) {
                    return VmaOrErr.err(Errno.EINVAL);
                }
                newFlags |= VM_WIPEONFORK;
                break;
            case MADV_KEEPONFORK:
                if ((vma.flags & VM_DROPPABLE) != 0) {
                    return VmaOrErr.err(Errno.EINVAL);
                }
                newFlags &= ~VM_WIPEONFORK;
                break;
            case MADV_DONTDUMP:
                newFlags |= VM_DONTDUMP;
                break;
            case MADV_DODUMP:
                if (((vma.flags & VM_HUGETLB) == 0 && (newFlags & VM_SPECIAL) != 0) || (vma.flags & VM_DROPPABLE) != 0) {
                    return VmaOrErr.err(Errno.EINVAL);
                }
                newFlags &= ~VM_DONTDUMP;
                break;
            case MADV_MERGEABLE:
                if ((newFlags & (VM_MERGEABLE | VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO | VM_DONTEXPAND
                    | VM_HUGETLB | VM_MIXEDMAP | VM_DROPPABLE)) == 0) {
                    newFlags |= VM_MERGEABLE;
                }
                break;
            case MADV_UNMERGEABLE:
                newFlags &= ~VM_MERGEABLE;
                break;
            case MADV_HUGEPAGE:
                newFlags = (newFlags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
                break;
            case MADV_NOHUGEPAGE:
                newFlags = (newFlags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
                break;
            case MADV_GUARD_INSTALL:
                if ((vma.flags & (VM_SPECIAL | VM_HUGETLB | VM_LOCKED_MASK)) != 0) {
                    return VmaOrErr.err(Errno.EINVAL);
                }
                // 6.18.44: the whole VMA is marked VM_MAYBE_GUARD in place, nothing is split
                if (mm.version.maybeGuardFlag()) {
                    vma.flags |= VM_MAYBE_GUARD;
                }
                if (vma.isAnonymous()) {
                    Memory.anonVmaPrepare(mm, vma);
                }
                return VmaOrErr.of(vma);
            case MADV_DONTNEED:
            case MADV_DONTNEED_LOCKED:
            case MADV_FREE:
                if ((vma.flags & (VM_PFNMAP | VM_HUGETLB)) != 0
                    || (advice != MADV_DONTNEED_LOCKED && (vma.flags & VM_LOCKED) != 0)) {
                    return VmaOrErr.err(Errno.EINVAL);
                }
                if (advice == MADV_FREE && !vma.isAnonymous()) {
                    return VmaOrErr.err(Errno.EINVAL);
                }
                return VmaOrErr.of(vma);
            case MADV_POPULATE_WRITE:
                if ((vma.flags & (VM_IO | VM_PFNMAP)) != 0) {
                    return VmaOrErr.err(Errno.EINVAL);
                }
                if ((vma.flags & VM_WRITE) == 0) {
                    return VmaOrErr.err(Errno.EFAULT);
                }
                if (Memory.canHaveAnonVma(vma)) {
                    Memory.anonVmaPrepare(mm, vma);
                }
                return VmaOrErr.of(vma);
            case MADV_POPULATE_READ:
                if ((vma.flags & (VM_IO | VM_PFNMAP)) != 0) {
                    return VmaOrErr.err(Errno.EINVAL);
                }
                if ((vma.flags & VM_ACCESS_FLAGS) == 0) {
                    return VmaOrErr.err(Errno.EFAULT);
                }
                return VmaOrErr.of(vma);
            default:
                // WILLNEED, COLD, PAGEOUT, REMOVE, COLLAPSE, HWPOISON, SOFT_OFFLINE, GUARD_REMOVE:
                // no VMA change
                return VmaOrErr.of(vma);
        }
        return madviseUpdateVma(mm, vma, prev, start, end, newFlags, vma.anonName, false);
    }

    /** madvise_update_vma(). */
    private static VmaOrErr madviseUpdateVma(Mm mm, Vma vma, Vma prev, long start, long end, long newFlags, String name,
                                             boolean setName) {
        if (newFlags == vma.flags && java.util.Objects.equals(vma.anonName, name)) {
            return VmaOrErr.of(vma);
        }
        Memory.materialize(mm, vma);
        VmaOrErr res = setName ? mm.engine.vmaModifyName(prev, vma, start, end, name)
            : mm.engine.vmaModifyFlags(prev, vma, start, end, newFlags, 0);
        if (res.isErr()) {
            return VmaOrErr.err(res.error() == Errno.ENOMEM ? Errno.EAGAIN : res.error());
        }
        if (setName) {
            res.vma().anonName = name;
        } else {
            res.vma().flags = res.newFlags();
        }
        return res;
    }

    private static VmaOrErr madviseSetName(Mm mm, Vma vma, Vma prev, long start, long end, String name) {
        // anonymous memory and anonymous shmem only
        if (vma.file != null && !vma.file.anonShmem()) {
            return VmaOrErr.err(Errno.EBADF);
        }
        return madviseUpdateVma(mm, vma, prev, start, end, vma.flags, name, true);
    }

    /**
     * prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, start, len, name); name null clears.
     *
     * @return 0, EINVAL (bad name, unaligned, CONFIG_ANON_VMA_NAME off), EBADF (file-backed),
     *         ENOMEM (holes, after naming the rest)
     */
    static int prctlSetVmaAnonName(Mm mm, long start, long lenIn, String name) {
        if (!mm.anonVmaNameSupported) {
            return Errno.EINVAL;
        }
        if (name != null) {
            if (name.length() > 80) {
                return Errno.EINVAL;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                // is_valid_name_char(): printable, none of [ ] \ $ `
                if (c < 0x20 || c > 0x7e || c == '[' || c == ']' || c == '\\' || c == '$' || c == '`') {
                    return Errno.EINVAL;
                }
            }
        }
        if (!aligned(start)) {
            return Errno.EINVAL;
        }
        long end = adviseEnd(start, lenIn);
        if (end == BAD_RANGE) {
            return Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        return madviseWalk(mm, start, end, 0, name, true);
    }
}
