package dev.vmareplay.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input corpus ({@code src/test/resources/badinput/}, described in its README) through
 * the real command line: {@code ingest} and {@code replay}, with and without {@code --strict}.
 *
 * <p>Every input gets one of two documented results. Either it is read, its bad lines are
 * skipped and counted MALFORMED with {@code file:line} (exit 0; with --strict: exit 3 and one
 * line naming the file and the first bad line), or it is refused as a whole with one line
 * naming the file and what is wrong (exit 3, with or without --strict). Never a stack trace,
 * never an "internal error", and a replay of a readable input always completes.
 */
class BadInputCliTest {

    @TempDir
    static Path tmp;

    static Path dir;

    /** What one command printed and returned. */
    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * One corpus file and its documented result. {@code malformed} is the MALFORMED count
     * without --strict, {@code firstBad} the line --strict stops at (0: none, --strict passes),
     * {@code refused} a text of the whole-file error (null: the file is read).
     */
    record Case(String file, long malformed, long firstBad, String refused) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Case read(String file, long malformed, long firstBad) {
        return new Case(file, malformed, firstBad, null);
    }

    static Case refused(String file, String why) {
        return new Case(file, 0, 0, why);
    }

    static Stream<Case> corpus() {
        return Stream.of(
                read("truncated-last-line.strace", 1, 5),
                read("cut-in-string.strace", 1, 3),
                refused("binary-garbage.bin", "unrecognised trace format"),
                read("binary-tail.strace", 4, 5),
                read("nul-bytes.strace", 1, 3),
                read("non-utf8-path.strace", 0, 0),
                read("only-resumed.strace", 0, 0),
                read("unbalanced-pairs.strace", 0, 0),
                read("mixed-formats.txt", 5, 3),
                read("empty.strace", 0, 0),
                read("blank-lines.strace", 0, 0),
                read("crlf.strace", 0, 0),
                read("i386-mmap2.strace", 0, 0),
                read("aarch64.strace", 2, 2),
                read("top-of-address-space.strace", 0, 0),
                read("wrapping-lengths.strace", 0, 0),
                read("negative-zero-lengths.strace", 0, 0),
                read("misaligned.strace", 0, 0),
                read("unknown-flags.strace", 7, 1),
                read("numeric-flags.strace", 0, 0),
                refused("proc-maps-as-trace.txt", "unrecognised trace format"),
                read("ltrace.txt", 1, 3),
                read("concatenated.strace", 0, 0),
                read("huge-numbers.strace", 7, 1),
                read("perf-trace-hostile.txt", 2, 3),
                read("perf-script-hostile.txt", 1, 6),
                read("csv-hostile.csv", 8, 2),
                read("csv-header-only.csv", 0, 0),
                read("holes-under-mprotect.strace", 0, 0));
    }

    @BeforeAll
    static void copyCorpus() throws IOException, URISyntaxException {
        Path src = Path.of(BadInputCliTest.class.getClassLoader().getResource("badinput/README.md").toURI()).getParent();
        dir = Files.createDirectories(tmp.resolve("badinput"));
        try (Stream<Path> l = Files.list(src)) {
            for (Path p : l.toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
    }

    @Test
    void everyCorpusFileHasADocumentedResult() throws IOException {
        List<String> listed = corpus().map(Case::file).toList();
        try (Stream<Path> l = Files.list(dir)) {
            List<String> files = l.map(p -> p.getFileName().toString()).filter(n -> !n.equals("README.md")).toList();
            assertThat(listed).containsExactlyInAnyOrderElementsOf(files);
        }
        String readme = Files.readString(dir.resolve("README.md"));
        for (String f : listed) assertThat(readme).as("README lists " + f).contains("`" + f + "`");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void ingestSkipsAndCountsOrRefusesWithOneLine(Case c) throws IOException {
        String f = dir.resolve(c.file()).toString();
        Path csv = tmp.resolve(c.file() + ".csv");
        Result r = run("ingest", f, "-o", csv.toString());
        assertClean(r);
        if (c.refused() != null) {
            assertRefused(r, f, c.refused());
            assertRefused(run("ingest", f, "-o", csv.toString(), "--strict"), f, c.refused());
            return;
        }
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.err()).contains("MALFORMED=" + c.malformed() + "}");
        assertExamples(r.err(), f, c);
        assertThat(csv).exists();

        Result strict = run("ingest", f, "-o", csv.toString(), "--strict");
        assertStrict(strict, f, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void replayCompletesOnEveryReadableInputAndStopsCleanlyWithStrict(Case c) {
        String f = dir.resolve(c.file()).toString();
        Path db = tmp.resolve("replay.duckdb");
        Result r = run("replay", f, "--db", db.toString(), "--no-report", "--check-invariants");
        assertClean(r);
        if (c.refused() != null) {
            assertRefused(r, f, c.refused());
            assertRefused(run("replay", f, "--db", db.toString(), "--no-report", "--strict"), f, c.refused());
            return;
        }
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).containsPattern("lines: .*malformed " + c.malformed() + "\\b");
        assertExamples(r.out(), f, c);

        Result strict = run("replay", f, "--db", db.toString(), "--no-report", "-q", "--strict");
        assertStrict(strict, f, c);
    }

    // ------------------------------------------------------------------ generated inputs

    static final String GOOD = "1234 11:00:00.000001 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000 <0.000010>\n";

    @Test
    void aOneMegabyteLineIsReadWhole() throws IOException {
        Path p = tmp.resolve("long-1m.strace");
        try (OutputStream o = Files.newOutputStream(p)) {
            o.write(GOOD.getBytes(StandardCharsets.US_ASCII));
            o.write(("1234 11:00:00.000002 write(1, \"" + "a".repeat(1 << 20) + "\"..., 1048576) = 1048576 <0.000010>\n").getBytes(StandardCharsets.US_ASCII));
            o.write(("x".repeat(1 << 20) + "\n").getBytes(StandardCharsets.US_ASCII)); // a 1 MB line of junk
            o.write(GOOD.getBytes(StandardCharsets.US_ASCII));
        }
        Result r = run("replay", p.toString(), "--db", tmp.resolve("long.duckdb").toString(), "--no-report");
        assertClean(r);
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).contains("parsed 2, paired 0, orphaned 0, ignored 1, malformed 1");
        // the example is cut to a readable length, not a megabyte
        Matcher m = Pattern.compile("malformed " + Pattern.quote(p.toString()) + ":3: .*").matcher(r.out());
        assertThat(m.find()).as(r.out().substring(0, Math.min(2000, r.out().length()))).isTrue();
        assertThat(m.group().length()).isLessThan(500);
        assertThat(r.out().length()).isLessThan(10_000);
    }

    @Test
    void aLineLongerThanTheLimitIsCutCountedAndNeverHeldWhole() throws IOException {
        Path p = tmp.resolve("long-5m.strace");
        try (OutputStream o = Files.newOutputStream(p)) {
            o.write(GOOD.getBytes(StandardCharsets.US_ASCII));
            o.write(("1234 11:00:00.000002 write(1, \"" + "a".repeat(5 << 20) + "\", 5242880) = 5242880 <0.000010>\n").getBytes(StandardCharsets.US_ASCII));
            o.write(GOOD.getBytes(StandardCharsets.US_ASCII));
        }
        Result r = run("ingest", p.toString(), "-o", tmp.resolve("long5.csv").toString());
        assertClean(r);
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("MALFORMED=1}").contains(p + ":2: line longer than 4194304 bytes");
        Result s = run("ingest", p.toString(), "-o", tmp.resolve("long5.csv").toString(), "--strict");
        assertThat(s.code()).isEqualTo(3);
        assertThat(s.err()).startsWith("vmareplay ingest: " + p + ": line 2: line longer than").hasLineCount(1);
    }

    @Test
    void aDirectoryOrAMissingFileIsRefusedByName() {
        for (String cmd : new String[] {"replay", "ingest"}) {
            String[] extra = cmd.equals("replay") ? new String[] {"--db", tmp.resolve("d.duckdb").toString(), "--no-report"} : new String[] {"-o", tmp.resolve("d.csv").toString()};
            Result d = run(concat(new String[] {cmd, dir.toString()}, extra));
            assertClean(d);
            assertThat(d.code()).isEqualTo(3);
            assertThat(d.err()).isEqualTo("vmareplay " + cmd + ": " + dir + ": is a directory, not a trace file\n");
            Result m = run(concat(new String[] {cmd, dir.resolve("nope.strace").toString()}, extra));
            assertThat(m.code()).isEqualTo(3);
            assertThat(m.err()).isEqualTo("vmareplay " + cmd + ": " + dir.resolve("nope.strace") + ": no such file\n");
        }
    }

    @Test
    void aTruncatedGzipIsReplayedUpToTheCutAndRefusedWithStrict() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append(String.format("1234 11:00:00.%06d mmap(0x%x, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x%x <0.000010>%n",
                    i, 0x7f0000000000L + i * 8192L, 0x7f0000000000L + i * 8192L));
        }
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        }
        byte[] all = bo.toByteArray();
        Path cut = tmp.resolve("cut.strace.gz");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        Path db = tmp.resolve("gz.duckdb");

        Result r = run("replay", cut.toString(), "--db", db.toString(), "--no-report");
        assertClean(r);
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).containsPattern("malformed " + Pattern.quote(cut.toString()) + ":\\d+: the gzip data ends early \\(truncated \\.gz\\)");

        Result s = run("replay", cut.toString(), "--db", db.toString(), "--no-report", "--strict");
        assertThat(s.code()).isEqualTo(3);
        assertThat(s.err()).isEqualTo("vmareplay replay: " + cut + ": truncated gzip data (the compressed file ends early)\n");

        // a gzip header and nothing else: no events and the cut counted; a header cut short; a header followed by garbage
        Path tiny = tmp.resolve("tiny.gz");
        Files.write(tiny, java.util.Arrays.copyOf(all, 10));
        Result t = run("ingest", tiny.toString(), "-o", tmp.resolve("t.csv").toString());
        assertClean(t);
        assertThat(t.code()).isZero();
        assertThat(t.err()).contains("0 events").contains("malformed " + tiny + ":1: the gzip data ends early");
        Result ts = run("ingest", tiny.toString(), "-o", tmp.resolve("t.csv").toString(), "--strict");
        assertThat(ts.code()).isEqualTo(3);
        assertThat(ts.err()).isEqualTo("vmareplay ingest: " + tiny + ": truncated gzip data (the compressed file ends early)\n");
        Path header = tmp.resolve("header.gz");
        Files.write(header, java.util.Arrays.copyOf(all, 6));
        Result h = run("ingest", header.toString(), "-o", tmp.resolve("t.csv").toString());
        assertClean(h);
        assertThat(h.code()).isEqualTo(3);
        assertThat(h.err()).isEqualTo("vmareplay ingest: " + header + ": truncated gzip data (the compressed file ends early)\n");
        Path bad = tmp.resolve("bad.gz");
        Files.write(bad, concat(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}, "garbage-garbage-garbage".getBytes(StandardCharsets.US_ASCII)));
        Result b = run("ingest", bad.toString(), "-o", tmp.resolve("t.csv").toString());
        assertClean(b);
        assertThat(b.code()).isEqualTo(3);
        assertThat(b.err()).startsWith("vmareplay ingest: " + bad + ": corrupt gzip data: ").hasLineCount(1);
    }

    @Test
    void seedSnapshotsThatAreNotSnapshotsAreRefusedByFileAndLine() throws IOException {
        String trace = dir.resolve("crlf.strace").toString();
        String ok = "7f0000100000-7f0000102000 rw-p 00000000 00:00 0\n";
        String[][] cases = {
                {"overlap.maps", ok + "7f0000101000-7f0000103000 r--p 00000000 00:00 0\n", "2: overlaps or precedes the line before"},
                {"unsorted.maps", ok + "7f0000000000-7f0000001000 r--p 00000000 00:00 0\n", "2: overlaps or precedes the line before"},
                {"unaligned.maps", "7f0000100001-7f0000102000 rw-p 00000000 00:00 0\n", "1: range not page aligned"},
                {"inverted.maps", "7f0000102000-7f0000100000 rw-p 00000000 00:00 0\n", "1: bad maps line (start >= end)"},
                {"garbage.maps", "\u0001\u001b[31mgarbage\u0000\n", "1: not a maps or smaps line: \\x01\\x1b[31mgarbage\\x00"},
                {"badhex.maps", "zzzz-7f0000102000 rw-p 00000000 00:00 0\n", "1: not a maps or smaps line"},
        };
        for (String[] c : cases) {
            Path m = tmp.resolve(c[0]);
            Files.writeString(m, c[1], StandardCharsets.ISO_8859_1);
            Result r = run("replay", trace, "--seed-maps", m.toString(), "--db", tmp.resolve("seed.duckdb").toString(), "--no-report");
            assertClean(r);
            assertThat(r.code()).as(c[0]).isEqualTo(3);
            assertThat(r.err()).as(c[0]).startsWith("vmareplay replay: cannot read seed snapshot " + m + ": " + m + ":" + c[2]).hasLineCount(1);
        }
        // an empty snapshot and the vsyscall page at the top of the address space are fine
        Path empty = tmp.resolve("empty.maps");
        Files.writeString(empty, "");
        Path vsys = tmp.resolve("vsyscall.maps");
        Files.writeString(vsys, ok + "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n");
        for (Path m : List.of(empty, vsys)) {
            Result r = run("replay", trace, "--seed-maps", m.toString(), "--db", tmp.resolve("seed.duckdb").toString(), "--no-report", "-q", "--check-invariants");
            assertClean(r);
            assertThat(r.code()).as(r.all()).isZero();
        }
    }

    @Test
    void oneBadFileAmongSeveralIsNamed() {
        String good = dir.resolve("crlf.strace").toString();
        String bad = dir.resolve("binary-garbage.bin").toString();
        Result r = run("replay", good, bad, "--db", tmp.resolve("multi.duckdb").toString(), "--no-report");
        assertClean(r);
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).startsWith("vmareplay replay: " + bad + ": unrecognised trace format").hasLineCount(1);
    }

    @Test
    void checkInvariantsGivesTheSameCountsOnARealTrace() {
        Path s = CliTest.sample("reservation_jvm_like", "strace-tt-T-y");
        Path db = tmp.resolve("inv.duckdb");
        Result plain = run("replay", s.resolve("trace.cut.txt").toString(), "--db", db.toString(), "--no-report");
        Result checked = run("replay", s.resolve("trace.cut.txt").toString(), "--db", db.toString(), "--no-report", "--check-invariants");
        assertThat(plain.code()).as(plain.all()).isZero();
        assertThat(checked.code()).as(checked.all()).isZero();
        assertClean(checked);
        Result q = run("query", "--db", db.toString(), "--format", "csv",
                "select count(*) from (select kind, n from case_counts where run_id = 1 except select kind, n from case_counts where run_id = 2)");
        assertThat(q.out().lines().toList()).containsExactly("count_star()", "0");
    }

    // ------------------------------------------------------------------ checks

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** No stack trace, no internal error, no raw control characters, a documented exit code. */
    static void assertClean(Result r) {
        assertNoTrace(r);
        assertThat(r.code()).as(r.all()).isIn(0, 3);
    }

    /** No stack trace, no internal error, no raw control characters. */
    static void assertNoTrace(Result r) {
        assertThat(r.all()).doesNotContain("internal error").doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("\u0000").doesNotContain("\u001b");
    }

    static void assertRefused(Result r, String file, String why) {
        assertClean(r);
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).startsWith("vmareplay ").contains(file + ": " + why).hasLineCount(1);
    }

    /** The first few malformed lines are shown as FILE:LINE: problem: text. */
    static void assertExamples(String text, String file, Case c) {
        if (c.malformed() == 0) {
            assertThat(text).doesNotContain("malformed " + file);
            return;
        }
        assertThat(text).contains("malformed " + file + ":" + c.firstBad() + ": ");
        long shown = text.lines().filter(l -> l.trim().startsWith("malformed " + file + ":")).count();
        assertThat(shown).isEqualTo(Math.min(c.malformed(), 5));
    }

    static void assertStrict(Result s, String file, Case c) {
        assertClean(s);
        if (c.malformed() == 0) {
            assertThat(s.code()).as(s.all()).isZero();
            return;
        }
        assertThat(s.code()).as(s.all()).isEqualTo(3);
        assertThat(s.err()).startsWith("vmareplay " + (s.err().startsWith("vmareplay ingest") ? "ingest" : "replay") + ": " + file + ": line " + c.firstBad() + ": ")
                .hasLineCount(1);
    }
}
