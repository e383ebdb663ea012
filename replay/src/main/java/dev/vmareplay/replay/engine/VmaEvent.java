package dev.vmareplay.replay.engine;

/**
 * What one engine primitive did, as reported to a {@link VmaObserver}: the raw material of
 * every statistic vmareplay produces.
 *
 * @param kind       which primitive/case (merge of a new or existing range, split, ...)
 * @param reason     for {@link Kind#REFUSED}: the rule that refused the merge; else null
 * @param start      the affected range's start (for a merge: the merged VMA; for a split:
 *                   the VMA before it was split; for a refusal: the proposed range)
 * @param end        the affected range's end (exclusive)
 * @param legacyCase the case number 1-8 of the pre-6.12 {@code vma_merge()} this merge
 *                   would have been, 0 when none applies
 * @param assumed    true when the decision rested on state the trace cannot show (for
 *                   instance whether a VMA had been written to, i.e. had an anon_vma)
 * @param vma        the {@link Vma#id()} of the VMA the event is about: the merge target (the
 *                   VMA that survives), the VMA that was split, the new VMA, the removed one;
 *                   0 for refusals
 */
public record VmaEvent(Kind kind, RefusalReason reason, long start, long end, int legacyCase, boolean assumed, long vma) {

    /** An event about no particular VMA (refusals; tests). */
    public VmaEvent(Kind kind, RefusalReason reason, long start, long end, int legacyCase, boolean assumed) {
        this(kind, reason, start, end, legacyCase, assumed, 0);
    }

    /** The kinds, named as DESIGN.md's storage contract spells them. */
    public enum Kind {
        NEW_NONE, NEW_LEFT, NEW_RIGHT, NEW_BOTH,
        EXISTING_LEFT_FULL, EXISTING_LEFT_PARTIAL, EXISTING_RIGHT_FULL, EXISTING_RIGHT_PARTIAL, EXISTING_BOTH,
        SPLIT, EXPAND, SHRINK, REMOVE, REFUSED;

        /** Snake-case name used in storage: {@code new_left}, {@code existing_both}, ... */
        public String storageName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Why a merge that was geometrically possible did not happen. */
    public enum RefusalReason {
        FLAGS, FILE, PGOFF, ANON_VMA, POLICY, UFFD, NAME, CLOSE, SPECIAL, SEALED;

        public String storageName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
