package dev.vmareplay.replay;

import dev.vmareplay.ingest.event.FileRef;
import dev.vmareplay.replay.engine.VmaFile;
import dev.vmareplay.replay.maps.MapsEntry;

import java.util.HashMap;
import java.util.Map;

/**
 * Gives each open file description the engine sees one {@link VmaFile}, so that merges
 * compare {@code struct file} identity the way the kernel does.
 * <ul>
 *   <li>A file the ingest fd table followed (open, dup, close) keeps its own identity: two
 *       opens of one path are two files.</li>
 *   <li>A seeded VMA's file, and a trace file known only by its {@code -y} path (the fd was
 *       opened before the trace started), are identified by path: the loader mapped a
 *       library's segments from one open, and a later mmap of a pre-existing fd is most
 *       likely that same open.</li>
 * </ul>
 * Device and inode numbers are borrowed from a seeded VMA of the same path when there is
 * one (traces do not carry them), so written layouts look like the kernel's.
 */
final class FileIdentities {

    private final Map<String, VmaFile> byPath = new HashMap<>();
    private final Map<Long, VmaFile> byRef = new HashMap<>();
    private final Map<String, MapsEntry> seededPaths = new HashMap<>();
    private long nextId = 1L << 40; // apart from ingest's ids, for readability in dumps

    /** The identity of a seeded file VMA. */
    VmaFile forSeed(MapsEntry e) {
        String path = e.path();
        seededPaths.putIfAbsent(e.pathWithoutDeleted(), e);
        return byPath.computeIfAbsent(path, p -> make(nextId++, p, e.dev(), e.inode()));
    }

    /** The identity of a file an mmap in the trace maps; null for anonymous memory. */
    VmaFile forRef(FileRef ref) {
        if (ref == null) return null;
        if (ref.fromPathOnly() && ref.path() != null) {
            return byPath.computeIfAbsent(ref.path(), p -> {
                MapsEntry seen = seededPaths.get(stripDeleted(p));
                return make(nextId++, p, seen != null ? seen.dev() : "00:00", seen != null ? seen.inode() : 0);
            });
        }
        return byRef.computeIfAbsent(ref.id(), id -> {
            String p = ref.path() != null ? ref.path() : "";
            MapsEntry seen = seededPaths.get(stripDeleted(p));
            VmaFile f = make(nextId++, p, seen != null ? seen.dev() : "00:00", seen != null ? seen.inode() : 0);
            // opened O_RDONLY: no FMODE_WRITE (a MAP_SHARED mapping gets neither VM_SHARED nor VM_MAYWRITE)
            return ref.readOnly() ? new VmaFile(f.id(), f.path(), f.dev(), f.inode(), f.readable(), false,
                    f.hasCloseHook(), f.shmem(), f.anonShmem()) : f;
        });
    }

    private static VmaFile make(long id, String path, String dev, long inode) {
        String bare = stripDeleted(path);
        boolean shmem = bare.startsWith("/memfd:") || bare.startsWith("/dev/shm/") || bare.startsWith("/SYSV");
        return new VmaFile(id, path, dev, inode, true, true, false, shmem, false);
    }

    private static String stripDeleted(String p) {
        return p.endsWith(" (deleted)") ? p.substring(0, p.length() - 10) : p;
    }
}
