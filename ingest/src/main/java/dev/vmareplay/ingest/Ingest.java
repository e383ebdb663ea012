package dev.vmareplay.ingest;

import dev.vmareplay.ingest.parse.CsvEventReader;
import dev.vmareplay.ingest.parse.PerfScriptParser;
import dev.vmareplay.ingest.parse.PerfTraceParser;
import dev.vmareplay.ingest.parse.RawSource;
import dev.vmareplay.ingest.parse.StraceParser;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The entry point: opens trace inputs as one stream of events. */
public final class Ingest {
    private Ingest() {}

    private static final int PEEK = 64 * 1024;
    private static final Pattern FF_SUFFIX = Pattern.compile(".*\\.(\\d{1,9})(\\.gz|\\.zst|\\.xz|\\.bz2)?$");
    private static final Pattern PERF_TRACE_LINE = Pattern.compile("^\\s*(\\d+\\.\\d+|\\?) \\(\\s*(\\d+\\.\\d+ ms)?\\s*\\): .*");
    private static final Pattern PERF_SCRIPT_LINE = Pattern.compile("^\\s*.*\\s\\d+(/\\d+)?\\s+(\\[\\d+\\]\\s+)?\\d+\\.\\d+:\\s+(\\d+\\s+)?[\\w-]+:[\\w-]+:.*");
    private static final Pattern STRACE_LINE = Pattern.compile(
            "^(\\[pid\\s+\\d+(<[^>]*>)?\\] |\\d+(<[^>]*>)?\\s+)?\\s*([\\d:.]+\\s+)?(\\[[ \\da-f?]+\\]\\s+){0,2}([a-z_0-9?]+\\(|<\\.\\.\\. |\\+\\+\\+ |--- |strace: ).*");

    /**
     * Opens trace inputs as one event stream.
     *
     * @param inputs  file paths, compressed files (gzip, zstd, xz, bzip2: detected by their
     *                magic bytes, whatever the name; see {@link Compression}), or "-" for standard input; several inputs are merged in time
     *                order (strace -ff per-pid files {@code trace.PID}: the pid comes from the
     *                name)
     * @param format  the format, or {@link TraceFormat#AUTO} to detect it per input
     * @throws IngestException for an unreadable input or an undetectable format (the message
     *                         names the file)
     */
    public static EventSource open(List<String> inputs, TraceFormat format, IngestOptions options) throws IOException {
        if (inputs == null || inputs.isEmpty()) throw new IngestException("-", "no input given");
        if (options == null) options = IngestOptions.defaults();
        if (format == null) format = TraceFormat.AUTO;
        List<RawSource> sources = new ArrayList<>();
        try {
            for (String name : inputs) sources.add(openOne(name, format, options));
        } catch (IOException | RuntimeException e) {
            for (RawSource s : sources) {
                try { s.close(); } catch (IOException ignored) { }
            }
            throw e;
        }
        return new ResolvingSource(sources);
    }

    /** Convenience: one input, auto-detected, default options. */
    public static EventSource open(String input) throws IOException {
        return open(List.of(input), TraceFormat.AUTO, IngestOptions.defaults());
    }

    static RawSource openOne(String name, TraceFormat format, IngestOptions options) throws IOException {
        InputStream raw;
        if (name.equals("-")) {
            raw = System.in;
        } else {
            Path p = Path.of(name);
            try {
                if (Files.isDirectory(p)) throw new IngestException(name, "is a directory, not a trace file");
                raw = Files.newInputStream(p);
            } catch (NoSuchFileException | FileNotFoundException e) {
                throw new IngestException(name, "no such file", e);
            } catch (AccessDeniedException e) {
                throw new IngestException(name, "permission denied", e);
            } catch (IOException e) {
                if (e instanceof IngestException) throw e;
                throw new IngestException(name, "cannot read: " + e.getMessage(), e);
            }
        }
        return openStream(name, raw, format, options);
    }

    /**
     * Opens one input that is already a stream (decompression and format detection as for files);
     * {@code name} is what errors and {@code source} columns call it. Tests and fuzzers feed
     * in-memory bytes through here.
     */
    public static EventSource open(String name, InputStream in, TraceFormat format, IngestOptions options) throws IOException {
        if (options == null) options = IngestOptions.defaults();
        if (format == null) format = TraceFormat.AUTO;
        return new ResolvingSource(List.of(openStream(name, in, format, options)));
    }

    private static RawSource openStream(String name, InputStream raw, TraceFormat format, IngestOptions options) throws IOException {
        try {
            InputStream data = Compression.open(name, new BufferedInputStream(raw, 1 << 16), options.strict(), PEEK * 2);
            if (!(data instanceof BufferedInputStream)) data = new BufferedInputStream(data, PEEK * 2);
            TraceFormat f = format;
            if (f == TraceFormat.AUTO) {
                data.mark(PEEK + 1);
                byte[] head = data.readNBytes(PEEK);
                data.reset();
                f = detect(head);
                if (f == null) {
                    if (blank(head)) f = TraceFormat.STRACE; // empty or blank input: no events
                    else throw new IngestException(name, "unrecognised trace format (expected strace, perf trace, perf script or vmareplay CSV output); first line: "
                            + firstLine(head));
                }
            }
            int ffPid = -1;
            Matcher m = FF_SUFFIX.matcher(name);
            if (m.matches()) ffPid = Integer.parseInt(m.group(1));
            return switch (f) {
                case STRACE -> new StraceParser(name, data, options, ffPid);
                case PERF_TRACE -> new PerfTraceParser(name, data, options);
                case PERF_SCRIPT -> new PerfScriptParser(name, data, options);
                case CSV -> new CsvEventReader(name, data, options);
                case AUTO -> throw new IllegalStateException();
            };
        } catch (IOException | RuntimeException e) {
            raw.close();
            if (e instanceof IngestException) throw e;
            throw new IngestException(name, "cannot read: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
    }

    private static String firstLine(byte[] head) {
        int s = 0;
        while (s < head.length && (head[s] == '\n' || head[s] == '\r' || head[s] == ' ' || head[s] == '\t')) s++;
        int n = s;
        while (n < head.length && n - s < 200 && head[n] != '\n') n++;
        return Printable.of(new String(head, s, n - s, StandardCharsets.UTF_8), 120);
    }

    private static boolean blank(byte[] head) {
        for (byte b : head) if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x0b) return false;
        return true;
    }

    /** Detects the format from the first lines; null when none fits. */
    public static TraceFormat detect(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\n", 50);
        int strace = 0, perfTrace = 0, perfScript = 0;
        for (int i = 0; i < lines.length && i < 40; i++) {
            String l = lines[i];
            if (i == lines.length - 1 && head.length == PEEK) break; // possibly cut
            if (l.endsWith("\r")) l = l.substring(0, l.length() - 1);
            if (l.isBlank()) continue;
            if (i == 0 && l.startsWith("seq,") && l.contains("syscall")) return TraceFormat.CSV;
            if (PERF_TRACE_LINE.matcher(l).matches()) perfTrace++;
            else if (PERF_SCRIPT_LINE.matcher(l).matches()) perfScript++;
            else if (STRACE_LINE.matcher(l).matches()) strace++;
        }
        if (perfTrace == 0 && perfScript == 0 && strace == 0) return null;
        if (perfTrace >= perfScript && perfTrace >= strace) return TraceFormat.PERF_TRACE;
        if (perfScript >= strace) return TraceFormat.PERF_SCRIPT;
        return TraceFormat.STRACE;
    }
}
