package dev.vmareplay.reports;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryTest {

    @TempDir
    static Path dir;
    static Path db;
    static Synthetic run;

    @BeforeAll
    static void store() {
        db = dir.resolve("q.duckdb");
        try (RunStore store = RunStore.open(db)) {
            run = Synthetic.storeRun(store, 5, 500);
        }
    }

    static String query(String sql, Query.Format f) {
        StringBuilder sb = new StringBuilder();
        Query.run(db, sql, f, sb);
        return sb.toString();
    }

    @Test
    void table_format_is_aligned_with_numbers_right_aligned() {
        String out = query("SELECT kind, n FROM case_counts WHERE kind IN ('split', 'remove') ORDER BY kind", Query.Format.TABLE);
        List<String> lines = out.lines().toList();
        assertThat(lines.get(0)).startsWith("+-").endsWith("-+");
        assertThat(lines.get(1)).matches("\\| kind +\\| +n \\|");
        assertThat(lines.get(3)).startsWith("| remove |");
        assertThat(lines.get(4)).startsWith("| split  |");
        assertThat(lines).allMatch(l -> l.length() == lines.get(0).length() || l.endsWith("rows") || l.endsWith("row"));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("2 rows");
    }

    @Test
    void csv_format_has_a_header_and_unsigned_addresses() throws Exception {
        String out = query("SELECT start, \"end\", file FROM final_vmas WHERE mm_id = 1 ORDER BY start DESC LIMIT 2", Query.Format.CSV);
        List<CSVRecord> recs = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(out)).getRecords();
        assertThat(recs).hasSize(2);
        assertThat(recs.get(0).get("start")).isEqualTo(Long.toUnsignedString(Synthetic.TOP));
        assertThat(recs.get(0).get("file")).isEqualTo("[vsyscall]");
        assertThat(recs.get(1).get("file")).isEqualTo("[stack]");
    }

    @Test
    void json_format_is_an_array_of_objects() {
        String out = query("SELECT run_id, kernel, inputs, fd_table_complete, NULL AS nothing, 1.5 AS x FROM runs", Query.Format.JSON);
        assertThat(out.strip()).startsWith("[").endsWith("]");
        assertThat(out).contains("\"run_id\": 1", "\"kernel\": \"6.18\"", "\"inputs\": [\"trace.strace\"]",
                "\"fd_table_complete\": true", "\"nothing\": null", "\"x\": 1.5");
        assertThat(query("SELECT * FROM runs WHERE run_id = 42", Query.Format.JSON).strip()).isEqualTo("[]");
    }

    @Test
    void bad_sql_is_a_query_error_naming_the_problem() {
        assertThatThrownBy(() -> query("SELEC 1", Query.Format.TABLE)).isInstanceOf(QueryException.class)
                .hasMessageContaining("syntax error");
        assertThatThrownBy(() -> query("SELECT nope FROM runs", Query.Format.TABLE)).isInstanceOf(QueryException.class)
                .hasMessageContaining("nope");
    }

    @Test
    void a_missing_database_is_a_storage_error_and_is_not_created() {
        Path missing = dir.resolve("missing.duckdb");
        assertThatThrownBy(() -> Query.run(missing, "SELECT 1", Query.Format.TABLE, new StringBuilder()))
                .isInstanceOf(StorageException.class).hasMessageContaining("missing.duckdb").hasMessageContaining("no such database");
        assertThat(Files.exists(missing)).isFalse();
    }

    @Test
    void queries_cannot_write() {
        assertThatThrownBy(() -> query("DELETE FROM runs", Query.Format.TABLE)).isInstanceOf(QueryException.class)
                .hasMessageContaining("read-only");
    }

    @Test
    void formats_parse_by_name() {
        assertThat(Query.Format.parse("JSON")).isEqualTo(Query.Format.JSON);
        assertThatThrownBy(() -> Query.Format.parse("xml")).hasMessageContaining("table, csv or json");
    }

    @Test
    void export_writes_parquet_partitioned_by_run() throws Exception {
        Path out = dir.resolve("pq");
        List<String> tables = Export.parquet(db, out);
        assertThat(tables).contains("runs", "events", "merge_events", "latency");
        assertThat(out.resolve("merge_events/run_id=1")).isDirectory();
        StringBuilder sb = new StringBuilder();
        Query.run(db, "SELECT count(*) AS n FROM read_parquet('" + out + "/merge_events/*/*.parquet', hive_partitioning = true)",
                Query.Format.CSV, sb);
        assertThat(sb.toString()).isEqualTo("n\n" + run.vmaEvents + "\n");
    }
}
