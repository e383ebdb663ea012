package dev.vmareplay.replay.readers;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The lockless /proc/PID/maps reader of 6.17+ as a state machine: fs/proc/task_mmu.c's
 * m_start()/m_next() → proc_get_vma() → get_next_vma() → lock_next_vma() in mm/mmap_lock.c.
 * get_next_vma() drops the previous VMA's read lock (UNLOCK); one call of lock_next_vma() is
 * three steps (LOOKUP, LOCK, CHECK); then the line is shown (SHOW) and *ppos becomes the VMA's
 * vm_end, the from_addr of the next call. The reader reads
 * a VMA's vm_start/vm_end only while it holds the VMA read-locked, as the kernel does.
 *
 * <pre>
 *  UNLOCK  get_next_vma(): unlock_vma(), the previous line's VMA
 *  LOOKUP  lock_next_vma(): mmap_lock_speculate_try_begin(); vma = vma_next(iter)
 *  LOCK    vma_start_read(): write-locked → FALLBACK; detached (-EAGAIN) → iter = from_addr, LOOKUP
 *  CHECK   from_addr >= vm_end → FALLBACK; from_addr < vm_start and the mm changed since
 *          LOOKUP → vma_iter_set(from_addr); vma_next() != vma → FALLBACK
 *  SHOW    print the line; from_addr = vm_end
 *  FALLBACK lock_next_vma_under_mmap_lock(): mmap_read_lock (waits for the writer),
 *          vma_iter_set(from_addr), vma_next(), vma_start_read_locked(), unlock; then SHOW
 * </pre>
 */
public final class Reader {

    /** Where the reader is. */
    public enum Pc { UNLOCK, LOOKUP, LOCK, CHECK, SHOW, FALLBACK, DONE }

    /**
     * How vma_next() continues from the entry it returned last when the tree changed since.
     * lib/maple_tree.c mas_next_slot(): when the node it stands on was replaced (a dead node,
     * what an RCU-mode store that changes a node's layout leaves), it re-walks to the old entry's
     * last index and takes the slot after the one now holding it ({@link #REWALK}); a store done
     * in place leaves the reader on its slot, and it takes the slot after that entry ({@link #SLOT}).
     */
    public enum Iteration { REWALK, SLOT }

    /**
     * The iterator (priv->iter): fresh at {@code addr} after vma_iter_set()/vma_iter_init(), or
     * standing on the entry it returned last.
     */
    public record Iter(boolean fresh, int addr, String lastName, int lastStart, int lastEnd) {
        static Iter at(int addr) {
            return new Iter(true, addr, null, 0, 0);
        }

        static Iter on(Area entry) {
            return new Iter(false, 0, entry.name(), entry.start(), entry.end());
        }

        /** vma_next() in {@code tree}. */
        Area next(MapleTree tree, Iteration how) {
            if (fresh) {
                return tree.findFrom(addr);
            }
            if (how == Iteration.SLOT && tree.holds(lastName)) {
                return tree.after(lastName);
            }
            Area holder = tree.entryAt(lastEnd - 1);
            return tree.firstStartingFrom(holder != null ? holder.end() : lastEnd);
        }

        @Override
        public String toString() {
            return fresh ? "iter@" + addr : "iter on " + lastName + "[" + lastStart + "," + lastEnd + ")";
        }
    }

    /**
     * One reader state.
     *
     * @param pc        the next step
     * @param from      from_addr: *ppos, the end of the last line shown (or where the read starts)
     * @param iter      the VMA iterator
     * @param candidate the VMA found by LOOKUP (or FALLBACK)
     * @param locked    the VMA read-locked, or null
     * @param specOk    mmap_lock_speculate_try_begin() succeeded at LOOKUP
     * @param specSeq   mm_lock_seq read at LOOKUP
     * @param out       the lines shown, in order
     * @param seen      RETRY / MMAP_LOCK_WAIT / TRANSIENT_GAP met on the way
     */
    public record State(Pc pc, int from, Iter iter, String candidate, String locked, boolean specOk, int specSeq,
                        List<Area> out, Set<Observable> seen) {
        public State {
            out = List.copyOf(out);
            seen = Set.copyOf(seen);
        }

        State with(Pc p) {
            return new State(p, from, iter, candidate, locked, specOk, specSeq, out, seen);
        }
    }

    private final Iteration iteration;
    private final Layouts layouts;

    Reader(Iteration iteration, Layouts layouts) {
        this.iteration = iteration;
        this.layouts = layouts;
    }

    /** A read that starts at {@code from} (m_start() with last_pos = from). */
    static State start(int from) {
        return new State(Pc.LOOKUP, from, Iter.at(from), null, null, false, 0, List.of(), Set.of());
    }

    /** The step the reader takes next against the writer's state {@code w}, with a line saying what it did; null when blocked. */
    Move step(State r, WriterState w) {
        switch (r.pc()) {
            case UNLOCK:
                return new Move(unlocked(r, Pc.LOOKUP), "get_next_vma: unlock_vma(" + r.locked() + ")");
            case LOOKUP: {
                boolean spec = w.mmap() != WriterState.Mmap.WRITE;
                Area x = r.iter().next(w.tree(), iteration);
                if (x == null) {
                    return new Move(new State(Pc.DONE, r.from(), r.iter(), null, null, spec, w.mmapSeq(), r.out(), r.seen()),
                            "lock_next_vma(" + r.from() + "): vma_next() finds no more VMAs: end of the read");
                }
                return new Move(new State(Pc.LOCK, r.from(), Iter.on(x), x.name(), null, spec, w.mmapSeq(), r.out(), r.seen()),
                        "lock_next_vma(" + r.from() + "): vma_next() finds " + x + (spec ? "" : " (mmap_lock write-held: no speculation)"));
            }
            case LOCK: {
                String v = r.candidate();
                if (w.writeLocked().contains(v)) {
                    return new Move(flag(r.with(Pc.FALLBACK), Observable.MMAP_LOCK_WAIT),
                            "vma_start_read(" + v + ") fails: write-locked; fall back to mmap_lock");
                }
                if (w.detached().contains(v) || w.freed().contains(v)) {
                    State s = new State(Pc.LOOKUP, r.from(), Iter.at(r.from()), null, null, false, 0, r.out(), r.seen());
                    return new Move(flag(s, Observable.RETRY), "vma_start_read(" + v + ") = -EAGAIN (detached): retry from " + r.from());
                }
                return new Move(new State(Pc.CHECK, r.from(), r.iter(), v, v, r.specOk(), r.specSeq(), r.out(), r.seen()),
                        "vma_start_read(" + v + ") succeeds");
            }
            case CHECK: {
                String v = r.locked();
                Area f = w.fields().get(v);
                if (r.from() >= f.end()) {
                    return new Move(flag(unlocked(r, Pc.FALLBACK), Observable.RETRY),
                            v + " = " + f + " ends at or before from_addr " + r.from() + ": fall back to mmap_lock");
                }
                State s = r;
                if (r.from() < f.start()) {
                    if (layouts.mappedInBoth(r.from(), f.start())) {
                        s = flag(s, Observable.TRANSIENT_GAP);
                    }
                    if (!r.specOk() || w.mmapSeq() != r.specSeq()) {
                        Area y = w.tree().findFrom(r.from());
                        if (y == null || !y.name().equals(v)) {
                            return new Move(flag(unlocked(s, Pc.FALLBACK), Observable.RETRY),
                                    "gap [" + r.from() + "," + f.start() + ") before " + f + " and the mm changed: vma_next("
                                            + r.from() + ") = " + (y == null ? "none" : y.toString()) + ", not " + v + ": fall back to mmap_lock");
                        }
                        s = new State(s.pc(), s.from(), Iter.on(y), s.candidate(), s.locked(), s.specOk(), s.specSeq(), s.out(), s.seen());
                        return new Move(s.with(Pc.SHOW), "gap [" + r.from() + "," + f.start() + ") before " + f
                                + ": the mm changed, vma_next(" + r.from() + ") finds " + v + " again: accepted");
                    }
                    return new Move(s.with(Pc.SHOW), "gap [" + r.from() + "," + f.start() + ") before " + f
                            + ": the mm did not change since the lookup: accepted");
                }
                return new Move(s.with(Pc.SHOW), v + " = " + f + " covers from_addr " + r.from() + ": accepted");
            }
            case SHOW: {
                Area f = w.fields().get(r.locked());
                List<Area> out = new ArrayList<>(r.out());
                out.add(f);
                return new Move(new State(Pc.UNLOCK, f.end(), r.iter(), null, r.locked(), r.specOk(), r.specSeq(), out, r.seen()),
                        "show " + f + "; *ppos = " + f.end());
            }
            case FALLBACK: {
                if (w.mmap() == WriterState.Mmap.WRITE) {
                    return null; // mmap_read_lock_killable() waits for the writer
                }
                Area x = w.tree().findFrom(r.from());
                if (x == null) {
                    return new Move(new State(Pc.DONE, r.from(), Iter.at(r.from()), null, null, false, 0, r.out(), r.seen()),
                            "under mmap_read_lock: vma_next(" + r.from() + ") finds no more VMAs: end of the read");
                }
                Area f = w.fields().get(x.name());
                return new Move(new State(Pc.SHOW, r.from(), Iter.at(f.end()), x.name(), x.name(), false, 0, r.out(), r.seen()),
                        "under mmap_read_lock: vma_next(" + r.from() + ") finds " + f + ", read-locked");
            }
            default:
                throw new IllegalStateException("reader is done");
        }
    }

    private static State unlocked(State r, Pc pc) {
        return new State(pc, r.from(), r.iter(), r.candidate(), null, r.specOk(), r.specSeq(), r.out(), r.seen());
    }

    private static State flag(State r, Observable o) {
        EnumSet<Observable> s = EnumSet.noneOf(Observable.class);
        s.addAll(r.seen());
        s.add(o);
        return new State(r.pc(), r.from(), r.iter(), r.candidate(), r.locked(), r.specOk(), r.specSeq(), r.out(), s);
    }

    /** A reader step: the state after it and what it did. */
    record Move(State next, String text) { }

    /** The layouts before and after the writer, page by page. */
    record Layouts(List<Area> before, List<Area> after) {
        boolean mapped(List<Area> layout, int page) {
            for (Area a : layout) {
                if (a.contains(page)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether some page of [from, to) is mapped in both layouts: a gap there is in neither. */
        boolean mappedInBoth(int from, int to) {
            for (int p = from; p < to; p++) {
                if (mapped(before, p) && mapped(after, p)) {
                    return true;
                }
            }
            return false;
        }
    }
}
