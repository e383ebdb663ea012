package dev.vmareplay.ingest.parse;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Splits a byte stream into lines without decoding it: the current line is
 * {@code buf()[start() .. end())} (no '\n', no trailing '\r'), valid until the next call of
 * {@link #next()}. One reusable buffer; a line longer than {@code maxLine} is cut at
 * {@code maxLine} bytes ({@link #cut()} is then true) and the rest of it is skipped, so
 * memory never depends on the input. A last line without '\n' is returned too
 * ({@link #unterminated()}).
 */
public final class LineReader {
    private final InputStream in;
    private final int maxLine;
    private byte[] buf;
    private int pos;      // start of unread data
    private int lim;      // end of valid data
    private boolean eof;
    private int start, end;
    private boolean cut, unterminated;
    private long lineNo;
    private long bytes;

    public LineReader(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
        this.buf = new byte[Math.min(1 << 20, Math.max(maxLine + 1, 1 << 16))];
    }

    public byte[] buf() { return cut ? buf2 : buf; }
    public int start() { return start; }
    public int end() { return end; }
    public boolean cut() { return cut; }
    public boolean unterminated() { return unterminated; }
    /** 1-based number of the current line. */
    public long lineNo() { return lineNo; }
    public long bytesRead() { return bytes; }

    /** Advances to the next line; false at end of input. */
    public boolean next() throws IOException {
        cut = false;
        unterminated = false;
        int scan = pos;
        while (true) {
            byte[] b = buf;
            int l = lim;
            int i = indexOfNewline(b, scan, l);
            if (i < l) {
                setLine(pos, i);
                pos = i + 1;
                lineNo++;
                return true;
            }
            if (l - pos >= maxLine) {
                // too long: deliver the first maxLine bytes, skip the remainder of the line
                setLine(pos, pos + maxLine);
                cut = true;
                lineNo++;
                skipRestOfLine();
                return true;
            }
            if (eof) {
                if (pos < l) {
                    setLine(pos, l);
                    unterminated = true;
                    pos = l;
                    lineNo++;
                    return true;
                }
                return false;
            }
            scan = i - pos;
            fill();
            scan += pos;
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * The first '\n' in b[from, to), or to. Eight bytes at a time: x = word ^ "\n\n\n\n\n\n\n\n"
     * has a zero byte where the word has '\n', and (x - 0x01..) &amp; ~x &amp; 0x80.. sets the high bit
     * of the lowest such byte first (the classic has-zero-byte test; bytes above the first zero
     * may be flagged falsely, the lowest is exact), so its trailing zeros name the position.
     */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (int last = to - Long.BYTES; i <= last; i += Long.BYTES) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES;
            long t = (x - LOW_BITS) & ~x & HIGH_BITS;
            if (t != 0) return i + (Long.numberOfTrailingZeros(t) >>> 3);
        }
        while (i < to && b[i] != '\n') i++;
        return i;
    }

    private void setLine(int s, int e) {
        start = s;
        if (e > s && buf[e - 1] == '\r') e--;
        end = e;
    }

    /** Compacts the buffer (moving unread data to the front) and reads more. */
    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            byte[] nb = new byte[Math.min(buf.length * 2, maxLine + (1 << 16))];
            System.arraycopy(buf, 0, nb, 0, lim);
            buf = nb;
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) eof = true; else { lim += n; bytes += n; }
    }

    /** The current line was cut: copy it out of the way, then drop input up to the next '\n'. */
    private void skipRestOfLine() throws IOException {
        byte[] line = java.util.Arrays.copyOfRange(buf, start, end);
        pos = start + (end - start);
        while (true) {
            int i = pos;
            while (i < lim && buf[i] != '\n') i++;
            if (i < lim) { pos = i + 1; break; }
            pos = lim;
            if (eof) break;
            fill();
        }
        // put the cut line at a stable place: a private array
        buf2 = line;
        start = 0;
        end = line.length;
    }

    private byte[] buf2;
}
