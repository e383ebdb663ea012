package dev.vmareplay.ingest.parse;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LineReaderTest {

    /** The word-at-a-time search against the byte loop, at every alignment and distance. */
    @Test
    void newlineSearchFindsTheFirstNewlineAtEveryOffset() {
        Random rnd = new Random(13);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[1 + rnd.nextInt(64)];
            for (int i = 0; i < b.length; i++) {
                // bytes next to '\n' (0x0a) in value, and high bytes, are what a borrow could confuse
                int pick = rnd.nextInt(10);
                b[i] = (byte) (pick == 0 ? '\n' : pick == 1 ? 0x0b : pick == 2 ? 0x09 : pick == 3 ? 0x8a : rnd.nextInt(256));
            }
            int from = rnd.nextInt(b.length + 1);
            int to = from + rnd.nextInt(b.length - from + 1);
            assertThat(LineReader.indexOfNewline(b, from, to)).as("round %d", round).isEqualTo(naive(b, from, to));
        }
    }

    @Test
    void linesComeOutWhateverSizesTheReadsReturn() throws IOException {
        String text = "first\r\nsecond line, a bit longer than eight bytes\n\n" + "x".repeat(5000) + "\nlast without newline";
        for (int chunk : new int[] {1, 3, 7, 8, 9, 4096, 1 << 20}) {
            LineReader r = new LineReader(new Chunked(text.getBytes(StandardCharsets.US_ASCII), chunk), 1 << 16);
            List<String> lines = new ArrayList<>();
            List<Boolean> unterminated = new ArrayList<>();
            while (r.next()) {
                lines.add(new String(r.buf(), r.start(), r.end() - r.start(), StandardCharsets.US_ASCII));
                unterminated.add(r.unterminated());
            }
            assertThat(lines).as("reads of %d bytes", chunk)
                    .containsExactly("first", "second line, a bit longer than eight bytes", "", "x".repeat(5000),
                            "last without newline");
            assertThat(unterminated).containsExactly(false, false, false, false, true);
            assertThat(r.lineNo()).isEqualTo(5);
        }
    }

    @Test
    void aLineLongerThanTheLimitIsCutAndTheRestSkipped() throws IOException {
        String text = "a".repeat(300) + "\nnext\n";
        LineReader r = new LineReader(new Chunked(text.getBytes(StandardCharsets.US_ASCII), 7), 100);
        assertThat(r.next()).isTrue();
        assertThat(r.cut()).isTrue();
        assertThat(r.end() - r.start()).isEqualTo(100);
        assertThat(r.next()).isTrue();
        assertThat(new String(r.buf(), r.start(), r.end() - r.start(), StandardCharsets.US_ASCII)).isEqualTo("next");
        assertThat(r.cut()).isFalse();
        assertThat(r.next()).isFalse();
    }

    private static int naive(byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] != '\n') i++;
        return i;
    }

    /** An input that hands out at most {@code chunk} bytes per read, as a pipe does. */
    private static final class Chunked extends InputStream {
        private final ByteArrayInputStream in;
        private final int chunk;

        Chunked(byte[] bytes, int chunk) {
            this.in = new ByteArrayInputStream(bytes);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, chunk));
        }
    }
}
