package dev.vmareplay.spark;

import dev.vmareplay.cli.Main;
import dev.vmareplay.reports.LatencyCodec;
import dev.vmareplay.reports.Schema;
import org.HdrHistogram.Histogram;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet job in local[2] over real traces from samples/: Spark is a way to run the same
 * model, so every trace's tables must equal what {@code vmareplay replay TRACE} stores for it
 * alone (then exported with {@code export --parquet}), and the fleet summary must equal the
 * sums (and the exactly merged HdrHistograms) of those single runs.
 */
class FleetReplayTest {

    static final Path SAMPLES = Path.of(System.getProperty("vmareplay.root", ".."), "samples").toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("FleetReplayTest")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
    }

    static FleetOptions options(Path out, boolean strict) {
        return new FleetOptions(FleetReplay.version(), "6.18", null, "auto", strict, true, out.toString());
    }

    /** The CLI, in this JVM; fails the test on a non-zero exit. */
    static String cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as("vmareplay " + String.join(" ", args) + "\n" + err).isZero();
        return out.toString();
    }

    /**
     * 24 traces: strace (four whole workloads, gzip), perf trace, perf trace -F, perf script,
     * strace -f / -ttt -yy -X raw, a perf trace gzipped here, the canonical CSV, and a recording
     * with its NAME.snapshots/ directory beside it (re-seeded at its markers).
     */
    static List<Path> fleet() throws IOException {
        List<Path> t = new ArrayList<>();
        try (Stream<Path> s = Files.list(SAMPLES.resolve("captured"))) {
            s.filter(p -> p.toString().endsWith(".gz")).sorted().forEach(t::add);
        }
        for (String real : List.of("real-ls", "real-python3")) {
            for (String v : List.of("strace-tt-T-y", "perf-trace", "perf-script")) t.add(cut(real, v));
        }
        for (String v : List.of("strace-tt-T-y", "strace-f", "strace-ttt-yy-Xraw", "perf-trace", "perf-trace-F", "perf-script")) {
            t.add(cut("new_both", v));
        }
        t.add(cut("madvise_dofork_anon_vma_refusal", "strace-tt-T-y"));
        t.add(cut("new_both_anon_vma_conflict", "perf-trace-F"));
        t.add(cut("mprotect_alternating_stress", "strace-f"));
        t.add(cut("mremap_grow_inplace", "strace-ttt-yy-Xraw"));
        t.add(cut("mprotect_account_nomerge", "strace-tt-T-y"));

        Path gz = dir.resolve("in/mprotect_account_nomerge.perf-trace.txt.gz");
        Files.createDirectories(gz.getParent());
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(Files.readAllBytes(cut("mprotect_account_nomerge", "perf-trace")));
        }
        t.add(gz);
        Path csv = dir.resolve("in/mseal_basic.csv");
        cli("ingest", cut("mseal_basic", "strace-tt-T-y").toString(), "-o", csv.toString());
        t.add(csv);
        // a recording: the whole trace with its snapshots beside it, as `vmareplay record` leaves them
        Path ls = dir.resolve("in/ls.txt");
        Path real = SAMPLES.resolve("traces/real-ls/strace-tt-T-y");
        Files.copy(real.resolve("trace.full.txt"), ls);
        Path snaps = Files.createDirectories(dir.resolve("in/ls.snapshots"));
        try (Stream<Path> s = Files.list(real.resolve("snapshots"))) {
            for (Path p : s.toList()) Files.copy(p, snaps.resolve(p.getFileName()));
        }
        t.add(ls);
        return t;
    }

    static Path cut(String scenario, String variant) {
        return SAMPLES.resolve("traces").resolve(scenario).resolve(variant).resolve("trace.cut.txt");
    }

    @Test
    void every_trace_lands_as_the_run_replay_stores_for_it_and_the_summary_adds_them_up() throws Exception {
        List<Path> traces = fleet();
        assertThat(traces).hasSizeGreaterThanOrEqualTo(20);
        Path out = dir.resolve("fleet");
        FleetReplay.Fleet fleet = FleetReplay.run(spark, traces.stream().map(Path::toString).toList(), options(out, false), false);

        assertThat(fleet.traces()).hasSize(traces.size());
        assertThat(fleet.traces()).allSatisfy(r -> assertThat(r.ok()).as(r.trace() + ": " + r.error()).isTrue());

        // the same traces, one `vmareplay replay` each, in run-id order: run N is the same trace on both sides
        Path db = dir.resolve("single.duckdb");
        for (TraceResult r : fleet.traces()) {
            cli("replay", r.trace(), "--db", db.toString(), "--no-report", "-q");
        }
        Path single = dir.resolve("single");
        cli("export", "--db", db.toString(), "--parquet", single.toString());

        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            assertSameTables(st, out, single);
            assertThat(scalar(st, "SELECT count(*) FROM " + files(out, "runs"))).isEqualTo(traces.size());
            assertThat(scalar(st, "SELECT count(*) FROM " + files(out, "merge_events"))).isGreaterThan(1000);
            assertThat(scalar(st, "SELECT count(*) FROM " + files(out, "merge_events") + " WHERE kind = 'refused'")).isPositive();
            // the recording was re-seeded from ls.snapshots/ at its markers, as replay does it; no other trace has snapshots
            assertThat(longs(st, "SELECT r.inputs[1] LIKE '%/ls.txt', count(*) FROM " + files(out, "vma_lifecycle") + " v JOIN "
                    + files(out, "runs") + " r USING (run_id) WHERE v.created_by = 'seed' GROUP BY 1"))
                    .as("seeded VMAs, in ls.txt and elsewhere").containsOnlyKeys("true").allSatisfy((k, n) -> assertThat(n).isPositive());
        }

        // query --parquet answers like query --db, views included
        String q = "select run_id, kind, case_group, n from case_counts order by all";
        String fromParquet = cli("query", "--parquet", out.toString(), "--format", "csv", q);
        assertThat(fromParquet).isEqualTo(cli("query", "--db", db.toString(), "--format", "csv", q)).contains("refused");
        String r = "select run_id, syscall, reason, n, assumed from refusal_reasons order by all";
        assertThat(cli("query", "--parquet", out.toString(), "--format", "csv", r))
                .isEqualTo(cli("query", "--db", db.toString(), "--format", "csv", r));

        // Spark reads the job's files and export's files alike
        assertThat(spark.read().parquet(out.resolve("merge_events").toString()).count())
                .isEqualTo(spark.read().parquet(single.resolve("merge_events").toString()).count());

        assertSummaryAddsUp(fleet.summary(), db, traces.size());
    }

    /** The summary's counts are the single runs' sums; its percentiles those of the merged histograms. */
    private static void assertSummaryAddsUp(List<Row> summary, Path db, int traces) throws SQLException {
        Map<String, Long> cases = new TreeMap<>(), refusals = new TreeMap<>(), latencyCounts = new TreeMap<>();
        Map<String, long[]> percentiles = new TreeMap<>();
        for (Row row : summary) {
            String section = row.getString(0);
            switch (section) {
                case "runs" -> {
                    if (row.getString(2).equals("traces")) assertThat(row.getLong(3)).isEqualTo(traces);
                    if (row.getString(2).equals("failed")) assertThat(row.getLong(3)).isZero();
                }
                case "case" -> cases.put(row.getString(2), row.getLong(3));
                case "refusal" -> refusals.put(row.getString(2), row.getLong(3));
                case "latency" -> {
                    String key = row.getString(1) + "/" + row.getString(2);
                    latencyCounts.put(key, row.getLong(3));
                    percentiles.put(key, new long[] {row.getLong(5), row.getLong(6), row.getLong(7), row.getLong(8), row.getLong(9)});
                }
                default -> throw new AssertionError("unexpected section " + section);
            }
        }
        java.util.Properties ro = new java.util.Properties();
        ro.setProperty("duckdb.read_only", "true");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db, ro); Statement st = c.createStatement()) {
            assertThat(cases).isEqualTo(longs(st, "SELECT kind, sum(n) FROM case_counts GROUP BY kind"));
            assertThat(refusals).isEqualTo(longs(st, "SELECT reason, count(*) FROM merge_events WHERE kind = 'refused' GROUP BY reason"));
            assertThat(latencyCounts).isEqualTo(longs(st, "SELECT scope || '/' || name, sum(count) FROM latency GROUP BY ALL"));
            Map<String, Histogram> merged = new TreeMap<>();
            try (ResultSet rs = st.executeQuery("SELECT scope || '/' || name, histogram FROM latency WHERE scope <> 'engine'")) {
                while (rs.next()) {
                    Histogram h = LatencyCodec.decode(rs.getBytes(2));
                    merged.merge(rs.getString(1), h, (a, b) -> {
                        a.add(b);
                        return a;
                    });
                }
            }
            assertThat(merged).isNotEmpty();
            merged.forEach((key, h) -> assertThat(percentiles.get(key)).as(key + " p50 p90 p99 p99.9 max").containsExactly(
                    h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue()));
        }
    }

    @Test
    void a_trace_that_cannot_be_replayed_lands_as_a_run_with_its_error_and_the_job_goes_on() throws Exception {
        Path in = Files.createDirectories(dir.resolve("bad"));
        Path good = cut("new_left", "strace-tt-T-y");
        // a crashed strace: the last line cut in the middle of its arguments (malformed under --strict)
        Path cutShort = in.resolve("crashed.strace");
        Files.writeString(cutShort, Files.readString(good) + "26167 11:28:01.200000 mmap(NULL, 8192, PROT_READ|PROT_WR");
        // gzip magic, then garbage; and a trace that is not there at all
        Path corrupt = in.resolve("corrupt.txt.gz");
        Files.write(corrupt, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 'n', 'o', 't', ' ', 'g', 'z', 'i', 'p'});
        Path missing = in.resolve("missing.txt");

        Path out = dir.resolve("fleet-bad");
        List<String> inputs = Stream.of(good, cutShort, corrupt, missing).map(Path::toString).toList();
        FleetReplay.Fleet fleet = FleetReplay.run(spark, inputs, options(out, true), false);

        Map<String, TraceResult> byName = new TreeMap<>();
        for (TraceResult r : fleet.traces()) byName.put(Path.of(r.trace()).getFileName().toString(), r);
        assertThat(byName).containsOnlyKeys("trace.cut.txt", "crashed.strace", "corrupt.txt.gz", "missing.txt");
        assertThat(byName.get("trace.cut.txt").ok()).isTrue();
        assertThat(byName.get("crashed.strace").failure()).isEqualTo(TraceResult.Failure.MALFORMED);
        assertThat(byName.get("crashed.strace").error()).contains("crashed.strace").contains("line ");
        assertThat(byName.get("corrupt.txt.gz").failure()).isEqualTo(TraceResult.Failure.UNREADABLE);
        assertThat(byName.get("corrupt.txt.gz").error()).contains("corrupt.txt.gz").contains("gzip");
        assertThat(byName.get("missing.txt").failure()).isEqualTo(TraceResult.Failure.UNREADABLE);
        assertThat(byName.get("missing.txt").error()).contains("missing.txt").contains("no such file");

        // every trace is a run; the failed ones carry their error and nothing else
        String runs = cli("query", "--parquet", out.toString(), "--format", "csv",
                "select run_id, inputs[1] like '%/trace.cut.txt' as good, error is null as ok, events from runs order by run_id");
        assertThat(runs.lines().skip(1).toList()).hasSize(4);
        TraceResult ok = byName.get("trace.cut.txt");
        assertThat(runs).contains(ok.runId() + ",true,true,");
        assertThat(cli("query", "--parquet", out.toString(), "--format", "csv",
                "select count(*) from runs where error is not null and events is null")).contains("\n3");
        assertThat(cli("query", "--parquet", out.toString(), "--format", "csv",
                "select distinct run_id from merge_events")).isEqualTo("run_id\n" + ok.runId() + "\n");
        // the summary says how many failed, and why
        Map<String, Long> runsRows = new TreeMap<>(), failures = new TreeMap<>();
        for (Row row : fleet.summary()) {
            if (row.getString(0).equals("runs")) runsRows.put(row.getString(2), row.getLong(3));
            if (row.getString(0).equals("failure")) failures.put(row.getString(2), row.getLong(3));
        }
        assertThat(runsRows).containsEntry("traces", 4L).containsEntry("replayed", 1L).containsEntry("failed", 3L);
        assertThat(failures).isEqualTo(Map.of("malformed", 1L, "unreadable", 2L));
        assertThat(cli("query", "--parquet", out.toString(), "--format", "csv",
                "select n from fleet_summary where section = 'runs' and name = 'failed'")).isEqualTo("n\n3\n");
        // and the fleet report over the job's output lists them
        Path html = dir.resolve("fleet-bad.html");
        assertThat(cli("report", "--parquet", out.toString(), "-o", html.toString())).contains("report: 4 runs of");
        assertThat(Files.readString(html)).contains("crashed.strace").contains("missing.txt").contains("no such file")
                .contains("vmareplay fleet report").doesNotContain("/*REPORT_DATA*/");
    }

    /**
     * Multi-process recordings, each replayed whole and in 3 parts (--split-above 0 --split-parts
     * 3): make -j2, g++ and the gaps program (recorded with their snapshots, re-seeded at their
     * markers; gaps' failed PR_SET_VMA_ANON_NAME tells every family the kernel has no anon
     * names), make -j2 and a shell pipeline captured with strace. The run the parts make together
     * must be the run of the whole replay, every table of it.
     */
    @Test
    void a_trace_replayed_in_parts_by_families_of_address_spaces_stores_the_run_the_whole_replay_stores() throws Exception {
        List<Path> traces = new ArrayList<>();
        for (String name : List.of("make-j2", "gxx-compile", "gaps")) {
            // as `vmareplay record` leaves them: NAME.txt.gz with NAME.snapshots/ beside it
            Path rec = SAMPLES.resolve("recorded").resolve(name);
            Path in = Files.createDirectories(dir.resolve("multi"));
            Path trace = in.resolve(name + ".txt.gz");
            Files.copy(rec.resolve("trace.txt.gz"), trace);
            Path snaps = Files.createDirectories(in.resolve(name + ".snapshots"));
            try (Stream<Path> s = Files.list(rec.resolve("snapshots"))) {
                for (Path p : s.toList()) Files.copy(p, snaps.resolve(p.getFileName()));
            }
            traces.add(trace);
        }
        for (String name : List.of("make-j2.strace.txt.gz", "sh-pipeline.strace.txt.gz")) {
            traces.add(SAMPLES.resolve("captured").resolve(name));
        }
        List<String> inputs = traces.stream().map(Path::toString).toList();

        Path whole = dir.resolve("whole"), split = dir.resolve("split");
        FleetReplay.Fleet w = FleetReplay.run(spark, inputs, options(whole, false), false);
        FleetOptions inParts = new FleetOptions(FleetReplay.version(), "6.18", null, "auto", false, true, split.toString(), 0, 3);
        FleetReplay.Fleet s = FleetReplay.run(spark, inputs, inParts, false);

        assertThat(w.traces()).allSatisfy(r -> assertThat(r.parts()).isOne());
        assertThat(s.traces()).hasSize(traces.size()).allSatisfy(r -> {
            assertThat(r.ok()).as(r.trace() + ": " + r.error()).isTrue();
            assertThat(r.parts()).as(r.trace()).isEqualTo(3);
        });
        assertThat(split.resolve(TraceTask.PARTS)).as("parts removed once combined").doesNotExist();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            assertSameTables(st, split, whole);
            // not a trivial split: several families of address spaces (fresh mms) per trace
            assertThat(longs(st, "SELECT run_id, count(DISTINCT mm_id) FROM " + files(split, "processes") + " GROUP BY ALL"))
                    .hasSize(traces.size()).allSatisfy((run, n) -> assertThat(n).as("address spaces of run " + run).isGreaterThan(2));
            assertThat(scalar(st, "SELECT count(*) FROM " + files(split, "vma_lifecycle") + " WHERE created_by = 'seed'"))
                    .as("VMAs seeded from the recordings' snapshots").isPositive();
        }
        assertThat(summaryRows(s.summary())).isEqualTo(summaryRows(w.summary()));
    }

    /** The summary's rows (the histogram's bytes as hex), but for the engine's own measured latencies. */
    private static List<String> summaryRows(List<Row> summary) {
        List<String> out = new ArrayList<>();
        for (Row r : summary) {
            if (r.getString(0).equals("latency") && "engine".equals(r.getString(1))) continue;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length(); i++) {
                Object v = r.get(i);
                sb.append(v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : String.valueOf(v)).append(" | ");
            }
            out.add(sb.toString());
        }
        return out;
    }

    // ---- helpers ----

    /** Every table of {@code a}'s runs holds the rows of {@code b}'s: the clock and the engine's measured time aside. */
    static void assertSameTables(Statement st, Path a, Path b) throws SQLException {
        for (String table : Schema.TABLES) {
            boolean inA = Files.isDirectory(a.resolve(table)), inB = Files.isDirectory(b.resolve(table));
            assertThat(inA).as("table " + table + " written by both or neither").isEqualTo(inB);
            if (!inB) continue;
            switch (table) {
                // the clock of each run differs, nothing else
                case "runs" -> assertSameRows(st, a, b, table, "* EXCLUDE (started_at, finished_at)", "");
                // the engine's own time per operation is measured, not replayed: its counts must agree
                case "latency" -> {
                    assertSameRows(st, a, b, table, "*", "WHERE scope <> 'engine'");
                    assertSameRows(st, a, b, table, "run_id, scope, name, count", "");
                }
                default -> assertSameRows(st, a, b, table, "*", "");
            }
        }
    }

    static String files(Path root, String table) {
        return "read_parquet('" + root.resolve(table) + "/**/*.parquet', hive_partitioning = true)";
    }

    static void assertSameRows(Statement st, Path fleet, Path single, String table, String columns, String where) throws SQLException {
        assertSameRows(st, "SELECT " + columns + " FROM " + files(fleet, table) + " " + where,
                "SELECT " + columns + " FROM " + files(single, table) + " " + where, table);
    }

    /** The rows of both queries agree as multisets; on a difference, shows a few rows of it. */
    static void assertSameRows(Statement st, String a, String b, String table) throws SQLException {
        long na = scalar(st, "SELECT count(*) FROM (" + a + ")"), nb = scalar(st, "SELECT count(*) FROM (" + b + ")");
        assertThat(na).as(table + " rows (fleet vs replay)").isEqualTo(nb);
        List<String> onlyFleet = strings(st, "(" + a + ") EXCEPT ALL (" + b + ") LIMIT 5");
        List<String> onlySingle = strings(st, "(" + b + ") EXCEPT ALL (" + a + ") LIMIT 5");
        assertThat(onlyFleet).as(table + ": rows only the fleet job wrote (replay wrote " + onlySingle + ")").isEmpty();
    }

    static long scalar(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<String> strings(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) sb.append(i > 1 ? " | " : "").append(rs.getString(i));
                out.add(sb.toString());
            }
        }
        return out;
    }

    static Map<String, Long> longs(Statement st, String sql) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
        }
        return out;
    }
}
