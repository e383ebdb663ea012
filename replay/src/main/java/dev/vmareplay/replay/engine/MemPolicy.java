package dev.vmareplay.replay.engine;

/**
 * A NUMA memory policy as mbind() sets it, compared by value like the kernel's
 * {@code mpol_equal()}. MPOL_DEFAULT is represented by {@code null} (no policy).
 *
 * @param mode     MPOL_* mode (1 PREFERRED, 2 BIND, 3 INTERLEAVE, 4 LOCAL, 5 PREFERRED_MANY,
 *                 6 WEIGHTED_INTERLEAVE)
 * @param flags    MPOL_F_STATIC_NODES / MPOL_F_RELATIVE_NODES bits
 * @param nodemask the node mask (up to 64 nodes)
 */
public record MemPolicy(int mode, int flags, long nodemask) {
    public static final int MPOL_DEFAULT = 0;

    static boolean equal(MemPolicy a, MemPolicy b) {
        return java.util.Objects.equals(a, b);
    }
}
