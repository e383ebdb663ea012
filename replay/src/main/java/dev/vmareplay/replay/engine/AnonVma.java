package dev.vmareplay.replay.engine;

/**
 * An anon_vma: the reverse-map root a private VMA gets on its first write fault. Only its
 * identity matters to the merge rules, so it is an object compared by reference; the id is for
 * printing. Whether the VMA owning it is a fork child is a property of the VMA's anon_vma_chain,
 * kept on {@link Vma} ({@link Vma#anonChainLength()}). The id counts within the family of
 * address spaces ({@link VmaIds}).
 */
public final class AnonVma {
    private final long id;

    /** Seeding gave this one anon_vma to neighbours a snapshot showed apart: an assumption ({@code Mm.Seed}). */
    boolean seedShared;

    /**
     * An anon_vma outside any address space's numbering, id 0: a test's own, or one the merge
     * rules only suppose (is_mergeable_anon_vma() asked with an uncertain state flipped). An
     * address space numbers its own ({@link VmaIds}).
     */
    public AnonVma() {
        this(0);
    }

    AnonVma(long id) {
        this.id = id;
    }

    public long id() {
        return id;
    }

    @Override
    public String toString() {
        return "anon_vma#" + id;
    }
}
