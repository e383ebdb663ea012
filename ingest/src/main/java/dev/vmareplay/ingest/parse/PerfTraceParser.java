package dev.vmareplay.ingest.parse;

import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.IngestStats.LineClass;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;

import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code perf trace} output (6.x): {@code TIME ( DUR ms): COMM/TID NAME(name: value, ...) = RET},
 * interrupted calls ({@code ... }) and their {@code ... [continued]: NAME()) = RET} halves,
 * page-fault lines of {@code -F} ({@code minfault}/{@code majfault}), {@code LOST N events!}.
 * Timestamps are milliseconds (relative unless -T); the lines come at syscall exit, so they
 * are not monotonic: events keep file order.
 */
public final class PerfTraceParser extends LineParser {
    private final Args args = new Args();
    private final NamedArgs named = new NamedArgs();
    private record Pending(byte[] text, long ts, long line) {}
    private final Map<Integer, Pending> pending = new HashMap<>();
    private byte[] scratch = new byte[4096];

    public PerfTraceParser(String file, InputStream in, IngestOptions options) {
        super(file, in, options, "perf-trace");
    }

    @Override
    protected void parseLine(byte[] b, int s, int e) {
        int i = Bytes.skipSpaces(b, s, e);
        if (i >= e) {
            count(LineClass.IGNORED);
            return;
        }
        int lost = Bytes.indexOf(b, i, e, "LOST ");
        if (lost >= 0 && Bytes.endsWith(b, i, e, " events!")) {
            long n = Bytes.digits(b, lost + 5, e - 8);
            if (n < 0) throw new ParseError("bad LOST line");
            stats.lost(n);
            count(LineClass.IGNORED);
            return;
        }
        // time
        long ts;
        int k = i;
        if (b[k] == '?') {
            ts = Event.NO_TIME;
            k++;
        } else {
            while (k < e && Bytes.isDigit(b[k])) k++;
            if (k == i || k >= e || b[k] != '.') throw new ParseError("expected a timestamp");
            long ms = Bytes.digits(b, i, k);
            int f = ++k;
            long frac = 0;
            int nd = 0;
            while (k < e && Bytes.isDigit(b[k])) { if (nd < 6) { frac = frac * 10 + (b[k] - '0'); nd++; } k++; }
            if (k == f) throw new ParseError("bad timestamp");
            while (nd < 6) { frac *= 10; nd++; }
            ts = ms * 1_000_000L + frac;
        }
        k = Bytes.skipSpaces(b, k, e);
        if (k >= e || b[k] != '(') throw new ParseError("expected '(duration)'");
        int cp = Bytes.indexOf(b, k, e, (byte) ')');
        if (cp < 0) throw new ParseError("bad duration");
        long dur = Event.NO_TIME;
        int ds = Bytes.skipSpaces(b, k + 1, cp);
        if (ds < cp) {
            int de = ds;
            while (de < cp && (Bytes.isDigit(b[de]) || b[de] == '.')) de++;
            if (!Bytes.startsWith(b, Bytes.skipSpaces(b, de, cp), cp, "ms")) throw new ParseError("bad duration");
            dur = msToNs(b, ds, de);
        }
        if (cp + 2 >= e || b[cp + 1] != ':' || b[cp + 2] != ' ') throw new ParseError("expected '): '");
        int cs = cp + 3;
        // COMM/TID: comm may hold spaces; the tid is the first "/digits " after it
        int slash = -1, te = -1;
        for (int j = cs; j < e; j++) {
            if (b[j] == '/' && j + 1 < e && Bytes.isDigit(b[j + 1])) {
                int m = j + 1;
                while (m < e && Bytes.isDigit(b[m])) m++;
                if (m < e && b[m] == ' ') { slash = j; te = m; break; }
            }
        }
        if (slash < 0) throw new ParseError("expected COMM/TID");
        int tid = (int) Bytes.digits(b, slash + 1, te);
        int c = Bytes.skipSpaces(b, te, e);
        if (c >= e) throw new ParseError("nothing after COMM/TID");
        if (Bytes.startsWith(b, c, e, "... [continued]: ")) {
            continued(b, c + 17, e, tid, dur);
            return;
        }
        if (Bytes.startsWith(b, c, e, "minfault ") || Bytes.startsWith(b, c, e, "majfault ")) {
            fault(b, c, e, tid, ts);
            return;
        }
        call(b, c, e, tid, ts, dur, lineNo, false);
    }

    private static long msToNs(byte[] b, int s, int e) {
        int dot = Bytes.indexOf(b, s, e, (byte) '.');
        if (dot < 0) return Bytes.digits(b, s, e) * 1_000_000L;
        long ms = Bytes.digits(b, s, dot);
        long frac = 0;
        int nd = 0;
        for (int k = dot + 1; k < e && nd < 6; k++, nd++) frac = frac * 10 + (b[k] - '0');
        while (nd < 6) { frac *= 10; nd++; }
        return ms * 1_000_000L + frac;
    }

    private void fault(byte[] b, int c, int e, int tid, long ts) {
        boolean major = b[c] == 'm' && b[c + 1] == 'a';
        int arrow = Bytes.indexOf(b, c, e, " => ");
        if (arrow < 0) throw new ParseError("bad fault line");
        int t = arrow + 4;
        int te = Bytes.trimEnd(b, t, e);
        // trailing " (d.)" map type / level
        if (te > t && b[te - 1] == ')') {
            int op = Bytes.lastIndexOf(b, t, te, (byte) '(');
            if (op > t) te = Bytes.trimEnd(b, t, op);
        }
        int at = Bytes.lastIndexOf(b, t, te, (byte) '@');
        long addr;
        String target;
        if (at >= 0) {
            addr = Bytes.num(b, at + 1, te);
            target = Bytes.text(b, t, at);
        } else {
            addr = Bytes.num(b, t, te);
            target = null;
        }
        count(LineClass.PARSED);
        out.add(event(ts, tid, new Call.PageFault(addr, major, Call.PageFault.Access.UNKNOWN, target), 0, 0, true, Event.NO_TIME, lineNo, null));
    }

    private void continued(byte[] b, int c, int e, int tid, long dur) {
        // NAME()) = RET
        int p = c;
        while (p < e && Bytes.isAlnum(b[p])) p++;
        if (!Bytes.startsWith(b, p, e, "())")) throw new ParseError("bad [continued] line");
        Pending pd = pending.remove(tid);
        if (pd == null || pd.text.length < p - c + 1 || !Bytes.startsWith(pd.text, 0, pd.text.length, Bytes.str(b, c, p) + "(")) {
            if (pd != null) countEarlier(LineClass.ORPHANED);
            // a continued call whose start is not in the trace (execve at trace start, clone3 in a new thread)
            int id = Sys.lookup(b, c, p);
            if (id == Sys.EXECVE || id == Sys.EXECVEAT) {
                parseRet(b, p + 3, e);
                count(LineClass.ORPHANED);
                if (errno == 0 && retKnown) {
                    out.add(event(Event.NO_TIME, tid, new Call.Execve(Bytes.str(b, c, p), null), ret, errno, retKnown, dur, lineNo, null));
                }
                return;
            }
            count(LineClass.ORPHANED);
            return;
        }
        // join: "NAME(args" + ") = RET"
        int tail = p + 2; // at the second ')'
        int n = pd.text.length + (e - tail);
        if (scratch.length < n) scratch = new byte[n * 2];
        System.arraycopy(pd.text, 0, scratch, 0, pd.text.length);
        System.arraycopy(b, tail, scratch, pd.text.length, e - tail);
        count(LineClass.PAIRED);
        count(LineClass.PAIRED);
        call(scratch, 0, n, tid, pd.ts, dur, lineNo, true);
    }

    private boolean retKnown;
    private long ret;
    private int errno;

    private void parseRet(byte[] b, int i, int e) {
        i = Bytes.skipSpaces(b, i, e);
        if (i >= e || b[i] != '=') throw new ParseError("expected '= RET'");
        i = Bytes.skipSpaces(b, i + 1, e);
        errno = 0;
        if (i < e && b[i] == '?') {
            retKnown = false;
            ret = 0;
            return;
        }
        int m = i;
        if (m < e && b[m] == '-') m++;
        while (m < e && (Bytes.isAlnum(b[m]) || b[m] == '|')) m++;
        retKnown = true;
        if (i < e && !Bytes.isDigit(b[i]) && b[i] != '-') {
            // a symbolic return (fcntl(F_GETFD) = CLOEXEC)
            ret = symbolic(b, i, m);
            return;
        }
        ret = Bytes.num(b, i, m);
        int k = Bytes.skipSpaces(b, m, e);
        if (ret < 0 && k < e && b[k] >= 'A' && b[k] <= 'Z') {
            int q = k;
            while (q < e && Bytes.isAlnum(b[q])) q++;
            int en = Names.errno(Bytes.str(b, k, q));
            if (en > 0) {
                errno = en;
                ret = -en;
            }
        }
    }

    private static long symbolic(byte[] b, int s, int e) {
        for (Names.Table t : new Names.Table[] {Names.FD_FLAGS, Names.OPEN}) {
            try {
                return Names.flags(b, s, e, t);
            } catch (ParseError ignored) {
                // next table
            }
        }
        return 0;
    }

    private void call(byte[] b, int c, int e, int tid, long ts, long dur, long line, boolean paired) {
        int p = c;
        while (p < e && Bytes.isAlnum(b[p])) p++;
        if (p >= e || b[p] != '(') throw new ParseError("expected NAME(");
        int close = args.split(b, p + 1, e);
        if (close < 0) throw new ParseError("unterminated argument list");
        int after = Bytes.skipSpaces(b, close + 1, e);
        if (!paired && Bytes.equals(b, after, Bytes.trimEnd(b, after, e), "...")) {
            // interrupted: the rest comes in a "[continued]" line
            if (pending.put(tid, new Pending(Arrays.copyOfRange(b, c, close), ts, line)) != null) countEarlier(LineClass.ORPHANED);
            return;
        }
        parseRet(b, close + 1, e);
        int id = Sys.lookup(b, c, p);
        if (id == Sys.LSEEK && options.markers()) {
            named.parse(args, b, p + 1, close);
            long off = named.v("offset", Names.NUMERIC, 0);
            if (Call.Marker.isMarker(named.v("fd", Names.NUMERIC, 0), off)) {
                // a snapshot marker: an event of its own (only when asked for)
                if (!paired) count(LineClass.PARSED);
                out.add(event(ts, tid, new Call.Marker(off), ret, errno, retKnown, dur, line, null));
                return;
            }
        }
        if (!paired) count(id == Sys.NONE || id == Sys.LSEEK ? LineClass.IGNORED : LineClass.PARSED);
        if (id == Sys.NONE || id == Sys.LSEEK) return;
        named.parse(args, b, p + 1, close);
        Call call = named.call(id, Bytes.str(b, c, p));
        if (call != null) {
            out.add(event(ts, tid, call, ret, errno, retKnown, dur, line, null));
        } else if (retKnown && errno == 0) {
            FdOp op = named.fdOp(id, ts, tid, ret);
            if (op != null) out.add(op);
        }
    }

    @Override
    protected void finish() {
        for (int k = 0; k < pending.size(); k++) countEarlier(LineClass.ORPHANED);
        pending.clear();
    }
}
