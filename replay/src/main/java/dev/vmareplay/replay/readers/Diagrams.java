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

    static char letter(String name) {
        return name.equals("new") ? 'w' : name.charAt(0);
    }
}
