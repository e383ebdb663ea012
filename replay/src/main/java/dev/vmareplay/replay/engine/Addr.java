package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.Mm.PAGE_MASK_LOW;

/**
 * Unsigned 64-bit address arithmetic and the page macros of include/linux/mm.h
 * ({@code PAGE_ALIGN}, {@code PAGE_ALIGNED}). Addresses compare unsigned: 0xffffffffff600000
 * is above every user address, and a length wrapping past the top is an error like the kernel's.
 */
final class Addr {
    private Addr() { }

    /** Returned by {@link #adviseEnd} for a range the kernel refuses: no page-aligned end is 1. */
    static final long BAD_RANGE = 1;

    /** PAGE_ALIGN(len): rounds up to a page; wraps to 0 past the top, as the macro does. */
    static long pageAlign(long len) {
        return (len + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
    }

    /** PAGE_ALIGNED(addr). */
    static boolean aligned(long addr) {
        return (addr & PAGE_MASK_LOW) == 0;
    }

    static boolean ult(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    static boolean ugt(long a, long b) {
        return Long.compareUnsigned(a, b) > 0;
    }

    static long umin(long a, long b) {
        return ult(a, b) ? a : b;
    }

    static long umax(long a, long b) {
        return ugt(a, b) ? a : b;
    }

    /**
     * The end of [start, start + PAGE_ALIGN(lenIn)) as madvise, mseal and prctl compute it, or
     * {@link #BAD_RANGE} when the length wraps when aligned or the range wraps past the top
     * (the kernel's EINVAL).
     */
    static long adviseEnd(long start, long lenIn) {
        long len = pageAlign(lenIn);
        if (lenIn != 0 && len == 0) {
            return BAD_RANGE;
        }
        long end = start + len;
        return ult(end, start) ? BAD_RANGE : end;
    }
}
