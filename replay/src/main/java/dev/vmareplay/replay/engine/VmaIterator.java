package dev.vmareplay.replay.engine;

/**
 * The kernel's {@code struct vma_iterator} (include/linux/mm_types.h, the vma_* helpers of
 * mm/vma.h): a cursor over the tree at an index address. vma_find(), vma_next() and vma_prev()
 * step from the cursor's leaf slot in O(1); only a cursor made stale by a modification of the
 * tree (or moved by {@link #set}) descends again, in O(log n), as the kernel's
 * {@code vma_iter_reset()} / {@code mas_walk} does.
 */
public final class VmaIterator {
    private final VmaTree tree;
    /** The cursor: the slot of the VMA with the greatest start &lt;= index (-1: before the first). */
    VmaTree.Leaf leaf;
    int slot;
    /** The tree's modCount when the cursor was placed; -1 forces a descent. */
    int mod = -1;
    private long index;
    /** The VMA the last step returned (vma_prev steps from it), or null. */
    private Vma current;

    VmaIterator(VmaTree tree, long addr) {
        this.tree = tree;
        this.index = addr;
    }

    /** vma_iter_set(): move the cursor to addr. */
    public void set(long addr) {
        index = addr;
        current = null;
        mod = -1;
    }

    /** The current position. */
    public long index() {
        return index;
    }

    private Vma at() {
        return slot >= 0 && slot < leaf.n ? leaf.vmas[slot] : null;
    }

    /** Makes the cursor the floor of index again: one descent when stale, else a step or none. */
    private void sync() {
        if (mod != tree.modCount) {
            tree.seek(this, index);
            return;
        }
        long k = VmaTree.key(index);
        while (true) {
            if (slot + 1 < leaf.n) {
                if (leaf.keys[slot + 1] > k) {
                    return;
                }
                slot++;
            } else if (leaf.next != null && leaf.next.keys[0] <= k) {
                leaf = leaf.next;
                slot = 0;
            } else {
                return;
            }
        }
    }

    /** The VMA after the cursor's slot, moving the cursor to it; null at the end. */
    private Vma stepForward() {
        if (slot + 1 < leaf.n) {
            slot++;
        } else if (leaf.next != null) {
            leaf = leaf.next;
            slot = 0;
        } else {
            return null;
        }
        return leaf.vmas[slot];
    }

    /** The VMA before the cursor's slot, moving the cursor to it; null before the first. */
    private Vma stepBack() {
        if (slot > 0) {
            slot--;
        } else if (slot == 0 && leaf.prev != null) {
            leaf = leaf.prev;
            slot = leaf.n - 1;
        } else {
            return null;
        }
        return leaf.vmas[slot];
    }

    /**
     * find_vma() from the cursor: the VMA containing index, or the first above it; cursor moved
     * there. Right after {@link #prev} the search resumes after the VMA prev returned, as
     * mas_find() continues after the entry last visited.
     */
    private Vma atOrAbove() {
        if (current != null && index == current.start) {
            index = current.end;
        }
        sync();
        Vma v = at();
        if (v != null && Long.compareUnsigned(index, v.end) < 0) {
            return v;
        }
        if (slot < 0) {
            // before the first VMA: the first one is in this (the first) leaf
            if (leaf.n == 0) {
                return null;
            }
            slot = 0;
            return leaf.vmas[0];
        }
        return stepForward();
    }

    /** vma_find(vmi, max): the next VMA intersecting [index, max), advancing past it; null at the end. */
    public Vma find(long max) {
        Vma v = atOrAbove();
        if (v == null || Long.compareUnsigned(v.start, max) >= 0) {
            mod = -1; // the cursor may have moved past index
            return null;
        }
        current = v;
        index = v.end;
        return v;
    }

    /** vma_next(): the next VMA at or above the cursor, advancing past it. */
    public Vma next() {
        Vma v = atOrAbove();
        if (v == null) {
            mod = -1;
            return null;
        }
        current = v;
        index = v.end;
        return v;
    }

    /**
     * vma_prev(): the VMA before the current one (or before the cursor), moving the cursor to it;
     * null before the first, after which {@link #find} starts from the first VMA again.
     */
    public Vma prev() {
        Vma v;
        if (current != null && mod == tree.modCount && at() == current) {
            v = stepBack();
        } else if (current != null) {
            v = tree.prev(current);
            mod = -1;
        } else {
            v = tree.prevOf(index);
            mod = -1;
        }
        if (v != null) {
            current = v;
            index = v.start;
            if (mod != tree.modCount) {
                tree.seek(this, index);
            }
        } else if (current != null) {
            // underflow: nothing before the first VMA; the next find returns that first VMA again
            index = current.start;
            current = null;
            mod = -1;
        }
        return v;
    }

    /** vma_iter_load(): the VMA containing the cursor, without moving. */
    public Vma load() {
        sync();
        Vma v = at();
        return v != null && Long.compareUnsigned(index, v.end) < 0 ? v : null;
    }
}
