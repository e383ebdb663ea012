package dev.vmareplay.ingest.parse;

/**
 * Splits a strace argument list into its top-level arguments by structure (strings,
 * brackets, -y {@code <path>} annotations, comments), never by searching substrings.
 */
public final class Args {
    public static final int UNFINISHED = -2;
    public static final int OPEN = -1;

    private static final byte[] SPECIAL = new byte[256];
    private static final byte[] UNFINISHED_TEXT = Bytes.ascii("<unfinished ...>");

    static {
        for (char c : "\"()[]{},</".toCharArray()) SPECIAL[c] = 1;
    }

    public byte[] b;
    public int[] s = new int[16];
    public int[] e = new int[16];
    public int n;
    /** where " <unfinished ...>" started, when {@link #split} returned {@link #UNFINISHED} */
    public int unfinishedAt;

    /**
     * Splits from {@code i} (just after the opening parenthesis) and returns the index of
     * the closing parenthesis, {@link #UNFINISHED} for {@code <unfinished ...>}, or
     * {@link #OPEN} when the line ends inside the list.
     */
    public int split(byte[] b, int i, int end) {
        return split(b, i, end, true);
    }

    /**
     * {@link #split(byte[], int, int)}, recording the arguments only when {@code record}:
     * the same structural scan (and so the same verdict on the line) for a call whose
     * arguments nobody reads.
     */
    public int split(byte[] b, int i, int end, boolean record) {
        this.b = b;
        n = 0;
        int depth = 0;
        int argStart = i;
        final byte[] cls = SPECIAL;
        while (i < end) {
            // skip ordinary bytes in a tight loop; only structure characters need a decision
            while (i < end && cls[b[i] & 0xff] == 0) i++;
            if (i >= end) break;
            byte c = b[i];
            switch (c) {
                case '"': {
                    i++;
                    while (i < end) {
                        byte d = b[i];
                        if (d == '"') break;
                        i += d == '\\' ? 2 : 1;
                    }
                    if (i >= end) return OPEN;
                    i++;
                    continue;
                }
                case '(': case '[': case '{':
                    depth++;
                    break;
                case ')':
                    if (depth == 0) {
                        if (record) add(argStart, i);
                        return i;
                    }
                    depth--;
                    break;
                case ']': case '}':
                    if (depth > 0) depth--;
                    break;
                case ',':
                    if (depth == 0) {
                        if (record) add(argStart, i);
                        argStart = i + 1;
                    }
                    break;
                case '<': {
                    byte p = i > 0 ? b[i - 1] : (byte) ' ';
                    if (Bytes.isAlnum(p)) {
                        // -y annotation: 3</path>, AT_FDCWD</cwd>; '<' and '>' inside are escaped by strace
                        int j = i + 1;
                        while (j < end && b[j] != '>') { if (b[j] == '\\') j++; j++; }
                        if (j >= end) return OPEN;
                        i = j + 1;
                        continue;
                    }
                    if (depth == 0 && Bytes.startsWith(b, i, end, UNFINISHED_TEXT)) {
                        int k = i;
                        while (k > argStart && b[k - 1] == ' ') k--;
                        if (k > argStart && record) add(argStart, k);
                        unfinishedAt = k;
                        return UNFINISHED;
                    }
                    break;
                }
                case '/':
                    if (i + 1 < end && b[i + 1] == '*') {
                        int j = Bytes.indexOf(b, i + 2, end, "*/");
                        if (j < 0) return OPEN;
                        i = j + 2;
                        continue;
                    }
                    break;
                default:
            }
            i++;
        }
        return OPEN;
    }

    private void add(int st, int en) {
        byte[] bb = b;
        while (st < en && bb[st] == ' ') st++;
        while (en > st && bb[en - 1] == ' ') en--;
        if (st == en && n == 0) return; // f()
        if (n == s.length) {
            s = java.util.Arrays.copyOf(s, n * 2);
            e = java.util.Arrays.copyOf(e, n * 2);
        }
        s[n] = st;
        e[n] = en;
        n++;
    }

    public String text(int k) {
        return Bytes.str(b, s[k], e[k]);
    }

    public boolean isNull(int k) {
        return Bytes.equals(b, s[k], e[k], "NULL");
    }

    /** End of the value before a -y annotation (the '<'), or the arg's end. */
    public static int valueEnd(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) {
            byte c = b[i];
            if (c == '<' && i > s && Bytes.isAlnum(b[i - 1])) return i;
            if (c == '"' || c == '{' || c == '[') return e;
        }
        return e;
    }

    /** A numeric or flag argument; NULL is 0; a -y annotation is dropped. */
    public long val(int k, Names.Table t) {
        if (k >= n) throw new ParseError("missing argument " + (k + 1));
        return value(b, s[k], e[k], t);
    }

    public static long value(byte[] b, int s, int e, Names.Table t) {
        if (Bytes.equals(b, s, e, "NULL")) return 0;
        int ve = valueEnd(b, s, e);
        return Names.flags(b, s, ve, t);
    }

    /** The path inside an argument's -y annotation ({@code 3</a/b>(deleted)} gives "/a/b (deleted)"), or null. */
    public String annotation(int k) {
        if (k >= n) return null;
        return annotation(b, s[k], e[k]);
    }

    public static String annotation(byte[] b, int s, int e) {
        int ve = valueEnd(b, s, e);
        if (ve >= e) return null;
        int j = ve + 1;
        int close = j;
        while (close < e && b[close] != '>') { if (b[close] == '\\') close++; close++; }
        if (close >= e) return null;
        String p = Bytes.escapedPath(b, j, close);
        if (Bytes.startsWith(b, close + 1, e, "(deleted)")) p = p + " (deleted)";
        return p;
    }

    /** A {@code key=value} argument (clone's flags=), or -1 when absent. */
    public int keyword(String key) {
        for (int k = 0; k < n; k++) {
            if (Bytes.startsWith(b, s[k], e[k], key) && s[k] + key.length() < e[k] && b[s[k] + key.length()] == '=') return k;
        }
        return -1;
    }

    /** The value range of a field {@code key=value} at the top level of a struct {@code {...}} in [s,e); null if absent. */
    public static int[] field(byte[] b, int s, int e, String key) {
        int i = s;
        if (i < e && b[i] == '{') i++;
        int depth = 0;
        int fs = i;
        for (; i <= e; i++) {
            byte c = i < e ? b[i] : (byte) ',';
            if (c == '"') {
                i++;
                while (i < e && b[i] != '"') { if (b[i] == '\\') i++; i++; }
                continue;
            }
            if (c == '{' || c == '[' || c == '(') depth++;
            else if ((c == '}' || c == ']' || c == ')') && depth > 0) depth--;
            else if ((c == ',' || c == '}') && depth == 0) {
                int a = Bytes.skipSpaces(b, fs, i);
                if (Bytes.startsWith(b, a, i, key) && a + key.length() < i && b[a + key.length()] == '=') {
                    return new int[] {a + key.length() + 1, Bytes.trimEnd(b, a, i)};
                }
                fs = i + 1;
                if (c == '}') break;
            }
        }
        return null;
    }
}
