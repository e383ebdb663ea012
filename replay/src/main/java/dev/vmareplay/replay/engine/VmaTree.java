package dev.vmareplay.replay.engine;

import java.util.Map;
import java.util.TreeMap;

/**
 * The ordered range tree of one address space (the kernel's maple tree {@code mm->mm_mt}), keyed
 * by VMA start. Addresses are unsigned: keys are stored with the sign bit flipped so that the
 * natural signed order of the flipped value is the unsigned order of the address. Every
 * operation is O(log n).
 */
final class VmaTree {
    private final TreeMap<Long, Vma> map = new TreeMap<>();

    static long key(long addr) {
        return addr ^ Long.MIN_VALUE;
    }

    int size() {
        return map.size();
    }

    /** The VMA containing addr, or null. */
    Vma contains(long addr) {
        Map.Entry<Long, Vma> e = map.floorEntry(key(addr));
        if (e == null) {
            return null;
        }
        Vma v = e.getValue();
        return Long.compareUnsigned(addr, v.end) < 0 ? v : null;
    }

    /** find_vma(): the first VMA with end &gt; addr (the one containing addr, or the next above). */
    Vma findVma(long addr) {
        Vma v = contains(addr);
        if (v != null) {
            return v;
        }
        Map.Entry<Long, Vma> e = map.higherEntry(key(addr));
        return e == null ? null : e.getValue();
    }

    /** vma_find(vmi, max): the first VMA intersecting [addr, max), or null. */
    Vma findIntersecting(long addr, long max) {
        Vma v = findVma(addr);
        if (v == null || Long.compareUnsigned(v.start, max) >= 0) {
            return null;
        }
        return v;
    }

    /** The VMA just before {@code v} (by start), or null. */
    Vma prev(Vma v) {
        Map.Entry<Long, Vma> e = map.lowerEntry(key(v.start));
        return e == null ? null : e.getValue();
    }

    /** The VMA just after {@code v}, or null. */
    Vma next(Vma v) {
        Map.Entry<Long, Vma> e = map.higherEntry(key(v.start));
        return e == null ? null : e.getValue();
    }

    /** The last VMA that ends at or below addr (the VMA before a gap at addr), or null. */
    Vma prevOf(long addr) {
        Map.Entry<Long, Vma> e = map.lowerEntry(key(addr));
        if (e == null) {
            return null;
        }
        Vma v = e.getValue();
        if (Long.compareUnsigned(v.end, addr) > 0) {
            // addr is inside v: the VMA before v
            return prev(v);
        }
        return v;
    }

    Vma first() {
        Map.Entry<Long, Vma> e = map.firstEntry();
        return e == null ? null : e.getValue();
    }

    void insert(Vma v) {
        Vma old = map.put(key(v.start), v);
        if (old != null && old != v) {
            throw new IllegalStateException("tree slot " + Long.toHexString(v.start) + " already holds " + old);
        }
    }

    void remove(Vma v) {
        map.remove(key(v.start), v);
    }

    /** Call after changing v.start from oldStart. */
    void rekey(Vma v, long oldStart) {
        if (oldStart != v.start) {
            map.remove(key(oldStart), v);
            insert(v);
        }
    }

    Iterable<Vma> all() {
        return map.values();
    }

    /** The VMAs intersecting [start, end), in order, as a live-safe snapshot-free view. */
    Iterable<Vma> range(long start, long end) {
        Vma first = findIntersecting(start, end);
        if (first == null || Long.compareUnsigned(end, first.start) <= 0) {
            return java.util.List.of();
        }
        return map.subMap(key(first.start), true, key(end), false).values();
    }
}
