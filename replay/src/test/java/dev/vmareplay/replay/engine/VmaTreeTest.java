package dev.vmareplay.replay.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The B+tree behind {@link Mm} against a {@link TreeMap} model: random inserts, removals and
 * re-keyings of one-page VMAs over 20 000 slots (several levels of inner nodes,
 * leaves emptied and freed, the root collapsing), every query compared after every step, and
 * the {@link VmaIterator} cursor walking the same tree.
 */
class VmaTreeTest {
    static final long P = Mm.PAGE_SIZE;
    /** Addresses around the top of the unsigned range too: keys compare unsigned. */
    static final long BASE = 0xffff_ff00_0000_0000L;

    final VmaTree tree = new VmaTree();
    final TreeMap<Long, Vma> model = new TreeMap<>(Long::compareUnsigned);

    Vma vmaAt(long page) {
        return new Vma(page + 1, BASE + page * 2 * P, BASE + page * 2 * P + P, 0, 0, null);
    }

    void insert(Vma v) {
        tree.insert(v);
        model.put(v.start, v);
    }

    void remove(Vma v) {
        tree.remove(v);
        model.remove(v.start);
    }

    /** Every query of the tree at addr agrees with the model. */
    void check(long addr) {
        Map.Entry<Long, Vma> floor = model.floorEntry(addr);
        Vma contains = floor != null && Long.compareUnsigned(addr, floor.getValue().end) < 0 ? floor.getValue() : null;
        assertThat(tree.contains(addr)).as("contains %x", addr).isSameAs(contains);
        Vma findVma = contains != null ? contains : value(model.higherEntry(addr));
        assertThat(tree.findVma(addr)).as("findVma %x", addr).isSameAs(findVma);
        Vma lower = value(model.lowerEntry(addr));
        Vma prevOf = lower == null ? null
            : Long.compareUnsigned(lower.end, addr) > 0 ? value(model.lowerEntry(lower.start)) : lower;
        assertThat(tree.prevOf(addr)).as("prevOf %x", addr).isSameAs(prevOf);
        if (contains != null) {
            assertThat(tree.prev(contains)).isSameAs(value(model.lowerEntry(contains.start)));
            assertThat(tree.next(contains)).isSameAs(value(model.higherEntry(contains.start)));
        }
    }

    static Vma value(Map.Entry<Long, Vma> e) {
        return e == null ? null : e.getValue();
    }

    void checkWhole() {
        assertThat(tree.size()).isEqualTo(model.size());
        List<Vma> all = new ArrayList<>();
        tree.all().forEach(all::add);
        assertThat(all).isEqualTo(new ArrayList<>(model.values()));
        assertThat(tree.first()).isSameAs(model.isEmpty() ? null : model.firstEntry().getValue());
        // a cursor walking forward from the start and back from the end sees the same VMAs
        VmaIterator it = new VmaIterator(tree, 0);
        List<Vma> walked = new ArrayList<>();
        for (Vma v = it.next(); v != null; v = it.next()) {
            walked.add(v);
        }
        assertThat(walked).isEqualTo(new ArrayList<>(model.values()));
        List<Vma> back = new ArrayList<>();
        if (!walked.isEmpty()) {
            // prev() starts from the last VMA returned, so the last one is not repeated
            back.add(walked.get(walked.size() - 1));
        }
        for (Vma v = it.prev(); v != null; v = it.prev()) {
            back.add(v);
        }
        java.util.Collections.reverse(back);
        assertThat(back).isEqualTo(new ArrayList<>(model.values()));
    }

    @Test
    void randomInsertsRemovalsAndRekeysAgreeWithATreeMap() {
        Random rnd = new Random(42);
        int slots = 20_000;
        Vma[] bySlot = new Vma[slots];
        for (int step = 0; step < 80_000; step++) {
            int s = rnd.nextInt(slots);
            int op = rnd.nextInt(10);
            if (bySlot[s] == null && op < 6) {
                bySlot[s] = vmaAt(s);
                insert(bySlot[s]);
            } else if (bySlot[s] != null && op < 9) {
                remove(bySlot[s]);
                bySlot[s] = null;
            } else if (bySlot[s] != null && bySlot[s].start == BASE + s * 2 * P) {
                // grow down into the free page below (the start moves, the order does not)
                Vma v = bySlot[s];
                long old = v.start;
                model.remove(old);
                v.start = old - P;
                tree.rekey(v, old);
                model.put(v.start, v);
            }
            long probe = BASE + rnd.nextInt(slots) * 2 * P + (rnd.nextBoolean() ? P : 0) + rnd.nextInt(2) * 8;
            check(probe);
            if (step % 16_000 == 0) {
                checkWhole();
            }
        }
        checkWhole();
        // empty it completely: leaves freed, inner nodes removed, the root collapses to a leaf
        for (int s = 0; s < slots; s++) {
            if (bySlot[s] != null) {
                remove(bySlot[s]);
            }
        }
        checkWhole();
        assertThat(tree.findVma(0)).isNull();
        insert(vmaAt(7));
        checkWhole();
        check(BASE + 14 * P);
    }

    @Test
    void ascendingAndDescendingBulkInsertsSplitEveryLevel() {
        for (int i = 0; i < 50_000; i++) {
            insert(vmaAt(i));
        }
        for (int i = 100_000; i > 50_000; i--) {
            insert(vmaAt(i));
        }
        checkWhole();
        for (int i = 0; i < 100_001; i += 997) {
            check(BASE + i * 2 * P);
            check(BASE + i * 2 * P + P);
        }
    }

    @Test
    void theCursorStaysValidUntilTheTreeChanges() {
        for (int i = 0; i < 100; i++) {
            insert(vmaAt(i));
        }
        VmaIterator it = new VmaIterator(tree, BASE + 10 * 2 * P);
        assertThat(it.load()).isSameAs(model.get(BASE + 20 * P));
        assertThat(it.next()).isSameAs(model.get(BASE + 20 * P));
        assertThat(it.find(BASE + 13 * 2 * P)).isSameAs(model.get(BASE + 22 * P));
        // a modification between steps: the cursor descends again from its index
        remove(model.get(BASE + 24 * P));
        assertThat(it.next()).isSameAs(model.get(BASE + 26 * P));
        assertThat(it.prev()).isSameAs(model.get(BASE + 22 * P));
        assertThat(it.index()).isEqualTo(BASE + 22 * P);
    }
}
