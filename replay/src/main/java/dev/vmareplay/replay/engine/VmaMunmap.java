package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import java.util.ArrayList;
import java.util.List;

import static dev.vmareplay.replay.engine.Addr.ult;
import static dev.vmareplay.replay.engine.VmFlags.VM_SEALED;

/**
 * The munmap half of mm/vma.c: {@code struct vma_munmap_struct} (mm/vma.h) as
 * vms_gather_munmap_vmas() leaves it (the detached VMAs, the VMAs around the hole, the errno),
 * vms_complete_munmap_vmas() and do_vmi_align_munmap(). Used by munmap, MAP_FIXED's unmapping
 * in mmap_region(), brk's shrink and mremap.
 *
 * <p>vms_complete_munmap_vmas()'s "paranoid bookkeeping" VM_WARN_ONs (exec_vm, stack_vm,
 * data_vm) have no counterpart: the model keeps no per-type page counts.
 */
final class VmaMunmap {
    /** The detached VMAs, in address order. */
    final List<Vma> vmas = new ArrayList<>(4);
    /** The VMA before the hole, or null. */
    Vma prev;
    /** The VMA after the hole, or null. */
    Vma next;
    /** 0 when the gathering succeeded, else the errno. */
    int error;

    private VmaMunmap() { }

    private VmaMunmap fail(int e) {
        vmas.clear();
        error = e;
        return this;
    }

    /**
     * vms_gather_munmap_vmas(): split the first and last VMA of [start, end) where the range cuts
     * them and collect everything inside. Nothing is removed yet; on error the splits made so far
     * stay (the kernel does not undo them).
     *
     * <p>CONFIG_DEBUG_VM_MAPLE_TREE's checks, asserted: every gathered VMA starts inside
     * [start, end), and no VMA of the range is about to be lost (the gathered VMAs are exactly the
     * VMAs the range now holds).
     *
     * @param vma the first VMA intersecting [start, end)
     * @return the gathered VMAs, or the errno: ENOMEM (map count) or EPERM (sealed)
     */
    static VmaMunmap gather(Mm mm, Vma vma, long start, long end) {
        assert ult(vma.start, end) && ult(start, vma.end) : "gather from a VMA outside the range: " + vma;
        assert vma == mm.tree.findIntersecting(start, end) : "vms->vma is not the first VMA of the range: " + vma;
        VmaMunmap out = new VmaMunmap();
        if (Long.compareUnsigned(start, vma.start) > 0) {
            // Make sure that map_count on return from munmap() will not exceed its limit
            if (Long.compareUnsigned(end, vma.end) < 0 && mm.mapCount() >= mm.maxMapCount) {
                return out.fail(Errno.ENOMEM);
            }
            // Don't bother splitting the VMA if we can't unmap it anyway
            if ((vma.flags & VM_SEALED) != 0) {
                return out.fail(Errno.EPERM);
            }
            int e = mm.engine.splitVmaUnchecked(vma, start, true);
            if (e != 0) {
                return out.fail(e);
            }
        }
        out.prev = mm.tree.prevOf(start);
        Vma v = mm.tree.findIntersecting(start, end);
        while (v != null) {
            if ((v.flags & VM_SEALED) != 0) {
                return out.fail(Errno.EPERM);
            }
            // Does it split the end?
            if (Long.compareUnsigned(v.end, end) > 0) {
                int e = mm.engine.splitVmaUnchecked(v, end, false);
                if (e != 0) {
                    return out.fail(e);
                }
            }
            assert !ult(v.start, start) && ult(v.start, end)
                : "BUG_ON(next->vm_start < vms->start || next->vm_start > vms->end): " + v;
            out.vmas.add(v);
            v = mm.tree.next(v);
            if (v != null && Long.compareUnsigned(v.start, end) >= 0) {
                out.next = v;
                v = null;
            }
        }
        assert out.holdsAll(mm, start, end) : "vms_gather_munmap_vmas() would lose a VMA of the range";
        return out;
    }

    /** "Make sure no VMAs are about to be lost": the range holds exactly the gathered VMAs. */
    private boolean holdsAll(Mm mm, long start, long end) {
        int i = 0;
        for (Vma v = mm.tree.findIntersecting(start, end); v != null && ult(v.start, end); v = mm.tree.next(v)) {
            if (i >= vmas.size() || vmas.get(i) != v) {
                return false;
            }
            i++;
        }
        return i == vmas.size();
    }

    /** vms_complete_munmap_vmas(): remove the gathered VMAs (one REMOVE event each). */
    void complete(Mm mm) {
        for (Vma v : vmas) {
            mm.unlink(v);
            mm.emit(Kind.REMOVE, null, v.start, v.end, 0, false, v);
        }
    }

    /**
     * do_vmi_align_munmap(): munmap the page-aligned [start, end), vma being its first VMA.
     *
     * @return 0, ENOMEM or EPERM
     */
    static int doVmiAlignMunmap(Mm mm, Vma vma, long start, long end) {
        VmaMunmap vms = gather(mm, vma, start, end);
        if (vms.error != 0) {
            return vms.error;
        }
        vms.complete(mm);
        return 0;
    }
}
