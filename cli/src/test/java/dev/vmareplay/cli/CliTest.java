package dev.vmareplay.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a user runs it: output, files left behind, error texts and exit codes. */
class CliTest {

    @TempDir
    Path tmp;

    /** What one command printed and returned. */
    record Result(int code, String out, String err) { }

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    static Path sample(String caseName, String variant) {
        String root = System.getProperty("vmareplay.root", "..");
        return Path.of(root, "samples/traces", caseName, variant);
    }

    @Test
    void replayPrintsTheCasesAndLeavesADatabaseThatQueryReadsBack() {
        Path s = sample("new_both", "strace-tt-T-y");
        Path db = tmp.resolve("runs.duckdb");
        Path report = tmp.resolve("report.html");
        Result r = run("replay", s.resolve("trace.cut.txt").toString(), "--seed-maps", s.resolve("start.smaps").toString(),
                "--db", db.toString(), "--report", report.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("new_none\\s+2\\b").containsPattern("new_both\\s+1\\b").contains("run 1:");
        assertThat(report).isNotEmptyFile();

        Result q = run("query", "--db", db.toString(), "--format", "csv",
                "select kind, n from case_counts where run_id = 1 and n > 0 and kind like 'new%' order by kind");
        assertThat(q.code()).as(q.err()).isZero();
        assertThat(q.out().lines().toList()).containsExactly("kind,n", "new_both,1", "new_none,2");
    }

    @Test
    void aSecondRunGetsTheNextIdInTheSameFile() {
        Path s = sample("new_left", "strace-tt-T-y");
        Path db = tmp.resolve("runs.duckdb");
        for (int i = 0; i < 2; i++) {
            assertThat(run("replay", s.resolve("trace.cut.txt").toString(), "--db", db.toString(), "--no-report", "-q").code()).isZero();
        }
        Result q = run("query", "--db", db.toString(), "--format", "json", "select run_id from runs order by run_id");
        assertThat(q.out().replaceAll("\\s", "")).isEqualTo("[{\"run_id\":1},{\"run_id\":2}]");
    }

    @Test
    void finalMapsAreWrittenInProcMapsFormatAndMatchTheKernel() throws Exception {
        Path s = sample("mprotect_split_middle", "strace-tt-T-y");
        Path out = tmp.resolve("final");
        Result r = run("replay", s.resolve("trace.cut.txt").toString(), "--seed-maps", s.resolve("start.smaps").toString(),
                "--final-maps", out.toString(), "--db", tmp.resolve("x.duckdb").toString(), "--no-report", "-q");
        assertThat(r.code()).as(r.err()).isZero();
        List<Path> files;
        try (var l = Files.list(out)) {
            files = l.toList();
        }
        assertThat(files).singleElement().satisfies(p -> assertThat(p.getFileName().toString()).matches("\\d+\\.maps"));
        List<String> got = Files.readAllLines(files.get(0));
        List<String> kernel = Files.readAllLines(s.resolve("end.maps"));
        // every line of the window is printed exactly as the kernel printed it
        assertThat(got).filteredOn(l -> l.startsWith("2000000")).isEqualTo(kernel.stream().filter(l -> l.startsWith("2000000")).toList());
    }

    @Test
    void verifyPassesOnARealTraceAndFailsWithADiffWhenTheSnapshotIsEdited() throws Exception {
        Path s = sample("munmap_middle", "strace-tt-T-y");
        Result ok = run("verify", s.resolve("trace.cut.txt").toString(), "--seed-maps", s.resolve("start.smaps").toString(),
                "--expect-maps", s.resolve("end.maps").toString());
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).startsWith("verify: equal:");

        // pretend the kernel had merged the two halves the munmap left behind
        Path edited = tmp.resolve("edited.maps");
        List<String> lines = Files.readAllLines(s.resolve("end.maps"));
        List<String> window = lines.stream().filter(l -> l.startsWith("2000000")).toList();
        assertThat(window).hasSize(2);
        String merged = window.get(0).substring(0, window.get(0).indexOf('-')) + window.get(1).substring(window.get(1).indexOf('-'));
        List<String> changed = new java.util.ArrayList<>(lines);
        changed.remove(window.get(1));
        changed.set(changed.indexOf(window.get(0)), merged);
        Files.write(edited, changed);

        Result bad = run("verify", s.resolve("trace.cut.txt").toString(), "--seed-maps", s.resolve("start.smaps").toString(),
                "--expect-maps", edited.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.out()).contains("DIFFERENT").contains("only in the replayed layout").contains("200000000000");
    }

    @Test
    void ingestWritesTheCanonicalCsvAndReplayReadsItBackToTheSameCounts() {
        Path s = sample("reservation_jvm_like", "strace-tt-T-y");
        Path csv = tmp.resolve("events.csv");
        Result i = run("ingest", s.resolve("trace.cut.txt").toString(), "-o", csv.toString());
        assertThat(i.code()).as(i.err()).isZero();
        assertThat(csv).content().startsWith("seq,");

        Path db = tmp.resolve("r.duckdb");
        assertThat(run("replay", s.resolve("trace.cut.txt").toString(), "--db", db.toString(), "--no-report", "-q").code()).isZero();
        assertThat(run("replay", csv.toString(), "--db", db.toString(), "--no-report", "-q").code()).isZero();
        Result q = run("query", "--db", db.toString(), "--format", "csv",
                "select count(*) from (select kind, n from case_counts where run_id = 1 except select kind, n from case_counts where run_id = 2)");
        assertThat(q.out().lines().toList()).containsExactly("count_star()", "0");
    }

    @Test
    void aMissingTraceIsNamedAndExitsThree() {
        Result r = run("replay", tmp.resolve("no-such-file").toString(), "--db", tmp.resolve("d.duckdb").toString());
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("no-such-file").contains("no such file");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aDirectoryGivenAsATraceIsABadInput() {
        Result r = run("replay", tmp.toString(), "--db", tmp.resolve("d.duckdb").toString());
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("is a directory");
    }

    @Test
    void anUnknownOptionIsBadUsageWithASuggestion() {
        Result r = run("replay", "x", "--kernal", "6.1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--kernal'").contains("--kernel").contains("--help");
    }

    @Test
    void anUnsupportedKernelIsBadUsage() {
        Path s = sample("new_left", "strace-tt-T-y");
        Result r = run("replay", s.resolve("trace.cut.txt").toString(), "--kernel", "5.4", "--db", tmp.resolve("d").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("5.4").contains("6.1, 6.12 or 6.18");
    }

    @Test
    void queryOnAMissingDatabaseIsAStorageErrorAndCreatesNothing() {
        Path db = tmp.resolve("absent.duckdb");
        Result r = run("query", "--db", db.toString(), "select 1");
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.err()).contains("absent.duckdb");
        assertThat(db).doesNotExist();
    }

    @Test
    void badSqlIsReportedWithDuckDbsMessage() {
        Path s = sample("new_left", "strace-tt-T-y");
        Path db = tmp.resolve("q.duckdb");
        assertThat(run("replay", s.resolve("trace.cut.txt").toString(), "--db", db.toString(), "--no-report", "-q").code()).isZero();
        Result r = run("query", "--db", db.toString(), "selec * from runs");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).containsIgnoringCase("syntax error");
    }

    @Test
    void everyCommandHasHelpAndVersion() {
        for (String cmd : List.of("replay", "verify", "ingest", "query", "report", "export")) {
            Result h = run(cmd, "--help");
            assertThat(h.code()).as(cmd).isZero();
            assertThat(h.out()).as(cmd).contains("Usage: vmareplay " + cmd);
            assertThat(run(cmd, "--version").out()).as(cmd).startsWith("vmareplay ");
        }
        assertThat(run("--help").out()).contains("Exit codes:").contains("replay").contains("verify");
    }

    @Test
    void reportAndExportWorkOnAStoredRun() {
        Path s = sample("madvise_dontfork_dofork", "strace-tt-T-y");
        Path db = tmp.resolve("e.duckdb");
        assertThat(run("replay", s.resolve("trace.cut.txt").toString(), "--db", db.toString(), "--no-report", "-q").code()).isZero();
        Result rep = run("report", "--db", db.toString(), "-o", tmp.resolve("r.html").toString());
        assertThat(rep.code()).as(rep.err()).isZero();
        assertThat(tmp.resolve("r.html")).content().contains("<html").contains("existing_both");
        Result ex = run("export", "--db", db.toString(), "--parquet", tmp.resolve("pq").toString());
        assertThat(ex.code()).as(ex.err()).isZero();
        assertThat(tmp.resolve("pq/merge_events")).isDirectory();
    }

    @Test
    void aTraceWithStacksAttributesSplitsToCallSites() {
        Path t = Path.of(System.getProperty("vmareplay.root", ".."), "samples/captured/ls-stacks.strace-k.txt.gz");
        Path db = tmp.resolve("k.duckdb");
        Path report = tmp.resolve("k.html");
        Result r = run("replay", t.toString(), "--db", db.toString(), "--report", report.toString(), "-q");
        assertThat(r.code()).as(r.err()).isZero();
        Result q = run("query", "--db", db.toString(), "--format", "csv",
                "select site, sum(splits) from split_sites where run_id = 1 group by site order by 2 desc limit 1");
        assertThat(q.out().lines().skip(1).findFirst()).hasValueSatisfying(l -> assertThat(l).contains("ld-linux-x86-64.so.2("));
        assertThat(report).content().contains("ld-linux-x86-64.so.2(_dl_catch_error");
    }

    @Test
    void theLifecycleTableSaysWhereEachVmaCameFromAndWhereItWent() {
        Path s = sample("new_both", "strace-tt-T-y");
        Path db = tmp.resolve("l.duckdb");
        assertThat(run("replay", s.resolve("trace.cut.txt").toString(), "--seed-maps", s.resolve("start.smaps").toString(),
                "--db", db.toString(), "--no-report", "-q").code()).isZero();
        // new_both: two mmaps make A and C; the third mmap fills the gap and A absorbs C (new both)
        Result q = run("query", "--db", db.toString(), "--format", "csv",
                "select created_by, coalesce(removed_by, 'alive') as fate, merges from vma_lifecycle "
                        + "where run_id = 1 and created_by <> 'seed' order by created_seq");
        assertThat(q.out().lines().toList()).containsExactly("created_by,fate,merges", "mmap,alive,1", "mmap,merge,0");
        Result seeds = run("query", "--db", db.toString(), "--format", "csv",
                "select count(*) = (select count(*) from final_vmas where run_id = 1) - 1 from vma_lifecycle where run_id = 1 and created_by = 'seed'");
        assertThat(seeds.out().lines().toList()).as("every VMA of the snapshot is followed from the seed").contains("true");
    }

    @Test
    void synthWritesATraceThatReplayNoStoreReplaysWithoutDivergencesOrADatabase() throws Exception {
        Path trace = tmp.resolve("synth.txt");
        Result g = run("synth", "--events", "20000", "--seed", "3", "-o", trace.toString());
        assertThat(g.code()).as(g.err()).isZero();
        assertThat(g.err()).contains("synth: 20,");
        Result r = run("replay", trace.toString(), "--no-store");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("run (not stored):").contains("malformed 0")
                .contains("divergences: none").containsPattern("split\\s+[1-9]").doesNotContain("database:");
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("synth.txt");
        }
        assertThat(run("synth", "-o", trace.toString()).code()).isEqualTo(2);
    }
}
