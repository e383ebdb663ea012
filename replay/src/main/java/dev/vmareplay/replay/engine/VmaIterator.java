package dev.vmareplay.replay.engine;

/**
 * The VMA iterator of seed 004 ({@code struct vma_iterator}) over an {@link Mm}: a cursor on
 * an address, with find / prev / next / range walks. Every step is O(log n). The iterator reads
 * the live tree: after a modification re-position it with {@link #set}.
 */
public final class VmaIterator {
    private final VmaTree tree;
    private long index;
    private Vma current;

    VmaIterator(VmaTree tree, long addr) {
        this.tree = tree;
        this.index = addr;
    }

    /** vma_iter_set(): move the cursor to addr. */
    public void set(long addr) {
        index = addr;
        current = null;
    }

    /** The current position. */
    public long index() {
        return index;
    }

    /** vma_find(vmi, max): the next VMA intersecting [index, max), advancing past it; null at the end. */
    public Vma find(long max) {
        Vma v = tree.findIntersecting(index, max);
        if (v != null) {
            current = v;
            index = v.end;
        }
        return v;
    }

    /** vma_next(): the next VMA at or above the cursor, advancing past it. */
    public Vma next() {
        Vma v = tree.findVma(index);
        if (v != null) {
            current = v;
            index = v.end;
        }
        return v;
    }

    /** vma_prev(): the VMA before the current one (or before the cursor), moving the cursor to it. */
    public Vma prev() {
        Vma v = current != null ? tree.prev(current) : tree.prevOf(index);
        if (v != null) {
            current = v;
            index = v.start;
        }
        return v;
    }

    /** vma_iter_load(): the VMA containing the cursor, without moving. */
    public Vma load() {
        return tree.contains(index);
    }
}
