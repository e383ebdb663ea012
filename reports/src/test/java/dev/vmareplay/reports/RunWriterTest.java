package dev.vmareplay.reports;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.vmareplay.reports.RunStoreTest.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The storage thread seen from the engine thread: rows handed over are stored by the time
 * {@code finish} returns, and an SQL error on the storage thread comes back to the engine
 * thread as a {@link StorageException}, with the run rolled back.
 */
class RunWriterTest {

    @TempDir
    Path dir;

    static RunMeta meta() {
        return new RunMeta("test", "6.18", List.of("trace.strace"));
    }

    @Test
    void everythingHandedOverIsStoredWhenFinishReturns() throws Exception {
        Path db = dir.resolve("r.duckdb");
        Synthetic s;
        try (RunStore store = RunStore.open(db)) {
            s = Synthetic.storeRun(store, 1, 20_000);
            assertThat(store.runIds()).containsExactly(1L);
        }
        assertThat(scalar(db, "SELECT count(*) FROM events WHERE run_id = 1")).isEqualTo(20_000);
        assertThat(scalar(db, "SELECT count(*) FROM merge_events WHERE run_id = 1")).isEqualTo(s.vmaEvents);
        assertThat(scalar(db, "SELECT count(*) FROM vma_timeline WHERE run_id = 1")).isEqualTo(s.timelineRows);
        assertThat(scalar(db, "SELECT count(*) FROM divergences WHERE run_id = 1")).isEqualTo(s.divergences);
    }

    /**
     * {@code latency.scope} is NOT NULL: a null scope fails when the appender hands its chunk
     * to DuckDB (every 2 048 rows), on the storage thread; a later call on the engine thread
     * throws it, and nothing of the run is left.
     */
    @Test
    void anSqlErrorOnTheStorageThreadIsThrownFromALaterCallAndTheRunLeavesNothing() throws Exception {
        Path db = dir.resolve("e.duckdb");
        try (RunStore store = RunStore.open(db)) {
            Synthetic.storeRun(store, 1, 1_000);
            RunWriter w = store.beginRun(meta());
            new Synthetic(7, 5_000).feed(w, null);
            Histogram h = new Histogram(3);
            h.recordValue(1_000);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1_000_000; i++) w.onLatency(null, "n" + i, h);
            }).isInstanceOf(StorageException.class)
                    .hasMessageContaining("cannot store latency of null")
                    .hasMessageContaining("of run 2")
                    .hasMessageContaining("NOT NULL");
            assertThat(w.isOpen()).isFalse();
            w.close();   // nothing left to roll back: safe
            assertThat(store.runIds()).containsExactly(1L);
            // the file takes the next run, under the id the failed one did not keep
            Synthetic.storeRun(store, 2, 500);
            assertThat(store.runIds()).containsExactly(1L, 2L);
        }
        assertThat(scalar(db, "SELECT count(*) FROM events WHERE run_id = 2")).isEqualTo(500);
        assertThat(scalar(db, "SELECT count(*) FROM latency WHERE scope IS NULL")).isZero();
    }

    @Test
    void anErrorInTheLastChunkIsThrownByFinish() throws Exception {
        Path db = dir.resolve("f.duckdb");
        try (RunStore store = RunStore.open(db)) {
            RunWriter w = store.beginRun(meta());
            Synthetic s = new Synthetic(8, 3_000);
            s.feed(w, null);
            s.end(w);
            w.onLatency(null, "x", new Histogram(3));   // fails only when the appender is flushed
            assertThatThrownBy(() -> w.finish(s.summary(), s.ingest())).isInstanceOf(StorageException.class)
                    .hasMessageContaining("of run 1").hasMessageContaining("NOT NULL");
            assertThat(w.isOpen()).isFalse();
            assertThat(store.runIds()).isEmpty();
        }
        for (String t : Schema.TABLES) assertThat(scalar(db, "SELECT count(*) FROM " + t)).as(t).isZero();
    }

    @Test
    void closingWithoutFinishDiscardsWhatTheStorageThreadHeld() throws Exception {
        Path db = dir.resolve("c.duckdb");
        try (RunStore store = RunStore.open(db)) {
            try (RunWriter w = store.beginRun(meta())) {
                new Synthetic(9, 30_000).feed(w, null);
            }
            assertThat(store.runIds()).isEmpty();
            Synthetic.storeRun(store, 1, 100);
        }
        assertThat(scalar(db, "SELECT count(*) FROM events")).isEqualTo(100);
        assertThat(scalar(db, "SELECT count(*) FROM merge_events WHERE seq >= 100")).isZero();
    }
}
