package dev.vmareplay.cli;

import dev.vmareplay.ingest.Compression.Codec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compressed traces through the real command line, from files and through real pipes: a child
 * vmareplay reads its standard input while this test (or {@code cat}) writes the compressed
 * members into it with pauses in between, as a slow producer does. Each must give exactly the
 * summary of the plain trace (events, every case count, line classes, processes), for gzip,
 * zstd, xz and bzip2 alike; a cut stream is counted (or, --strict, refused) and says so.
 *
 * <p>The trace is a real one: {@code samples/captured/make-j2.strace.txt.gz}.
 */
class CompressedInputCliTest {

    @TempDir
    static Path tmp;

    static byte[] plain;
    static Path plainFile;
    static String plainSummary;

    @BeforeAll
    static void replayThePlainTrace() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                Path.of(System.getProperty("vmareplay.root", ".."), "samples/captured/make-j2.strace.txt.gz")))) {
            plain = in.readAllBytes();
        }
        plainFile = Files.write(tmp.resolve("make.txt"), plain);
        CliTest.Result r = CliTest.run("replay", plainFile.toString(), "--no-store");
        assertThat(r.code()).as(r.err()).isZero();
        plainSummary = summary(r.out());
        assertThat(plainSummary).containsPattern("\\d{3,} events").containsPattern("new_none\\s+[1-9]").contains("malformed 0\n");
    }

    /** The summary without the time it took. */
    static String summary(String out) {
        return out.replaceFirst(" in [0-9.]+s\n", "\n");
    }

    /** xz and bzip2 take their time: each set of members is compressed once. */
    private static final Map<String, List<byte[]>> MEMBERS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The trace in {@code n} members (cut at line ends), each compressed on its own. */
    static List<byte[]> members(Codec codec, int n) throws IOException {
        List<byte[]> done = MEMBERS.get(codec + "/" + n);
        if (done != null) return done;
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int i = 1; i <= n; i++) {
            int to = i == n ? plain.length : Math.max(from, plain.length * i / n);
            while (to < plain.length && plain[to - 1] != '\n') to++;
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (OutputStream z = codec.encoder(bo)) {
                z.write(plain, from, to - from);
            }
            out.add(bo.toByteArray());
            from = to;
        }
        MEMBERS.put(codec + "/" + n, List.copyOf(out));
        return out;
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        for (byte[] p : parts) bo.writeBytes(p);
        return bo.toByteArray();
    }

    /** What a child process printed and returned. */
    record Child(int code, String out, String err) { }

    /**
     * {@code vmareplay ARGS} in its own JVM, its standard input a pipe this test writes
     * {@code chunks} into, each only once the child has read all before it and waits.
     */
    static Child child(List<byte[]> chunks, long pauseMs, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return await(new ProcessBuilder(cmd).redirectOutput(tmp.resolve("child.out").toFile())
                .redirectError(tmp.resolve("child.err").toFile()).start(), chunks, pauseMs);
    }

    static Child await(Process p, List<byte[]> chunks, long pauseMs) throws Exception {
        try (OutputStream in = p.getOutputStream()) {
            for (byte[] chunk : chunks) {
                // the reader has taken everything so far and waits: the pipe is empty, available() is 0
                awaitBlockedOnPipe(p);
                Thread.sleep(pauseMs);
                try {
                    in.write(chunk);
                    in.flush();
                } catch (IOException brokenPipe) {
                    break; // the child stopped reading: what it printed says why
                }
            }
        } catch (IOException brokenPipe) {
            // closing a pipe the child no longer reads
        }
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("the child finished").isTrue();
        return new Child(p.exitValue(), Files.readString(tmp.resolve("child.out")), Files.readString(tmp.resolve("child.err")));
    }

    /**
     * Waits until a thread of {@code p} sleeps in the kernel's pipe read (its wchan,
     * anon_pipe_read or pipe_read in fs/pipe.c): everything written so far has been read. Without
     * that, a slow-starting child would find all members waiting in the pipe at once.
     */
    static void awaitBlockedOnPipe(Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Path tasks = Path.of("/proc", Long.toString(p.pid()), "task");
        while (System.nanoTime() < deadline && p.isAlive()) {
            List<Path> threads;
            try (var l = Files.list(tasks)) {
                threads = l.toList();
            } catch (IOException gone) {
                return; // the child ended
            }
            for (Path t : threads) {
                try {
                    if (Files.readString(t.resolve("wchan")).contains("pipe")) return;
                } catch (IOException gone) {
                    // the thread ended
                }
            }
            Thread.sleep(10);
        }
        assertThat(p.isAlive()).as("the child waits on its standard input").isFalse();
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aCompressedFileOfOneOrFourMembersGivesThePlainTracesSummary(Codec codec) throws IOException {
        for (int n : new int[] {1, 4}) {
            Path f = Files.write(tmp.resolve("make" + n + ".txt" + codec.extension()), concat(members(codec, n)));
            CliTest.Result r = CliTest.run("replay", f.toString(), "--no-store");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(summary(r.out())).as("%s, %d members", codec, n).isEqualTo(plainSummary);
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void fourMembersArrivingSlowlyOnAPipeGiveThePlainTracesSummary(Codec codec) throws Exception {
        // each member in two writes, with a pause after every write: the reader sees the pipe empty
        // in the middle of members and between them
        List<byte[]> writes = new ArrayList<>();
        for (byte[] m : members(codec, 4)) {
            writes.add(Arrays.copyOf(m, m.length / 2));
            writes.add(Arrays.copyOfRange(m, m.length / 2, m.length));
        }
        Child c = child(writes, 150, "replay", "-", "--no-store");
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(summary(c.out())).isEqualTo(plainSummary);
    }

    @Test
    void catOfTwoGzipFilesIntoStandardInputGivesThePlainTracesSummary() throws Exception {
        List<byte[]> halves = members(Codec.GZIP, 2);
        Path a = Files.write(tmp.resolve("a.gz"), halves.get(0)), b = Files.write(tmp.resolve("b.gz"), halves.get(1));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // cat a.gz; pause; cat b.gz | vmareplay replay -
        Process p = new ProcessBuilder("sh", "-c", "(cat \"$1\"; sleep 0.5; cat \"$2\") | \"$3\" -cp \"$4\" " + Main.class.getName()
                + " replay - --no-store", "sh", a.toString(), b.toString(), java, System.getProperty("java.class.path"))
                .redirectOutput(tmp.resolve("child.out").toFile()).redirectError(tmp.resolve("child.err").toFile()).start();
        Child c = await(p, List.of(), 0);
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(summary(c.out())).isEqualTo(plainSummary);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aStreamCutShortOnAPipeIsCountedAndRefusedWithStrict(Codec codec) throws Exception {
        byte[] all = concat(members(codec, 4));
        byte[] cut = Arrays.copyOf(all, all.length * 3 / 5);
        List<byte[]> writes = List.of(Arrays.copyOf(cut, cut.length / 2), Arrays.copyOfRange(cut, cut.length / 2, cut.length));

        Child lenient = child(writes, 150, "replay", "-", "--no-store");
        assertThat(lenient.code()).as(lenient.err()).isZero();
        assertThat(lenient.out()).containsPattern("malformed -:\\d+: the " + codec.label() + " data ends early \\(truncated \\"
                + codec.extension() + "\\): the rest of the trace is missing");

        Child strict = child(writes, 150, "replay", "-", "--no-store", "--strict");
        assertThat(strict.code()).isEqualTo(3);
        assertThat(strict.err()).isEqualTo("vmareplay replay: -: truncated " + codec.label() + " data (the compressed file ends early)\n");
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aCutOrCorruptFileIsCountedOrRefusedInOneLine(Codec codec) throws IOException {
        byte[] all = concat(members(codec, 4));
        Path cut = Files.write(tmp.resolve("cut.txt" + codec.extension()), Arrays.copyOf(all, all.length * 3 / 5));
        CliTest.Result lenient = CliTest.run("ingest", cut.toString(), "-o", tmp.resolve("cut.csv").toString());
        assertThat(lenient.code()).as(lenient.err()).isZero();
        assertThat(lenient.err()).contains("malformed " + cut + ":").contains(": the " + codec.label() + " data ends early");
        CliTest.Result strict = CliTest.run("replay", cut.toString(), "--no-store", "--strict");
        assertThat(strict.code()).isEqualTo(3);
        assertThat(strict.err()).isEqualTo("vmareplay replay: " + cut + ": truncated " + codec.label() + " data (the compressed file ends early)\n");

        byte[] bad = all; // concat made a fresh copy
        int at = members(codec, 4).get(0).length + 200; // into the second member's compressed body
        for (int i = at; i < at + 64; i++) bad[i] ^= 0x5a;
        Path corrupt = Files.write(tmp.resolve("corrupt.txt" + codec.extension()), bad);
        CliTest.Result c = CliTest.run("replay", corrupt.toString(), "--no-store");
        assertThat(c.code()).as(c.out() + c.err()).isEqualTo(3);
        assertThat(c.err()).startsWith("vmareplay replay: " + corrupt + ": corrupt " + codec.label() + " data: ").hasLineCount(1);
    }

    @Test
    void perProcessFilesOfStraceFfEachCompressedDifferentlyGiveTheSameSummaryAsPlain() throws IOException {
        // make-j2 as strace -ff would have written it: one file per pid, named trace.PID, no pid column
        Map<String, StringBuilder> byPid = new LinkedHashMap<>();
        for (String line : new String(plain, StandardCharsets.ISO_8859_1).split("\n")) {
            int sp = line.indexOf(' ');
            if (sp <= 0) continue;
            byPid.computeIfAbsent(line.substring(0, sp), k -> new StringBuilder()).append(line.substring(sp).stripLeading()).append('\n');
        }
        assertThat(byPid).hasSizeGreaterThan(4);
        Path plainDir = Files.createDirectories(tmp.resolve("ff-plain")), packedDir = Files.createDirectories(tmp.resolve("ff-packed"));
        List<String> plainFiles = new ArrayList<>(), packedFiles = new ArrayList<>();
        Codec[] codecs = Codec.values();
        int i = 0;
        for (Map.Entry<String, StringBuilder> e : byPid.entrySet()) {
            byte[] text = e.getValue().toString().getBytes(StandardCharsets.ISO_8859_1);
            plainFiles.add(Files.write(plainDir.resolve("trace." + e.getKey()), text).toString());
            Codec codec = codecs[i++ % codecs.length];
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (OutputStream z = codec.encoder(bo)) {
                z.write(text);
            }
            packedFiles.add(Files.write(packedDir.resolve("trace." + e.getKey() + codec.extension()), bo.toByteArray()).toString());
        }
        List<String> args = new ArrayList<>(List.of("replay", "--no-store"));
        CliTest.Result p = CliTest.run(concat(args, plainFiles));
        CliTest.Result z = CliTest.run(concat(args, packedFiles));
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(z.code()).as(z.err()).isZero();
        assertThat(summary(z.out())).isEqualTo(summary(p.out()));
        // every pid came from its file's name: the same processes as the -f trace
        assertThat(z.out()).contains(plainSummary.lines().filter(l -> l.contains("processes:")).findFirst().orElseThrow());
    }

    static String[] concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(String[]::new);
    }
}
