package dev.vmareplay.replay.engine;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The ordered range tree of one address space: the kernel's maple tree {@code mm->mm_mt}
 * (lib/maple_tree.c), here an array-backed B+tree keyed by VMA start. As in a maple node, a
 * node holds its keys inline in one array (no boxed key, no object per entry), so a lookup
 * touches a handful of cache lines per level and the tree of 100 000 VMAs is four levels deep.
 * The leaves are chained in address order, which makes a position in the tree a cursor
 * ({@link VmaIterator}, the kernel's {@code struct vma_iterator}): stepping to the previous or
 * next VMA is O(1) without a new descent.
 *
 * <p>Addresses are unsigned: keys are stored with the sign bit flipped, so that the signed order
 * of the flipped value is the unsigned order of the address. A descent is O(log n); every
 * modification bumps {@link #modCount}, which tells a cursor its position is stale.
 *
 * <p>Removal frees a leaf only when it empties (no rebalancing); the separators stay valid
 * bounds, so lookups remain correct and the depth never grows on removal.
 */
final class VmaTree {
    /** Keys (or children) per node: 32 longs are four cache lines. */
    private static final int CAP = 32;
    private static final int MAX_DEPTH = 16;

    /** A leaf: {@code n} VMAs in key order, and its neighbours in the leaf chain. */
    static final class Leaf {
        final long[] keys = new long[CAP];
        final Vma[] vmas = new Vma[CAP];
        int n;
        Leaf prev;
        Leaf next;
    }

    /** An inner node: {@code n} children; child i holds the keys in [keys[i-1], keys[i]). */
    private static final class Inner {
        final long[] keys = new long[CAP - 1];
        final Object[] kids = new Object[CAP];
        int n;
    }

    private Object root = new Leaf();
    private int size;
    /** Bumped by every insert and removal: a cursor taken before is stale. */
    int modCount;

    // the path of the last descent (reused: one Mm is driven by one thread)
    private final Inner[] pathNode = new Inner[MAX_DEPTH];
    private final int[] pathSlot = new int[MAX_DEPTH];
    private int depth;

    /**
     * The leaf last visited (the maple state's active node): a lookup whose key lies within it
     * is answered there without a descent from the root, as mas_walk() re-uses an active node
     * whose range holds the index. Never a freed leaf.
     */
    private Leaf finger;

    // the last position found, so that a walk stepping from the VMA it was just given costs O(1)
    private Leaf hintLeaf;
    private int hintSlot;
    private int hintMod = -1;

    static long key(long addr) {
        return addr ^ Long.MIN_VALUE;
    }

    int size() {
        return size;
    }

    // ------------------------------------------------------------------ descent

    /** The number of keys[0..n) that are &lt;= k. */
    private static int upper(long[] keys, int n, long k) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] <= k) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The number of keys[0..n) that are &lt; k. */
    private static int lower(long[] keys, int n, long k) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] < k) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Descends to the leaf whose range holds key k, recording the path. */
    private Leaf descend(long k) {
        Object node = root;
        depth = 0;
        while (node instanceof Inner in) {
            int c = upper(in.keys, in.n - 1, k);
            pathNode[depth] = in;
            pathSlot[depth] = c;
            depth++;
            node = in.kids[c];
        }
        finger = (Leaf) node;
        return finger;
    }

    /**
     * A leaf for a query of key k: the finger when k lies between its first key and the next
     * leaf's (the leaf chain is in key order, so the floor of k is in it and the key above k is
     * in it or first in the next leaf); else the leaf a descent finds.
     */
    private Leaf leafFor(long k) {
        Leaf f = finger;
        if (f != null && f.n > 0 && f.keys[0] <= k && (f.next == null || k < f.next.keys[0])) {
            return f;
        }
        return descend(k);
    }

    private Vma hit(Leaf leaf, int slot) {
        hintLeaf = leaf;
        hintSlot = slot;
        hintMod = modCount;
        return leaf.vmas[slot];
    }

    /** The VMA with the greatest start &lt;= addr, or null. */
    private Vma floor(long addr) {
        long k = key(addr);
        Leaf leaf = leafFor(k);
        int i = upper(leaf.keys, leaf.n, k) - 1;
        if (i >= 0) {
            return hit(leaf, i);
        }
        return leaf.prev == null ? null : hit(leaf.prev, leaf.prev.n - 1);
    }

    /** The VMA with the least start &gt; addr, or null. */
    private Vma higher(long addr) {
        long k = key(addr);
        Leaf leaf = leafFor(k);
        int i = upper(leaf.keys, leaf.n, k);
        if (i < leaf.n) {
            return hit(leaf, i);
        }
        return leaf.next == null ? null : hit(leaf.next, 0);
    }

    /** The VMA with the greatest start &lt; addr, or null. */
    private Vma lower(long addr) {
        long k = key(addr);
        Leaf leaf = leafFor(k);
        int i = lower(leaf.keys, leaf.n, k) - 1;
        if (i >= 0) {
            return hit(leaf, i);
        }
        return leaf.prev == null ? null : hit(leaf.prev, leaf.prev.n - 1);
    }

    /** Whether the last position found is still v's (no modification since). */
    private boolean hinted(Vma v) {
        return hintMod == modCount && hintLeaf != null && hintSlot < hintLeaf.n && hintLeaf.vmas[hintSlot] == v;
    }

    // ------------------------------------------------------------------ queries

    /** The VMA containing addr, or null. */
    Vma contains(long addr) {
        Vma v = floor(addr);
        return v != null && Long.compareUnsigned(addr, v.end) < 0 ? v : null;
    }

    /** find_vma(): the first VMA with end &gt; addr (the one containing addr, or the next above). */
    Vma findVma(long addr) {
        Vma v = floor(addr);
        if (v != null && Long.compareUnsigned(addr, v.end) < 0) {
            return v;
        }
        return v != null ? next(v) : first();
    }

    /** vma_find(vmi, max): the first VMA intersecting [addr, max), or null. */
    Vma findIntersecting(long addr, long max) {
        Vma v = findVma(addr);
        if (v == null || Long.compareUnsigned(v.start, max) >= 0) {
            return null;
        }
        return v;
    }

    /** The VMA just before {@code v} (by start), or null: O(1) when v was the last one found. */
    Vma prev(Vma v) {
        if (hinted(v)) {
            if (hintSlot > 0) {
                return hit(hintLeaf, hintSlot - 1);
            }
            Leaf p = hintLeaf.prev;
            return p == null ? null : hit(p, p.n - 1);
        }
        return lower(v.start);
    }

    /** The VMA just after {@code v}, or null: O(1) when v was the last one found. */
    Vma next(Vma v) {
        if (hinted(v)) {
            if (hintSlot + 1 < hintLeaf.n) {
                return hit(hintLeaf, hintSlot + 1);
            }
            Leaf n = hintLeaf.next;
            return n == null ? null : hit(n, 0);
        }
        return higher(v.start);
    }

    /** The last VMA that ends at or below addr (the VMA before a gap at addr), or null. */
    Vma prevOf(long addr) {
        Vma v = lower(addr);
        if (v == null) {
            return null;
        }
        if (Long.compareUnsigned(v.end, addr) > 0) {
            // addr is inside v: the VMA before v
            return prev(v);
        }
        return v;
    }

    Vma first() {
        Object node = root;
        while (node instanceof Inner in) {
            node = in.kids[0];
        }
        Leaf leaf = (Leaf) node;
        return leaf.n == 0 ? null : hit(leaf, 0);
    }

    // ------------------------------------------------------------------ modification

    void insert(Vma v) {
        long k = key(v.start);
        Leaf f = finger;
        // strictly inside the finger's keys, the separators around it agree: no descent needed
        // unless the leaf is full (a split needs the path)
        Leaf leaf = f != null && f.n > 1 && f.n < CAP && f.keys[0] < k && k < f.keys[f.n - 1] ? f : descend(k);
        int i = lower(leaf.keys, leaf.n, k);
        if (i < leaf.n && leaf.keys[i] == k) {
            if (leaf.vmas[i] == v) {
                return;
            }
            throw new IllegalStateException("tree slot " + Long.toHexString(v.start) + " already holds " + leaf.vmas[i]);
        }
        modCount++;
        size++;
        if (leaf.n == CAP) {
            Leaf right = splitLeaf(leaf);
            if (i > leaf.n) {
                i -= leaf.n;
                leaf = right;
            }
        }
        System.arraycopy(leaf.keys, i, leaf.keys, i + 1, leaf.n - i);
        System.arraycopy(leaf.vmas, i, leaf.vmas, i + 1, leaf.n - i);
        leaf.keys[i] = k;
        leaf.vmas[i] = v;
        leaf.n++;
    }

    /** Moves the upper half of a full leaf to a new right sibling and links it in the parent. */
    private Leaf splitLeaf(Leaf leaf) {
        Leaf right = new Leaf();
        int half = CAP / 2;
        right.n = CAP - half;
        System.arraycopy(leaf.keys, half, right.keys, 0, right.n);
        System.arraycopy(leaf.vmas, half, right.vmas, 0, right.n);
        java.util.Arrays.fill(leaf.vmas, half, CAP, null);
        leaf.n = half;
        right.next = leaf.next;
        right.prev = leaf;
        if (leaf.next != null) {
            leaf.next.prev = right;
        }
        leaf.next = right;
        insertChild(depth - 1, right.keys[0], right);
        return right;
    }

    /** Inserts child (holding keys &gt;= sep) right of the path's child at level d (-1: above the root). */
    private void insertChild(int d, long sep, Object child) {
        if (d < 0) {
            Inner r = new Inner();
            r.kids[0] = root;
            r.kids[1] = child;
            r.keys[0] = sep;
            r.n = 2;
            root = r;
            return;
        }
        Inner in = pathNode[d];
        int c = pathSlot[d] + 1;
        if (in.n == CAP) {
            // split: the left keeps children [0, half), the right takes [half, CAP); the
            // separator between them moves up
            Inner right = new Inner();
            int half = CAP / 2;
            right.n = CAP - half;
            System.arraycopy(in.kids, half, right.kids, 0, right.n);
            System.arraycopy(in.keys, half, right.keys, 0, right.n - 1);
            long up = in.keys[half - 1];
            java.util.Arrays.fill(in.kids, half, CAP, null);
            in.n = half;
            insertChild(d - 1, up, right);
            if (c > half) {
                c -= half;
                in = right;
            } else if (c == half) {
                // the new child goes first in the right node: it becomes the new separator
                // boundary; keep it as the last child of the left node instead
                in.keys[in.n - 1] = sep;
                in.kids[in.n] = child;
                in.n++;
                return;
            }
        }
        System.arraycopy(in.kids, c, in.kids, c + 1, in.n - c);
        System.arraycopy(in.keys, c - 1, in.keys, c, in.n - c);
        in.kids[c] = child;
        in.keys[c - 1] = sep;
        in.n++;
    }

    /** Removes v (a no-op when v is not in the tree at its start). */
    void remove(Vma v) {
        removeAt(key(v.start), v);
    }

    private void removeAt(long k, Vma v) {
        Leaf f = finger;
        // a removal that leaves the finger non-empty needs no path
        Leaf leaf = f != null && f.n > 1 && f.keys[0] <= k && k <= f.keys[f.n - 1] ? f : descend(k);
        int i = lower(leaf.keys, leaf.n, k);
        if (i >= leaf.n || leaf.keys[i] != k || leaf.vmas[i] != v) {
            return;
        }
        modCount++;
        size--;
        System.arraycopy(leaf.keys, i + 1, leaf.keys, i, leaf.n - i - 1);
        System.arraycopy(leaf.vmas, i + 1, leaf.vmas, i, leaf.n - i - 1);
        leaf.n--;
        leaf.vmas[leaf.n] = null;
        if (leaf.n == 0 && depth > 0) {
            assert leaf != f || f.n <= 1 : "a finger removal emptied its leaf";
            finger = leaf.prev != null ? leaf.prev : leaf.next;
            if (leaf.prev != null) {
                leaf.prev.next = leaf.next;
            }
            if (leaf.next != null) {
                leaf.next.prev = leaf.prev;
            }
            removeChild(depth - 1);
        }
    }

    /** Removes the path's child at level d; an emptied inner node goes too, a one-child root collapses. */
    private void removeChild(int d) {
        Inner in = pathNode[d];
        int c = pathSlot[d];
        System.arraycopy(in.kids, c + 1, in.kids, c, in.n - c - 1);
        // child c covered [keys[c-1], keys[c]): drop the separator on its left (on its right for child 0)
        int s = c > 0 ? c - 1 : 0;
        if (in.n - 2 - s > 0) {
            System.arraycopy(in.keys, s + 1, in.keys, s, in.n - 2 - s);
        }
        in.n--;
        in.kids[in.n] = null;
        if (in.n == 0 && d > 0) {
            removeChild(d - 1);
            return;
        }
        if (root instanceof Inner r && r.n == 0) {
            root = new Leaf();
        }
        while (root instanceof Inner r && r.n == 1) {
            root = r.kids[0];
        }
    }

    /** Call after changing v.start from oldStart. */
    void rekey(Vma v, long oldStart) {
        if (oldStart != v.start) {
            removeAt(key(oldStart), v);
            insert(v);
        }
    }

    // ------------------------------------------------------------------ cursors and walks

    /** Positions cursor it at the VMA with the greatest start &lt;= addr (or before the first). */
    void seek(VmaIterator it, long addr) {
        long k = key(addr);
        Leaf leaf = descend(k);
        int slot = upper(leaf.keys, leaf.n, k) - 1;
        if (slot < 0 && leaf.prev != null) {
            leaf = leaf.prev;
            slot = leaf.n - 1;
        }
        it.leaf = leaf;
        it.slot = slot;
        it.mod = modCount;
    }

    /** All VMAs in address order (do not modify the tree while iterating). */
    Iterable<Vma> all() {
        return () -> from(first(), 0, false);
    }

    /** The VMAs intersecting [start, end), in address order (do not modify while iterating). */
    Iterable<Vma> range(long start, long end) {
        return () -> from(findIntersecting(start, end), end, true);
    }

    private Iterator<Vma> from(Vma firstVma, long end, boolean bounded) {
        return new Iterator<>() {
            Vma nextVma = firstVma;

            @Override
            public boolean hasNext() {
                return nextVma != null && (!bounded || Long.compareUnsigned(nextVma.start, end) < 0);
            }

            @Override
            public Vma next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Vma v = nextVma;
                nextVma = VmaTree.this.next(v);
                return v;
            }
        };
    }
}
