package dev.vmareplay.reports;

import dev.vmareplay.replay.outcome.CaseKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunStoreTest {

    @TempDir
    Path dir;

    static long scalar(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Object value(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }

    @Test
    void creates_the_contract_schema_and_reopening_is_idempotent() throws Exception {
        Path db = dir.resolve("v.duckdb");
        RunStore.open(db).close();
        RunStore.open(db).close();
        assertThat(scalar(db, "SELECT count(*) FROM schema_version")).isEqualTo(1);
        assertThat(scalar(db, "SELECT max(version) FROM schema_version")).isEqualTo(Schema.VERSION);
        Map<String, List<String>> contract = Map.of(
                "runs", List.of("run_id", "started_at", "tool_version", "kernel", "inputs", "options", "events", "divergences"),
                "processes", List.of("run_id", "pid", "mm_id", "parent_pid", "exe"),
                "events", List.of("run_id", "seq", "pid", "syscall", "ret", "errno", "duration_ns", "source", "line", "ts_ns", "tid", "args"),
                "merge_events", List.of("run_id", "seq", "pid", "mm_id", "syscall", "kind", "reason", "start", "end", "legacy_case", "assumed"),
                "case_counts", List.of("run_id", "kind", "n"),
                "vma_timeline", List.of("run_id", "mm_id", "seq", "vma_count", "mapped_bytes", "ts_ns"),
                "final_vmas", List.of("run_id", "mm_id", "start", "end", "flags", "pgoff", "file"),
                "divergences", List.of("run_id", "seq", "pid", "cause", "detail"),
                "latency", List.of("run_id", "scope", "name", "count", "p50_ns", "p90_ns", "p99_ns", "max_ns", "histogram"),
                "parse_coverage", List.of("run_id", "class", "n"));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
            for (var e : contract.entrySet()) {
                for (String col : e.getValue()) {
                    try (var ps = c.prepareStatement("SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?")) {
                        ps.setString(1, e.getKey());
                        ps.setString(2, col);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            assertThat(rs.getLong(1)).as(e.getKey() + "." + col).isEqualTo(1);
                        }
                    }
                }
            }
        }
        assertThat(value(db, "SELECT data_type FROM information_schema.columns WHERE table_name='merge_events' AND column_name='start'"))
                .isEqualTo("UBIGINT");
    }

    @Test
    void stores_a_run_and_the_views_answer_from_it() throws Exception {
        Path db = dir.resolve("v.duckdb");
        Synthetic s;
        try (RunStore store = RunStore.open(db)) {
            s = Synthetic.storeRun(store, 1, 2_000);
            Map<String, Long> cc = store.caseCounts(1);
            assertThat(cc.get("split")).isEqualTo(s.kindCounts.get(CaseKind.SPLIT));
            assertThat(cc.get("new_both")).isZero();
            assertThat(cc).containsKeys("new_none", "existing_left_full", "refused");
        }
        assertThat(scalar(db, "SELECT events FROM runs WHERE run_id = 1")).isEqualTo(2_000);
        assertThat(scalar(db, "SELECT count(*) FROM events WHERE run_id = 1")).isEqualTo(2_000);
        assertThat(scalar(db, "SELECT count(*) FROM merge_events")).isEqualTo(s.vmaEvents);
        assertThat(scalar(db, "SELECT n FROM case_counts WHERE kind = 'new_none'")).isEqualTo(s.kindCounts.get(CaseKind.NEW_NONE));
        assertThat(scalar(db, "SELECT sum(n) FROM refusal_reasons")).isEqualTo(s.kindCounts.get(CaseKind.REFUSED));
        assertThat(scalar(db, "SELECT count(*) FROM processes")).isEqualTo(3);
        assertThat(scalar(db, "SELECT peak_vma_count FROM vma_peaks WHERE mm_id = 1")).isEqualTo(s.peak[1]);
        assertThat(scalar(db, "SELECT pid FROM vma_peaks WHERE mm_id = 1")).isEqualTo(100);
        assertThat(scalar(db, "SELECT count(*) FROM divergences")).isEqualTo(s.divergences);
        assertThat(scalar(db, "SELECT n FROM parse_coverage WHERE class = 'malformed'")).isEqualTo(1);
        assertThat(scalar(db, "SELECT count(*) FROM parse_examples")).isEqualTo(1);
        assertThat(value(db, "SELECT inputs FROM runs").toString()).contains("trace.strace");
        // addresses above 2^63 survive as unsigned
        assertThat(value(db, "SELECT max(start) FROM final_vmas")).isEqualTo(new BigInteger(Long.toUnsignedString(Synthetic.TOP)));
        assertThat(value(db, "SELECT perms FROM final_vmas WHERE file = '[heap]'")).isEqualTo("rw-p");
        // the latency histogram round-trips and runs can be merged
        byte[] blob = (byte[]) bytes(db, "SELECT histogram FROM latency WHERE scope = 'syscall' AND name = 'mmap'");
        var h = LatencyCodec.decode(blob);
        assertThat(h.getTotalCount()).isEqualTo(500);
        assertThat(scalar(db, "SELECT p50_ns FROM latency WHERE scope='syscall' AND name='mmap'")).isEqualTo(h.getValueAtPercentile(50));
        // the lifecycle helpers
        assertThat(scalar(db, "SELECT count(*) FROM vma_history(1, " + Long.toUnsignedString(Synthetic.BASE + 0x3000) + ")")).isPositive();
        assertThat(scalar(db, "SELECT count(*) FROM final_vma_history WHERE run_id = 1")).isEqualTo(26);
    }

    static Object bytes(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBytes(1);
        }
    }

    @Test
    void several_runs_get_increasing_ids() throws Exception {
        Path db = dir.resolve("v.duckdb");
        try (RunStore store = RunStore.open(db)) {
            Synthetic.storeRun(store, 1, 100);
            Synthetic.storeRun(store, 2, 150);
        }
        try (RunStore store = RunStore.open(db)) {
            Synthetic.storeRun(store, 3, 120);
            assertThat(store.runIds()).containsExactly(1L, 2L, 3L);
            assertThat(store.latestRunId()).hasValue(3);
        }
        assertThat(scalar(db, "SELECT count(*) FROM events WHERE run_id = 2")).isEqualTo(150);
    }

    @Test
    void a_run_closed_without_finish_leaves_no_rows() throws Exception {
        Path db = dir.resolve("v.duckdb");
        try (RunStore store = RunStore.open(db)) {
            Synthetic.storeRun(store, 1, 100);
            Synthetic s = new Synthetic(2, 5_000);
            try (RunWriter w = store.beginRun(new RunMeta("t", "6.18", List.of("x")))) {
                assertThat(w.runId()).isEqualTo(2);
                s.feed(w, null);
                s.end(w);
                // no finish: an exception in the replay, say
            }
        }
        for (String t : Schema.TABLES) {
            assertThat(scalar(db, "SELECT count(*) FROM " + t + " WHERE run_id <> 1")).as(t).isZero();
        }
        try (RunStore store = RunStore.open(db)) {
            Synthetic.storeRun(store, 3, 100);
        }
        assertThat(scalar(db, "SELECT count(*) FROM runs")).isEqualTo(2);
        assertThat(scalar(db, "SELECT count(*) FROM events WHERE run_id = 2")).isEqualTo(100);
    }

    @Test
    void an_unwritable_path_is_a_storage_error() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        assertThatThrownBy(() -> RunStore.open(file.resolve("v.duckdb")))
                .isInstanceOf(StorageException.class).hasMessageContaining("does not exist");
        Path notDb = Files.writeString(dir.resolve("notes.duckdb"), "this is not a database, just some text\n".repeat(200));
        assertThatThrownBy(() -> RunStore.open(notDb))
                .isInstanceOf(StorageException.class).hasMessageContaining("notes.duckdb");
    }

    @Test
    void a_file_from_a_newer_schema_is_refused() throws Exception {
        Path db = dir.resolve("v.duckdb");
        RunStore.open(db).close();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db); Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_version VALUES (99, now()::TIMESTAMP)");
        }
        assertThatThrownBy(() -> RunStore.open(db)).isInstanceOf(StorageException.class)
                .hasMessageContaining("schema version 99");
    }
}
