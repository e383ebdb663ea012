package dev.vmareplay.replay.outcome;

import java.util.Locale;

/**
 * What one engine primitive did: the merge case of a new or an existing range, a split,
 * expand, shrink, remove, or a refused merge. Named as DESIGN.md's storage contract spells
 * the {@code merge_events.kind} column ({@link #storageName()}).
 */
public enum CaseKind {
    NEW_NONE, NEW_LEFT, NEW_RIGHT, NEW_BOTH,
    EXISTING_LEFT_FULL, EXISTING_LEFT_PARTIAL, EXISTING_RIGHT_FULL, EXISTING_RIGHT_PARTIAL, EXISTING_BOTH,
    SPLIT, EXPAND, SHRINK, REMOVE, REFUSED;

    private final String storageName = name().toLowerCase(Locale.ROOT);

    /** Snake-case name used in storage: {@code new_left}, {@code existing_both}, ... */
    public String storageName() {
        return storageName;
    }
}
