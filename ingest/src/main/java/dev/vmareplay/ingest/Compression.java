package dev.vmareplay.ingest;

import com.github.luben.zstd.ZstdIOException;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdUtils;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Compressed traces: gzip (every member), zstd (every frame), xz (every stream) and bzip2
 * (every stream), detected by their magic bytes, decoded by Commons Compress (zstd through
 * zstd-jni, xz through xz-java). This is the stream-opening layer only; lines are read and
 * parsed above it, on whatever it returns.
 *
 * <p>Read whole or refused out loud: concatenated members are decoded to the end of the input
 * by blocking reads (never by asking {@code available()}, which is 0 on a pipe between writes),
 * and a stream that ends early is told apart from a corrupt one. Without --strict a truncated
 * stream ends the input at the cut and the line parser counts one malformed line
 * ({@link Data#truncated()}); with --strict it is an {@link IngestException}. Corrupt data is
 * always an {@link IngestException}.
 */
public final class Compression {

    private Compression() { }

    /** The codecs, with the name errors use and the file name extension {@code record} compresses by. */
    public enum Codec {
        GZIP("gzip", ".gz"),
        ZSTD("zstd", ".zst"),
        XZ("xz", ".xz"),
        BZIP2("bzip2", ".bz2");

        /** The longest magic number (xz's six bytes). */
        static final int MAGIC = 6;

        private final String label;
        private final String extension;

        Codec(String label, String extension) {
            this.label = label;
            this.extension = extension;
        }

        public String label() {
            return label;
        }

        public String extension() {
            return extension;
        }

        /** The codec whose magic number {@code head} starts with (by the libraries' own checks), or null: plain. */
        static Codec detect(byte[] head, int n) {
            if (GzipCompressorInputStream.matches(head, n)) return GZIP;
            if (ZstdUtils.matches(head, n)) return ZSTD;
            if (XZCompressorInputStream.matches(head, n)) return XZ;
            if (BZip2CompressorInputStream.matches(head, n)) return BZIP2;
            return null;
        }

        /** The codec a file name asks for by its extension ({@code trace.txt.zst}), or null: plain. */
        public static Codec forFileName(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            for (Codec c : values()) if (n.endsWith(c.extension)) return c;
            return null;
        }

        InputStream decoder(InputStream in) throws IOException {
            return switch (this) {
                case GZIP -> GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
                case ZSTD -> new ZstdCompressorInputStream(in);
                case XZ -> XZCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
                case BZIP2 -> new BZip2CompressorInputStream(in, true);
            };
        }

        /** A compressing stream over {@code out} (closing it finishes the stream and closes {@code out}). */
        public OutputStream encoder(OutputStream out) throws IOException {
            return switch (this) {
                case GZIP -> new GzipCompressorOutputStream(out);
                // a checksum per frame, as the zstd tool writes by default: corruption is then always found
                case ZSTD -> ZstdCompressorOutputStream.builder().setOutputStream(out).setChecksum(true).get();
                case XZ -> new XZCompressorOutputStream(out);
                case BZIP2 -> new BZip2CompressorOutputStream(out);
            };
        }

        /**
         * Whether a decoder's failure means the compressed data ended early rather than being
         * corrupt. Each library says it its own way: an EOFException (Commons Compress's gzip,
         * xz-java), "Unexpected end of stream" (Commons Compress's bzip2), "Truncated source"
         * (zstd-jni's ZSTD_decompressStream at end of input with a frame unfinished).
         */
        boolean truncated(IOException e) {
            if (e instanceof EOFException) return true;
            String m = e.getMessage() == null ? "" : e.getMessage();
            return switch (this) {
                case BZIP2 -> m.contains("Unexpected end of stream");
                case ZSTD -> e instanceof ZstdIOException && m.contains("Truncated source");
                default -> false;
            };
        }

        /** What a strict run and a refused header say: {@code truncated zstd data (the compressed file ends early)}. */
        String truncatedMessage() {
            return "truncated " + label + " data (the compressed file ends early)";
        }

        /** The malformed line a lenient run counts: {@code the zstd data ends early (truncated .zst): ...}. */
        public String endsEarlyLine() {
            return "the " + label + " data ends early (truncated " + extension + "): the rest of the trace is missing";
        }
    }

    /**
     * The decoded data of a compressed input (a plain input is returned as it is, buffered).
     * {@code in} must support mark/reset; {@code name} is what errors call the input.
     */
    static InputStream open(String name, BufferedInputStream in, boolean strict, int bufferSize) throws IOException {
        Codec codec = peek(in);
        if (codec == null) return in;
        InputStream decoder;
        try {
            decoder = codec.decoder(in);
        } catch (IOException e) {
            throw failure(name, codec, e);
        }
        return new Data(new Guard(name, codec, decoder, strict), bufferSize);
    }

    /** The codec of a file by its first bytes, or null: plain (also for a file that cannot be read). */
    public static Codec of(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(Codec.MAGIC);
            return Codec.detect(head, head.length);
        } catch (IOException e) {
            return null;
        }
    }

    /** A file's data, decoded when it is compressed (for looks at its head: no truncation handling). */
    public static InputStream openDecoded(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            Codec codec = peek(in);
            return codec == null ? in : codec.decoder(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static Codec peek(BufferedInputStream in) throws IOException {
        in.mark(Codec.MAGIC);
        byte[] head = in.readNBytes(Codec.MAGIC);
        in.reset();
        return Codec.detect(head, head.length);
    }

    private static IngestException failure(String name, Codec codec, IOException e) {
        if (e instanceof IngestException ie) return ie;
        if (codec.truncated(e)) return new IngestException(name, codec.truncatedMessage(), e);
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return new IngestException(name, "corrupt " + codec.label() + " data: " + m, e);
    }

    /**
     * The decoded data of a compressed input, as the line parser sees it: whether it ended at a
     * cut ({@link #truncated()}), and which codec (for the malformed line it counts then).
     */
    public static final class Data extends BufferedInputStream {
        private final Guard guard;

        Data(Guard guard, int size) {
            super(guard, size);
            this.guard = guard;
        }

        /** The compressed data ended early; everything read before is good. */
        public boolean truncated() {
            return guard.truncated;
        }

        public Codec codec() {
            return guard.codec;
        }
    }

    /** Turns the decoder's failures into the input's: a cut ends it (or, strict, refuses it), corruption refuses it. */
    static final class Guard extends FilterInputStream {
        private final String name;
        private final Codec codec;
        private final boolean strict;
        private boolean truncated;

        Guard(String name, Codec codec, InputStream decoder, boolean strict) {
            super(decoder);
            this.name = name;
            this.codec = codec;
            this.strict = strict;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (truncated) return -1;
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                if (!codec.truncated(e) || strict) throw failure(name, codec, e);
                truncated = true;
                return -1;
            } catch (RuntimeException e) {
                // a decoder that trips over garbage in its own way: still the input's fault
                throw new IngestException(name, "corrupt " + codec.label() + " data: " + e, e);
            }
        }

        /**
         * Never the decoder's failure: xz-java's available() rethrows the exception of an earlier
         * read (which this stream already handled); the next read reports anything new.
         */
        @Override
        public int available() {
            if (truncated) return 0;
            try {
                return super.available();
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) break;
                done += r;
            }
            return done;
        }
    }
}
