package dev.vmareplay.replay.engine;

/**
 * Receives one {@link VmaEvent} per engine primitive, in the order they happen, and, for
 * whoever follows VMAs through their lives, each VMA entering and leaving the tree (the
 * kernel's vma_link and the removal of a detached VMA): a split links its new piece before
 * the SPLIT event, a merge unlinks the VMAs it deletes before its merge event, munmap unlinks
 * before REMOVE, a new VMA is linked before NEW_NONE.
 */
@FunctionalInterface
public interface VmaObserver {
    VmaObserver NONE = e -> { };

    void on(VmaEvent event);

    /** {@code vma} was inserted into the tree. */
    default void linked(Vma vma) { }

    /** {@code vma} was removed from the tree for good. */
    default void unlinked(Vma vma) { }
}
