package dev.vmareplay.ingest.parse;

import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.IngestStats.LineClass;
import dev.vmareplay.ingest.MalformedTraceException;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.Source;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.List;

/** Common machinery of the line-based parsers: the line loop, the output queue, line classes. */
public abstract class LineParser implements RawSource {
    protected final String file;
    protected final LineReader reader;
    protected final IngestOptions options;
    protected final IngestStats stats = new IngestStats();
    protected final ArrayDeque<Object> out = new ArrayDeque<>();
    private final InputStream in;
    private boolean finished;
    /** the line being parsed */
    protected long lineNo;

    protected LineParser(String file, InputStream in, IngestOptions options, String format) {
        this.file = file;
        this.in = in;
        this.options = options;
        this.reader = new LineReader(in, options.maxLineBytes());
        stats.format(format);
    }

    @Override
    public final Object next() throws IOException {
        while (out.isEmpty()) {
            if (finished) return null;
            if (reader.next()) {
                lineNo = reader.lineNo();
                byte[] b = reader.buf();
                int s = reader.start(), e = reader.end();
                if (reader.cut()) {
                    malformed(b, s, e, "line longer than " + options.maxLineBytes() + " bytes");
                    continue;
                }
                counted = null;
                try {
                    parseLine(b, s, e);
                } catch (ParseError pe) {
                    if (counted != null) stats.uncount(counted); // one class per line: MALFORMED wins
                    malformed(b, s, e, pe.getMessage());
                }
            } else {
                finished = true;
                if (in instanceof dev.vmareplay.ingest.Compression.Data d && d.truncated()) {
                    malformedText(reader.lineNo() + 1, "", d.codec().endsEarlyLine());
                }
                stats.addBytes(reader.bytesRead());
                finish();
            }
        }
        return out.poll();
    }

    /** Parses one line; counts it in exactly one class (or throws ParseError: MALFORMED). */
    protected abstract void parseLine(byte[] b, int s, int e) throws IOException;

    /** End of input: count orphans, flush held items. */
    protected void finish() throws IOException {
    }

    /** Counts the current line in class c. */
    protected void count(LineClass c) {
        stats.count(c);
        counted = c;
    }

    /** Counts an earlier line (a half that turned out to have no other half). */
    protected void countEarlier(LineClass c) {
        stats.count(c);
    }

    /** An earlier line counted {@code from} turns out to belong in {@code to}. */
    protected void reclassify(LineClass from, LineClass to) {
        stats.uncount(from);
        stats.count(to);
    }

    /** the class count() put the current line in, taken back if the line then fails to parse */
    private LineClass counted;

    protected void malformed(byte[] b, int s, int e, String problem) throws MalformedTraceException {
        malformedText(lineNo, Bytes.text(b, s, e), problem);
    }

    protected void malformedText(long line, String text, String problem) throws MalformedTraceException {
        stats.malformed(file, line, text, problem);
        if (options.strict()) throw new MalformedTraceException(file, line, text, problem);
    }

    protected Event event(long ts, int tid, Call call, long ret, int errno, boolean retKnown, long dur, long line, List<String> stack) {
        return new Event(-1, ts, tid, tid, call, ret, errno, retKnown, dur, new Source(file, line), stack);
    }

    @Override
    public IngestStats stats() {
        if (!finished) {
            // bytes so far
            IngestStats s = new IngestStats();
            s.add(stats);
            s.format(stats.format());
            s.addBytes(reader.bytesRead());
            return s;
        }
        return stats;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
