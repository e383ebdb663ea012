package dev.vmareplay.reports;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one SQL statement against a stored database, read-only, and prints its result.
 * The database is never created: a missing file is a {@link StorageException}.
 */
public final class Query {
    private Query() { }

    /** Output formats of {@code vmareplay query --format}. */
    public enum Format {
        /** an aligned text table with a header rule, numbers right-aligned (at most {@link #TABLE_ROW_LIMIT} rows) */
        TABLE,
        /** RFC 4180 CSV with a header row */
        CSV,
        /** a JSON array of objects, one per row, keys in column order */
        JSON;

        /** Parses {@code table}, {@code csv} or {@code json} (any case). */
        public static Format parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown format '" + s + "': expected table, csv or json");
            }
        }
    }

    /** Rows the table format prints before it stops (and says how many it left out). */
    public static final int TABLE_ROW_LIMIT = 10_000;

    /**
     * Runs {@code sql} on {@code db} and writes the result to {@code out}.
     *
     * @return the number of result rows (0 for a statement without a result set)
     * @throws StorageException when the database file is missing, locked by a writer or unreadable
     * @throws QueryException   when the SQL is invalid or fails (DuckDB's message)
     */
    public static long run(Path db, String sql, Format format, Appendable out) {
        Path abs = db.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            throw new StorageException(abs, "no such database file (run 'vmareplay replay' first, or pass --db FILE)");
        }
        if (!Files.isRegularFile(abs)) {
            throw new StorageException(abs, "not a database file");
        }
        try (Connection c = RunStore.connect(abs, true)) {
            return run(c, sql, format, out);
        } catch (SQLException e) {
            throw RunStore.translate(abs, "cannot close the database", e);
        }
    }

    /**
     * Runs {@code sql} over a directory of Parquet runs ({@link ParquetRuns}: every table and
     * view under its usual name) and writes the result to {@code out}.
     *
     * @throws StorageException when DIR is missing or holds no vmareplay tables
     * @throws QueryException   when the SQL is invalid or fails
     */
    public static long runParquet(Path dir, String sql, Format format, Appendable out) {
        try (Connection c = ParquetRuns.open(dir)) {
            return run(c, sql, format, out);
        } catch (SQLException e) {
            throw RunStore.translate(dir.toAbsolutePath(), "cannot close the in-memory database", e);
        }
    }

    /** As {@link #run(Path, String, Format, Appendable)}, on an open connection. */
    static long run(Connection c, String sql, Format format, Appendable out) {
        try (Statement st = c.createStatement()) {
            boolean hasResult;
            try {
                hasResult = st.execute(sql);
            } catch (SQLException e) {
                throw new QueryException(e.getMessage(), e);
            }
            if (!hasResult) {
                long n = Math.max(0, st.getUpdateCount());
                if (format == Format.TABLE) out.append("OK\n");
                return n;
            }
            try (ResultSet rs = st.getResultSet()) {
                return switch (format) {
                    case TABLE -> table(rs, out);
                    case CSV -> csv(rs, out);
                    case JSON -> json(rs, out);
                };
            } catch (SQLException e) {
                throw new QueryException(e.getMessage(), e);
            }
        } catch (SQLException e) {
            throw new QueryException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> columns(ResultSetMetaData md) throws SQLException {
        List<String> cols = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) cols.add(md.getColumnLabel(i));
        return cols;
    }

    /** A value as text (null stays null); blobs as base64, lists as [a, b]. */
    static String text(Object v) throws SQLException {
        if (v == null) return null;
        if (v instanceof byte[] b) return Base64.getEncoder().encodeToString(b);
        if (v instanceof Blob b) return Base64.getEncoder().encodeToString(b.getBytes(1, (int) b.length()));
        if (v instanceof Array a) {
            Object[] items = (Object[]) a.getArray();
            List<String> s = new ArrayList<>();
            for (Object o : items) s.add(String.valueOf(text(o)));
            return "[" + String.join(", ", s) + "]";
        }
        if (v instanceof Double d) return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        return v.toString();
    }

    private static boolean numeric(int sqlType, String typeName) {
        return switch (sqlType) {
            case java.sql.Types.TINYINT, java.sql.Types.SMALLINT, java.sql.Types.INTEGER, java.sql.Types.BIGINT,
                    java.sql.Types.FLOAT, java.sql.Types.REAL, java.sql.Types.DOUBLE, java.sql.Types.DECIMAL,
                    java.sql.Types.NUMERIC -> true;
            default -> typeName != null && typeName.matches("U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|DECIMAL.*|DOUBLE|FLOAT");
        };
    }

    static long table(ResultSet rs, Appendable out) throws SQLException, IOException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> cols = columns(md);
        int n = cols.size();
        boolean[] right = new boolean[n];
        int[] width = new int[n];
        for (int i = 0; i < n; i++) {
            right[i] = numeric(md.getColumnType(i + 1), md.getColumnTypeName(i + 1));
            width[i] = cols.get(i).length();
        }
        List<String[]> rows = new ArrayList<>();
        long total = 0;
        while (rs.next()) {
            total++;
            if (rows.size() >= TABLE_ROW_LIMIT) continue;
            String[] r = new String[n];
            for (int i = 0; i < n; i++) {
                String t = text(rs.getObject(i + 1));
                r[i] = t == null ? "NULL" : t.replace("\n", "\\n").replace("\t", " ");
                width[i] = Math.max(width[i], r[i].length());
            }
            rows.add(r);
        }
        StringBuilder rule = new StringBuilder("+");
        for (int w : width) rule.append("-".repeat(w + 2)).append('+');
        rule.append('\n');
        out.append(rule);
        line(out, cols.toArray(new String[0]), width, right);
        out.append(rule);
        for (String[] r : rows) line(out, r, width, right);
        out.append(rule);
        out.append(total + (total == 1 ? " row" : " rows"));
        if (total > rows.size()) out.append(" (" + rows.size() + " shown; use --format csv for all)");
        out.append('\n');
        return total;
    }

    private static void line(Appendable out, String[] cells, int[] width, boolean[] right) throws IOException {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            String pad = " ".repeat(width[i] - cells[i].length());
            sb.append(' ').append(right[i] ? pad + cells[i] : cells[i] + pad).append(" |");
        }
        out.append(sb).append('\n');
    }

    static long csv(ResultSet rs, Appendable out) throws SQLException, IOException {
        List<String> cols = columns(rs.getMetaData());
        long total = 0;
        CSVPrinter p = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setRecordSeparator('\n')
                .setHeader(cols.toArray(new String[0])).get());
        List<String> row = new ArrayList<>(cols.size());
        while (rs.next()) {
            row.clear();
            for (int i = 1; i <= cols.size(); i++) row.add(text(rs.getObject(i)));
            p.printRecord(row);
            total++;
        }
        p.flush();
        return total;
    }

    static long json(ResultSet rs, Appendable out) throws SQLException, IOException {
        List<String> cols = columns(rs.getMetaData());
        long total = 0;
        out.append('[');
        StringBuilder sb = new StringBuilder();
        while (rs.next()) {
            sb.setLength(0);
            sb.append(total == 0 ? "\n  {" : ",\n  {");
            for (int i = 1; i <= cols.size(); i++) {
                if (i > 1) sb.append(", ");
                Json.string(sb, cols.get(i - 1));
                sb.append(": ");
                jsonValue(sb, rs.getObject(i));
            }
            sb.append('}');
            out.append(sb);
            total++;
        }
        out.append(total == 0 ? "]\n" : "\n]\n");
        return total;
    }

    static void jsonValue(StringBuilder sb, Object v) throws SQLException {
        if (v == null) sb.append("null");
        else if (v instanceof Boolean b) sb.append(b);
        else if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long
                || v instanceof BigInteger) sb.append(v);
        else if (v instanceof BigDecimal d) sb.append(d.toPlainString());
        else if (v instanceof Double d && Double.isFinite(d)) sb.append(text(d));
        else if (v instanceof Float f && Float.isFinite(f)) sb.append(f);
        else if (v instanceof Array a) {
            sb.append('[');
            Object[] items = (Object[]) a.getArray();
            for (int i = 0; i < items.length; i++) {
                if (i > 0) sb.append(", ");
                jsonValue(sb, items[i]);
            }
            sb.append(']');
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                Json.string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                jsonValue(sb, e.getValue());
            }
            sb.append('}');
        } else Json.string(sb, text(v));
    }
}
