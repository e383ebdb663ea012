package dev.vmareplay.replay;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A directory of {@code /proc/PID/smaps} snapshots taken by a process of itself, each tied to a
 * marker in the trace ({@code lseek(-1, 424242001|424242002, SEEK_SET)}, read as
 * {@link dev.vmareplay.ingest.event.Call.Marker}).
 *
 * <pre>
 *   PID.N.start.smaps   taken at the N-th START marker of process PID (N from 1; a process that
 *                       execs again takes another one), right after the dynamic loader
 *   PID.N.end.smaps     taken at the END marker (exit()) of the image that took PID.N.start;
 *                       N = 0 for a forked child that never exec'd (it inherited its image)
 *   PID.N.start.maps    the same snapshots as plain maps (used when no smaps exists)
 *   PID.start.smaps     the older un-numbered form (ground-truth captures): taken as N = 1
 * </pre>
 *
 * A snapshot is used only when the trace has the marker that says where it was taken.
 */
public final class SnapshotDir {

    public enum Kind { START, END }

    private final Path dir;

    public SnapshotDir(Path dir) {
        this.dir = dir;
    }

    /**
     * Where {@code vmareplay record} puts the snapshots of a trace: next to it, named after it
     * without its extensions ({@code foo.txt} and {@code foo.txt.zst} (or .gz, .xz, .bz2) give
     * {@code foo.snapshots}).
     * {@code replay} (and the fleet job, for each trace) uses that directory when it exists.
     */
    public static Path besideTrace(Path trace) {
        return trace.resolveSibling(besideTrace(trace.getFileName().toString()));
    }

    /** {@link #besideTrace(Path)} for a file name: the name of its snapshot directory. */
    public static String besideTrace(String traceName) {
        String name = traceName;
        for (String ext : new String[] {".gz", ".zst", ".xz", ".bz2", ".txt", ".trace", ".log"}) {
            if (name.endsWith(ext) && name.length() > ext.length()) name = name.substring(0, name.length() - ext.length());
        }
        return name + ".snapshots";
    }

    public Path dir() {
        return dir;
    }

    /** smaps before maps; gzipped copies (as the project's samples keep them) are read too. */
    private static final String[] EXTS = {"smaps", "smaps.gz", "maps", "maps.gz"};

    /** The snapshot file for process {@code pid}'s {@code n}-th image at that marker, or null when none exists. */
    public Path find(int pid, int n, Kind kind) {
        String k = kind == Kind.START ? "start" : "end";
        for (String ext : EXTS) {
            Path p = dir.resolve(pid + "." + n + "." + k + "." + ext);
            if (Files.isRegularFile(p) && sizeOf(p) > 0) return p;
        }
        if (n == 1) {
            for (String ext : EXTS) {
                Path p = dir.resolve(pid + "." + k + "." + ext);
                if (Files.isRegularFile(p) && sizeOf(p) > 0) return p;
            }
        }
        return null;
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
