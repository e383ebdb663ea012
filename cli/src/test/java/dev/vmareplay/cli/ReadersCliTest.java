package dev.vmareplay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmareplay.replay.readers.Exploration;
import dev.vmareplay.replay.readers.Observable;
import dev.vmareplay.replay.readers.Reader;
import dev.vmareplay.replay.readers.WriterCase;
import dev.vmareplay.replay.readers.WriterCases;
import dev.vmareplay.cli.CliTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `vmareplay readers` and the per-workload counts: the command prints each case's writer steps
 * and reader outcomes with a witness; `replay` of a recorded java -version stores how many
 * operations could have shown a concurrent reader each observable, and the report says so.
 */
class ReadersCliTest {

    @TempDir
    Path tmp;

    @Test
    void readersPrintsTheStepsTheClaimAndAWitnessPerOutcome() {
        Result r = CliTest.run("readers", "--case", "existing_left_partial");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("== existing_left_partial: Merge with change to EXISTING VMA: merge left partial ==")
                .contains("before  ppmm....t")
                .contains("after   pppm....t")
                .containsPattern("5\\. set middle range \\[3,4\\)\\s+tree  PPMM....t")
                .contains("6. store prev over [0,3) in the maple tree")
                .contains("Seed: \"We might report prev twice here")
                .contains("Agreement: disagrees (rewalk), disagrees (slot)")
                .contains("-- duplicate (rewalk, slot)")
                .contains("-- transient_gap (rewalk, slot)")
                .contains("-- violation (rewalk, slot)")
                .contains("shown     [prev[0,2), middle[3,4), tail[8,9)]");
        // one case only
        assertThat(r.out()).doesNotContain("== existing_both");
    }

    @Test
    void aKindSelectsEveryCaseOfIt() {
        Result r = CliTest.run("readers", "--case", "split");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("== split_new_below:").contains("== split_new_above:")
                .contains("-- violation (rewalk only)");
        Result bad = CliTest.run("readers", "--case", "merge_sideways");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown case 'merge_sideways'").contains("existing_both");
    }

    @Test
    void replayStoresPerCaseCountsAndTheReportShowsThem() throws Exception {
        Path trace = Path.of(System.getProperty("vmareplay.root", ".."), "samples/captured/java-version.strace.txt.gz");
        Path db = tmp.resolve("r.duckdb");
        Path report = tmp.resolve("r.html");
        Result r = CliTest.run("replay", trace.toString(), "--db", db.toString(), "--report", report.toString(), "-q");
        assertThat(r.code()).as(r.err()).isZero();

        // the stored table is the model's
        Result t = CliTest.run("query", "--db", db.toString(), "--format", "csv",
                "SELECT kind, reader_case, iteration, observable FROM reader_observables ORDER BY ALL");
        assertThat(t.out().lines().skip(1).toList()).isEqualTo(modelRows());

        // per observable, the view counts exactly the operations whose kind the model gives it
        Map<String, TreeSet<String>> kinds = new TreeMap<>();
        for (WriterCase c : WriterCases.all()) {
            if (c.kase().kind() == null) {
                continue;
            }
            for (Reader.Iteration how : Reader.Iteration.values()) {
                for (Observable o : Exploration.check(c, how).observables()) {
                    kinds.computeIfAbsent(o.storageName(), k -> new TreeSet<>()).add(c.kase().kind());
                }
            }
        }
        for (String obs : List.of("retry", "duplicate", "transient_gap", "mmap_lock_wait")) {
            String in = "'" + String.join("','", kinds.get(obs)) + "'";
            Result got = CliTest.run("query", "--db", db.toString(), "--format", "csv",
                    "SELECT (SELECT coalesce(sum(operations), 0) FROM reader_hazards WHERE observable = '" + obs + "')"
                            + " - (SELECT count(*) FROM merge_events WHERE kind IN (" + in + ") AND NOT (syscall = 'mremap' AND kind = 'remove'))"
                            + " AS d, (SELECT coalesce(sum(operations), 0) FROM reader_hazards WHERE observable = '" + obs + "') AS n");
            List<String> row = List.of(got.out().lines().skip(1).findFirst().orElseThrow().split(","));
            assertThat(row.get(0)).as(obs + ": view minus merge_events").isEqualTo("0");
            assertThat(Long.parseLong(row.get(1))).as(obs).isPositive();
        }

        // the report has one sentence per observable for java
        Result n = CliTest.run("query", "--db", db.toString(), "--format", "csv",
                "SELECT sum(operations) FROM reader_hazards WHERE observable = 'retry'");
        String retries = n.out().lines().skip(1).findFirst().orElseThrow().trim();
        String html = Files.readString(report);
        assertThat(html).contains("java: " + String.format("%,d", Long.parseLong(retries)).replace(',', ' ')
                + " operations could make a concurrent `cat /proc/PID/maps` retry");
        assertThat(html).contains("operations could show a VMA (or part of one) twice");
    }

    private static List<String> modelRows() {
        List<String> rows = new ArrayList<>();
        for (WriterCase c : WriterCases.all()) {
            if (c.kase().kind() == null) {
                continue;
            }
            for (Reader.Iteration how : Reader.Iteration.values()) {
                for (Observable o : Exploration.check(c, how).observables()) {
                    if (o != Observable.EXACT_OLD && o != Observable.EXACT_NEW) {
                        rows.add(String.join(",", c.kase().kind(), c.kase().storageName(),
                                how.name().toLowerCase(java.util.Locale.ROOT), o.storageName()));
                    }
                }
            }
        }
        rows.sort(null);
        return rows;
    }

}
