package dev.vmareplay.replay.readers;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ASCII pictures in the seed thread's style: one character per page, each VMA drawn with the
 * first letter of its name ({@code pp mm nn}), {@code .} for a hole; a write-locked VMA in
 * capitals, a detached one as {@code x}.
 */
public final class Diagrams {
    private Diagrams() { }

    /** A layout as one row: {@code ppmmnn..t}. */
    public static String row(List<Area> layout, int width) {
        char[] c = new char[width];
        java.util.Arrays.fill(c, '.');
        for (Area a : layout) {
            for (int p = a.start(); p < a.end() && p < width; p++) {
                c[p] = letter(a.name());
            }
        }
        return new String(c);
    }

    /** The maple tree of a snapshot: write-locked VMAs upper case, detached ones 'x'. */
    public static String tree(WriterState s, int width) {
        char[] c = new char[width];
        java.util.Arrays.fill(c, '.');
        for (Area e : s.tree().entries()) {
            char l = letter(e.name());
            if (s.detached().contains(e.name())) {
                l = 'x';
            } else if (s.writeLocked().contains(e.name())) {
                l = Character.toUpperCase(l);
            }
            for (int p = e.start(); p < e.end() && p < width; p++) {
                c[p] = l;
            }
        }
        return new String(c);
    }

    /** The VMAs' own fields (vm_start/vm_end), which can differ from the tree mid-update. */
    public static String fields(WriterState s) {
        StringBuilder b = new StringBuilder();
        Map<Integer, Area> byStart = new TreeMap<>();
        for (Area a : s.fields().values()) {
            byStart.put(a.start() * 1000 + Math.abs(a.name().hashCode() % 1000), a);
        }
        for (Area a : byStart.values()) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(a);
            if (s.freed().contains(a.name())) {
                b.append("(freed)");
            } else if (s.detached().contains(a.name())) {
                b.append("(detached)");
            }
        }
        return b.toString();
    }

    /** The width that shows every page of a case. */
    public static int width(WriterCase c) {
        int w = 0;
        for (WriterState s : c.snapshots()) {
            for (Area a : s.fields().values()) {
                w = Math.max(w, a.end());
            }
        }
        return w + 1;
    }

    /** The writer's steps with the tree after each, as the seed numbers them. */
    public static String steps(WriterCase c) {
        int w = width(c);
        List<WriterState> snaps = c.snapshots();
        StringBuilder b = new StringBuilder();
        b.append(String.format("   %-58s tree  %s%n", "(before)", tree(snaps.get(0), w)));
        for (int i = 0; i < c.steps().size(); i++) {
            WriterStep s = c.steps().get(i);
            String mark = snaps.get(i + 1).unlockedUpdates().size() > snaps.get(i).unlockedUpdates().size()
                    ? " !no write lock" : "";
            b.append(String.format("%2d. %-58s tree  %s%s%n", i + 1, s.describe(), tree(snaps.get(i + 1), w), mark));
        }
        return b.toString();
    }

    /**
     * Everything `vmareplay readers` prints for one case: the seed's diagram, the layouts, the
     * writer's steps with the tree after each, the seed's claim, then per observable whether
     * the check finds it under each iteration and one shortest interleaving that shows it.
     */
    public static String caseReport(WriterCase c, Exploration.Result rewalk, Exploration.Result slot) {
        int w = width(c);
        StringBuilder b = new StringBuilder();
        b.append("== ").append(c.kase().storageName()).append(": ").append(c.kase().title()).append(" ==\n\n");
        b.append(c.diagram().stripTrailing()).append("\n\n");
        b.append("   before  ").append(row(c.before(), w)).append("\n");
        b.append("   after   ").append(row(c.after(), w)).append("\n\n");
        b.append("Writer steps (upper case: write-locked, x: detached):\n");
        b.append(steps(c)).append("\n");
        if (c.claim() != null) {
            b.append("Seed: \"").append(c.claim().words()).append("\"\n");
        } else {
            b.append("Seed: (the seed thread does not cover this case)\n");
        }
        b.append("Agreement: ").append(agreement(rewalk)).append(" (rewalk), ")
                .append(agreement(slot)).append(" (slot)\n\n");
        b.append("Reader outcomes (rewalk: the store replaced the maple node; slot: it wrote in place):\n");
        for (Observable o : Observable.values()) {
            boolean r = rewalk.witnesses().containsKey(o);
            boolean s = slot.witnesses().containsKey(o);
            if (!r && !s) {
                continue;
            }
            Exploration.Witness wit = r ? rewalk.witnesses().get(o) : slot.witnesses().get(o);
            b.append(String.format("%n-- %s (%s): a read %s%n", o.storageName(),
                    r && s ? "rewalk, slot" : r ? "rewalk only" : "slot only", o.sentence().replace("could ", "can ")));
            b.append(witness(c, wit, w));
        }
        return b.toString();
    }

    private static String agreement(Exploration.Result r) {
        return r.agreement().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** One interleaving: the tree after every step, then what the read showed. */
    public static String witness(WriterCase c, Exploration.Witness wit, int w) {
        StringBuilder b = new StringBuilder();
        List<WriterState> snaps = c.snapshots();
        int k = 0;
        b.append(String.format("   read starts at page %d%n", wit.start()));
        b.append(String.format("   %-" + w + "s    %s%n", "tree", "step"));
        b.append(String.format("   %s    (before)%n", tree(snaps.get(0), w)));
        for (Exploration.Step s : wit.steps()) {
            if (s.writer()) {
                k = s.writerIndex() + 1;
            }
            b.append(String.format("   %s    %s%n", tree(snaps.get(k), w), s));
        }
        b.append(String.format("   shown     %s%n", wit.shown()));
        return b.toString();
    }

    static char letter(String name) {
        return name.equals("new") ? 'w' : name.charAt(0);
    }
}
