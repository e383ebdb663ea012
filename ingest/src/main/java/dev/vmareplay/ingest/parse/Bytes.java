package dev.vmareplay.ingest.parse;

import java.nio.charset.StandardCharsets;

/** Number and text decoding straight from line bytes. */
public final class Bytes {
    private Bytes() {}

    public static boolean isDigit(byte c) { return c >= '0' && c <= '9'; }

    private static final boolean[] ALNUM = new boolean[256];

    static {
        for (int c = 0; c < 256; c++) ALNUM[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    public static boolean isAlnum(byte c) {
        return ALNUM[c & 0xff];
    }

    public static int skipSpaces(byte[] b, int i, int e) {
        while (i < e && b[i] == ' ') i++;
        return i;
    }

    public static int trimEnd(byte[] b, int s, int e) {
        while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
        return e;
    }

    public static boolean startsWith(byte[] b, int i, int e, String p) {
        int n = p.length();
        if (e - i < n) return false;
        for (int k = 0; k < n; k++) if (b[i + k] != (byte) p.charAt(k)) return false;
        return true;
    }

    /** The ASCII bytes of a pattern, for {@link #startsWith(byte[], int, int, byte[])} on hot paths. */
    public static byte[] ascii(String p) {
        return p.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static boolean startsWith(byte[] b, int i, int e, byte[] p) {
        int n = p.length;
        return e - i >= n && java.util.Arrays.equals(b, i, i + n, p, 0, n);
    }

    public static boolean endsWith(byte[] b, int s, int e, byte[] p) {
        return e - s >= p.length && startsWith(b, e - p.length, e, p);
    }

    public static boolean endsWith(byte[] b, int s, int e, String p) {
        int n = p.length();
        return e - s >= n && startsWith(b, e - n, e, p);
    }

    public static boolean equals(byte[] b, int s, int e, String p) {
        return e - s == p.length() && startsWith(b, s, e, p);
    }

    public static int indexOf(byte[] b, int s, int e, byte c) {
        for (int i = s; i < e; i++) if (b[i] == c) return i;
        return -1;
    }

    public static int indexOf(byte[] b, int s, int e, String p) {
        int n = p.length();
        byte f = (byte) p.charAt(0);
        for (int i = s; i <= e - n; i++) if (b[i] == f && startsWith(b, i, e, p)) return i;
        return -1;
    }

    public static int lastIndexOf(byte[] b, int s, int e, byte c) {
        for (int i = e - 1; i >= s; i--) if (b[i] == c) return i;
        return -1;
    }

    public static String str(byte[] b, int s, int e) {
        return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
    }

    /** The line as text for messages (UTF-8, invalid bytes replaced). */
    /** Only spaces and tabs in [s, e). */
    public static boolean isBlank(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) if (b[i] != ' ' && b[i] != '\t') return false;
        return true;
    }

    public static String text(byte[] b, int s, int e) {
        return new String(b, s, Math.min(e - s, 4096), StandardCharsets.UTF_8);
    }

    /**
     * A number as strace/perf print it: decimal, {@code 0x} hex, {@code 0} octal, optional
     * leading '-'; unsigned 64-bit values wrap. Throws {@link ParseError} on anything else.
     */
    public static long num(byte[] b, int s, int e) {
        if (s >= e) throw new ParseError("empty number");
        boolean neg = false;
        if (b[s] == '-') { neg = true; s++; }
        else if (b[s] == '+') s++;
        if (s >= e) throw new ParseError("bad number");
        long v = 0;
        if (b[s] == '0' && s + 1 < e && (b[s + 1] == 'x' || b[s + 1] == 'X')) {
            s += 2;
            if (s >= e || e - s > 16) throw new ParseError("bad hex number");
            for (int i = s; i < e; i++) {
                int d = hexDigit(b[i]);
                if (d < 0) throw new ParseError("bad hex number");
                v = (v << 4) | d;
            }
        } else if (b[s] == '0' && e - s > 1) {
            for (int i = s + 1; i < e; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 7) throw new ParseError("bad octal number");
                v = (v << 3) | d;
            }
        } else {
            if (e - s > 20) throw new ParseError("number too long");
            for (int i = s; i < e; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) throw new ParseError("bad number");
                v = v * 10 + d;
            }
        }
        return neg ? -v : v;
    }

    /** Hex digits without a prefix (perf script values may come with or without 0x). */
    public static long hex(byte[] b, int s, int e) {
        if (s + 2 <= e && b[s] == '0' && (b[s + 1] == 'x' || b[s + 1] == 'X')) s += 2;
        if (s >= e || e - s > 16) throw new ParseError("bad hex number");
        long v = 0;
        for (int i = s; i < e; i++) {
            int d = hexDigit(b[i]);
            if (d < 0) throw new ParseError("bad hex number");
            v = (v << 4) | d;
        }
        return v;
    }

    public static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** Unsigned decimal digits in [s,e), -1 if none or not all digits. */
    public static long digits(byte[] b, int s, int e) {
        if (s >= e || e - s > 18) return -1;
        long v = 0;
        for (int i = s; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return -1;
            v = v * 10 + d;
        }
        return v;
    }

    /**
     * Decodes a C string literal as strace prints it, starting at the opening quote:
     * backslash escapes (\n, \t, \", \\, \ooo, \xHH) become bytes, then UTF-8.
     */
    public static String cString(byte[] b, int s, int e) {
        if (s >= e || b[s] != '"') throw new ParseError("expected a string");
        byte[] out = new byte[e - s];
        int n = 0;
        int i = s + 1;
        while (i < e && b[i] != '"') {
            byte c = b[i];
            if (c == '\\' && i + 1 < e) {
                byte d = b[i + 1];
                switch (d) {
                    case 'n': out[n++] = '\n'; i += 2; continue;
                    case 't': out[n++] = '\t'; i += 2; continue;
                    case 'r': out[n++] = '\r'; i += 2; continue;
                    case 'v': out[n++] = 11; i += 2; continue;
                    case 'f': out[n++] = 12; i += 2; continue;
                    case 'x': {
                        int v = 0, k = i + 2, m = 0;
                        while (k < e && m < 2 && hexDigit(b[k]) >= 0) { v = v * 16 + hexDigit(b[k]); k++; m++; }
                        out[n++] = (byte) v; i = k; continue;
                    }
                    default:
                        if (d >= '0' && d <= '7') {
                            int v = 0, k = i + 1, m = 0;
                            while (k < e && m < 3 && b[k] >= '0' && b[k] <= '7') { v = v * 8 + (b[k] - '0'); k++; m++; }
                            out[n++] = (byte) v; i = k; continue;
                        }
                        out[n++] = d; i += 2; continue;
                }
            }
            out[n++] = c;
            i++;
        }
        if (i >= e) throw new ParseError("unterminated string");
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** Decodes strace's escapes inside a -y path annotation (no quotes around it). */
    public static String escapedPath(byte[] b, int s, int e) {
        boolean esc = false;
        for (int i = s; i < e; i++) if (b[i] == '\\' || b[i] < 0) { esc = true; break; }
        if (!esc) return str(b, s, e);
        byte[] tmp = new byte[e - s + 2];
        tmp[0] = '"';
        System.arraycopy(b, s, tmp, 1, e - s);
        tmp[tmp.length - 1] = '"';
        return cString(tmp, 0, tmp.length);
    }
}
