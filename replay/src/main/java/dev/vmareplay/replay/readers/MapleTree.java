package dev.vmareplay.replay.readers;

import java.util.ArrayList;
import java.util.List;

/**
 * The maple tree of one address space as a lockless reader can see it: ordered,
 * non-overlapping ranges, each naming the VMA it points to. A store replaces a range
 * atomically, as an RCU reader of the maple tree sees it (a reader walks either the old
 * nodes or the new ones, never a half-written range): {@code vma_iter_store_overwrite()},
 * {@code vma_iter_store_new()} and {@code vma_iter_clear_gfp()} in mm/vma.h and mm/vma.c.
 */
public record MapleTree(List<Area> entries) {

    public MapleTree {
        entries = List.copyOf(entries);
        for (int i = 1; i < entries.size(); i++) {
            assert entries.get(i - 1).end() <= entries.get(i).start() : entries;
        }
    }

    /** Stores {@code name} over [start, end); a null name clears the range. */
    public MapleTree store(int start, int end, String name) {
        List<Area> out = new ArrayList<>();
        for (Area e : entries) {
            if (e.end() <= start || e.start() >= end) {
                out.add(e);
                continue;
            }
            if (e.start() < start) {
                out.add(new Area(e.name(), e.start(), start));
            }
            if (e.end() > end) {
                out.add(new Area(e.name(), end, e.end()));
            }
        }
        if (name != null) {
            out.add(new Area(name, start, end));
        }
        out.sort(java.util.Comparator.comparingInt(Area::start));
        return new MapleTree(out);
    }

    /** The entry covering {@code page}, or null (mas_walk()). */
    public Area entryAt(int page) {
        for (Area e : entries) {
            if (e.contains(page)) {
                return e;
            }
        }
        return null;
    }

    /** The first entry ending after {@code page}: the one covering it or the next (mas_find() from a fresh state). */
    public Area findFrom(int page) {
        for (Area e : entries) {
            if (e.end() > page) {
                return e;
            }
        }
        return null;
    }

    /** The first entry starting at or after {@code page}. */
    public Area firstStartingFrom(int page) {
        for (Area e : entries) {
            if (e.start() >= page) {
                return e;
            }
        }
        return null;
    }

    /** The entry that follows the current entry of the VMA {@code name}, or null. */
    public Area after(String name) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name().equals(name)) {
                return i + 1 < entries.size() ? entries.get(i + 1) : null;
            }
        }
        return null;
    }

    /** Whether the VMA {@code name} has an entry. */
    public boolean holds(String name) {
        return entries.stream().anyMatch(e -> e.name().equals(name));
    }
}
