package dev.vmareplay.ingest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Parse coverage: every input line lands in exactly one {@link LineClass}, so that no line
 * is dropped silently. Also the first few malformed lines (file:line and text), lost-event
 * notices from perf, and how file identities were derived.
 */
public final class IngestStats {

    /** The classes an input line can fall in. */
    public enum LineClass {
        /** a complete call line, turned into an event (or consumed by the fd table) */
        PARSED,
        /** half of an unfinished/resumed (strace) or enter/exit (perf) pair that was joined */
        PAIRED,
        /** half of a pair whose other half never came */
        ORPHANED,
        /** a well-formed line the tool does not act on (other syscalls, signals, notices) */
        IGNORED,
        /** a line that could not be parsed */
        MALFORMED
    }

    /** A malformed line kept as an example for the run summary. */
    public record Example(String file, long line, String text, String problem) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + problem + ": " + text;
        }
    }

    public static final int MAX_EXAMPLES = 5;

    private static final LineClass[] CLASSES = LineClass.values();
    /** per {@link LineClass#ordinal()}: a plain array, since every input line is counted here */
    private final long[] counts = new long[CLASSES.length];
    private final List<Example> examples = new ArrayList<>();
    private long lostEvents;
    private long bytesRead;
    private boolean fdTableComplete = true;
    private String format = "unknown";

    public void count(LineClass c) {
        counts[c.ordinal()]++;
    }

    /** Takes back one count (a parser that counted a line, then found it malformed or orphaned). */
    public void uncount(LineClass c) {
        counts[c.ordinal()]--;
    }

    public void malformed(String file, long line, String text, String problem) {
        count(LineClass.MALFORMED);
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(new Example(file, line, Printable.of(text, 200), Printable.of(problem, 200)));
        }
    }

    public long get(LineClass c) {
        return counts[c.ordinal()];
    }

    public Map<LineClass, Long> counts() {
        EnumMap<LineClass, Long> all = new EnumMap<>(LineClass.class);
        for (LineClass c : CLASSES) all.put(c, get(c));
        return Collections.unmodifiableMap(all);
    }

    public long totalLines() {
        long t = 0;
        for (long v : counts) t += v;
        return t;
    }

    public List<Example> examples() {
        return Collections.unmodifiableList(examples);
    }

    /** perf's {@code LOST N events!}: the trace is incomplete by this many events. */
    public void lost(long n) {
        lostEvents += n;
    }

    public long lostEvents() {
        return lostEvents;
    }

    public void addBytes(long n) {
        bytesRead += n;
    }

    public long bytesRead() {
        return bytesRead;
    }

    /** False once an mmap's file identity had to be derived from a path, not from the fd table. */
    public boolean fdTableComplete() {
        return fdTableComplete;
    }

    public void fdTableIncomplete() {
        fdTableComplete = false;
    }

    public String format() {
        return format;
    }

    public void format(String f) {
        format = f;
    }

    /** Adds another input's counts into this one. */
    public void add(IngestStats other) {
        for (int i = 0; i < counts.length; i++) counts[i] += other.counts[i];
        for (Example e : other.examples) if (examples.size() < MAX_EXAMPLES) examples.add(e);
        lostEvents += other.lostEvents;
        bytesRead += other.bytesRead;
        fdTableComplete &= other.fdTableComplete;
    }
}
