package dev.vmareplay.replay;

import dev.vmareplay.replay.engine.Mm;
import dev.vmareplay.replay.engine.TaskMmu;
import dev.vmareplay.replay.engine.Vma;
import dev.vmareplay.replay.engine.VmaFile;
import dev.vmareplay.replay.engine.VmFlags;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.outcome.VmaLayout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An address space's layout as {@code /proc/PID/maps} (and smaps' VmFlags) would show it:
 * the one place the replay turns an engine VMA into what users see ({@link VmaLayout}), using
 * the engine's maps renderer (fs/proc/task_mmu.c's show_map_vma()). Storage, reports and the
 * snapshot comparison all take their perms, names and VmFlags from here.
 */
public final class FinalLayout {

    /** perms and VmFlags text per vm_flags value: a layout is taken at every new peak, flags values are few. */
    private static final ConcurrentHashMap<Long, String[]> RENDERED = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 4096;

    private FinalLayout() { }

    /** The VMA as maps and smaps print it. */
    public static VmaLayout layout(Mm mm, Vma v) {
        return layout(v.start(), v.end(), v.flags(), v.pgoff(), v.file(), TaskMmu.name(mm, v), v.mapsOffset());
    }

    private static VmaLayout layout(long start, long end, long flags, long pgoff, VmaFile file, String name,
                                    long mapsOffset) {
        String[] text = rendered(flags);
        String dev = file != null ? file.dev() : "00:00";
        long inode = file != null ? file.inode() : 0;
        return new VmaLayout(start, end, flags, text[0], pgoff, name.isEmpty() ? null : name, dev, inode, mapsOffset,
                text[1]);
    }

    /** Every VMA of the address space, in address order. */
    public static List<VmaLayout> layouts(Mm mm) {
        List<VmaLayout> out = new ArrayList<>(mm.mapCount());
        for (Vma v : mm.vmas()) out.add(layout(mm, v));
        return out;
    }

    /**
     * An address space's layout taken at one instant and rendered later: the replay takes one
     * at every new peak of a growing process (up to thousands in a row, each superseding the
     * last), so taking it only copies what the maps line is made of into arrays that are reused,
     * and the {@link VmaLayout}s are built once, for the layout that is kept.
     */
    static final class Capture {
        private int size;
        private long[] start = {}, end = {}, flags = {}, pgoff = {}, mapsOffset = {};
        private VmaFile[] file = {};
        private String[] name = {};

        /** Replaces what was taken before with mm's layout now. */
        void take(Mm mm) {
            int n = mm.mapCount();
            if (n > start.length) {
                int cap = Math.max(n, start.length * 2);
                start = new long[cap];
                end = new long[cap];
                flags = new long[cap];
                pgoff = new long[cap];
                mapsOffset = new long[cap];
                file = new VmaFile[cap];
                name = new String[cap];
            }
            int i = 0;
            for (Vma v : mm.vmas()) {
                start[i] = v.start();
                end[i] = v.end();
                flags[i] = v.flags();
                pgoff[i] = v.pgoff();
                mapsOffset[i] = v.mapsOffset();
                file[i] = v.file();
                name[i] = TaskMmu.name(mm, v);   // [heap]/[stack] depend on brk and the stack now
                i++;
            }
            assert i == n : "map_count " + n + " but " + i + " VMAs in the tree";
            if (size > i) {                       // let go of what the last layout held beyond this one
                Arrays.fill(file, i, size, null);
                Arrays.fill(name, i, size, null);
            }
            size = i;
        }

        /** VMAs in the layout taken last. */
        int size() {
            return size;
        }

        /** The layout taken last, in address order. */
        List<VmaLayout> layouts() {
            List<VmaLayout> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add(layout(start[i], end[i], flags[i], pgoff[i], file[i], name[i], mapsOffset[i]));
            }
            return out;
        }
    }

    /** The layout as maps entries (with whether each VMA has an anon_vma, as smaps' Anonymous). */
    public static List<MapsEntry> of(Mm mm) {
        List<MapsEntry> out = new ArrayList<>(mm.mapCount());
        for (Vma v : mm.vmas()) out.add(entry(layout(mm, v), v.hasAnonVma() ? 1 : 0));
        return out;
    }

    /** A layout row as a maps entry, for comparing with a snapshot (anon_vma state unknown). */
    public static MapsEntry entry(VmaLayout l) {
        return entry(l, -1);
    }

    /** A layout as maps entries, for comparing with a snapshot. */
    public static List<MapsEntry> entries(List<VmaLayout> layout) {
        List<MapsEntry> out = new ArrayList<>(layout.size());
        for (VmaLayout l : layout) out.add(entry(l));
        return out;
    }

    private static MapsEntry entry(VmaLayout l, long anonymousKb) {
        return new MapsEntry(l.start(), l.end(), l.perms(), l.mapsOffset(), l.dev(), l.inode(),
                l.file() == null ? "" : l.file(), l.vmFlags(), anonymousKb);
    }

    private static String[] rendered(long flags) {
        String[] text = RENDERED.get(flags);
        if (text != null) return text;
        text = new String[] {TaskMmu.perms(flags), VmFlags.toSmaps(flags).trim()};
        if (RENDERED.size() < MAX_CACHED) RENDERED.putIfAbsent(flags, text);
        return text;
    }
}
