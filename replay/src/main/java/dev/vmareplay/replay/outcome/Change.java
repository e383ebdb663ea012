package dev.vmareplay.replay.outcome;

/**
 * One engine primitive caused by a trace event: a row of {@code merge_events}.
 *
 * @param seq        the event that caused it
 * @param pid        the process that made the call
 * @param mmId       the address space it acted on
 * @param syscall    the call's name
 * @param kind       which primitive/case
 * @param reason     for {@link CaseKind#REFUSED}: the rule that refused the merge; else null
 * @param start      the affected range's start (for a merge: the merged VMA; for a split: the
 *                   VMA before it was split; for a refusal: the proposed range)
 * @param end        the affected range's end (exclusive)
 * @param legacyCase the case number 1-8 of the pre-6.12 {@code vma_merge()} this merge would
 *                   have been, 0 when none applies
 * @param assumed    true when the decision rested on state the trace cannot show
 * @param vmaId      the VMA the change is about (merge target, the VMA split, the new or the
 *                   removed one); 0 for refusals
 */
public record Change(long seq, int pid, long mmId, String syscall, CaseKind kind, RefusalReason reason,
                     long start, long end, int legacyCase, boolean assumed, long vmaId) { }
