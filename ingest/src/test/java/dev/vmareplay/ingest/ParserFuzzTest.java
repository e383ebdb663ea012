package dev.vmareplay.ingest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmareplay.ingest.event.Event;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer fuzz targets for every parser, fed in-memory bytes through {@link Ingest#open(String,
 * java.io.InputStream, TraceFormat, IngestOptions)} exactly as a file would be.
 *
 * <p>A plain {@code mvn verify} runs each target in regression mode on its seed corpus
 * ({@code src/test/resources/dev/vmareplay/ingest/ParserFuzzTestInputs/<method>/}, the
 * samples' first lines plus every input that once crashed). {@code JAZZER_FUZZ=1 mvn test
 * -Dtest=ParserFuzzTest#strace} fuzzes one target; see cli/README-reliability.md.
 *
 * <p>The contract checked: whatever the bytes, reading either ends normally or fails with an
 * {@link IngestException} (strict mode: {@link MalformedTraceException}) whose message names
 * the input; never another exception. Non-strict reading never fails on a line: every line is
 * counted in exactly one class, and a malformed line's example names the file and a line
 * number that exists.
 */
class ParserFuzzTest {

    static final String NAME = "fuzz.trace";

    @FuzzTest(maxDuration = "30s")
    void strace(byte[] data) throws IOException {
        check(data, TraceFormat.STRACE, true);
    }

    @FuzzTest(maxDuration = "30s")
    void perfTrace(byte[] data) throws IOException {
        check(data, TraceFormat.PERF_TRACE, true);
    }

    @FuzzTest(maxDuration = "30s")
    void perfScript(byte[] data) throws IOException {
        check(data, TraceFormat.PERF_SCRIPT, true);
    }

    @FuzzTest(maxDuration = "30s")
    void csv(byte[] data) throws IOException {
        check(data, TraceFormat.CSV, false);
    }

    /** Format detection and gzip on top of all four parsers. */
    @FuzzTest(maxDuration = "30s")
    void autoDetect(byte[] data) throws IOException {
        check(data, TraceFormat.AUTO, false);
    }

    static void check(byte[] data, TraceFormat format, boolean lineBased) throws IOException {
        long lines = lineCount(data);
        // line numbers are checked against '\n' counts only for the line parsers: commons-csv
        // also ends a line at a lone '\r', and autoDetect may be reading gzip
        if (!lineBased) lines = Long.MAX_VALUE;
        IngestStats lenient = drain(data, format, IngestOptions.defaults(), lines);
        if (lenient != null && lineBased) {
            // every line lands in exactly one class
            assertThat(lenient.totalLines()).as("lines counted").isEqualTo(lines);
        }
        drain(data, format, IngestOptions.strictMode(), lines);
    }

    /** Reads everything; null when the input was refused as a whole (with a good message). */
    static IngestStats drain(byte[] data, TraceFormat format, IngestOptions options, long lines) throws IOException {
        try (EventSource s = Ingest.open(NAME, new ByteArrayInputStream(data), format, options)) {
            Event e;
            long n = 0;
            while ((e = s.next()) != null) {
                assertThat(e.call()).isNotNull();
                assertThat(e.source()).isNotNull();
                n++;
            }
            IngestStats st = s.stats();
            for (IngestStats.Example ex : st.examples()) {
                assertThat(ex.file()).isEqualTo(NAME);
                assertThat(ex.line()).as(ex.toString()).isBetween(1L, Math.max(1L, lines));
                assertThat(ex.problem()).isNotBlank();
            }
            if (!options.strict()) assertThat(st.get(IngestStats.LineClass.MALFORMED)).isGreaterThanOrEqualTo(st.examples().size());
            return st;
        } catch (MalformedTraceException e) {
            assertThat(options.strict()).as("MalformedTraceException without --strict: " + e.getMessage()).isTrue();
            assertThat(e.getMessage()).startsWith(NAME + ": line ");
            assertThat(e.line()).isBetween(1L, Math.max(1L, lines));
            return null;
        } catch (IngestException e) {
            assertThat(e.getMessage()).startsWith(NAME + ": ");
            assertThat(e.getMessage()).doesNotContain("null");
            return null;
        }
    }

    /** Lines as the line reader sees them: split at '\n', a last unterminated line counts. */
    static long lineCount(byte[] data) {
        long n = 0;
        for (byte b : data) if (b == '\n') n++;
        if (data.length > 0 && data[data.length - 1] != '\n') n++;
        return n;
    }
}
