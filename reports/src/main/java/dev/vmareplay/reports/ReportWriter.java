package dev.vmareplay.reports;

import dev.vmareplay.replay.outcome.CaseKind;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Writes the HTML report: one self-contained file (uPlot and all data inlined; it opens
 * from disk with no network) for one run, or two runs side by side with their deltas.
 * Big timelines are downsampled (maximum per bucket, so peaks survive) to keep it small.
 *
 * <p>DuckDB computes the report: every figure (case counts, refusal reasons, the downsampled
 * timelines, layouts, lifecycles' split sites, divergences, latency) is a SQL query over the
 * stored run, and Java only renders the (small) results as JSON; no row is read twice.
 */
public final class ReportWriter {

    /**
     * @param topProcesses      address spaces (by peak VMA count) whose timeline and final layout are drawn
     * @param maxTimelinePoints points per timeline before downsampling
     * @param maxLayoutVmas     VMAs drawn per final layout (the rest are counted, not drawn)
     * @param maxRows           rows of the divergence and malformed-line samples
     */
    public record Options(int topProcesses, int maxTimelinePoints, int maxLayoutVmas, int maxRows) {
        public static final Options DEFAULTS = new Options(4, 2000, 20_000, 200);
    }

    static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private ReportWriter() { }

    /**
     * The report of one run of a stored database, opened read-only.
     *
     * @param runId the run, or null for the newest
     * @return the run reported
     * @throws StorageException when the database is missing, locked or has no such run
     */
    public static long write(Path db, Long runId, Path out) {
        return write(db, runId, out, Options.DEFAULTS);
    }

    public static long write(Path db, Long runId, Path out, Options o) {
        Path abs = openable(db);
        try (Connection c = RunStore.connect(abs, true)) {
            long id = resolve(c, abs, runId);
            render(out, List.of(model(c, abs, id, o)), o);
            return id;
        } catch (SQLException e) {
            throw RunStore.translate(abs, "cannot read the database", e);
        }
    }

    /** The report of a run just stored, through the store's own connection (no second open). */
    public static void write(RunStore store, long runId, Path out) {
        Connection c = store.connection();
        resolve(c, store.path(), runId);
        render(out, List.of(model(c, store.path(), runId, Options.DEFAULTS)), Options.DEFAULTS);
    }

    /** Two runs side by side, with deltas per case and per refusal reason highlighted. */
    public static void writeDiff(Path db, long runA, long runB, Path out) {
        writeDiff(db, runA, runB, out, Options.DEFAULTS);
    }

    public static void writeDiff(Path db, long runA, long runB, Path out, Options o) {
        Path abs = openable(db);
        try (Connection c = RunStore.connect(abs, true)) {
            resolve(c, abs, runA);
            resolve(c, abs, runB);
            render(out, List.of(model(c, abs, runA, o), model(c, abs, runB, o)), o);
        } catch (SQLException e) {
            throw RunStore.translate(abs, "cannot read the database", e);
        }
    }

    private static Path openable(Path db) {
        Path abs = db.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            throw new StorageException(abs, "no such database file (run 'vmareplay replay' first, or pass --db FILE)");
        }
        return abs;
    }

    private static long resolve(Connection c, Path db, Long runId) {
        if (runId == null) {
            OptionalLong latest = RunStore.latestRunId(c, db);
            if (latest.isEmpty()) throw new StorageException(db, "the database holds no runs yet");
            return latest.getAsLong();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM runs WHERE run_id = ?")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    List<Long> ids = new ArrayList<>();
                    try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT run_id FROM runs ORDER BY 1")) {
                        while (r.next()) ids.add(r.getLong(1));
                    }
                    throw new StorageException(db, "no run " + runId + " (runs stored: " + (ids.isEmpty() ? "none" : ids) + ")");
                }
            }
        } catch (SQLException e) {
            throw RunStore.translate(db, "cannot read the runs table", e);
        }
        return runId;
    }

    /** A result as a JSON array of objects; {@code ?} bound to the run id (every one of them). */
    private static String rows(Connection c, String sql, long runId) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int n = ps.getParameterMetaData().getParameterCount();
            for (int i = 1; i <= n; i++) ps.setLong(i, runId);
            try (ResultSet rs = ps.executeQuery()) {
                StringBuilder sb = new StringBuilder();
                Query.json(rs, sb);
                return sb.toString().strip();
            }
        }
    }

    private static String hex(String col) {
        return "'0x' || lower(to_hex(" + col + "))";
    }

    /** One run's report data as a JSON object. */
    static String model(Connection c, Path db, long runId, Options o) {
        try {
            StringBuilder m = new StringBuilder("{");
            m.append("\"run\": ").append(rows(c, """
                    SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at,
                           strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at, tool_version, kernel, inputs, options,
                           events, divergences, vma_events, processes, input_format, bytes_read, lost_events, fd_table_complete
                    FROM runs WHERE run_id = ?""", runId));
            m.append(",\n\"kinds\": [");
            CaseKind[] kinds = CaseKind.values();
            for (int i = 0; i < kinds.length; i++) m.append(i > 0 ? "," : "").append(Json.string(kinds[i].storageName()));
            m.append("]");
            m.append(",\n\"cases\": ").append(rows(c, "SELECT kind, case_group, n FROM case_counts WHERE run_id = ? ORDER BY n DESC", runId));
            m.append(",\n\"legacy\": ").append(rows(c, """
                    SELECT legacy_case, count(*) AS n FROM merge_events WHERE run_id = ? AND legacy_case > 0
                    GROUP BY 1 ORDER BY 1""", runId));
            m.append(",\n\"refusals\": ").append(rows(c,
                    "SELECT syscall, reason, n, assumed FROM refusal_reasons WHERE run_id = ? ORDER BY n DESC", runId));
            m.append(",\n\"coverage\": ").append(rows(c, "SELECT class, n FROM parse_coverage WHERE run_id = ?", runId));
            m.append(",\n\"examples\": ").append(rows(c,
                    "SELECT file, line, text, problem FROM parse_examples WHERE run_id = ? ORDER BY file, line LIMIT " + o.maxRows(), runId));
            m.append(",\n\"syscalls\": ").append(rows(c, """
                    SELECT syscall, count(*) AS n, count(*) FILTER (WHERE errno <> 0) AS failed
                    FROM events WHERE run_id = ? GROUP BY 1 ORDER BY 2 DESC""", runId));
            m.append(",\n\"peaks\": ").append(rows(c, """
                    SELECT mm_id, pid, exe, peak_vma_count, peak_seq, peak_ts_ns, peak_mapped_bytes, changes
                    FROM vma_peaks WHERE run_id = ? ORDER BY peak_vma_count DESC, mm_id LIMIT\s""" + o.topProcesses(), runId));
            m.append(",\n\"mms\": ").append(rows(c, """
                    SELECT (SELECT count(DISTINCT mm_id) FROM processes WHERE run_id = ?) AS address_spaces,
                           max(peak_vma_count) AS max_peak FROM vma_peaks WHERE run_id = ?""", runId));
            m.append(",\n\"t0\": ").append(rows(c, "SELECT min(ts_ns) AS t0, count(*) FILTER (WHERE ts_ns IS NULL) AS untimed FROM vma_timeline WHERE run_id = ?", runId));
            // timelines of the busiest address spaces, downsampled by seq bucket (max per bucket keeps peaks)
            m.append(",\n\"timelines\": {");
            List<Long> mms = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT mm_id FROM vma_peaks WHERE run_id = ? ORDER BY peak_vma_count DESC, mm_id LIMIT " + o.topProcesses())) {
                ps.setLong(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) mms.add(rs.getLong(1));
                }
            }
            boolean first = true;
            for (long mm : mms) {
                String sql = """
                        WITH t AS (SELECT * FROM vma_timeline WHERE run_id = ? AND mm_id = %d),
                             r AS (SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM t),
                             b AS (SELECT min(seq) AS seq, min(ts_ns) AS ts_ns, max(vma_count) AS vma_count,
                                          max(mapped_bytes)::DOUBLE AS mapped_bytes
                                   FROM t, r
                                   GROUP BY CASE WHEN r.n <= %d THEN t.seq ELSE (t.seq - r.lo) * %d // (r.hi - r.lo + 1) END)
                        SELECT list(seq ORDER BY seq) AS seq, list(ts_ns ORDER BY seq) AS ts_ns,
                               list(vma_count ORDER BY seq) AS vma_count, list(mapped_bytes ORDER BY seq) AS mapped_bytes
                        FROM b""".formatted(mm, o.maxTimelinePoints(), o.maxTimelinePoints());
                m.append(first ? "" : ",").append("\n\"").append(mm).append("\": ").append(rows(c, sql, runId));
                first = false;
            }
            m.append("}");
            m.append(",\n\"layouts\": {");
            first = true;
            for (long mm : mms) {
                String sql = """
                        SELECT %s AS s, %s AS e, perms AS p, pgoff AS o, file AS f
                        FROM final_vmas WHERE run_id = ? AND mm_id = %d ORDER BY start LIMIT %d""".formatted(
                        hex("start"), hex("\"end\""), mm, o.maxLayoutVmas());
                m.append(first ? "" : ",").append("\n\"").append(mm).append("\": ").append(rows(c, sql, runId));
                first = false;
            }
            m.append("}");
            m.append(",\n\"peakLayouts\": {");
            first = true;
            for (long mm : mms) {
                String sql = """
                        SELECT %s AS s, %s AS e, perms AS p, pgoff AS o, file AS f, seq AS q
                        FROM peak_vmas WHERE run_id = ? AND mm_id = %d ORDER BY start LIMIT %d""".formatted(
                        hex("start"), hex("\"end\""), mm, o.maxLayoutVmas());
                m.append(first ? "" : ",").append("\n\"").append(mm).append("\": ").append(rows(c, sql, runId));
                first = false;
            }
            m.append("}");
            m.append(",\n\"layoutCounts\": ").append(rows(c,
                    "SELECT mm_id, count(*) AS n FROM final_vmas WHERE run_id = ? GROUP BY 1", runId));
            m.append(",\n\"latency\": ").append(rows(c, """
                    SELECT scope, name, count, p50_ns, p90_ns, p99_ns, p999_ns, max_ns FROM latency
                    WHERE run_id = ? ORDER BY scope, count DESC, name""", runId));
            m.append(",\n\"divergenceCauses\": ").append(rows(c,
                    "SELECT cause, n, first_seq FROM divergence_causes WHERE run_id = ? ORDER BY n DESC", runId));
            m.append(",\n\"divergences\": ").append(rows(c, """
                    SELECT d.seq, d.pid, d.cause, d.detail, e.source, e.line FROM divergences d
                    LEFT JOIN events e ON e.run_id = d.run_id AND e.seq = d.seq
                    WHERE d.run_id = ? ORDER BY d.seq LIMIT\s""" + o.maxRows(), runId));
            m.append(",\n\"splitSites\": ").append(rows(c,
                    "SELECT site, sum(splits) AS n FROM split_sites WHERE run_id = ? GROUP BY site ORDER BY n DESC LIMIT 20", runId));
            m.append(",\n\"readers\": ").append(hasView(c, "reader_hazards") ? rows(c, READER_HAZARDS, runId) : "[]");
            m.append("}");
            return m.toString();
        } catch (SQLException e) {
            throw RunStore.translate(db, "cannot read run " + runId, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One sentence per process and observable: "java: 12 400 operations could make a concurrent
     * `cat /proc/PID/maps` retry" (the reader_hazards view: a model of the reader, see README).
     */
    private static final String READER_HAZARDS = """
            WITH p AS (SELECT run_id, mm_id, coalesce(regexp_replace(any_value(exe), '.*/', ''), 'mm ' || mm_id) AS process
                       FROM processes GROUP BY run_id, mm_id),
                 h AS (SELECT h.run_id, coalesce(p.process, 'mm ' || h.mm_id) AS process, h.observable,
                              sum(h.operations) AS operations, any_value(h.sentence) AS sentence
                       FROM reader_hazards h LEFT JOIN p ON p.run_id = h.run_id AND p.mm_id = h.mm_id
                       WHERE h.run_id = ? GROUP BY ALL)
            SELECT process, observable, operations,
                   process || ': ' || replace(format('{:,}', operations), ',', ' ') || ' operations ' || sentence AS text
            FROM h ORDER BY process, operations DESC, observable""";

    private static boolean hasView(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }

    static String resource(String name) {
        String path = name.startsWith("META-INF/") ? name : "dev/vmareplay/reports/" + name;
        try (InputStream in = ReportWriter.class.getClassLoader().getResourceAsStream(path)) {
            Objects.requireNonNull(in, "missing resource " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void render(Path out, List<String> runs, Options o) {
        String template = resource("report.html");
        String data = "{\"maxMapCount\": " + Schema.MAX_MAP_COUNT + ", \"runs\": [" + String.join(",\n", runs) + "]}";
        String html = template
                .replace("/*UPLOT_CSS*/", resource(UPLOT + "uPlot.min.css"))
                .replace("/*REPORT_CSS*/", resource("report.css"))
                .replace("/*UPLOT_JS*/", resource(UPLOT + "uPlot.iife.min.js").replace("</script", "<\\/script"))
                .replace("/*REPORT_JS*/", resource("report.js"))
                .replace("/*REPORT_DATA*/", data);
        writeFile(out, html);
    }

    /** Writes a finished report, creating its directory. */
    static void writeFile(Path out, String html) {
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                w.write(html);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + out + ": " + e.getMessage(), e);
        }
    }
}
