package dev.vmareplay.replay.readers;

import java.util.Locale;

/**
 * What a lockless /proc/PID/maps reader racing with one writer can end up with. A read can
 * show several at once (a retry that ends in a duplicate); {@link #VIOLATION} is the one the
 * reader's design promises never to show.
 */
public enum Observable {
    /** The lines read are exactly the layout before the writer. */
    EXACT_OLD("shows exactly the layout before the change"),
    /** The lines read are exactly the layout after the writer. */
    EXACT_NEW("shows exactly the layout after the change"),
    /** An address is shown twice: the same VMA before and after it grew, or two VMAs overlapping. */
    DUPLICATE("could show a VMA (or part of one) twice"),
    /** lock_next_vma() looked again: -EAGAIN on a detached VMA, or a locked VMA behind the last position or after a gap that was not there. */
    RETRY("could make a concurrent `cat /proc/PID/maps` retry"),
    /** vma_start_read() failed on a write-locked VMA: the reader waits for the writer's mmap_lock. */
    MMAP_LOCK_WAIT("could make a concurrent reader wait for the writer's mmap_lock"),
    /** The reader met a gap that is in neither layout (and retried; showing it would be a violation). */
    TRANSIENT_GAP("could make a concurrent reader meet a transient gap"),
    /** The read shows a gap that is real in one layout where the other has a VMA: a correct mix of the two. */
    REAL_GAP("could show a real gap of one layout next to VMAs of the other"),
    /** mremap: the moved mapping is shown at its old and at its new address. */
    MOVED_TWICE("could show a moved mapping at both addresses"),
    /** mremap: the moved mapping is shown at neither address. */
    MOVED_MISSED("could miss a moved mapping at both addresses"),
    /** A line no layout had, or a gap where both layouts have a VMA. */
    VIOLATION("could show a range that never existed or a gap where there is none");

    private final String sentence;

    Observable(String sentence) {
        this.sentence = sentence;
    }

    /** The predicate of "N operations ..." in the report. */
    public String sentence() {
        return sentence;
    }

    public String storageName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
