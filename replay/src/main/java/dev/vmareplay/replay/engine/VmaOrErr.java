package dev.vmareplay.replay.engine;

/**
 * A VMA or an errno: what the kernel returns as a pointer that may be {@code ERR_PTR(-errno)}
 * (vma_modify_*(), and the {@code *pprev} the mprotect/mlock/madvise fixups leave behind),
 * returned instead of written into an out-parameter.
 *
 * @param vma      the VMA now covering the range (for a fixup: the new prev), null on error
 * @param error    0, or the positive errno
 * @param newFlags for {@link VmaEngine#vmaModifyFlags}: the flags the caller sets on
 *                 {@code vma} (the requested ones, or after a merge the merged VMA's, so that
 *                 its sticky flags are retained as 6.18's {@code vm_flags_ptr} does); else
 *                 {@code vma}'s flags
 */
public record VmaOrErr(Vma vma, int error, long newFlags) {
    public VmaOrErr {
        assert (vma == null) == (error != 0) : "a VMA or an errno, not both: " + vma + " / " + error;
    }

    static VmaOrErr of(Vma vma) {
        return new VmaOrErr(vma, 0, vma.flags);
    }

    static VmaOrErr of(Vma vma, long newFlags) {
        return new VmaOrErr(vma, 0, newFlags);
    }

    static VmaOrErr err(int error) {
        return new VmaOrErr(null, error, 0);
    }

    /** IS_ERR(). */
    public boolean isErr() {
        return error != 0;
    }
}
