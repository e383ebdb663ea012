package dev.vmareplay.ingest;

/**
 * Makes input text safe to print in a one-line message: control characters (NUL, ESC, CR,
 * ...) become {@code \xNN} so that a binary or hostile trace can neither break the line nor
 * drive the terminal; at most {@code max} characters are kept.
 */
public final class Printable {
    private Printable() { }

    public static String of(String s, int max) {
        if (s == null) return "";
        StringBuilder sb = null;
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean bad = (c < 0x20 && c != '\t') || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (bad && sb == null) sb = new StringBuilder(n + 16).append(s, 0, i);
            if (sb != null) {
                if (bad) sb.append(String.format("\\x%02x", (int) c & 0xff));
                else sb.append(c);
            }
        }
        String out = sb == null ? s.substring(0, n) : sb.toString();
        return s.length() > max ? out + "..." : out;
    }
}
