package dev.vmareplay.cli;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.PrefetchingSource;
import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.ingest.TracePeek;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.List;

/**
 * The trace inputs of a command ({@code replay}, {@code verify}, {@code ingest}): TRACE...,
 * {@code --format}, {@code --strict}, shared as a picocli {@code @Mixin}. Opening them is
 * here too, so every command reads traces the same way.
 */
class TraceInputs {

    @Parameters(arity = "1..*", paramLabel = "TRACE", description = "Trace file(s): strace, perf trace, perf script or canonical CSV; compressed is fine (gzip with any number of members, zstd, xz, bzip2: detected by their magic bytes, read whole or refused); - reads standard input. Several are merged in time order.")
    List<String> traces;

    @Option(names = "--format", paramLabel = "F", defaultValue = "auto", converter = FormatConverter.class,
            completionCandidates = FormatConverter.Names.class,
            description = "Input format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    TraceFormat format;

    @Option(names = "--strict", description = "Stop at the first malformed trace line (exit code 3) instead of skipping and counting it.")
    boolean strict;

    /** Inputs given in code (record --verify reads back the trace it wrote). */
    static TraceInputs of(List<String> traces, TraceFormat format, boolean strict) {
        TraceInputs in = new TraceInputs();
        in.traces = List.copyOf(traces);
        in.format = format;
        in.strict = strict;
        return in;
    }

    List<String> traces() {
        return traces;
    }

    boolean strict() {
        return strict;
    }

    /** The format as the user would type it (stored with the run). */
    String formatName() {
        return OptionValue.name(format);
    }

    /**
     * Opens the inputs as one event stream, parsed on a second core while the caller replays
     * (VMAREPLAY_THREADS=1: one thread). {@code markers}: emit snapshot markers as events.
     */
    EventSource open(boolean markers) throws IOException {
        IngestOptions options = (strict ? IngestOptions.strictMode() : IngestOptions.defaults()).withMarkers(markers);
        EventSource s = Ingest.open(traces, format, options);
        boolean one = "1".equals(System.getenv("VMAREPLAY_THREADS")) || Runtime.getRuntime().availableProcessors() < 2;
        return one ? s : new PrefetchingSource(s);
    }

    boolean hasFaultEvents() {
        return TracePeek.hasFaultEvents(traces);
    }

    /** auto, strace, perf-trace, perf-script, csv. */
    static final class FormatConverter implements CommandLine.ITypeConverter<TraceFormat> {
        @Override
        public TraceFormat convert(String value) {
            try {
                return TraceFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw OptionValue.notOneOf(value, new Names());
            }
        }

        static final class Names extends OptionValue.Names {
            Names() {
                super(TraceFormat.values());
            }
        }
    }
}
