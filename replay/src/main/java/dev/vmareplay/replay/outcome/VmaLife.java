package dev.vmareplay.replay.outcome;

/**
 * The life of one VMA (one engine VMA object: merges keep the target's identity, a split
 * creates the new piece): a row of {@code vma_lifecycle}.
 *
 * @param start       the VMA's start when it was created
 * @param end         its end when it was created
 * @param createdSeq  the event that created it (-1: seeded from a snapshot)
 * @param createdBy   mmap, brk, mremap (a new VMA), split (a piece of {@code parentVma}),
 *                    seed, fork, or reconciled:SYSCALL (created to agree with the trace)
 * @param parentVma   for a split piece the VMA it was split from, else 0
 * @param splits      how often it was split (each split made a new VMA)
 * @param merges      how many merges it was the surviving target of
 * @param removedSeq  the event that removed it; -1 when it was still mapped at the end
 * @param removedBy   munmap, mmap (MAP_FIXED over it), mremap, brk, merge (absorbed into
 *                    {@code mergedInto}), exit, execve; null when still mapped
 * @param mergedInto  the VMA that absorbed it, else 0
 */
public record VmaLife(long mmId, long vmaId, long start, long end, long createdSeq, String createdBy, long parentVma,
                      int splits, int merges, long removedSeq, String removedBy, long mergedInto) { }
