package dev.vmareplay.cli;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestException;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.TraceFormat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Opening trace inputs for a command, with the command line's errors. */
final class Inputs {

    private Inputs() { }

    static EventSource open(List<String> traces, TraceFormat format, boolean strict) {
        try {
            return Ingest.open(traces, format, strict ? IngestOptions.strictMode() : IngestOptions.defaults());
        } catch (IngestException e) {
            throw new Errors.InputException(e.getMessage(), e);
        } catch (IOException e) {
            throw new Errors.InputException("cannot read input: " + e.getMessage(), e);
        }
    }

    static TraceFormat format(String name) {
        try {
            return TraceFormat.parse(name);
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException("unknown --format '" + name + "' (expected auto, strace, perf-trace, perf-script or csv)");
        }
    }

    /**
     * True when a trace carries page-fault events (perf trace -F): then anon_vma state is
     * observed rather than assumed. Looks at the first MiB of each file input; standard input
     * cannot be peeked and counts as no.
     */
    static boolean hasFaultEvents(List<String> traces) {
        for (String t : traces) {
            if (t.equals("-")) continue;
            Path p = Path.of(t);
            if (!Files.isRegularFile(p)) continue;
            try (InputStream raw = Files.newInputStream(p)) {
                InputStream in = raw;
                byte[] magic = raw.readNBytes(2);
                try (InputStream rest = Files.newInputStream(p)) {
                    in = (magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b)
                            ? new GZIPInputStream(rest) : rest;
                    String head = new String(in.readNBytes(1 << 20), StandardCharsets.ISO_8859_1);
                    if (head.contains(" minfault ") || head.contains(" majfault ") || head.contains(" minfault [")) return true;
                }
            } catch (IOException e) {
                // unreadable here: Ingest.open reports it properly
            }
        }
        return false;
    }
}
