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
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    if (rs.getLong(1) == 0) continue;
                }
                Path target = dir.resolve(table).toAbsolutePath();
                st.execute("COPY (SELECT * FROM " + table + ") TO '" + target.toString().replace("'", "''")
                        + "' (FORMAT PARQUET, PARTITION_BY (run_id), OVERWRITE_OR_IGNORE)");
                written.add(table);
            }
        } catch (SQLException e) {
            throw RunStore.translate(abs, "cannot export to " + dir, e);
        }
        return written;
    }
}
