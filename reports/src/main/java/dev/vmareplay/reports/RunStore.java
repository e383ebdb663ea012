package dev.vmareplay.reports;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * One DuckDB file holding any number of runs. {@link #open} creates the file and its schema
 * when missing (idempotently) and takes DuckDB's single-writer lock, which it holds until
 * {@link #close}. {@link #beginRun} starts a run whose rows become visible only when the
 * listener's {@code finish} commits them: a failed, aborted or killed run leaves nothing.
 *
 * <p>Not thread-safe: one run at a time, fed from one thread.
 */
public final class RunStore implements AutoCloseable {

    /** The file {@code vmareplay replay} writes when no {@code --db} is given. */
    public static final String DEFAULT_FILE = "vmareplay.duckdb";

    private final Path path;
    private final Connection conn;
    private RunWriter active;

    private RunStore(Path path, Connection conn) {
        this.path = path;
        this.conn = conn;
    }

    /**
     * Opens (creating when missing) the database file for writing.
     *
     * @throws StorageException when the file cannot be created or opened, is locked by
     *                          another process, is not a DuckDB file, or has a newer schema
     */
    public static RunStore open(Path db) {
        Path abs = db.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new StorageException(abs, "cannot create the database: directory " + dir + " does not exist");
        }
        if (Files.isDirectory(abs)) {
            throw new StorageException(abs, "cannot open the database: it is a directory");
        }
        Connection c = connect(abs, false);
        RunStore store = new RunStore(abs, c);
        try {
            store.ensureSchema();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    static Connection connect(Path abs, boolean readOnly) {
        try {
            Class.forName("org.duckdb.DuckDBDriver");
            Properties p = new Properties();
            if (readOnly) p.setProperty("duckdb.read_only", "true");
            return DriverManager.getConnection("jdbc:duckdb:" + abs, p);
        } catch (ClassNotFoundException e) {
            throw new StorageException(abs, "the DuckDB JDBC driver is not on the class path", e);
        } catch (SQLException e) {
            throw translate(abs, "cannot open the database", e);
        }
    }

    /** Turns DuckDB's error into a message a user can act on. */
    static StorageException translate(Path db, String doing, SQLException e) {
        String m = String.valueOf(e.getMessage());
        String first = m.lines().findFirst().orElse(m).trim();
        String what;
        if (m.contains("Could not set lock") || m.contains("Conflicting lock")) {
            String holder = "";
            int i = m.indexOf("Conflicting lock is held in");
            if (i >= 0) holder = " (" + m.substring(i + "Conflicting lock is held in".length()).lines().findFirst().orElse("").trim() + ")";
            what = doing + ": the file is locked by another process" + holder
                    + "; only one vmareplay may write a database at a time: wait for it to finish or use another --db";
        } else if (m.contains("No space left on device")) {
            what = doing + ": the disk is full (" + first + ")";
        } else if (m.contains("Permission denied") || m.contains("Read-only file system")) {
            what = doing + ": permission denied (" + first + ")";
        } else if (m.contains("not a valid DuckDB database") || m.contains("is not a valid DuckDB")
                || m.contains("Unable to read") && m.contains("header")) {
            what = doing + ": the file is not a DuckDB database (" + first + ")";
        } else {
            what = doing + ": " + first;
        }
        return new StorageException(db, what, e);
    }

    private void ensureSchema() {
        try (Statement st = conn.createStatement()) {
            int existing = 0;
            try (ResultSet rs = st.executeQuery(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version' AND table_schema = 'main'")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    try (ResultSet v = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
                        v.next();
                        existing = v.getInt(1);
                    }
                }
            }
            if (existing > Schema.VERSION) {
                throw new StorageException(path, "the database has schema version " + existing
                        + ", newer than this vmareplay understands (" + Schema.VERSION + "): use a newer vmareplay or another --db");
            }
            st.execute("BEGIN TRANSACTION");
            try {
                for (String ddl : Schema.DDL) st.execute(ddl);
                if (existing < Schema.VERSION) {
                    st.execute("INSERT INTO schema_version VALUES (" + Schema.VERSION + ", now()::TIMESTAMP)");
                }
                st.execute("COMMIT");
            } catch (SQLException e) {
                try {
                    st.execute("ROLLBACK");
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback); // keep the first error (e.g. the disk is full), not "Statement was closed"
                }
                throw e;
            }
        } catch (SQLException e) {
            throw translate(path, "cannot create the schema", e);
        }
    }

    /** The store's connection, for readers in this process (a second open of the file would conflict). */
    Connection connection() {
        return conn;
    }

    /** The database file. */
    public Path path() {
        return path;
    }

    /**
     * Starts a run: returns the listener the replay driver feeds. Its rows are written in one
     * transaction, committed by {@link RunWriter#finish}; {@link RunWriter#close} without a
     * finish (or any storage error) rolls everything back.
     */
    public RunWriter beginRun(RunMeta meta) {
        if (active != null && active.isOpen()) {
            throw new IllegalStateException("run " + active.runId() + " is still being written");
        }
        active = new RunWriter(this, conn, meta);
        return active;
    }

    /**
     * Stores a run that could not be replayed (an unreadable trace, a malformed line under
     * --strict): its {@code runs} row with the error and no other rows. The fleet job keeps such
     * traces in its output this way, so that a fleet says which traces it lost and why.
     *
     * @return the run's id
     */
    public long storeFailedRun(RunMeta meta, String error) {
        if (active != null && active.isOpen()) {
            throw new IllegalStateException("run " + active.runId() + " is still being written");
        }
        try (Statement st = conn.createStatement()) {
            long id;
            try (ResultSet rs = st.executeQuery("SELECT coalesce(max(run_id), 0) + 1 FROM runs")) {
                rs.next();
                id = rs.getLong(1);
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO runs (run_id, started_at, finished_at, tool_version, kernel, inputs, options, error)"
                            + " VALUES (?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, id);
                ps.setTimestamp(2, java.sql.Timestamp.from(meta.startedAt()));
                ps.setString(3, meta.toolVersion());
                ps.setString(4, meta.kernel());
                ps.setArray(5, conn.createArrayOf("VARCHAR", meta.inputs().toArray()));
                ps.setString(6, meta.optionsJson());
                ps.setString(7, error);
                ps.executeUpdate();
            }
            return id;
        } catch (SQLException e) {
            throw translate(path, "cannot store the failed run", e);
        }
    }

    /** The newest completed run, if any. */
    public OptionalLong latestRunId() {
        return latestRunId(conn, path);
    }

    static OptionalLong latestRunId(Connection c, Path path) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT max(run_id) FROM runs")) {
            rs.next();
            long v = rs.getLong(1);
            return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
        } catch (SQLException e) {
            throw translate(path, "cannot read the runs table", e);
        }
    }

    /** The completed runs' ids, oldest first. */
    public List<Long> runIds() {
        List<Long> ids = new ArrayList<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT run_id FROM runs ORDER BY run_id")) {
            while (rs.next()) ids.add(rs.getLong(1));
        } catch (SQLException e) {
            throw translate(path, "cannot read the runs table", e);
        }
        return ids;
    }

    /**
     * A run's engine events per kind (the {@code case_counts} view), every
     * {@link dev.vmareplay.replay.outcome.CaseKind} present with 0 when it never happened, in the enum's order.
     */
    public Map<String, Long> caseCounts(long runId) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (var k : dev.vmareplay.replay.outcome.CaseKind.values()) out.put(k.storageName(), 0L);
        try (PreparedStatement ps = conn.prepareStatement("SELECT kind, n FROM case_counts WHERE run_id = ?")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw translate(path, "cannot read case_counts", e);
        }
        return out;
    }

    /** Rolls back a run still open, then releases the file (and its lock). */
    @Override
    public void close() {
        if (active != null && active.isOpen()) active.abort();
        try {
            conn.close();
        } catch (SQLException e) {
            throw translate(path, "cannot close the database", e);
        }
    }
}
