package dev.vmareplay.reports;

import org.HdrHistogram.Histogram;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The parts of one trace replayed apart ({@link dev.vmareplay.replay.ReplayPart}, the fleet job's
 * split of a large trace), put together as the one run the whole replay stores. Each part is a
 * database of one run (run 1) written by {@link RunWriter} from a replay of that part:
 * <ul>
 *   <li>every row of processes, events, merge_events, vma_timeline, final_vmas, peak_vmas,
 *       divergences and vma_lifecycle was reported by exactly one part: the tables are the
 *       parts' rows together;</li>
 *   <li>each part parsed the whole trace: parse_coverage and parse_examples, and the ingest's and
 *       the pid counts of {@code runs}, are the same in every part (checked) and taken once;</li>
 *   <li>{@code runs}' events, divergences and vma_events add up; the run started when the first
 *       part started and finished when the last one did;</li>
 *   <li>latency: the parts' HdrHistograms of each scope and name are added (exactly: the same
 *       counts in the same buckets as one histogram of every value), and the row's summary
 *       columns computed from the sum as {@link RunWriter} computes them.</li>
 * </ul>
 * A part that failed makes the run a failed one, with the first failed part's error and no
 * other rows, as the whole replay would have failed.
 */
public final class RunParts {
    private RunParts() { }

    /** Tables whose rows each part reports for its own families. */
    private static final List<String> OWN_ROWS = List.of(
            "processes", "events", "merge_events", "vma_timeline", "final_vmas", "divergences", "vma_lifecycle", "peak_vmas");
    /** Tables every part writes alike (from parsing the whole trace). */
    private static final List<String> SAME_IN_EVERY_PART = List.of("parse_coverage", "parse_examples");

    /**
     * Writes into {@code into} (a new database file) run 1: the run {@code parts} (databases
     * of one run each, in part order) make together.
     *
     * @return the error of the first failed part, or null when every part completed
     * @throws StorageException when a part cannot be read or {@code into} written
     * @throws IllegalStateException when the parts are not parts of one replay (they disagree on what every part sees alike)
     */
    public static String combine(List<Path> parts, Path into) {
        if (parts.isEmpty()) throw new IllegalArgumentException("no parts to combine");
        try (RunStore store = RunStore.open(into)) {
            Connection c = store.connection();
            try (Statement st = c.createStatement()) {
                for (int i = 0; i < parts.size(); i++) {
                    st.execute("ATTACH '" + parts.get(i).toAbsolutePath().toString().replace("'", "''") + "' AS p" + i + " (READ_ONLY)");
                }
                String error = null;
                st.execute("BEGIN");
                for (int i = 0; i < parts.size() && error == null; i++) {
                    try (ResultSet rs = st.executeQuery("SELECT error FROM p" + i + ".runs WHERE error IS NOT NULL")) {
                        if (rs.next()) {
                            error = rs.getString(1);
                            st.execute("INSERT INTO runs SELECT * FROM p" + i + ".runs");
                        }
                    }
                }
                if (error == null) {
                    runs(st, parts.size());
                    for (String table : OWN_ROWS) st.execute("INSERT INTO " + table + " " + union(table, parts.size(), "*"));
                    for (String table : SAME_IN_EVERY_PART) {
                        checkSame(st, table, parts.size());
                        st.execute("INSERT INTO " + table + " SELECT * FROM p0." + table);
                    }
                    latency(c, st, parts.size());
                }
                st.execute("COMMIT");
                for (int i = 0; i < parts.size(); i++) st.execute("DETACH p" + i);
                return error;
            }
        } catch (SQLException e) {
            throw RunStore.translate(into, "cannot combine the parts of a run", e);
        }
    }

    private static String union(String table, int parts, String columns) {
        return IntStream.range(0, parts).mapToObj(i -> "SELECT " + columns + " FROM p" + i + "." + table)
                .collect(Collectors.joining(" UNION ALL "));
    }

    private static void runs(Statement st, int parts) throws SQLException {
        checkSame(st, "runs", parts, "run_id, tool_version, kernel, inputs, options, processes, input_format, bytes_read, lost_events, fd_table_complete");
        st.execute("""
                INSERT INTO runs
                SELECT r.* REPLACE (t.started_at AS started_at, t.finished_at AS finished_at, t.events AS events,
                                    t.divergences AS divergences, t.vma_events AS vma_events)
                FROM p0.runs r, (SELECT min(started_at) AS started_at, max(finished_at) AS finished_at,
                                        sum(events)::BIGINT AS events, sum(divergences)::BIGINT AS divergences,
                                        sum(vma_events)::BIGINT AS vma_events
                                 FROM (%s)) t""".formatted(union("runs", parts, "*")));
    }

    private static void checkSame(Statement st, String table, int parts) throws SQLException {
        checkSame(st, table, parts, "*");
    }

    /** Every part holds the same rows of {@code table} (these columns). */
    private static void checkSame(Statement st, String table, int parts, String columns) throws SQLException {
        for (int i = 1; i < parts; i++) {
            String a = "SELECT " + columns + " FROM p0." + table, b = "SELECT " + columns + " FROM p" + i + "." + table;
            try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM ((" + a + ") EXCEPT ALL (" + b + ")))"
                    + " + (SELECT count(*) FROM ((" + b + ") EXCEPT ALL (" + a + ")))")) {
                rs.next();
                if (rs.getLong(1) != 0) {
                    throw new IllegalStateException("part " + i + " disagrees with part 0 on " + table + ": not parts of one replay");
                }
            }
        }
    }

    /** The parts' histograms added up by scope and name, one row each. */
    private static void latency(Connection c, Statement st, int parts) throws SQLException {
        Map<String, Map<String, Histogram>> sums = new TreeMap<>();
        try (ResultSet rs = st.executeQuery(union("latency", parts, "scope, name, histogram"))) {
            while (rs.next()) {
                Histogram h = LatencyCodec.decode(rs.getBytes(3));
                sums.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).merge(rs.getString(2), h, (a, b) -> {
                    a.add(b);
                    return a;
                });
            }
        }
        try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender("main", "latency")) {
            for (var scope : sums.entrySet()) {
                for (var name : scope.getValue().entrySet()) RunRows.latencyRow(a, 1, scope.getKey(), name.getKey(), name.getValue());
            }
            a.flush();
        }
    }
}
