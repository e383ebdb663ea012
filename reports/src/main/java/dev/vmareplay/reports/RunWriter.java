package dev.vmareplay.reports;

import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeBatch;
import dev.vmareplay.replay.outcome.OutcomeListener;
import dev.vmareplay.replay.outcome.ProcessInfo;
import dev.vmareplay.replay.outcome.RunSummary;
import dev.vmareplay.replay.outcome.VmaLayout;
import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.List;

/**
 * One run being stored: the {@link OutcomeListener} the replay driver feeds. The rows are
 * appended in bulk on the run's own {@link StorageThread}, inside one transaction that
 * {@link #finish} commits; until then nothing is visible to other connections, and
 * {@link #close} without finish, {@link #abort}, a storage error or a killed process leaves no
 * row behind.
 *
 * <p>The listener methods run on the replay's engine thread and only hand their (immutable)
 * arguments over: formatting and appending happen on the storage thread, so storing overlaps
 * with the replay. A storage error is thrown ({@link StorageException}, unchecked) from the
 * next listener call or from {@link #finish}, after the run was rolled back.
 *
 * <p>Used from one thread (the engine's); {@link #finish} returns once the run is committed.
 */
public final class RunWriter implements OutcomeListener, AutoCloseable {

    private final Connection conn;
    private final long runId;
    private final StorageThread storage;
    /** Created, used and closed on the storage thread only (DuckDB appenders are thread-confined). */
    private RunRows rows;
    private volatile boolean open = true;

    RunWriter(RunStore store, Connection conn, RunMeta meta) {
        this.conn = conn;
        try (Statement st = conn.createStatement()) {
            // An explicit BEGIN: DuckDB's appenders join the connection's open transaction
            // (with JDBC autocommit off they would commit on their own before any statement ran).
            st.execute("BEGIN TRANSACTION");
        } catch (SQLException e) {
            throw RunStore.translate(store.path(), "cannot start a run", e);
        }
        try {
            runId = insertRun(conn, meta);
        } catch (SQLException e) {
            rollbackQuietly(conn);
            open = false;
            throw RunStore.translate(store.path(), "cannot start a run", e);
        }
        storage = new StorageThread("vmareplay-store-run-" + runId,
                (what, e) -> RunStore.translate(store.path(), "cannot store " + what + " of run " + runId, e),
                this::rollbackAfterFailure);
        storage.hand("the start of the run", () -> rows = new RunRows(conn, runId));
    }

    private static long insertRun(Connection conn, RunMeta meta) throws SQLException {
        long id;
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(run_id), 0) + 1 FROM runs")) {
            rs.next();
            id = rs.getLong(1);
        }
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO runs (run_id, started_at, tool_version, kernel, inputs, options) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, id);
            ps.setTimestamp(2, Timestamp.from(meta.startedAt()));
            ps.setString(3, meta.toolVersion());
            ps.setString(4, meta.kernel());
            ps.setArray(5, conn.createArrayOf("VARCHAR", meta.inputs().toArray()));
            ps.setString(6, meta.optionsJson());
            ps.executeUpdate();
        }
        return id;
    }

    /** This run's id: 1 for the file's first run, then increasing. */
    public long runId() {
        return runId;
    }

    /** True until the run is committed or rolled back (after a storage error, too). */
    public boolean isOpen() {
        return open && !storage.failed();
    }

    private void hand(String what, StorageThread.Work work) {
        if (!open && !storage.failed()) throw new IllegalStateException("run " + runId + " is no longer open");
        storage.hand(what, work);
    }

    @Override
    public void onProcess(ProcessInfo p) {
        hand("a process", () -> rows.process(p));
    }

    @Override
    public void onDivergence(Divergence d) {
        hand("a divergence at event " + d.seq(), () -> rows.divergence(d));
    }

    /** Hands the batch (immutable, so kept as it is) to the storage thread. */
    @Override
    public void onBatch(OutcomeBatch b) {
        if (b.isEmpty()) return;
        hand(b.eventCount() == 0 ? "the rows of a batch"
                : "the rows of events " + b.event(0).seq() + ".." + b.event(b.eventCount() - 1).seq(), () -> rows.batch(b));
    }

    @Override
    public void onFinalLayout(long mmId, List<VmaLayout> layout) {
        List<VmaLayout> l = List.copyOf(layout);
        hand("the final layout", () -> rows.finalLayout(mmId, l));
    }

    @Override
    public void onPeakLayout(long mmId, long seq, List<VmaLayout> layout) {
        List<VmaLayout> l = List.copyOf(layout);
        hand("the peak layout", () -> rows.peakLayout(mmId, seq, l));
    }

    @Override
    public void onLatency(String scope, String name, Histogram h) {
        Histogram copy = h.copy();   // the replay may go on recording into its own
        hand("latency of " + scope + " " + name, () -> rows.latency(scope, name, copy));
    }

    /**
     * Waits for the storage thread to append what it was handed, writes parse coverage and the
     * run's totals, and commits: only now do the run's rows become visible. {@code summary} and
     * {@code ingest} may be null (the counts of the rows stored are used).
     */
    @Override
    public void finish(RunSummary summary, IngestStats ingest) {
        if (!open && !storage.failed()) throw new IllegalStateException("run " + runId + " is no longer open");
        storage.finish("the run summary", () -> {
            rows.finish(summary, ingest);
            open = false;
        });
    }

    /** Discards everything this run wrote. Safe to call more than once. */
    public void abort() {
        if (!open) return;
        open = false;
        storage.abort(() -> {
            if (rows != null) rows.rollback(); else rollbackQuietly(conn);
        });
    }

    /** Runs on the storage thread after its first failure. */
    private void rollbackAfterFailure() {
        if (rows != null) rows.rollback(); else rollbackQuietly(conn);
    }

    static void rollbackQuietly(Connection conn) {
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
}
