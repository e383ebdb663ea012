package dev.vmareplay.reports;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parquet runs (export's layout, which the fleet job writes too): queried by name, and the fleet report. */
class FleetReportTest {

    @TempDir
    static Path dir;
    static Path db;
    static Path parquet;

    /** Two synthetic runs and a failed one, exported. */
    static Path fleetDir(Path dir) {
        Path out = dir.resolve("fleet");
        if (Files.isDirectory(out)) return out;
        Path file = dir.resolve("fleet.duckdb");
        try (RunStore store = RunStore.open(file)) {
            Synthetic.storeRun(store, 21, 5_000);
            Synthetic.storeRun(store, 22, 3_000);
            store.storeFailedRun(new RunMeta("test", "6.18", List.of("/traces/broken.txt"), Map.of(), Instant.now()),
                    "/traces/broken.txt: line 7: unfinished call: mmap(NULL, 4096");
        }
        Export.parquet(file, out);
        db = file;
        return out;
    }

    @BeforeAll
    static void setUp() {
        parquet = fleetDir(dir);
    }

    static String query(String sql) {
        StringWriter out = new StringWriter();
        Query.runParquet(parquet, sql, Query.Format.CSV, out);
        return out.toString();
    }

    static String queryDb(String sql) {
        StringWriter out = new StringWriter();
        Query.run(db, sql, Query.Format.CSV, out);
        return out.toString();
    }

    @Test
    void every_table_and_view_answers_over_parquet_as_over_the_database() {
        for (String sql : List.of(
                "SELECT * EXCLUDE (started_at, finished_at) FROM runs ORDER BY run_id",
                "SELECT * FROM case_counts ORDER BY ALL",
                "SELECT * FROM refusal_reasons ORDER BY ALL",
                "SELECT * FROM vma_peaks ORDER BY ALL",
                "SELECT run_id, count(*), sum(start) FROM merge_events GROUP BY 1 ORDER BY 1",
                "SELECT * FROM vma_history(1, 139637976727552)")) {
            assertThat(query(sql)).as(sql).isEqualTo(queryDb(sql));
        }
        assertThat(query("SELECT run_id, error FROM runs WHERE error IS NOT NULL")).contains("3,").contains("line 7: unfinished call");
        // every table is there, those export skipped (no rows) empty
        for (String table : Schema.TABLES) {
            String sql = "SELECT count(*) AS n FROM " + table;
            assertThat(query(sql)).as(sql).isEqualTo(queryDb(sql));
        }
    }

    @Test
    void a_directory_without_runs_is_refused_saying_what_was_expected() {
        assertThatThrownBy(() -> Query.runParquet(dir.resolve("nothing"), "SELECT 1", Query.Format.CSV, new StringWriter()))
                .isInstanceOf(StorageException.class).hasMessageContaining("no such directory");
        Path empty = dir.resolve("empty");
        assertThatThrownBy(() -> {
            Files.createDirectories(empty);
            Query.runParquet(empty, "SELECT 1", Query.Format.CSV, new StringWriter());
        }).isInstanceOf(StorageException.class).hasMessageContaining("no vmareplay Parquet tables");
    }

    @Test
    void the_fleet_report_merges_every_runs_histograms_and_lists_the_failed_trace() throws Exception {
        Path html = dir.resolve("fleet.html");
        assertThat(FleetReportWriter.write(parquet, html)).isEqualTo(3);
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").doesNotContainPattern("<script[^>]+src=")
                .doesNotContain("/*REPORT_DATA*/").contains("/traces/broken.txt").contains("unfinished call");
        // the fleet percentiles are those of the two runs' histograms added up
        Histogram sum = null;
        try (Connection c = RunStore.connect(db, true); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT histogram FROM latency WHERE scope = 'syscall' AND name = 'mmap'")) {
            while (rs.next()) {
                Histogram h = LatencyCodec.decode(rs.getBytes(1));
                if (sum == null) sum = h; else sum.add(h);
            }
        }
        assertThat(sum).isNotNull();
        assertThat(page).contains("{\"scope\": \"syscall\", \"name\": \"mmap\", \"count\": " + sum.getTotalCount() + ", \"traces\": 2, \"p50_ns\": "
                + sum.getValueAtPercentile(50) + ", \"p90_ns\": " + sum.getValueAtPercentile(90) + ", \"p99_ns\": " + sum.getValueAtPercentile(99));
    }
}
