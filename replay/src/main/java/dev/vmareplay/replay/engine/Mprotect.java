package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.Addr.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * mm/mprotect.c: do_mprotect_pkey() walks the VMAs of the range and mprotect_fixup() changes
 * each piece's flags through vma_modify_flags() ({@link VmaEngine#vmaModifyFlags}).
 */
final class Mprotect {
    private Mprotect() { }

    /**
     * do_mprotect_pkey(); pkey -1 keeps each VMA's key (plain mprotect).
     *
     * @return 0, EINVAL, ENOMEM (hole / unmapped), EACCES, EPERM (sealed)
     */
    static int doMprotectPkey(Mm mm, long start, long len, int prot, int pkey) {
        assert pkey >= -1 && pkey <= 15 : "pkey " + pkey;
        int grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
        prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
        if (grows == (PROT_GROWSDOWN | PROT_GROWSUP)) {
            return Errno.EINVAL;
        }
        if (!aligned(start)) {
            return Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        len = pageAlign(len);
        long end = start + len;
        if (Long.compareUnsigned(end, start) <= 0) {
            return Errno.ENOMEM;
        }
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) != 0) {
            return Errno.EINVAL;
        }
        Vma vma = mm.tree.findIntersecting(start, end);
        if (vma == null) {
            return Errno.ENOMEM;
        }
        if (grows == PROT_GROWSDOWN) {
            start = vma.start;
            if ((vma.flags & VM_GROWSDOWN) == 0) {
                return Errno.EINVAL;
            }
        } else {
            if (ugt(vma.start, start)) {
                return Errno.ENOMEM;
            }
            if (grows == PROT_GROWSUP) {
                return Errno.EINVAL; // no VM_GROWSUP on x86
            }
        }
        Vma prev = mm.tree.prev(vma);
        if (ugt(start, vma.start)) {
            prev = vma;
        }
        long nstart = start;
        long tmp = vma.start;
        int error = 0;
        Vma v = vma;
        while (v != null && ult(v.start, end)) {
            if (v.start != tmp) {
                error = Errno.ENOMEM;
                break;
            }
            int vpkey = pkey >= 0 ? pkey : (prot == PROT_EXEC && mm.executeOnlyPkey >= 0 ? mm.executeOnlyPkey : VmFlags.pkey(v.flags));
            long newflags = Mman.calcVmProtBits(prot, vpkey) | (v.flags & ~(VM_ACCESS_FLAGS | VM_PKEY_MASK));
            // newflags >> 4 shift VM_MAY% in place of VM_%
            if ((newflags & ~(newflags >>> 4) & VM_ACCESS_FLAGS) != 0) {
                error = Errno.EACCES;
                break;
            }
            tmp = umin(v.end, end);
            VmaOrErr r = mprotectFixup(mm, v, prev, nstart, tmp, newflags);
            if (r.isErr()) {
                error = r.error();
                break;
            }
            prev = r.vma();
            tmp = prev.end;
            nstart = tmp;
            v = mm.tree.next(prev);
        }
        if (error == 0 && ult(tmp, end)) {
            error = Errno.ENOMEM;
        }
        return error;
    }

    /**
     * mprotect_fixup(): give [start, end) of vma the flags {@code newflags}, merging or splitting.
     *
     * @return the new prev (the VMA now covering [start, end)), or the errno
     */
    static VmaOrErr mprotectFixup(Mm mm, Vma vma, Vma prev, long start, long end, long newflags) {
        assert Long.compareUnsigned(vma.start, start) <= 0 && Long.compareUnsigned(end, vma.end) <= 0
            : "mprotect_fixup outside the VMA: " + vma;
        long oldflags = vma.flags;
        if ((oldflags & VM_SEALED) != 0) {
            return VmaOrErr.err(Errno.EPERM);
        }
        if (newflags == oldflags) {
            return VmaOrErr.of(vma);
        }
        long assumedMask = 0;
        if ((newflags & VM_WRITE) == 0 && (oldflags & VM_WRITE) != 0 && vma.anonVma == null && Memory.uncertain(mm, vma)
            && Memory.canHaveAnonVma(vma) && mm.faultPolicy != FaultPolicy.OBSERVED_ONLY
            && ((newflags & (VM_READ | VM_EXEC)) != 0 || mm.faultPolicy == FaultPolicy.ASSUME_WRITTEN)) {
            // private memory that was writable is being made read-only or executable: assume it
            // was written first (RELRO, JIT code, sealed tables). Memory made PROT_NONE is not:
            // guard pages (thread stacks) and uncommitted reservations are never written
            // (WRITE_BEFORE_PROTECT; ASSUME_WRITTEN assumes it anyway)
            Memory.assumeWritten(mm, vma);
        }
        if ((newflags & VM_WRITE) != 0) {
            if ((oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)) == 0) {
                newflags |= VM_ACCOUNT;
            }
        } else if (mm.version.mprotectDropsAccount() && (oldflags & VM_ACCOUNT) != 0 && vma.isAnonymous()) {
            if (vma.anonVma == null) {
                newflags &= ~VM_ACCOUNT;
            }
            if (Memory.uncertain(mm, vma)) {
                assumedMask = VM_ACCOUNT;
            }
        }
        Memory.materialize(mm, vma);
        VmaOrErr res = mm.engine.vmaModifyFlags(prev, vma, start, end, newflags, assumedMask);
        if (!res.isErr()) {
            res.vma().flags = res.newFlags();
        }
        return res;
    }
}
