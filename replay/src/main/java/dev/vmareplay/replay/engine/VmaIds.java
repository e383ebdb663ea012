package dev.vmareplay.replay.engine;

/**
 * Numbers the VMA and anon_vma objects of one family of address spaces: an mm made fresh
 * (a process the trace starts with, an execve) and every mm forked from it, directly or not,
 * share one instance ({@link Mm#fork} hands it on). The kernel has no such numbers, only
 * pointers; the ids stand for those pointers in the stored rows ({@code vma_lifecycle}), so they
 * must depend on the trace alone: counting per family, not per JVM, gives the same trace the same
 * ids whatever else the JVM replays, and a family replays the same alone as among the others
 * (the fleet job replays a large trace's families apart).
 *
 * <p>Not thread-safe: like its {@link Mm}s, owned by one replay thread.
 */
public final class VmaIds {
    private long vmas;
    private long anonVmas;

    /** The next VMA object's id: 1, 2, ... */
    long vma() {
        return ++vmas;
    }

    /** anon_vma_alloc(): a new anon_vma with the next id. */
    AnonVma anonVma() {
        return new AnonVma(++anonVmas);
    }
}
