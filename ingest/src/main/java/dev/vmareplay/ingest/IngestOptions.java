package dev.vmareplay.ingest;

/**
 * @param strict       stop at the first malformed line with a {@link MalformedTraceException}
 * @param maxLineBytes lines longer than this are cut there and counted MALFORMED (never read whole)
 * @param keepStacks   attach strace {@code -k} stack frames to events ({@link dev.vmareplay.ingest.event.Event#stack()})
 */
public record IngestOptions(boolean strict, int maxLineBytes, boolean keepStacks) {

    public static final int DEFAULT_MAX_LINE_BYTES = 4 << 20;

    public IngestOptions {
        if (maxLineBytes < 1024) throw new IllegalArgumentException("maxLineBytes must be at least 1024");
    }

    public IngestOptions(boolean strict) {
        this(strict, DEFAULT_MAX_LINE_BYTES, true);
    }

    public static IngestOptions defaults() {
        return new IngestOptions(false);
    }

    public static IngestOptions strictMode() {
        return new IngestOptions(true);
    }
}
