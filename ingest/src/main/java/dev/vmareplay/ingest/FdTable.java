package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.FileRef;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One task group's file descriptor table, as far as the trace shows it: which open file
 * description each fd refers to. Tasks created with CLONE_FILES share one table; fork
 * copies it; execve drops close-on-exec fds. Identities come from a per-run {@link Ids}:
 * every open gets a new one (two opens of one path are two files), dup shares it.
 * An fd the table never saw opened (opened before the trace started) gets an identity
 * derived from its -y path (one path = one file) or, without a path, a fresh one; those
 * are marked {@link FileRef#fromPathOnly()}.
 */
public final class FdTable {

    /** Identity allocator of one ingest run. */
    public static final class Ids {
        private long next = 1;
        private final Map<String, Long> byPath = new HashMap<>();

        public long fresh() {
            return next++;
        }

        public long forPath(String path) {
            return byPath.computeIfAbsent(path, p -> next++);
        }
    }

    private record Entry(long id, String path, boolean cloexec, boolean fromPathOnly, boolean readOnly) {
        Entry(long id, String path, boolean cloexec, boolean fromPathOnly) {
            this(id, path, cloexec, fromPathOnly, false);
        }

        Entry withCloexec(boolean on) {
            return new Entry(id, path, on, fromPathOnly, readOnly);
        }
    }

    private final Ids ids;
    private final Map<Integer, Entry> fds = new HashMap<>();

    public FdTable(Ids ids) {
        this.ids = ids;
    }

    /** A new open file description at fd (replacing whatever was there). */
    public void open(int fd, String path, boolean cloexec) {
        open(fd, path, cloexec, false);
    }

    /** {@code readOnly}: opened with access mode O_RDONLY (no FMODE_WRITE). */
    public void open(int fd, String path, boolean cloexec, boolean readOnly) {
        if (fd < 0) return;
        fds.put(fd, new Entry(ids.fresh(), path, cloexec, false, readOnly));
    }

    /** newFd refers to the same open file description as oldFd. */
    public void dup(int oldFd, int newFd, boolean cloexec) {
        if (newFd < 0 || oldFd < 0) return;
        if (oldFd == newFd) return;
        Entry e = entry(oldFd, null);
        fds.put(newFd, e.withCloexec(cloexec));
    }

    public void close(int fd) {
        fds.remove(fd);
    }

    /** close_range(lo, hi, flags): CLOSE_RANGE_CLOEXEC (4) marks instead of closing. */
    public void closeRange(int lo, int hi, long flags) {
        long h = hi & 0xffffffffL;
        for (Iterator<Map.Entry<Integer, Entry>> it = fds.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Entry> me = it.next();
            int fd = me.getKey();
            if (fd >= lo && fd <= h) {
                if ((flags & 4) != 0) {
                    Entry e = me.getValue();
                    me.setValue(e.withCloexec(true));
                } else {
                    it.remove();
                }
            }
        }
    }

    public void setCloexec(int fd, boolean cloexec) {
        Entry e = fds.get(fd);
        if (e != null) fds.put(fd, e.withCloexec(cloexec));
    }

    /** The table a successful execve leaves: unshared, without close-on-exec fds. */
    public FdTable afterExec() {
        FdTable t = new FdTable(ids);
        fds.forEach((fd, e) -> {
            if (!e.cloexec) t.fds.put(fd, e);
        });
        return t;
    }

    /** fork/clone without CLONE_FILES. */
    public FdTable copy() {
        FdTable t = new FdTable(ids);
        t.fds.putAll(fds);
        return t;
    }

    public boolean isOpen(int fd) {
        return fds.containsKey(fd);
    }

    public int size() {
        return fds.size();
    }

    /**
     * The open file description an mmap of {@code fd} maps. {@code yPath} is the path strace
     * -y printed for the fd (null without -y). Unknown fds are entered path-only.
     */
    public FileRef fileFor(int fd, String yPath, IngestStats stats) {
        Entry e = fds.get(fd);
        if (e == null) {
            e = entry(fd, yPath);
        }
        if (e.fromPathOnly && stats != null) stats.fdTableIncomplete();
        String path = e.path != null ? e.path : yPath;
        return new FileRef(e.id, path, e.fromPathOnly, e.readOnly);
    }

    private Entry entry(int fd, String path) {
        Entry e = fds.get(fd);
        if (e == null) {
            e = new Entry(path != null ? ids.forPath(path) : ids.fresh(), path, false, true);
            fds.put(fd, e);
        }
        return e;
    }
}
