package dev.vmareplay.reports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.vmareplay.reports.RunStoreTest.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two processes: a writer killed with SIGKILL half-way, and a writer holding the lock. */
class CrashAndLockTest {

    @TempDir
    Path dir;

    private static String awaitLine(Process p, String prefix) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith(prefix)) return line;
        }
        throw new AssertionError("child exited (" + p.waitFor() + ") before printing " + prefix);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void a_run_killed_half_way_leaves_earlier_runs_intact_and_no_partial_rows() throws Exception {
        Path db = dir.resolve("crash.duckdb");
        Synthetic first, second;
        try (RunStore store = RunStore.open(db)) {
            first = Synthetic.storeRun(store, 1, 3_000);
            second = Synthetic.storeRun(store, 2, 2_000);
        }
        // ~300k events: merge_events, events and the timeline each pass several of DuckDB's
        // 122,880-row groups before the kill, so data has reached the file.
        Process child = StoreChild.start("crash", db.toString(), "600000");
        String halfway = awaitLine(child, "HALFWAY");
        assertThat(halfway).isEqualTo("HALFWAY 3");
        Thread.sleep(300);                  // let it keep appending for a moment
        child.destroyForcibly();            // SIGKILL on Linux: no shutdown hook, no rollback
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(137);

        assertThat(scalar(db, "SELECT count(*) FROM runs")).isEqualTo(2);
        for (String t : Schema.TABLES) {
            assertThat(scalar(db, "SELECT count(*) FROM " + t + " WHERE run_id > 2")).as(t).isZero();
        }
        assertThat(scalar(db, "SELECT count(*) FROM events WHERE run_id = 1")).isEqualTo(3_000);
        assertThat(scalar(db, "SELECT count(*) FROM merge_events WHERE run_id = 1")).isEqualTo(first.vmaEvents);
        assertThat(scalar(db, "SELECT count(*) FROM merge_events WHERE run_id = 2")).isEqualTo(second.vmaEvents);
        assertThat(scalar(db, "SELECT count(*) FROM vma_timeline WHERE run_id = 2")).isEqualTo(second.timelineRows);
        // the file is still good for the next run, which takes the next id
        try (RunStore store = RunStore.open(db)) {
            Synthetic.storeRun(store, 3, 500);
            assertThat(store.runIds()).containsExactly(1L, 2L, 3L);
        }
        assertThat(scalar(db, "SELECT count(*) FROM events WHERE run_id = 3")).isEqualTo(500);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void a_database_held_by_another_writer_is_a_clear_storage_error() throws Exception {
        Path db = dir.resolve("locked.duckdb");
        try (RunStore store = RunStore.open(db)) {
            Synthetic.storeRun(store, 1, 100);
        }
        Process child = StoreChild.start("hold", db.toString());
        try {
            awaitLine(child, "READY");
            assertThatThrownBy(() -> RunStore.open(db))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("locked.duckdb")
                    .hasMessageContaining("locked by another process")
                    .hasMessageContaining("PID " + child.pid());
            assertThatThrownBy(() -> Query.run(db, "SELECT 1", Query.Format.TABLE, new StringBuilder()))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("locked by another process");
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(30, TimeUnit.SECONDS)) child.destroyForcibly();
        }
        // released: writable again
        try (RunStore store = RunStore.open(db)) {
            assertThat(store.runIds()).containsExactly(1L);
        }
    }
}
