package dev.vmareplay.cli.synth;

import java.io.IOException;
import java.io.OutputStream;

/** A byte sink that formats ASCII text, decimal and hex numbers without building Strings. */
final class Out {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private final OutputStream os;
    private final byte[] buf = new byte[1 << 20];
    private int n;
    private long written;
    private long lines;

    Out(OutputStream os) {
        this.os = os;
    }

    long bytes() { return written + n; }
    long lines() { return lines; }

    private void room(int k) throws IOException {
        if (n + k > buf.length) flush();
    }

    void flush() throws IOException {
        os.write(buf, 0, n);
        written += n;
        n = 0;
    }

    Out s(String t) throws IOException {
        int len = t.length();
        if (len > 4096) {
            for (int i = 0; i < len; i += 4096) s(t.substring(i, Math.min(len, i + 4096)));
            return this;
        }
        room(len);
        for (int i = 0; i < len; i++) buf[n++] = (byte) t.charAt(i);
        return this;
    }

    Out c(char ch) throws IOException {
        room(1);
        buf[n++] = (byte) ch;
        return this;
    }

    Out nl() throws IOException {
        room(1);
        buf[n++] = '\n';
        lines++;
        return this;
    }

    Out dec(long v) throws IOException {
        room(21);
        if (v < 0) {
            buf[n++] = '-';
            if (v == Long.MIN_VALUE) return s("9223372036854775808");
            v = -v;
        }
        int start = n;
        do {
            buf[n++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = n - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    /** 0x-prefixed lower-case hex (unsigned). */
    Out hex(long v) throws IOException {
        room(18);
        buf[n++] = '0';
        buf[n++] = 'x';
        int digits = v == 0 ? 1 : (64 - Long.numberOfLeadingZeros(v) + 3) / 4;
        for (int i = digits - 1; i >= 0; i--) buf[n++] = HEX[(int) (v >>> (i * 4)) & 0xf];
        return this;
    }

    /** Decimal with exactly {@code width} digits, zero-padded. */
    Out pad(long v, int width) throws IOException {
        room(width);
        for (int i = width - 1; i >= 0; i--) {
            buf[n + i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        n += width;
        return this;
    }
}
