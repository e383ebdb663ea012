package dev.vmareplay.ingest;

import dev.vmareplay.ingest.Compression.Codec;
import dev.vmareplay.ingest.IngestStats.LineClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Compressed traces are read whole or refused out loud, per codec: one member and several
 * concatenated members give every event of the plain trace; a stream cut short ends at the
 * cut with one malformed line saying so (with --strict: refused); corrupt data is refused.
 * The trace is a real one ({@code samples/captured/make-j2.strace.txt.gz}: sh, ls and wc).
 * The pipe cases, where members arrive with pauses between them, run through the real CLI
 * ({@code CompressedInputCliTest}).
 */
class CompressionTest {

    @TempDir
    static Path tmp;

    static byte[] plain;
    static long plainEvents;

    @BeforeAll
    static void readThePlainTrace() throws IOException {
        Path gz = Path.of(System.getProperty("vmareplay.root", ".."), "samples/captured/make-j2.strace.txt.gz");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            plain = in.readAllBytes();
        }
        Path p = Files.write(tmp.resolve("plain.strace"), plain);
        TestSupport.Result r = TestSupport.read(p);
        plainEvents = r.events().size();
        assertThat(plainEvents).isGreaterThan(500);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
    }

    /** The trace compressed as {@code members} members (cut at line ends), concatenated as {@code cat} does. */
    static byte[] compress(Codec codec, int members) throws IOException {
        byte[] done = COMPRESSED.get(codec + "/" + members);
        if (done != null) return done.clone();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : split(plain, members)) all.write(compress(codec, part));
        COMPRESSED.put(codec + "/" + members, all.toByteArray());
        return all.toByteArray();
    }

    /** xz and bzip2 take their time: each stream is compressed once. */
    private static final java.util.Map<String, byte[]> COMPRESSED = new java.util.concurrent.ConcurrentHashMap<>();

    static byte[] compress(Codec codec, byte[] data) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream out = codec.encoder(bo)) {
            out.write(data);
        }
        return bo.toByteArray();
    }

    /** {@code n} parts of about equal size, each ending at a line end. */
    static List<byte[]> split(byte[] data, int n) {
        List<byte[]> parts = new ArrayList<>();
        int from = 0;
        for (int i = 1; i <= n; i++) {
            int to = i == n ? data.length : Math.max(from, data.length * i / n);
            while (to < data.length && data[to - 1] != '\n') to++;
            parts.add(Arrays.copyOfRange(data, from, to));
            from = to;
        }
        return parts;
    }

    static TestSupport.Result read(Path file, boolean strict) throws IOException {
        return TestSupport.read(List.of(file.toString()), TraceFormat.AUTO, strict ? IngestOptions.strictMode() : IngestOptions.defaults());
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void oneMemberAndFourMembersGiveEveryEventOfThePlainTrace(Codec codec) throws IOException {
        for (int members : new int[] {1, 4}) {
            byte[] data = compress(codec, members);
            assertThat(Compression.Codec.detect(data, 6)).isEqualTo(codec);
            // the name says nothing: the magic bytes decide
            Path f = Files.write(tmp.resolve(codec + "-" + members + ".trace"), data);
            TestSupport.Result r = read(f, true);
            assertThat(r.events()).as("%s, %d members", codec, members).hasSize((int) plainEvents);
            assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
            assertThat(r.stats().bytesRead()).isEqualTo(plain.length);
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aStreamCutShortEndsAtTheCutWithOneMalformedLineAndIsRefusedWithStrict(Codec codec) throws IOException {
        byte[] data = compress(codec, 4);
        Path cut = Files.write(tmp.resolve("cut" + codec.extension()), Arrays.copyOf(data, data.length * 3 / 5));

        TestSupport.Result r = read(cut, false);
        // the first two members are whole: at least their events; never all of them
        assertThat(r.events().size()).isGreaterThan((int) (plainEvents / 3)).isLessThan((int) plainEvents);
        // the cut, and the line it cut in two when the decoder got that far
        assertThat(r.stats().get(LineClass.MALFORMED)).isBetween(1L, 2L);
        assertThat(r.stats().examples()).last().satisfies(e -> {
            assertThat(e.file()).isEqualTo(cut.toString());
            assertThat(e.problem()).isEqualTo("the " + codec.label() + " data ends early (truncated " + codec.extension()
                    + "): the rest of the trace is missing");
        });

        assertThatThrownBy(() -> read(cut, true)).isInstanceOf(IngestException.class)
                .hasMessage(cut + ": truncated " + codec.label() + " data (the compressed file ends early)");
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void corruptDataIsRefusedWithOrWithoutStrict(Codec codec) throws IOException {
        byte[] data = compress(codec, 4);
        // 64 bytes of the second member's compressed body turned into something else
        int second = compress(codec, split(plain, 4).get(0)).length;
        int at = second + 200;
        for (int i = at; i < at + 64; i++) data[i] ^= 0x5a;
        Path bad = Files.write(tmp.resolve("bad" + codec.extension()), data);
        for (boolean strict : new boolean[] {false, true}) {
            assertThatThrownBy(() -> read(bad, strict)).isInstanceOf(IngestException.class)
                    .hasMessageStartingWith(bad + ": corrupt " + codec.label() + " data: ");
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aStreamCutInsideItsHeaderIsTruncatedNotCorrupt(Codec codec) throws IOException {
        byte[] data = compress(codec, 1);
        Path head = Files.write(tmp.resolve("head" + codec.extension()), Arrays.copyOf(data, 7));
        assertThatThrownBy(() -> read(head, true)).isInstanceOf(IngestException.class)
                .hasMessage(head + ": truncated " + codec.label() + " data (the compressed file ends early)");
    }

    @Test
    void severalInputsOfDifferentCodecsAreMergedWhole() throws IOException {
        // the trace as two halves (each a complete strace -f of its pids' lines would be needed
        // for a merge by time; halves in time order merge back to the whole)
        List<byte[]> halves = split(plain, 2);
        Path a = Files.write(tmp.resolve("a.zst"), compress(Codec.ZSTD, halves.get(0)));
        Path b = Files.write(tmp.resolve("b.xz"), compress(Codec.XZ, halves.get(1)));
        TestSupport.Result r = TestSupport.read(List.of(a.toString(), b.toString()), TraceFormat.AUTO, IngestOptions.strictMode());
        assertThat(r.events()).hasSize((int) plainEvents);
    }

    @Test
    void theCodecByFileNameIsTheOneRecordCompressesWith() {
        assertThat(Codec.forFileName("trace.txt.zst")).isEqualTo(Codec.ZSTD);
        assertThat(Codec.forFileName("trace.TXT.GZ")).isEqualTo(Codec.GZIP);
        assertThat(Codec.forFileName("t.xz")).isEqualTo(Codec.XZ);
        assertThat(Codec.forFileName("t.bz2")).isEqualTo(Codec.BZIP2);
        assertThat(Codec.forFileName("trace.txt")).isNull();
    }
}
