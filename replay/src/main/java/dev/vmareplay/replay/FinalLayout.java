package dev.vmareplay.replay;

import dev.vmareplay.replay.engine.Mm;
import dev.vmareplay.replay.engine.TaskMmu;
import dev.vmareplay.replay.engine.Vma;
import dev.vmareplay.replay.engine.VmFlags;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.outcome.VmaLayout;

import java.util.ArrayList;
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
        String[] text = rendered(v.flags());
        String name = TaskMmu.name(mm, v);
        String dev = v.file() != null ? v.file().dev() : "00:00";
        long inode = v.file() != null ? v.file().inode() : 0;
        return new VmaLayout(v.start(), v.end(), v.flags(), text[0], v.pgoff(), name.isEmpty() ? null : name, dev, inode,
                v.mapsOffset(), text[1]);
    }

    /** Every VMA of the address space, in address order. */
    public static List<VmaLayout> layouts(Mm mm) {
        List<VmaLayout> out = new ArrayList<>(mm.mapCount());
        for (Vma v : mm.vmas()) out.add(layout(mm, v));
        return out;
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
