package dev.vmareplay.replay.readers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The exhaustive check: every interleaving of the reader's steps with the writer's steps of one
 * case, from every position a read can resume at (m_start() with last_pos at each VMA boundary
 * of either layout). A breadth-first walk over (writer step, reader state): the states are
 * few (a reader holds at most one VMA and the writer has a dozen steps), and the first path to
 * reach an outcome is a shortest witness of it.
 */
public final class Exploration {
    private Exploration() { }

    /** One step of an interleaving: who moved and what happened. */
    public record Step(boolean writer, int writerIndex, String text) {
        @Override
        public String toString() {
            return (writer ? "W" + (writerIndex + 1) + "  " : "R    ") + text;
        }
    }

    /** An interleaving that ends in one outcome: where the read started and the steps. */
    public record Witness(int start, List<Step> steps, List<Area> shown, Set<Observable> observables) {
        public Witness {
            steps = List.copyOf(steps);
            shown = List.copyOf(shown);
            observables = Set.copyOf(observables);
        }
    }

    /** What the check found for one case. */
    public record Result(WriterCase kase, Reader.Iteration iteration, Map<Observable, Witness> witnesses,
                         List<Witness> outcomes, int states) {
        public Result {
            witnesses = Collections.unmodifiableMap(new EnumMap<>(witnesses));
            outcomes = List.copyOf(outcomes);
        }

        public Set<Observable> observables() {
            return witnesses.isEmpty() ? EnumSet.noneOf(Observable.class) : EnumSet.copyOf(witnesses.keySet());
        }

        public boolean violates() {
            return witnesses.containsKey(Observable.VIOLATION);
        }

        public SeedClaim.Agreement agreement() {
            return SeedClaim.compare(kase.claim(), observables());
        }
    }

    private record Node(int wpc, Reader.State r) { }

    private record Edge(Node from, Step step) { }

    /** Runs the check on {@code c} with the maple-tree iteration {@code how}. */
    public static Result check(WriterCase c, Reader.Iteration how) {
        List<WriterState> snaps = c.snapshots();
        Reader.Layouts layouts = new Reader.Layouts(c.before(), c.after());
        Reader reader = new Reader(how, layouts);
        Map<Observable, Witness> best = new EnumMap<>(Observable.class);
        Map<String, Witness> outcomes = new LinkedHashMap<>();
        int states = 0;
        for (int start : starts(c)) {
            Map<Node, Edge> parent = new HashMap<>();
            ArrayDeque<Node> queue = new ArrayDeque<>();
            Node root = new Node(0, Reader.start(start));
            parent.put(root, null);
            queue.add(root);
            while (!queue.isEmpty()) {
                Node n = queue.poll();
                states++;
                WriterState w = snaps.get(n.wpc());
                boolean moved = false;
                if (n.wpc() < c.steps().size()) {
                    WriterStep ws = c.steps().get(n.wpc());
                    if (w.enabled(ws, n.r().locked())) {
                        moved = true;
                        visit(parent, queue, n, new Node(n.wpc() + 1, n.r()),
                                new Step(true, n.wpc(), ws.describe() + "    (" + ws.source() + ")"));
                    }
                }
                if (n.r().pc() != Reader.Pc.DONE) {
                    Reader.Move m = reader.step(n.r(), w);
                    if (m != null) {
                        moved = true;
                        visit(parent, queue, n, new Node(n.wpc(), m.next()), new Step(false, -1, m.text()));
                    }
                }
                if (n.wpc() == c.steps().size() && n.r().pc() == Reader.Pc.DONE) {
                    Set<Observable> obs = classify(c, layouts, start, n.r());
                    Witness wit = new Witness(start, path(parent, n), n.r().out(), obs);
                    outcomes.putIfAbsent(start + " " + n.r().out() + " " + obs, wit);
                    for (Observable o : obs) {
                        Witness old = best.get(o);
                        if (old == null || wit.steps().size() < old.steps().size()) {
                            best.put(o, wit);
                        }
                    }
                } else if (!moved) {
                    throw new IllegalStateException(c.kase() + ": deadlock at writer step " + n.wpc() + ", " + n.r());
                }
            }
        }
        return new Result(c, how, best, new ArrayList<>(outcomes.values()), states);
    }

    /** Runs the check with the re-walking iteration (the default). */
    public static Result check(WriterCase c) {
        return check(c, Reader.Iteration.REWALK);
    }

    private static void visit(Map<Node, Edge> parent, ArrayDeque<Node> queue, Node from, Node to, Step step) {
        if (!parent.containsKey(to)) {
            parent.put(to, new Edge(from, step));
            queue.add(to);
        }
    }

    private static List<Step> path(Map<Node, Edge> parent, Node n) {
        List<Step> out = new ArrayList<>();
        for (Edge e = parent.get(n); e != null; e = parent.get(e.from())) {
            out.add(e.step());
        }
        Collections.reverse(out);
        return out;
    }

    /** Where a read can resume: 0 and every VMA boundary of either layout below the last end. */
    static List<Integer> starts(WriterCase c) {
        TreeSet<Integer> s = new TreeSet<>();
        s.add(0);
        int max = 0;
        for (List<Area> l : List.of(c.before(), c.after())) {
            for (Area a : l) {
                s.add(a.start());
                s.add(a.end());
                max = Math.max(max, a.end());
            }
        }
        return new ArrayList<>(s.headSet(max, false));
    }

    /** What a finished read shows, relative to the two layouts. */
    static Set<Observable> classify(WriterCase c, Reader.Layouts layouts, int start, Reader.State r) {
        EnumSet<Observable> obs = EnumSet.noneOf(Observable.class);
        obs.addAll(r.seen());
        List<Area> out = r.out();
        List<Area> before = from(c.before(), start);
        List<Area> after = from(layouts.after(), start);
        boolean exactOld = out.equals(before);
        boolean exactNew = out.equals(after);
        if (exactOld) {
            obs.add(Observable.EXACT_OLD);
        }
        if (exactNew) {
            obs.add(Observable.EXACT_NEW);
        }
        for (int i = 0; i < out.size(); i++) {
            for (int j = i + 1; j < out.size(); j++) {
                if (out.get(j).start() < out.get(i).end()) {
                    obs.add(Observable.DUPLICATE);
                }
            }
            if (!c.before().contains(out.get(i)) && !layouts.after().contains(out.get(i))) {
                obs.add(Observable.VIOLATION); // a line no layout had
            }
        }
        int max = 0;
        for (Area a : c.before()) {
            max = Math.max(max, a.end());
        }
        for (Area a : layouts.after()) {
            max = Math.max(max, a.end());
        }
        for (int p = start; p < max; p++) {
            if (covered(out, p)) {
                continue;
            }
            boolean old = layouts.mapped(c.before(), p);
            boolean neu = layouts.mapped(layouts.after(), p);
            if (old && neu) {
                obs.add(Observable.VIOLATION); // a gap where both layouts have a VMA
            } else if ((old || neu) && !exactOld && !exactNew) {
                obs.add(Observable.REAL_GAP);
            }
        }
        for (Map.Entry<String, String> m : c.moves().entrySet()) {
            Area moved = layouts.after().stream().filter(a -> a.name().equals(m.getKey())).findFirst().orElseThrow();
            Area source = c.before().stream().filter(a -> a.name().equals(m.getValue())).findFirst().orElseThrow();
            if (start > Math.min(moved.start(), source.start())) {
                continue; // the read starts past one of the two places
            }
            boolean shownNew = out.stream().anyMatch(a -> a.name().equals(m.getKey()));
            boolean shownOld = out.stream().anyMatch(a -> a.name().equals(m.getValue()));
            if (shownNew && shownOld) {
                obs.add(Observable.MOVED_TWICE);
            } else if (!shownNew && !shownOld) {
                obs.add(Observable.MOVED_MISSED);
            }
        }
        return obs;
    }

    private static boolean covered(List<Area> out, int page) {
        for (Area a : out) {
            if (a.contains(page)) {
                return true;
            }
        }
        return false;
    }

    private static List<Area> from(List<Area> layout, int start) {
        List<Area> out = new ArrayList<>();
        for (Area a : layout) {
            if (a.end() > start) {
                out.add(a);
            }
        }
        return out;
    }
}
