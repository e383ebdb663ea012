package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.FileRef;
import dev.vmareplay.ingest.parse.FdOp;
import dev.vmareplay.ingest.parse.RawSource;
import dev.vmareplay.ingest.parse.TaskHint;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges the parsers of all inputs in time order, applies fd-table changes and task
 * creation in that order, gives each event its process id (thread-group id), its file
 * identity and its final sequence number.
 */
final class ResolvingSource implements EventSource {
    private final List<RawSource> inputs;
    private final Object[] heads;
    private final boolean[] done;
    private final FdTable.Ids ids = new FdTable.Ids();
    private final Map<Integer, Integer> tgid = new HashMap<>();
    private final Map<Integer, FdTable> tables = new HashMap<>();
    private final Set<Integer> hinted = new HashSet<>();
    private final IngestStats resolveStats = new IngestStats();
    private long seq;

    ResolvingSource(List<RawSource> inputs) {
        this.inputs = inputs;
        this.heads = new Object[inputs.size()];
        this.done = new boolean[inputs.size()];
    }

    @Override
    public Event next() throws IOException {
        while (true) {
            Object o = pull();
            if (o == null) return null;
            if (o instanceof FdOp f) {
                apply(f);
            } else if (o instanceof TaskHint h) {
                if (h.flags() >= 0 && !tgid.containsKey(h.child())) {
                    register(h.child(), h.parent(), h.flags());
                    hinted.add(h.child());
                }
            } else if (o instanceof Event e) {
                return resolve(e);
            }
        }
    }

    private Object pull() throws IOException {
        if (inputs.size() == 1) return inputs.get(0).next();
        int best = -1;
        long bestTs = 0;
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] == null && !done[i]) {
                heads[i] = inputs.get(i).next();
                if (heads[i] == null) done[i] = true;
            }
            if (heads[i] == null) continue;
            long ts = RawSource.ts(heads[i]);
            if (ts == Event.NO_TIME) { best = i; break; }
            if (best < 0 || ts < bestTs) { best = i; bestTs = ts; }
        }
        if (best < 0) return null;
        Object o = heads[best];
        heads[best] = null;
        return o;
    }

    private FdTable table(int tid) {
        FdTable t = tables.get(tid);
        if (t == null) {
            t = new FdTable(ids);
            tables.put(tid, t);
        }
        return t;
    }

    private int pid(int tid) {
        Integer p = tgid.get(tid);
        if (p == null) {
            tgid.put(tid, tid);
            return tid;
        }
        return p;
    }

    private void register(int child, int parent, long flags) {
        int ppid = pid(parent);
        tgid.put(child, (flags & Call.Clone.CLONE_THREAD) != 0 ? ppid : child);
        FdTable pt = table(parent);
        tables.put(child, (flags & 0x400) != 0 ? pt : pt.copy());
    }

    private void apply(FdOp f) {
        FdTable t = table(f.tid());
        switch (f.kind()) {
            case OPEN -> t.open(f.fd(), f.path(), f.cloexec(), (f.flags() & FdOp.READ_ONLY) != 0);
            case DUP -> t.dup(f.fd(), f.fd2(), f.cloexec());
            case CLOSE -> t.close(f.fd());
            case CLOSE_RANGE -> {
                if ((f.flags() & 2) != 0) { // CLOSE_RANGE_UNSHARE
                    t = t.copy();
                    tables.put(f.tid(), t);
                }
                t.closeRange(f.fd(), f.fd2(), f.flags());
            }
            case SET_CLOEXEC -> t.setCloexec(f.fd(), f.cloexec());
        }
    }

    private Event resolve(Event e) {
        int tid = e.tid();
        int pid;
        if (e.pid() != tid && !tgid.containsKey(tid)) {
            // the format names the process (canonical CSV): trust it
            tgid.put(tid, e.pid());
            pid = e.pid();
        } else {
            pid = pid(tid);
        }
        Call call = e.call();
        if (call instanceof Call.Mmap m && m.file() != null && m.file().id() < 0) {
            FileRef f = table(tid).fileFor(m.fd(), m.file().path(), resolveStats);
            call = new Call.Mmap(m.addr(), m.len(), m.prot(), m.flags(), m.fd(), m.offset(), f);
        } else if (call instanceof Call.Clone c && e.succeeded() && e.ret() > 0) {
            int child = (int) e.ret();
            if (!hinted.remove(child)) register(child, tid, c.flags());
        } else if (call instanceof Call.Execve && e.succeeded()) {
            FdTable t = tables.get(tid);
            if (t != null) tables.put(tid, t.afterExec());
        }
        return new Event(seq++, e.tsNs(), pid, tid, call, e.ret(), e.errno(), e.retKnown(), e.durationNs(), e.source(), e.stack());
    }

    @Override
    public IngestStats stats() {
        IngestStats s = new IngestStats();
        String fmt = null;
        for (RawSource r : inputs) {
            IngestStats rs = r.stats();
            s.add(rs);
            if (fmt == null) fmt = rs.format();
            else if (!fmt.equals(rs.format())) fmt = "mixed";
        }
        s.add(resolveStats);
        s.format(fmt == null ? "unknown" : fmt);
        return s;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (RawSource r : inputs) {
            try {
                r.close();
            } catch (IOException ex) {
                if (first == null) first = ex;
            }
        }
        if (first != null) throw first;
    }
}
