package dev.vmareplay.ingest.parse;

/** A set of ints (task ids) without boxing, over {@link IntMap}. */
final class IntSet {
    private final IntMap<Boolean> map = new IntMap<>();

    /** Adds k; true when it was not there. */
    boolean add(int k) {
        if (map.containsKey(k)) return false;
        map.put(k, Boolean.TRUE);
        return true;
    }

    boolean remove(int k) {
        return map.remove(k) != null;
    }

    boolean contains(int k) {
        return map.containsKey(k);
    }

    int size() {
        return map.size();
    }

    boolean isEmpty() {
        return map.isEmpty();
    }

    /** Some element of a non-empty set. */
    int any() {
        return map.anyKey();
    }
}
