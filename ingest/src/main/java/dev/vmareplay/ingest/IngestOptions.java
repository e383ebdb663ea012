package dev.vmareplay.ingest;

/**
 * @param strict       stop at the first malformed line with a {@link MalformedTraceException}
 * @param maxLineBytes lines longer than this are cut there and counted MALFORMED (never read whole)
 * @param keepStacks   attach strace {@code -k} stack frames to events ({@link dev.vmareplay.ingest.event.Event#stack()})
 * @param markers      emit snapshot markers ({@code lseek(-1, 424242001|424242002, SEEK_SET)}) as
 *                     {@link dev.vmareplay.ingest.event.Call.Marker} events (off by default: other lseeks are always ignored)
 */
public record IngestOptions(boolean strict, int maxLineBytes, boolean keepStacks, boolean markers) {

    public static final int DEFAULT_MAX_LINE_BYTES = 4 << 20;

    public IngestOptions {
        if (maxLineBytes < 1024) throw new IllegalArgumentException("maxLineBytes must be at least 1024");
    }

    public IngestOptions(boolean strict, int maxLineBytes, boolean keepStacks) {
        this(strict, maxLineBytes, keepStacks, false);
    }

    public IngestOptions(boolean strict) {
        this(strict, DEFAULT_MAX_LINE_BYTES, true);
    }

    /** The same options, with snapshot markers emitted as events (or not). */
    public IngestOptions withMarkers(boolean on) {
        return new IngestOptions(strict, maxLineBytes, keepStacks, on);
    }

    public static IngestOptions defaults() {
        return new IngestOptions(false);
    }

    public static IngestOptions strictMode() {
        return new IngestOptions(true);
    }
}
