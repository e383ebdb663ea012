package dev.vmareplay.reports;

import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeBatch;
import dev.vmareplay.replay.outcome.OutcomeListener;
import dev.vmareplay.replay.outcome.ProcessInfo;
import dev.vmareplay.replay.outcome.RunSummary;
import dev.vmareplay.replay.outcome.VmaLayout;
import dev.vmareplay.replay.outcome.VmaLife;
import org.HdrHistogram.Histogram;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One run being stored: the {@link OutcomeListener} the replay driver feeds. Rows go through
 * DuckDB appenders inside one transaction that {@link #finish} commits; until then nothing
 * is visible to other connections, and {@link #close} without finish, {@link #abort}, a
 * storage error or a killed process leaves no row behind.
 *
 * <p>Listener callbacks throw {@link StorageException} (unchecked) on a storage error, after
 * rolling the run back.
 */
public final class RunWriter implements OutcomeListener, AutoCloseable {

    private final RunStore store;
    private final Connection conn;
    private final long runId;
    private final DuckDBAppender processes, events, mergeEvents, timeline, finalVmas, divergences, latency;
    private final DuckDBAppender lifecycle;
    private final DuckDBAppender peakVmas;
    private final List<DuckDBAppender> all;
    private boolean open = true;
    private long nEvents, nDivergences, nVmaEvents, nProcesses;

    RunWriter(RunStore store, Connection conn, RunMeta meta) {
        this.store = store;
        this.conn = conn;
        try (Statement st = conn.createStatement()) {
            // An explicit BEGIN: DuckDB's appenders join the connection's open transaction
            // (with JDBC autocommit off they would commit on their own before any statement ran).
            st.execute("BEGIN TRANSACTION");
        } catch (SQLException e) {
            throw RunStore.translate(store.path(), "cannot start a run", e);
        }
        try {
            long id;
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(max(run_id), 0) + 1 FROM runs")) {
                rs.next();
                id = rs.getLong(1);
            }
            runId = id;
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO runs (run_id, started_at, tool_version, kernel, inputs, options) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, runId);
                ps.setTimestamp(2, Timestamp.from(meta.startedAt()));
                ps.setString(3, meta.toolVersion());
                ps.setString(4, meta.kernel());
                ps.setArray(5, conn.createArrayOf("VARCHAR", meta.inputs().toArray()));
                ps.setString(6, meta.optionsJson());
                ps.executeUpdate();
            }
            DuckDBConnection dc = conn.unwrap(DuckDBConnection.class);
            processes = dc.createAppender("main", "processes");
            events = dc.createAppender("main", "events");
            mergeEvents = dc.createAppender("main", "merge_events");
            timeline = dc.createAppender("main", "vma_timeline");
            finalVmas = dc.createAppender("main", "final_vmas");
            divergences = dc.createAppender("main", "divergences");
            latency = dc.createAppender("main", "latency");
            lifecycle = dc.createAppender("main", "vma_lifecycle");
            peakVmas = dc.createAppender("main", "peak_vmas");
            all = List.of(processes, events, mergeEvents, timeline, finalVmas, divergences, latency, lifecycle, peakVmas);
        } catch (SQLException e) {
            rollbackQuietly();
            open = false;
            throw RunStore.translate(store.path(), "cannot start a run", e);
        }
    }

    /** This run's id: 1 for the file's first run, then increasing. */
    public long runId() {
        return runId;
    }

    /** True until the run is committed or rolled back. */
    public boolean isOpen() {
        return open;
    }

    @FunctionalInterface
    private interface SqlWork {
        void run() throws SQLException;
    }

    private void write(String what, SqlWork w) {
        if (!open) throw new IllegalStateException("run " + runId + " is no longer open");
        try {
            w.run();
        } catch (SQLException | RuntimeException e) {
            abort();
            if (e instanceof SQLException se) throw RunStore.translate(store.path(), "cannot store " + what + " of run " + runId, se);
            throw (RuntimeException) e;
        }
    }

    private static void nullableLong(DuckDBAppender a, long v) throws SQLException {
        if (v == Event.NO_TIME) a.appendNull(); else a.append(v);
    }

    private static void str(DuckDBAppender a, String s) throws SQLException {
        if (s == null) a.appendNull(); else a.append(s);
    }

    @Override
    public void onProcess(ProcessInfo p) {
        write("a process", () -> {
            processes.beginRow().append(runId).append(p.pid()).append(p.mmId()).append(p.parentPid());
            str(processes, p.exe());
            processes.endRow();
            nProcesses++;
        });
    }

    /** Stores a batch's rows, section by section, in the order the replay produced them. */
    @Override
    public void onBatch(OutcomeBatch b) {
        for (int i = 0; i < b.eventCount(); i++) onEvent(b.event(i), b.eventMm(i), b.eventCallSite(i));
        for (int i = 0; i < b.changeCount(); i++) onChange(b, i);
        for (int i = 0; i < b.lifeCount(); i++) onVmaLife(b.life(i));
        for (int i = 0; i < b.timelineCount(); i++) {
            onTimeline(b.timelineMms()[i], b.timelineSeqs()[i], b.timelineTsNs()[i], b.timelineVmaCounts()[i], b.timelineMappedBytes()[i]);
        }
    }

    private void onEvent(Event e, long mmId, String callSite) {
        write("event " + e.seq(), () -> {
            EventColumns c = EventColumns.of(e.call());
            DuckDBAppender a = events;
            a.beginRow().append(runId).append(e.seq());
            nullableLong(a, e.tsNs());
            a.append(e.pid()).append(e.tid());
            if (mmId < 0) a.appendNull(); else a.append(mmId);
            a.append(e.syscall());
            if (c.hasRange()) { a.append(c.addr()); a.append(c.len()); } else { a.appendNull(); a.appendNull(); }
            if (c.prot() == null) a.appendNull(); else a.append(c.prot().intValue());
            if (c.flags() == null) a.appendNull(); else a.append(c.flags().longValue());
            if (c.fd() == null) a.appendNull(); else a.append(c.fd().intValue());
            if (c.offset() == null) a.appendNull(); else a.append(c.offset().longValue());
            str(a, c.file());
            a.append(c.args());
            if (e.retKnown()) a.append(e.ret()); else a.appendNull();
            a.append(e.retKnown()).append(e.errno());
            nullableLong(a, e.durationNs());
            if (e.source() == null) { a.appendNull(); a.appendNull(); }
            else { str(a, e.source().file()); a.append(e.source().line()); }
            if (e.stack().isEmpty()) { a.appendNull(); a.appendNull(); }
            else { a.append(String.join("\n", e.stack())); str(a, callSite); }
            a.endRow();
            nEvents++;
        });
    }

    private void onChange(OutcomeBatch b, int i) {
        long seq = b.changeSeqs()[i];
        write("an engine event of event " + seq, () -> {
            DuckDBAppender a = mergeEvents;
            a.beginRow().append(runId).append(seq).append(b.changePids()[i]).append(b.changeMms()[i]);
            str(a, b.changeSyscalls()[i]);
            a.append(b.changeKinds()[i].storageName());
            str(a, b.changeReasons()[i] == null ? null : b.changeReasons()[i].storageName());
            a.append(b.changeStarts()[i]).append(b.changeEnds()[i]).append((byte) b.changeLegacyCases()[i]).append(b.changeAssumed()[i]);
            a.endRow();
            nVmaEvents++;
        });
    }

    private void onVmaLife(VmaLife l) {
        write("the life of VMA " + l.vmaId(), () -> {
            DuckDBAppender a = lifecycle;
            a.beginRow().append(runId).append(l.mmId()).append(l.vmaId()).append(l.start()).append(l.end());
            if (l.createdSeq() < 0) a.appendNull(); else a.append(l.createdSeq());
            str(a, l.createdBy());
            if (l.parentVma() == 0) a.appendNull(); else a.append(l.parentVma());
            a.append(l.splits()).append(l.merges());
            if (l.removedSeq() < 0) a.appendNull(); else a.append(l.removedSeq());
            str(a, l.removedBy());
            if (l.mergedInto() == 0) a.appendNull(); else a.append(l.mergedInto());
            a.endRow();
        });
    }

    private void onTimeline(long mmId, long seq, long tsNs, int vmaCount, long mappedBytes) {
        write("the timeline at event " + seq, () -> {
            timeline.beginRow().append(runId).append(mmId).append(seq);
            nullableLong(timeline, tsNs);
            timeline.append(vmaCount).append(mappedBytes).endRow();
        });
    }

    @Override
    public void onDivergence(Divergence d) {
        write("a divergence at event " + d.seq(), () -> {
            divergences.beginRow().append(runId).append(d.seq()).append(d.pid());
            str(divergences, d.cause());
            str(divergences, d.detail());
            divergences.endRow();
            nDivergences++;
        });
    }

    @Override
    public void onFinalLayout(long mmId, List<VmaLayout> layout) {
        write("the final layout", () -> {
            DuckDBAppender a = finalVmas;
            for (VmaLayout v : layout) {
                a.beginRow().append(runId).append(mmId).append(v.start()).append(v.end()).append(v.flags())
                        .append(v.perms()).append(v.pgoff());
                str(a, v.file());
                str(a, v.dev());
                a.append(v.inode());
                a.endRow();
            }
        });
    }

    @Override
    public void onPeakLayout(long mmId, long seq, List<VmaLayout> layout) {
        write("the peak layout", () -> {
            DuckDBAppender a = peakVmas;
            for (VmaLayout v : layout) {
                a.beginRow().append(runId).append(mmId).append(seq).append(v.start()).append(v.end()).append(v.flags())
                        .append(v.perms()).append(v.pgoff());
                str(a, v.file());
                a.endRow();
            }
        });
    }

    @Override
    public void onLatency(String scope, String name, Histogram h) {
        write("latency of " + scope + " " + name, () -> {
            DuckDBAppender a = latency;
            a.beginRow().append(runId).append(scope).append(name).append(h.getTotalCount());
            if (h.getTotalCount() == 0) {
                for (int i = 0; i < 7; i++) a.appendNull();
            } else {
                a.append(h.getMinValue()).append(h.getMean())
                        .append(h.getValueAtPercentile(50)).append(h.getValueAtPercentile(90))
                        .append(h.getValueAtPercentile(99)).append(h.getValueAtPercentile(99.9))
                        .append(h.getMaxValue());
            }
            a.append(encode(h));
            a.endRow();
        });
    }

    /** HdrHistogram's compressed encoding; {@link LatencyCodec#decode} reads it back. */
    static byte[] encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Arrays.copyOf(buf.array(), n);
    }

    /**
     * Writes parse coverage and the run's totals, then commits: only now do the run's rows
     * become visible. {@code summary} and {@code ingest} may be null (counts kept here are used).
     */
    @Override
    public void finish(RunSummary summary, IngestStats ingest) {
        write("the run summary", () -> {
            for (DuckDBAppender a : all) a.close();   // flushes into the open transaction
            if (ingest != null) {
                try (PreparedStatement ps = conn.prepareStatement("INSERT INTO parse_coverage VALUES (?, ?, ?)")) {
                    for (Map.Entry<IngestStats.LineClass, Long> c : ingest.counts().entrySet()) {
                        ps.setLong(1, runId);
                        ps.setString(2, c.getKey().name().toLowerCase(java.util.Locale.ROOT));
                        ps.setLong(3, c.getValue());
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = conn.prepareStatement("INSERT INTO parse_examples VALUES (?, ?, ?, ?, ?)")) {
                    for (IngestStats.Example x : ingest.examples()) {
                        ps.setLong(1, runId);
                        ps.setString(2, x.file());
                        ps.setLong(3, x.line());
                        ps.setString(4, x.text());
                        ps.setString(5, x.problem());
                        ps.executeUpdate();
                    }
                }
            }
            try (PreparedStatement ps = conn.prepareStatement("""
                    UPDATE runs SET finished_at = ?, events = ?, divergences = ?, vma_events = ?, processes = ?,
                      input_format = ?, bytes_read = ?, lost_events = ?, fd_table_complete = ? WHERE run_id = ?""")) {
                ps.setTimestamp(1, Timestamp.from(Instant.now()));
                ps.setLong(2, summary != null ? summary.events() : nEvents);
                ps.setLong(3, summary != null ? summary.divergences() : nDivergences);
                ps.setLong(4, summary != null ? summary.vmaEvents() : nVmaEvents);
                ps.setLong(5, summary != null ? summary.processes() : nProcesses);
                if (ingest != null) {
                    ps.setString(6, ingest.format());
                    ps.setLong(7, ingest.bytesRead());
                    ps.setLong(8, ingest.lostEvents());
                    ps.setBoolean(9, ingest.fdTableComplete());
                } else {
                    ps.setNull(6, java.sql.Types.VARCHAR);
                    ps.setNull(7, java.sql.Types.BIGINT);
                    ps.setNull(8, java.sql.Types.BIGINT);
                    ps.setNull(9, java.sql.Types.BOOLEAN);
                }
                ps.setLong(10, runId);
                ps.executeUpdate();
            }
            try (Statement st = conn.createStatement()) {
                st.execute("COMMIT");
            }
            open = false;
        });
    }

    /** Discards everything this run wrote. Safe to call more than once. */
    public void abort() {
        if (!open) return;
        open = false;
        // Close the appenders first: closing flushes, and a flush after the rollback would
        // land in an autocommitted transaction of its own.
        for (DuckDBAppender a : all) {
            try {
                a.close();
            } catch (SQLException | RuntimeException ignored) {
                // rolled back below either way
            }
        }
        rollbackQuietly();
    }

    private void rollbackQuietly() {
        try (Statement st = conn.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // nothing open
        }
    }

    /** Rolls the run back unless {@link #finish} committed it. */
    @Override
    public void close() {
        abort();
    }

    /** Column values of one call, for the events table. */
    record EventColumns(boolean hasRange, long addr, long len, Integer prot, Long flags, Integer fd, Long offset,
                        String file, String args) {

        static EventColumns of(Call call) {
            if (call instanceof Call.Mmap m) {
                return new EventColumns(true, m.addr(), m.len(), m.prot(), (long) m.flags(), m.fd(), m.offset(),
                        m.file() == null ? null : m.file().path(),
                        "addr=" + hex(m.addr()) + " len=" + hex(m.len()) + " prot=0x" + Integer.toHexString(m.prot())
                                + " flags=0x" + Integer.toHexString(m.flags()) + " fd=" + m.fd() + " off=" + hex(m.offset())
                                + (m.file() == null ? "" : " file#" + m.file().id() + (m.file().path() == null ? "" : "=" + m.file().path())));
            }
            if (call instanceof Call.Munmap m) return range(m.addr(), m.len(), null, null, "");
            if (call instanceof Call.Mprotect m) return range(m.addr(), m.len(), m.prot(), null,
                    " prot=0x" + Integer.toHexString(m.prot()) + (m.pkey() >= 0 ? " pkey=" + m.pkey() : ""));
            if (call instanceof Call.Madvise m) return range(m.addr(), m.len(), null, (long) m.advice(),
                    " advice=" + m.advice() + (m.targetPid() != 0 ? " target=" + m.targetPid() : ""));
            if (call instanceof Call.Mlock m) return range(m.addr(), m.len(), null, (long) m.flags(), " flags=" + m.flags());
            if (call instanceof Call.Munlock m) return range(m.addr(), m.len(), null, null, "");
            if (call instanceof Call.Mlockall m) return other(null, (long) m.flags(), "flags=" + m.flags());
            if (call instanceof Call.Mremap m) return range(m.oldAddr(), m.oldLen(), null, (long) m.flags(),
                    " new_len=" + hex(m.newLen()) + " flags=" + m.flags() + " new_addr=" + hex(m.newAddr()));
            if (call instanceof Call.Brk m) return new EventColumns(true, m.addr(), 0, null, null, null, null, null, "addr=" + hex(m.addr()));
            if (call instanceof Call.Mseal m) return range(m.addr(), m.len(), null, m.flags(), " flags=" + m.flags());
            if (call instanceof Call.SetVmaName m) return range(m.addr(), m.len(), null, null, " name=" + m.name());
            if (call instanceof Call.Mbind m) return range(m.addr(), m.len(), null, (long) m.mode(),
                    " mode=" + m.mode() + " nodemask=0x" + Long.toHexString(m.nodemask()));
            if (call instanceof Call.RemapFilePages m) return new EventColumns(true, m.addr(), m.size(), m.prot(), (long) m.flags(),
                    null, m.pgoff(), null, "addr=" + hex(m.addr()) + " size=" + hex(m.size()) + " pgoff=" + m.pgoff());
            if (call instanceof Call.Shmat m) return new EventColumns(true, m.addr(), 0, null, (long) m.flags(), null, null, null,
                    "shmid=" + m.shmid() + " addr=" + hex(m.addr()) + " flags=" + m.flags());
            if (call instanceof Call.Shmdt m) return new EventColumns(true, m.addr(), 0, null, null, null, null, null, "addr=" + hex(m.addr()));
            if (call instanceof Call.Clone m) return other(null, m.flags(), "flags=0x" + Long.toHexString(m.flags()));
            if (call instanceof Call.Execve m) return new EventColumns(false, 0, 0, null, null, null, null, m.path(), "path=" + m.path());
            if (call instanceof Call.Exit m) return other(null, null, (m.group() ? "group " : "") + "status=" + m.status());
            if (call instanceof Call.PageFault m) return new EventColumns(true, m.addr(), 0, null, null, null, null, m.target(),
                    "addr=" + hex(m.addr()) + " access=" + m.access().name().toLowerCase(java.util.Locale.ROOT));
            if (call instanceof Call.UffdRegister m) return range(m.addr(), m.len(), null, m.mode(),
                    (m.register() ? " register" : " unregister") + " mode=" + m.mode() + " ctx=" + m.ctx());
            return other(null, null, String.valueOf(call));
        }

        private static EventColumns range(long addr, long len, Integer prot, Long flags, String more) {
            return new EventColumns(true, addr, len, prot, flags, null, null, null, "addr=" + hex(addr) + " len=" + hex(len) + more);
        }

        private static EventColumns other(Integer prot, Long flags, String args) {
            return new EventColumns(false, 0, 0, prot, flags, null, null, null, args);
        }

        static String hex(long v) {
            return "0x" + Long.toHexString(v);
        }
    }
}
