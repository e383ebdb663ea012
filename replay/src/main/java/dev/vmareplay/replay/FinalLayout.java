package dev.vmareplay.replay;

import dev.vmareplay.replay.engine.Mm;
import dev.vmareplay.replay.engine.TaskMmu;
import dev.vmareplay.replay.engine.Vma;
import dev.vmareplay.replay.engine.VmFlags;
import dev.vmareplay.replay.maps.MapsEntry;

import java.util.ArrayList;
import java.util.List;

/** An address space's layout as {@code /proc/PID/maps} (and smaps' VmFlags) would show it. */
public final class FinalLayout {

    private FinalLayout() { }

    public static List<MapsEntry> of(Mm mm) {
        List<MapsEntry> out = new ArrayList<>(mm.mapCount());
        for (Vma v : mm.vmas()) {
            String dev = v.file() != null ? v.file().dev() : "00:00";
            long inode = v.file() != null ? v.file().inode() : 0;
            out.add(new MapsEntry(v.start(), v.end(), TaskMmu.perms(v.flags()), v.mapsOffset(), dev, inode,
                    TaskMmu.name(mm, v), VmFlags.toSmaps(v.flags()).trim(), v.hasAnonVma() ? 1 : 0));
        }
        return out;
    }
}
