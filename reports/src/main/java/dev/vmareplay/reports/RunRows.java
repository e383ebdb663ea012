package dev.vmareplay.reports;

import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.outcome.CaseKind;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeBatch;
import dev.vmareplay.replay.outcome.ProcessInfo;
import dev.vmareplay.replay.outcome.RefusalReason;
import dev.vmareplay.replay.outcome.RunSummary;
import dev.vmareplay.replay.outcome.VmaLayout;
import dev.vmareplay.replay.outcome.VmaLife;
import org.HdrHistogram.Histogram;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rows of one run, appended to DuckDB inside the run's open transaction: one
 * {@link DuckDBAppender} per table, fed a batch's columns row after row (the appender fills
 * DuckDB's own data chunk in place and hands it over 2 048 rows at a time). Used only on the
 * run's {@link StorageThread}; the engine thread never formats or appends a value.
 *
 * <p>Measured against the other ways into DuckDB (README, Performance: the storage candidates),
 * the appender needs the least CPU in a fresh JVM, which is how vmareplay runs.
 */
final class RunRows {

    /** storageName() of each kind and reason, by ordinal. */
    private static final String[] KIND_NAMES = names(CaseKind.values());
    private static final String[] REASON_NAMES = names(RefusalReason.values());

    private final Connection conn;
    private final long runId;
    private final DuckDBAppender processes, events, mergeEvents, timeline, finalVmas, divergences, lifecycle, peakVmas, latency;
    private final List<DuckDBAppender> all;
    private long nEvents, nDivergences, nVmaEvents, nProcesses;

    RunRows(Connection conn, long runId) throws SQLException {
        this.conn = conn;
        this.runId = runId;
        DuckDBConnection dc = conn.unwrap(DuckDBConnection.class);
        processes = dc.createAppender("main", "processes");
        events = dc.createAppender("main", "events");
        mergeEvents = dc.createAppender("main", "merge_events");
        timeline = dc.createAppender("main", "vma_timeline");
        finalVmas = dc.createAppender("main", "final_vmas");
        divergences = dc.createAppender("main", "divergences");
        lifecycle = dc.createAppender("main", "vma_lifecycle");
        peakVmas = dc.createAppender("main", "peak_vmas");
        latency = dc.createAppender("main", "latency");
        all = List.of(processes, events, mergeEvents, timeline, finalVmas, divergences, lifecycle, peakVmas, latency);
    }

    private static String[] names(Enum<?>[] values) {
        String[] out = new String[values.length];
        for (Enum<?> v : values) {
            out[v.ordinal()] = v instanceof CaseKind k ? k.storageName() : ((RefusalReason) v).storageName();
        }
        return out;
    }

    private static void nullableTime(DuckDBAppender a, long v) throws SQLException {
        if (v == Event.NO_TIME) a.appendNull(); else a.append(v);
    }

    private static void str(DuckDBAppender a, String s) throws SQLException {
        if (s == null) a.appendNull(); else a.append(s);
    }

    /** Every row of the batch: events, engine changes, VMA lives, timeline points. */
    void batch(OutcomeBatch b) throws SQLException {
        events(b);
        changes(b);
        for (VmaLife l : b.lives()) life(l);
        timeline(b);
    }

    private void events(OutcomeBatch b) throws SQLException {
        Event[] es = b.events();
        long[] mm = b.eventMms();
        String[] sites = b.eventCallSites();
        DuckDBAppender a = events;
        for (int i = 0, n = b.eventCount(); i < n; i++) {
            Event e = es[i];
            EventColumns c = EventColumns.of(e.call());
            a.beginRow().append(runId).append(e.seq());
            nullableTime(a, e.tsNs());
            a.append(e.pid()).append(e.tid());
            if (mm[i] < 0) a.appendNull(); else a.append(mm[i]);
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
            nullableTime(a, e.durationNs());
            if (e.source() == null) { a.appendNull(); a.appendNull(); }
            else { str(a, e.source().file()); a.append(e.source().line()); }
            if (e.stack().isEmpty()) { a.appendNull(); a.appendNull(); }
            else { a.append(String.join("\n", e.stack())); str(a, sites[i]); }
            a.endRow();
        }
        nEvents += b.eventCount();
    }

    private void changes(OutcomeBatch b) throws SQLException {
        long[] seq = b.changeSeqs(), mm = b.changeMms(), start = b.changeStarts(), end = b.changeEnds();
        int[] pid = b.changePids(), legacy = b.changeLegacyCases();
        String[] syscall = b.changeSyscalls();
        CaseKind[] kind = b.changeKinds();
        RefusalReason[] reason = b.changeReasons();
        boolean[] assumed = b.changeAssumed();
        DuckDBAppender a = mergeEvents;
        for (int i = 0, n = b.changeCount(); i < n; i++) {
            a.beginRow().append(runId).append(seq[i]).append(pid[i]).append(mm[i]);
            str(a, syscall[i]);
            a.append(KIND_NAMES[kind[i].ordinal()]);
            str(a, reason[i] == null ? null : REASON_NAMES[reason[i].ordinal()]);
            a.append(start[i]).append(end[i]).append((byte) legacy[i]).append(assumed[i]);
            a.endRow();
        }
        nVmaEvents += b.changeCount();
    }

    private void life(VmaLife l) throws SQLException {
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
    }

    private void timeline(OutcomeBatch b) throws SQLException {
        long[] mm = b.timelineMms(), seq = b.timelineSeqs(), ts = b.timelineTsNs(), bytes = b.timelineMappedBytes();
        int[] count = b.timelineVmaCounts();
        DuckDBAppender a = timeline;
        for (int i = 0, n = b.timelineCount(); i < n; i++) {
            a.beginRow().append(runId).append(mm[i]).append(seq[i]);
            nullableTime(a, ts[i]);
            a.append(count[i]).append(bytes[i]).endRow();
        }
    }

    void process(ProcessInfo p) throws SQLException {
        processes.beginRow().append(runId).append(p.pid()).append(p.mmId()).append(p.parentPid());
        str(processes, p.exe());
        processes.endRow();
        nProcesses++;
    }

    void divergence(Divergence d) throws SQLException {
        divergences.beginRow().append(runId).append(d.seq()).append(d.pid());
        str(divergences, d.cause());
        str(divergences, d.detail());
        divergences.endRow();
        nDivergences++;
    }

    void finalLayout(long mmId, List<VmaLayout> layout) throws SQLException {
        DuckDBAppender a = finalVmas;
        for (VmaLayout v : layout) {
            a.beginRow().append(runId).append(mmId).append(v.start()).append(v.end()).append(v.flags())
                    .append(v.perms()).append(v.pgoff());
            str(a, v.file());
            str(a, v.dev());
            a.append(v.inode());
            a.endRow();
        }
    }

    void peakLayout(long mmId, long seq, List<VmaLayout> layout) throws SQLException {
        DuckDBAppender a = peakVmas;
        for (VmaLayout v : layout) {
            a.beginRow().append(runId).append(mmId).append(seq).append(v.start()).append(v.end()).append(v.flags())
                    .append(v.perms()).append(v.pgoff());
            str(a, v.file());
            a.endRow();
        }
    }

    /** One latency row: the summary columns and HdrHistogram's encoding ({@link LatencyCodec#decode} reads it back). */
    void latency(String scope, String name, Histogram h) throws SQLException {
        latencyRow(latency, runId, scope, name, h);
    }

    /** A latency row of run {@code runId} from its histogram (also for {@link RunParts}, which adds parts' histograms up). */
    static void latencyRow(DuckDBAppender a, long runId, String scope, String name, Histogram h) throws SQLException {
        a.beginRow().append(runId).append(scope).append(name).append(h.getTotalCount());
        if (h.getTotalCount() == 0) {
            for (int i = 0; i < 7; i++) a.appendNull();
        } else {
            a.append(h.getMinValue()).append(h.getMean())
                    .append(h.getValueAtPercentile(50)).append(h.getValueAtPercentile(90))
                    .append(h.getValueAtPercentile(99)).append(h.getValueAtPercentile(99.9))
                    .append(h.getMaxValue());
        }
        a.append(LatencyCodec.encode(h));
        a.endRow();
    }

    /**
     * Flushes every appender into the transaction, writes parse coverage and the run's totals
     * and commits: only now do the run's rows become visible. {@code summary} and
     * {@code ingest} may be null (the counts kept here are used).
     */
    void finish(RunSummary summary, IngestStats ingest) throws SQLException {
        for (DuckDBAppender a : all) {
            a.flush();   // close() would swallow the error of a last chunk DuckDB refuses
            a.close();
        }
        if (ingest != null) {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO parse_coverage VALUES (?, ?, ?)")) {
                for (Map.Entry<IngestStats.LineClass, Long> c : ingest.counts().entrySet()) {
                    ps.setLong(1, runId);
                    ps.setString(2, c.getKey().name().toLowerCase(Locale.ROOT));
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
    }

    /**
     * Closes the appenders without letting their rows out of the transaction, then rolls it
     * back. Closing flushes: the flush must land in the open transaction, before the rollback,
     * never in an autocommitted one of its own.
     */
    void rollback() {
        for (DuckDBAppender a : all) {
            try {
                a.close();
            } catch (SQLException | RuntimeException ignored) {
                // rolled back below either way
            }
        }
        RunWriter.rollbackQuietly(conn);
    }
}
