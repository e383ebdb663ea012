package dev.vmareplay.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rows a run stores stay the same when the storage path changes: each real sample is
 * replayed through the command line and every table of the run ({@link StoredRows}'s dump:
 * sorted, wall-clock columns left out) is compared with the dump committed under
 * {@code src/test/resources/stored-rows/NAME/}, which was made by the row-by-row Appender
 * storage that preceded the columnar one.
 *
 * <p>Columns are compared by name, so a column added to the schema later (the contract only
 * ever adds) does not break the comparison; a golden column that disappears does. When a
 * change to what is stored is intended, regenerate with
 * {@code mvn -pl cli -am test -Dtest=StoredRowsTest -Dvmareplay.updateStoredRows=true
 * -Dsurefire.failIfNoSpecifiedTests=false} and review the diff.
 */
class StoredRowsTest {

    @TempDir
    Path tmp;

    static Path root() {
        return Path.of(System.getProperty("vmareplay.root", "..")).toAbsolutePath().normalize();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "real-python3-strace     | samples/traces/real-python3/strace-tt-T-y/trace.full.txt |",
            "real-python3-seeded     | samples/traces/real-python3/strace-tt-T-y/trace.full.txt | samples/traces/real-python3/strace-tt-T-y/start.smaps",
            "real-python3-perf-trace | samples/traces/real-python3/perf-trace/trace.full.txt    |",
            "real-ls-perf-script     | samples/traces/real-ls/perf-script/trace.full.txt        |",
            "java-version            | samples/captured/java-version.strace.txt.gz              |",
            "ls-stacks               | samples/captured/ls-stacks.strace-k.txt.gz               |",
            "sh-pipeline             | samples/captured/sh-pipeline.strace.txt.gz               |",
    })
    void everyTableOfTheRunIsTheSameAsBefore(String name, String trace, String seed) throws Exception {
        Path db = tmp.resolve(name + ".duckdb");
        List<String> args = new ArrayList<>(List.of("replay", root().resolve(trace).toString(), "--db", db.toString(), "--no-report", "-q"));
        if (seed != null) args.addAll(List.of("--seed-maps", root().resolve(seed).toString()));
        CliTest.Result r = CliTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();

        Map<String, List<String>> now = StoredRows.dump(db, 1, root());
        Path golden = root().resolve("cli/src/test/resources/stored-rows").resolve(name);
        if (Boolean.getBoolean("vmareplay.updateStoredRows")) {
            StoredRows.write(now, golden);
            return;
        }
        assertThat(golden).as("golden dump (regenerate with -Dvmareplay.updateStoredRows=true)").isDirectory();
        List<String> tables;
        try (Stream<Path> l = Files.list(golden)) {
            tables = l.map(p -> p.getFileName().toString().replaceFirst("\\.tsv$", "")).sorted().toList();
        }
        assertThat(now.keySet()).containsAll(tables);
        for (String table : tables) {
            List<String> before = Files.readAllLines(golden.resolve(table + ".tsv"), StandardCharsets.UTF_8);
            List<String> after = project(now.get(table), before.get(0).split("\t", -1), table);
            assertThat(after).as("%s rows of %s (columns %s)", table, name, before.get(0))
                    .isEqualTo(sorted(before.subList(1, before.size())));
        }
    }

    /** The rows of {@code dump} reduced to {@code columns} (in that order), sorted. */
    private static List<String> project(List<String> dump, String[] columns, String table) {
        List<String> header = Arrays.asList(dump.get(0).split("\t", -1));
        int[] idx = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            idx[i] = header.indexOf(columns[i]);
            assertThat(idx[i]).as("column %s of %s is still stored", columns[i], table).isNotNegative();
        }
        List<String> rows = new ArrayList<>();
        for (String line : dump.subList(1, dump.size())) {
            String[] v = line.split("\t", -1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < idx.length; i++) {
                if (i > 0) sb.append('\t');
                sb.append(v[idx[i]]);
            }
            rows.add(sb.toString());
        }
        return sorted(rows);
    }

    private static List<String> sorted(List<String> rows) {
        List<String> s = new ArrayList<>(rows);
        s.sort(null);
        return s;
    }
}
