package dev.vmareplay.replay.engine;

/**
 * The kernel whose VMA behaviour is modelled. Where the version table of docs/kernel-vma.md (its section 7) says
 * layouts or merge cases differ, the engine asks one of these predicates.
 */
public enum KernelVersion {
    /** 6.1 LTS: vma_merge() cases 1-8, close hooks never merge, the pre-6.16 anon_vma rule. */
    V6_1(6, 1),
    /** 6.12 LTS: vma_merge_struct, close hooks may be expanded, the pre-6.16 anon_vma rule. */
    V6_12(6, 12),
    /** 6.18 (6.18.44 as captured): the default. */
    V6_18(6, 18);

    private final int major;
    private final int minor;

    KernelVersion(int major, int minor) {
        this.major = major;
        this.minor = minor;
    }

    /** Parses "6.1", "6.12", "6.18" (also "6.18.44", "v6.12"). */
    public static KernelVersion parse(String text) {
        String t = text.trim();
        if (t.startsWith("v") || t.startsWith("V")) {
            t = t.substring(1);
        }
        String[] p = t.split("\\.");
        if (p.length >= 2) {
            try {
                int ma = Integer.parseInt(p[0]);
                int mi = Integer.parseInt(p[1]);
                for (KernelVersion v : values()) {
                    if (v.major == ma && v.minor == mi) {
                        return v;
                    }
                }
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        throw new IllegalArgumentException("unsupported kernel version '" + text + "' (expected 6.1, 6.12 or 6.18)");
    }

    public boolean atLeast(int ma, int mi) {
        return major > ma || (major == ma && minor >= mi);
    }

    /** 6.16+: "mm/vma: fix incorrectly disallowed anonymous VMA merges" (fork-child rule). */
    boolean anonRuleForkChild() { return atLeast(6, 16); }

    /** 6.1-6.11: is_mergeable_vma refused any VMA with vm_ops->close. */
    boolean closeHookNeverMerges() { return !atLeast(6, 12); }

    /** 6.18.y: VM_STICKY / VM_IGNORE_MERGE (mm/vma.c of the 6.18-based tree named in package-info). */
    boolean stickyFlags() { return atLeast(6, 18); }

    /** 6.13+: MADV_GUARD_INSTALL exists; 6.18.44 also sets VM_MAYBE_GUARD. */
    boolean guardRegions() { return atLeast(6, 13); }

    boolean maybeGuardFlag() { return atLeast(6, 18); }

    /** 6.10+: mseal / VM_SEALED. */
    boolean mseal() { return atLeast(6, 10); }

    /** 6.17+: MREMAP_FIXED of a range spanning several VMAs. */
    boolean mremapMultiVma() { return atLeast(6, 17); }

    /** 6.7+: MAP_STACK sets VM_NOHUGEPAGE. */
    boolean mapStackNoHugepage() { return atLeast(6, 7); }

    /** 6.2+: mprotect RW->R of an unfaulted anonymous VMA drops VM_ACCOUNT. */
    boolean mprotectDropsAccount() { return atLeast(6, 2); }

    /** 6.11+: MAP_DROPPABLE. */
    boolean droppable() { return atLeast(6, 11); }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
