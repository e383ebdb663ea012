package dev.vmareplay.replay.engine;

/**
 * An anon_vma: the reverse-map root a private VMA gets on its first write fault. Only its
 * identity matters to the merge rules, so it is an object compared by reference; the id is for
 * printing. Whether the VMA owning it is a fork child is a property of the VMA's anon_vma_chain,
 * kept on {@link Vma} ({@link Vma#anonChainLength()}).
 */
public final class AnonVma {
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    private final long id = IDS.incrementAndGet();
    /** Seeding gave this one anon_vma to neighbours a snapshot showed apart: an assumption ({@code Mm.Seed}). */
    boolean seedShared;

    public long id() {
        return id;
    }

    @Override
    public String toString() {
        return "anon_vma#" + id;
    }
}
