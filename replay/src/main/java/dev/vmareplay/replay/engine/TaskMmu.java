package dev.vmareplay.replay.engine;

import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * /proc/PID/maps as fs/proc/task_mmu.c prints it: show_map_vma()'s line, its permission column
 * and get_vma_name()'s name column. The one place a VMA becomes a maps line: the replay's
 * layouts, the final maps files and the tests all call these.
 */
public final class TaskMmu {
    private TaskMmu() { }

    /** show_map_vma() pads the line to this column before the name. */
    private static final int NAME_COLUMN = 73;

    /**
     * The r/w/x/s-or-p permission column of /proc/PID/maps for {@code flags} (show_map_vma():
     * VM_READ, VM_WRITE, VM_EXEC, then 's' for VM_MAYSHARE, else 'p').
     */
    public static String perms(long flags) {
        char[] p = {
            (flags & VM_READ) != 0 ? 'r' : '-',
            (flags & VM_WRITE) != 0 ? 'w' : '-',
            (flags & VM_EXEC) != 0 ? 'x' : '-',
            (flags & VM_MAYSHARE) != 0 ? 's' : 'p'};
        return new String(p);
    }

    /**
     * get_vma_name(): the name column for v in mm: the file path, [heap], [stack], a special
     * mapping's label, [anon:NAME] / [anon_shmem:NAME], or "" for plain anonymous memory.
     */
    public static String name(Mm mm, Vma v) {
        if (v.file != null) {
            if (v.file.anonShmem() && v.anonName != null) {
                return "[anon_shmem:" + v.anonName + "]";
            }
            return v.file.path();
        }
        if (v.label != null && v.special != null) {
            return v.label;
        }
        if (mm.brkKnown && Long.compareUnsigned(v.start, mm.brk) <= 0 && Long.compareUnsigned(v.end, mm.startBrk) >= 0
            && mm.startBrk != 0) {
            return "[heap]";
        }
        if (mm.startStack != 0 && Long.compareUnsigned(v.start, mm.startStack) <= 0
            && Long.compareUnsigned(v.end, mm.startStack) >= 0) {
            return "[stack]";
        }
        if (v.label != null) {
            return v.label;
        }
        if (v.anonName != null) {
            return "[anon:" + v.anonName + "]";
        }
        return "";
    }

    /** One line of /proc/PID/maps for v, exactly as show_map_vma() prints it (no newline). */
    public static String line(Mm mm, Vma v) {
        String dev = v.file != null ? v.file.dev() : "00:00";
        long ino = v.file != null ? v.file.inode() : 0;
        StringBuilder sb = new StringBuilder(96);
        sb.append(String.format("%08x-%08x %s %08x %s %d ", v.start, v.end, perms(v.flags), v.mapsOffset(), dev, ino));
        String name = name(mm, v);
        if (!name.isEmpty()) {
            while (sb.length() < NAME_COLUMN) {
                sb.append(' ');
            }
            sb.append(name);
        }
        return sb.toString();
    }
}
