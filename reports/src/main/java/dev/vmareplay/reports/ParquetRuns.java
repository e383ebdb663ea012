package dev.vmareplay.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory of runs as Parquet ({@code DIR/TABLE/run_id=N/*.parquet}: what
 * {@code vmareplay export --parquet} and the fleet job write), opened as an in-memory DuckDB
 * database in which every table of {@link Schema} and every view answers under its usual name,
 * so the queries of a database file work unchanged. A table with no files is there, empty.
 * Tables are views over the files, with the schema's columns in the schema's order: files
 * written by an older vmareplay (fewer columns) read as NULL in the missing ones. The fleet's
 * {@code fleet_summary} table is there too when DIR has it.
 */
public final class ParquetRuns {

    /** The fleet job's summary table, beside the run tables. */
    public static final String FLEET_SUMMARY = "fleet_summary";

    private ParquetRuns() { }

    /**
     * Opens DIR.
     *
     * @throws StorageException when DIR does not exist or holds none of the schema's tables
     */
    public static Connection open(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) throw new StorageException(abs, "no such directory (the output of 'export --parquet' or of the fleet job)");
        List<String> present = new ArrayList<>();
        for (String t : Schema.TABLES) if (hasParquet(abs.resolve(t))) present.add(t);
        if (present.isEmpty()) {
            throw new StorageException(abs, "no vmareplay Parquet tables here (expected " + abs.resolve("runs") + "/run_id=N/*.parquet)");
        }
        Connection c;
        try {
            Class.forName("org.duckdb.DuckDBDriver");
            c = DriverManager.getConnection("jdbc:duckdb:");
        } catch (ClassNotFoundException e) {
            throw new StorageException(abs, "the DuckDB JDBC driver is not on the class path", e);
        } catch (SQLException e) {
            throw RunStore.translate(abs, "cannot open an in-memory database", e);
        }
        try (Statement st = c.createStatement()) {
            for (String ddl : Schema.DDL) st.execute(ddl);
            for (String t : present) {
                String columns = columns(st, t, files(abs.resolve(t)));
                st.execute("DROP TABLE " + t);
                st.execute("CREATE VIEW " + t + " AS SELECT " + columns + " FROM " + files(abs.resolve(t)));
            }
            if (hasParquet(abs.resolve(FLEET_SUMMARY))) {
                st.execute("CREATE VIEW " + FLEET_SUMMARY + " AS SELECT * FROM read_parquet(" + literal(abs.resolve(FLEET_SUMMARY) + "/*.parquet") + ")");
            }
            // the views were bound to the empty tables: bind them again to the files
            for (String ddl : Schema.DDL) if (ddl.startsWith("CREATE OR REPLACE")) st.execute(ddl);
            return c;
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // reporting the first error
            }
            throw RunStore.translate(abs, "cannot read the Parquet files", e);
        }
    }

    /** {@code read_parquet(...)} of a table's files; the run id comes from the directory names. */
    private static String files(Path table) {
        return "read_parquet(" + literal(table + "/**/*.parquet") + ", hive_partitioning = true, union_by_name = true)";
    }

    /** The schema's columns of {@code table} in its order, NULL where the files lack one, then any extra file columns. */
    private static String columns(Statement st, String table, String source) throws SQLException {
        Map<String, String> declared = new LinkedHashMap<>();
        try (ResultSet rs = st.executeQuery("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '"
                + table + "' AND table_schema = 'main' ORDER BY ordinal_position")) {
            while (rs.next()) declared.put(rs.getString(1), rs.getString(2));
        }
        List<String> inFiles = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM " + source)) {
            while (rs.next()) inFiles.add(rs.getString(1));
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> col : declared.entrySet()) {
            String q = '"' + col.getKey() + '"';
            out.add((inFiles.contains(col.getKey()) ? "CAST(" + q + " AS " + col.getValue() + ")" : "CAST(NULL AS " + col.getValue() + ")")
                    + " AS " + q);
        }
        for (String f : inFiles) if (!declared.containsKey(f)) out.add('"' + f + '"');
        return String.join(", ", out);
    }

    private static boolean hasParquet(Path dir) {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".parquet") && !p.getFileName().toString().startsWith("."));
        } catch (IOException e) {
            return false;
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
