package dev.vmareplay.reports;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportWriterTest {

    @TempDir
    static Path dir;
    static Path db;

    /** Two runs: a big one (timeline downsampled) and a smaller one with other seeds. */
    static Path sampleDb(Path dir) {
        Path db = dir.resolve("report.duckdb");
        if (Files.exists(db)) return db;
        try (RunStore store = RunStore.open(db)) {
            Synthetic.storeRun(store, 11, 30_000);
            Synthetic.storeRun(store, 12, 20_000);
        }
        return db;
    }

    @BeforeAll
    static void setUp() {
        db = sampleDb(dir);
    }

    @Test
    void a_report_is_one_self_contained_file() throws Exception {
        Path out = dir.resolve("r.html");
        assertThat(ReportWriter.write(db, null, out)).isEqualTo(2);
        String html = Files.readString(out);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("uPlot").contains("\"run_id\": 2");
        assertThat(html).doesNotContainPattern("<script[^>]+src=").doesNotContainPattern("<link[^>]+href=")
                .doesNotContain("@import").doesNotContain("/*REPORT_DATA*/");
        // 30k-event timelines are downsampled: the file stays small
        assertThat(Files.size(out)).isLessThan(600_000);
    }

    @Test
    void the_store_writes_a_report_of_the_run_it_just_stored() throws Exception {
        Path db2 = dir.resolve("same-process.duckdb");
        Path out = dir.resolve("same.html");
        try (RunStore store = RunStore.open(db2)) {
            Synthetic.storeRun(store, 3, 300);
            ReportWriter.write(store, 1, out);
        }
        assertThat(Files.readString(out)).contains("\"tool_version\": \"0.1.0-test\"");
    }

    @Test
    void a_diff_report_holds_both_runs() throws Exception {
        Path out = dir.resolve("d.html");
        ReportWriter.writeDiff(db, 1, 2, out);
        String html = Files.readString(out);
        assertThat(html).contains("\"run_id\": 1").contains("\"run_id\": 2");
    }

    @Test
    void a_missing_run_or_database_is_a_storage_error() {
        assertThatThrownBy(() -> ReportWriter.write(db, 7L, dir.resolve("x.html")))
                .isInstanceOf(StorageException.class).hasMessageContaining("no run 7").hasMessageContaining("[1, 2]");
        assertThatThrownBy(() -> ReportWriter.write(dir.resolve("nope.duckdb"), null, dir.resolve("x.html")))
                .isInstanceOf(StorageException.class).hasMessageContaining("no such database");
        assertThat(dir.resolve("nope.duckdb")).doesNotExist();
    }
}
