package dev.vmareplay.replay.outcome;

import java.util.Locale;

/**
 * Why a merge that was geometrically possible did not happen (the {@code merge_events.reason}
 * column of a {@link CaseKind#REFUSED} change, {@link #storageName()} as stored).
 */
public enum RefusalReason {
    FLAGS, FILE, PGOFF, ANON_VMA, POLICY, UFFD, NAME, CLOSE, SPECIAL, SEALED;

    private final String storageName = name().toLowerCase(Locale.ROOT);

    /** Snake-case name used in storage: {@code flags}, {@code anon_vma}, ... */
    public String storageName() {
        return storageName;
    }
}
