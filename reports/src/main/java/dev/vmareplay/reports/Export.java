package dev.vmareplay.reports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Exports a stored database for other tools. */
public final class Export {
    private Export() { }

    /**
     * Writes every table as Parquet, partitioned by run (Hive style):
     * {@code DIR/TABLE/run_id=N/data_0.parquet}. Existing files of the same table and run are
     * overwritten. Tables without rows are skipped. The database is opened read-only.
     *
     * @return the tables written
     * @throws StorageException when the database is missing, locked by a writer, or DIR cannot be written
     */
    public static List<String> parquet(Path db, Path dir) {
        return copy(db, dir, "*", "");
    }

    /**
     * Writes one run as {@link #parquet} does, under another run id: {@code DIR/TABLE/run_id=AS/}.
     * The fleet job replays each trace into a private database (where it is run 1) and files it
     * under its fleet-wide id this way, so that its files are exactly what {@code export --parquet}
     * writes.
     *
     * @return the tables written (those with rows for the run)
     */
    public static List<String> parquetRun(Path db, long runId, long asRunId, Path dir) {
        return copy(db, dir, "* REPLACE (" + asRunId + "::BIGINT AS run_id)", " WHERE run_id = " + runId);
    }

    private static List<String> copy(Path db, Path dir, String columns, String where) {
        Path abs = db.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) throw new StorageException(abs, "no such database file");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException(abs, "cannot create the export directory " + dir + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage()), e);
        }
        List<String> written = new ArrayList<>();
        try (Connection c = RunStore.connect(abs, true); Statement st = c.createStatement()) {
            for (String table : Schema.TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table + where)) {
                    rs.next();
                    if (rs.getLong(1) == 0) continue;
                }
                Path target = dir.resolve(table).toAbsolutePath();
                st.execute("COPY (SELECT " + columns + " FROM " + table + where + ") TO '" + target.toString().replace("'", "''")
                        + "' (FORMAT PARQUET, PARTITION_BY (run_id), OVERWRITE_OR_IGNORE)");
                written.add(table);
            }
        } catch (SQLException e) {
            throw RunStore.translate(abs, "cannot export to " + dir, e);
        }
        return written;
    }
}
