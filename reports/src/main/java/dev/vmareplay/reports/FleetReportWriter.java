package dev.vmareplay.reports;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTML report over many runs read from Parquet ({@link ParquetRuns}: the fleet job's output,
 * or any {@code export --parquet} directory): the case mix per trace, the traces with the most
 * refusals, the fleet's latency percentiles (every trace's HdrHistograms merged, exactly) and
 * the traces that failed. One self-contained file, like the run report.
 */
public final class FleetReportWriter {

    /** Traces drawn in the per-trace sections (the rest are counted). */
    public static final int MAX_TRACES = 500;
    /** Rows of the most-refusals table. */
    public static final int TOP_REFUSALS = 25;

    private FleetReportWriter() { }

    /**
     * Writes the fleet report of DIR to {@code out}.
     *
     * @return the number of runs reported
     * @throws StorageException when DIR holds no vmareplay Parquet tables
     */
    public static long write(Path dir, Path out) {
        Path abs = dir.toAbsolutePath().normalize();
        long runs;
        StringBuilder data = new StringBuilder("{");
        try (Connection c = ParquetRuns.open(abs); Statement st = c.createStatement()) {
            data.append("\"dir\": ").append(Json.string(abs.toString()));
            data.append(",\n\"maxTraces\": ").append(MAX_TRACES);
            data.append(",\n\"runs\": ").append(rows(st, """
                    SELECT run_id, inputs[1] AS trace, events, vma_events, divergences, input_format, error
                    FROM runs ORDER BY run_id"""));
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM runs")) {
                rs.next();
                runs = rs.getLong(1);
            }
            data.append(",\n\"kernels\": ").append(scalars(st, "SELECT DISTINCT kernel FROM runs WHERE kernel IS NOT NULL ORDER BY 1"));
            data.append(",\n\"kinds\": ").append(scalars(st, "SELECT kind FROM case_counts GROUP BY kind ORDER BY sum(n) DESC, kind"));
            data.append(",\n\"mix\": ").append(rows(st, "SELECT run_id, kind, n FROM case_counts WHERE run_id IN "
                    + "(SELECT run_id FROM runs WHERE error IS NULL ORDER BY run_id LIMIT " + MAX_TRACES + ")"));
            data.append(",\n\"topRefusals\": ").append(rows(st, """
                    WITH r AS (SELECT run_id, reason, count(*) AS n FROM merge_events WHERE kind = 'refused' GROUP BY ALL)
                    SELECT r.run_id, (SELECT inputs[1] FROM runs WHERE runs.run_id = r.run_id) AS trace, sum(r.n) AS n,
                           string_agg(r.reason || ' ' || r.n, ', ' ORDER BY r.n DESC, r.reason) AS reasons
                    FROM r GROUP BY r.run_id ORDER BY n DESC, r.run_id LIMIT\s""" + TOP_REFUSALS));
            data.append(",\n\"latency\": ").append(latency(st));
            data.append("}");
        } catch (SQLException e) {
            throw RunStore.translate(abs, "cannot read the Parquet runs", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String html = ReportWriter.resource("fleet.html")
                .replace("/*REPORT_CSS*/", ReportWriter.resource("report.css"))
                .replace("/*REPORT_JS*/", ReportWriter.resource("fleet.js"))
                .replace("/*REPORT_DATA*/", data.toString().replace("</", "<\\/"));
        ReportWriter.writeFile(out, html);
        return runs;
    }

    /** Per scope and name: every run's histogram added up, then its percentiles. */
    private static String latency(Statement st) throws SQLException {
        Map<String, Histogram> merged = new LinkedHashMap<>();
        Map<String, Long> traces = new LinkedHashMap<>();
        try (ResultSet rs = st.executeQuery("SELECT scope, name, histogram FROM latency WHERE histogram IS NOT NULL"
                + " ORDER BY CASE scope WHEN 'syscall' THEN 0 WHEN 'case' THEN 1 ELSE 2 END, scope, name, run_id")) {
            while (rs.next()) {
                String key = rs.getString(1) + "\u0000" + rs.getString(2);
                Histogram h = LatencyCodec.decode(rs.getBytes(3));
                Histogram sum = merged.get(key);
                if (sum == null) merged.put(key, h); else sum.add(h);
                traces.merge(key, 1L, Long::sum);
            }
        }
        StringBuilder sb = new StringBuilder("[");
        for (Map.Entry<String, Histogram> e : merged.entrySet()) {
            String[] k = e.getKey().split("\u0000", 2);
            Histogram h = e.getValue();
            boolean any = h.getTotalCount() > 0;
            if (sb.length() > 1) sb.append(',');
            sb.append("\n{\"scope\": ").append(Json.string(k[0])).append(", \"name\": ").append(Json.string(k[1]))
                    .append(", \"count\": ").append(h.getTotalCount()).append(", \"traces\": ").append(traces.get(e.getKey()));
            for (Object[] p : new Object[][] {{"p50_ns", 50.0}, {"p90_ns", 90.0}, {"p99_ns", 99.0}, {"p999_ns", 99.9}}) {
                sb.append(", \"").append(p[0]).append("\": ").append(any ? h.getValueAtPercentile((Double) p[1]) : "null");
            }
            sb.append(", \"max_ns\": ").append(any ? h.getMaxValue() : "null").append('}');
        }
        return sb.append("]").toString();
    }

    private static String rows(Statement st, String sql) throws SQLException, IOException {
        try (ResultSet rs = st.executeQuery(sql)) {
            StringBuilder sb = new StringBuilder();
            Query.json(rs, sb);
            return sb.toString().strip();
        }
    }

    private static String scalars(Statement st, String sql) throws SQLException {
        StringBuilder sb = new StringBuilder("[");
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) sb.append(sb.length() > 1 ? "," : "").append(Json.string(rs.getString(1)));
        }
        return sb.append("]").toString();
    }
}
