package dev.vmareplay.cli;

import dev.vmareplay.reports.Schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A deterministic text dump of every table of one stored run: one tab-separated line per row,
 * a header line of column names first, rows sorted ({@code ORDER BY ALL}). What differs
 * between two runs of the same trace is left out: wall-clock times ({@code runs.started_at},
 * {@code finished_at}), the tool version, the engine's own timings (latency rows of scope
 * {@code engine} keep only their count), and the checkout's absolute path (replaced by
 * {@code $ROOT}). Everything else must be the same from one storage implementation to the next.
 *
 * <p>{@code main(db, outDir, root)} writes one {@code TABLE.tsv} per table, for comparing runs
 * of big traces by hand ({@code diff -r}).
 */
final class StoredRows {
    private StoredRows() { }

    /** Columns that change from one run of the same trace to the next, per table. */
    private static final Map<String, String> EXCLUDE = Map.of(
            "runs", "EXCLUDE (started_at, finished_at, tool_version)");

    /** The engine timings (wall clock) of latency scope 'engine': only their count is stable. */
    private static final String LATENCY = "REPLACE ("
            + String.join(", ", List.of("min_ns", "mean_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "histogram").stream()
                    .map(c -> "CASE WHEN scope = 'engine' THEN NULL ELSE " + c + " END AS " + c).toList())
            + ")";

    /** Table name → header line, then its sorted rows. */
    static Map<String, List<String>> dump(Path db, long runId, Path root) throws SQLException {
        Properties p = new Properties();
        p.setProperty("duckdb.read_only", "true");
        String prefix = root.toAbsolutePath().normalize() + "/";
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db.toAbsolutePath(), p);
             Statement st = c.createStatement()) {
            for (String table : Schema.TABLES) {
                String sel = table.equals("latency") ? "* " + LATENCY : "* " + EXCLUDE.getOrDefault(table, "");
                List<String> lines = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT " + sel + " FROM " + table + " WHERE run_id = " + runId + " ORDER BY ALL")) {
                    ResultSetMetaData md = rs.getMetaData();
                    List<String> header = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) header.add(md.getColumnName(i));
                    lines.add(String.join("\t", header));
                    while (rs.next()) {
                        List<String> row = new ArrayList<>();
                        for (int i = 1; i <= md.getColumnCount(); i++) row.add(text(rs, i, md.getColumnType(i), prefix));
                        lines.add(String.join("\t", row));
                    }
                }
                out.put(table, lines);
            }
        }
        return out;
    }

    private static String text(ResultSet rs, int i, int type, String prefix) throws SQLException {
        Object o = rs.getObject(i);
        if (o == null) return "\\N";
        String s;
        if (o instanceof byte[] b) s = HexFormat.of().formatHex(b);
        else if (o instanceof Blob b) s = HexFormat.of().formatHex(b.getBytes(1, (int) b.length()));
        else if (o instanceof Array a) s = java.util.Arrays.toString((Object[]) a.getArray());
        else if (type == Types.DOUBLE || type == Types.FLOAT) s = Double.toString(rs.getDouble(i));
        else s = o.toString();
        return s.replace(prefix, "$ROOT/").replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
    }

    /** Writes the dump of run {@code runId} of {@code db} as {@code dir/TABLE.tsv}. */
    static void write(Map<String, List<String>> dump, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, List<String>> e : dump.entrySet()) {
            Files.write(dir.resolve(e.getKey() + ".tsv"), e.getValue(), StandardCharsets.UTF_8);
        }
    }

    /** {@code StoredRows DB OUT_DIR [ROOT]}: dumps the newest run of DB. */
    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        long runId;
        Properties p = new Properties();
        p.setProperty("duckdb.read_only", "true");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db.toAbsolutePath(), p);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT max(run_id) FROM runs")) {
            rs.next();
            runId = rs.getLong(1);
        }
        write(dump(db, runId, Path.of(args.length > 2 ? args[2] : ".")), Path.of(args[1]));
    }
}
