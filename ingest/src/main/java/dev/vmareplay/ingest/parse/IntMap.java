package dev.vmareplay.ingest.parse;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A map from int keys (task ids) to values without boxing: open addressing with linear
 * probing and backward-shift deletion, so a parser can look tasks up on every line without
 * allocating. Not thread-safe.
 */
final class IntMap<V> {
    private static final int FREE = Integer.MIN_VALUE;

    private int[] keys;
    private Object[] vals;
    private int size;
    private int mask;

    IntMap() {
        keys = new int[16];
        Arrays.fill(keys, FREE);
        vals = new Object[16];
        mask = 15;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    private static int mix(int k) {
        int h = k * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private int slot(int k) {
        int i = mix(k) & mask;
        while (keys[i] != FREE && keys[i] != k) i = (i + 1) & mask;
        return i;
    }

    boolean containsKey(int k) {
        return keys[slot(k)] == k;
    }

    @SuppressWarnings("unchecked")
    V get(int k) {
        int i = slot(k);
        return keys[i] == k ? (V) vals[i] : null;
    }

    /** Maps k to v; returns the previous value or null. */
    @SuppressWarnings("unchecked")
    V put(int k, V v) {
        assert k != FREE && v != null;
        int i = slot(k);
        if (keys[i] == k) {
            V old = (V) vals[i];
            vals[i] = v;
            return old;
        }
        keys[i] = k;
        vals[i] = v;
        if (++size * 2 > keys.length) grow();
        return null;
    }

    /** Removes k; returns its value or null. */
    @SuppressWarnings("unchecked")
    V remove(int k) {
        int i = slot(k);
        if (keys[i] != k) return null;
        V old = (V) vals[i];
        size--;
        // backward-shift: move later entries of the probe run into the hole
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int kj = keys[j];
            if (kj == FREE) break;
            int home = mix(kj) & mask;
            // kj may move into the hole when its home is not in (hole, j]
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = kj;
                vals[hole] = vals[j];
                hole = j;
            }
        }
        keys[hole] = FREE;
        vals[hole] = null;
        return old;
    }

    /** Some key of a non-empty map. */
    int anyKey() {
        for (int k : keys) if (k != FREE) return k;
        throw new IllegalStateException("empty");
    }

    @SuppressWarnings("unchecked")
    void forEachValue(Consumer<V> f) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != FREE) f.accept((V) vals[i]);
    }

    void clear() {
        Arrays.fill(keys, FREE);
        Arrays.fill(vals, null);
        size = 0;
    }

    private void grow() {
        int[] ok = keys;
        Object[] ov = vals;
        keys = new int[ok.length * 2];
        Arrays.fill(keys, FREE);
        vals = new Object[ok.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < ok.length; i++) if (ok[i] != FREE) put(ok[i], cast(ov[i]));
    }

    @SuppressWarnings("unchecked")
    private V cast(Object o) {
        return (V) o;
    }
}
