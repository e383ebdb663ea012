package dev.vmareplay.ingest.parse;

import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.IngestStats.LineClass;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.FileRef;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * strace output (6.x): {@code -f -o} pid prefixes, {@code [pid N]} stderr prefixes,
 * unprefixed lines, {@code -ff} per-pid files, -t/-tt/-ttt/-r and ns timestamps, -T and
 * --syscall-times durations, -y/-yy annotations, -X raw/abbrev/verbose, -i, -n, -Y, -k
 * stacks, unfinished/resumed pairs, signals, exits, notices.
 */
public final class StraceParser extends LineParser {
    /** tid used for the unprefixed initial task of a stderr trace until its pid is known. */
    public static final int UNKNOWN_PID = 0;
    private static final int HOLD_LIMIT = 100_000;

    private final Args args = new Args();
    // the line shapes, matched as bytes on every line
    private static final byte[] PID_PREFIX = Bytes.ascii("[pid "), PERSONALITY = Bytes.ascii("[ Process PID="),
            EXIT_LINE = Bytes.ascii("+++ "), SIGNAL_LINE = Bytes.ascii("--- "), SIGNAL_END = Bytes.ascii(" ---"),
            RESUMED_LINE = Bytes.ascii("<... "), RESUMED = Bytes.ascii(" resumed>"), NOTICE = Bytes.ascii("strace: ");
    private final int ffPid;

    // timestamps
    private long lastWall = Long.MIN_VALUE;
    private long dayOffset;
    private long relAcc;

    /**
     * An unfinished call of one task, waiting for its {@code <... NAME resumed>} line: the
     * text up to {@code <unfinished ...>}. Mutable and pooled, so that the pairs (40 % of
     * a multi-threaded trace's lines) allocate nothing once the pool is warm.
     */
    private static final class Pending {
        byte[] text = new byte[256];
        int len;
        long ts, line;
        int id, nameLen;

        Pending set(byte[] b, int s, int e, long ts, long line, int id, int nameLen) {
            len = e - s;
            if (text.length < len) text = new byte[Math.max(len, text.length * 2)];
            System.arraycopy(b, s, text, 0, len);
            this.ts = ts;
            this.line = line;
            this.id = id;
            this.nameLen = nameLen;
            return this;
        }
    }
    private final IntMap<Pending> unfinished = new IntMap<>();
    private final ArrayDeque<Pending> pendingPool = new ArrayDeque<>();

    private Pending pending() {
        Pending p = pendingPool.poll();
        return p != null ? p : new Pending();
    }

    private void release(Pending p) {
        if (p != null && pendingPool.size() < 1024) pendingPool.push(p);
    }

    // a call line cut by an injected "strace: Process N attached"
    private byte[] split;
    private int splitTid;
    private long splitTs, splitLine;

    // task bookkeeping for unprefixed lines
    private boolean sawUnprefixed;
    private int initialTid = -1;
    private boolean aliasInitial;
    private final IntSet children = new IntSet();
    private final IntSet live = new IntSet();
    private final IntSet seen = new IntSet();
    private ArrayList<Object> holdInitial;

    /** pending clones (not yet returned): parent tid, flags */
    private final ArrayDeque<long[]> pendingClones = new ArrayDeque<>();

    // -k
    private Event held;
    private ArrayList<String> heldStack;

    private byte[] scratch = new byte[4096];

    // results of parseReturn
    private boolean retKnown;
    private long ret;
    private int errno;
    private long dur;
    private int retAnnS, retAnnE;

    public StraceParser(String file, InputStream in, IngestOptions options, int ffPid) {
        super(file, in, options, "strace");
        this.ffPid = ffPid;
    }

    @Override
    protected void parseLine(byte[] b, int s, int e) throws IOException {
        if (s < e && (b[s] == ' ' || b[s] == '\t') && Bytes.isBlank(b, s, e)) {
            count(LineClass.IGNORED);
            return;
        }
        if (s >= e) {
            count(LineClass.IGNORED);
            return;
        }
        // -k stack frame
        if (b[s] == ' ' && e - s > 3 && b[s + 1] == '>' && b[s + 2] == ' ') {
            if (held != null && options.keepStacks()) {
                if (heldStack == null) heldStack = new ArrayList<>(8);
                heldStack.add(Bytes.text(b, s + 3, e));
            }
            count(LineClass.PARSED);
            return;
        }
        flushHeld();
        if (split != null) {
            byte[] sp = split;
            split = null;
            if (b[s] == ' ' || b[s] == ')' || b[s] == ',') {
                int n = sp.length + (e - s);
                byte[] c = scratch(n);
                System.arraycopy(sp, 0, c, 0, sp.length);
                System.arraycopy(b, s, c, sp.length, e - s);
                count(LineClass.PAIRED);
                parseCall(c, 0, n, splitTid, splitTs, lineNo, true);
                return;
            }
            reclassify(LineClass.PAIRED, LineClass.ORPHANED);
        }
        int i = s;
        int tid;
        boolean prefixed = false;
        if (b[i] == '[' && Bytes.startsWith(b, i, e, PERSONALITY)) {
            // personality notice: "[ Process PID=N runs in 32 bit mode. ]"
            count(LineClass.IGNORED);
            return;
        }
        if (b[i] == '[' && Bytes.startsWith(b, i, e, PID_PREFIX)) {
            int j = Bytes.skipSpaces(b, i + 5, e);
            int k = j;
            while (k < e && Bytes.isDigit(b[k])) k++;
            if (k == j || k >= e) throw new ParseError("bad [pid N] prefix");
            long pid = k - j > 10 ? -1 : Bytes.digits(b, j, k);
            if (pid < 0 || pid > Integer.MAX_VALUE) throw new ParseError("pid out of range");
            tid = (int) pid;
            if (b[k] == '<') { // -Y
                k = Bytes.indexOf(b, k, e, (byte) '>');
                if (k < 0) throw new ParseError("bad [pid N<comm>] prefix");
                k++;
            }
            if (k >= e || b[k] != ']') throw new ParseError("bad [pid N] prefix");
            i = Bytes.skipSpaces(b, k + 1, e);
            prefixed = true;
        } else if (Bytes.isDigit(b[i])) {
            int k = i;
            while (k < e && Bytes.isDigit(b[k])) k++;
            if (k < e && (b[k] == ' ' || b[k] == '<')) {
                long pid = k - i > 10 ? -1 : Bytes.digits(b, i, k);
                if (pid < 0 || pid > Integer.MAX_VALUE) throw new ParseError("pid out of range");
                tid = (int) pid;
                if (b[k] == '<') { // -Y: 123<comm>
                    k = Bytes.indexOf(b, k, e, (byte) '>');
                    if (k < 0) throw new ParseError("bad pid<comm> prefix");
                    k++;
                }
                i = Bytes.skipSpaces(b, k, e);
                prefixed = true;
            } else {
                tid = -1;
            }
        } else {
            tid = -1;
        }
        if (prefixed) {
            tid = prefixedTid(tid);
        }
        // timestamp
        long ts = Event.NO_TIME;
        int t = Bytes.skipSpaces(b, i, e);
        if (t < e && Bytes.isDigit(b[t])) {
            int k = t;
            while (k < e && Bytes.isDigit(b[k])) k++;
            if (k < e && (b[k] == ':' || b[k] == '.')) {
                ts = timestamp(b, t, e);
                i = Bytes.skipSpaces(b, tsEnd, e);
            }
        }
        // -n [ nr] and -i [ip]
        for (int g = 0; g < 2 && i < e && b[i] == '['; g++) {
            int k = Bytes.indexOf(b, i, e, (byte) ']');
            if (k < 0) break;
            boolean ok = true;
            for (int m = i + 1; m < k; m++) if (!(b[m] == ' ' || Bytes.hexDigit(b[m]) >= 0 || b[m] == '?')) { ok = false; break; }
            if (!ok) break;
            i = Bytes.skipSpaces(b, k + 1, e);
        }
        if (i >= e) throw new ParseError("no call after prefix");
        if (!prefixed) tid = unprefixedTid();
        byte c = b[i];
        if (c == '+' && Bytes.startsWith(b, i, e, EXIT_LINE)) {
            exitLine(b, i, e, tid, ts);
        } else if (c == '-' && Bytes.startsWith(b, i, e, SIGNAL_LINE)) {
            if (!Bytes.endsWith(b, i, e, SIGNAL_END)) throw new ParseError("unterminated signal line");
            count(LineClass.IGNORED);
        } else if (c == '<' && Bytes.startsWith(b, i, e, RESUMED_LINE)) {
            resumed(b, i, e, tid, ts);
        } else if (c == 's' && Bytes.startsWith(b, i, e, NOTICE)) {
            notice(b, i, e, ts);
            count(LineClass.IGNORED);
        } else if (Bytes.isAlnum(c) || c == '?') {
            parseCall(b, i, e, tid, ts, lineNo, false);
        } else {
            throw new ParseError("not a strace line");
        }
    }

    private int lastTid = Integer.MIN_VALUE;

    private int prefixedTid(int tid) {
        if (tid == lastTid && !aliasInitial) return tid;
        lastTid = tid;
        if (initialTid < 0 && sawUnprefixed && !children.contains(tid)) {
            identifyInitial(tid);
        }
        if (aliasInitial && tid == initialTid) tid = UNKNOWN_PID;
        if (seen.add(tid)) {
            live.add(tid);
            if (sawUnprefixed || seen.size() > 1) newTask(tid);
        }
        return tid;
    }

    private int unprefixedTid() {
        if (ffPid >= 0) {
            if (seen.add(ffPid)) live.add(ffPid);
            return ffPid;
        }
        if (!sawUnprefixed) {
            sawUnprefixed = true;
            if (seen.isEmpty()) {
                holdInitial = new ArrayList<>();
                seen.add(UNKNOWN_PID);
                live.add(UNKNOWN_PID);
                return UNKNOWN_PID;
            }
        }
        if (live.size() == 1) return live.any();
        if (initialTid >= 0 && !aliasInitial) return initialTid;
        return UNKNOWN_PID;
    }

    /** The first prefixed tid that no clone returned is the task of the earlier unprefixed lines. */
    private void identifyInitial(int tid) {
        initialTid = tid;
        if (holdInitial == null) {
            aliasInitial = true;
            return;
        }
        seen.remove(UNKNOWN_PID);
        seen.add(tid);
        if (live.remove(UNKNOWN_PID)) live.add(tid);
        Pending p = unfinished.remove(UNKNOWN_PID);
        if (p != null) release(unfinished.put(tid, p));
        for (long[] pc : pendingClones) if (pc[0] == UNKNOWN_PID) pc[0] = tid;
        if (split != null && splitTid == UNKNOWN_PID) splitTid = tid;
        for (Object o : holdInitial) out.add(retid(o, tid));
        holdInitial = null;
    }

    private static Object retid(Object o, int tid) {
        if (o instanceof Event e && e.tid() == UNKNOWN_PID) {
            return new Event(e.seq(), e.tsNs(), tid, tid, e.call(), e.ret(), e.errno(), e.retKnown(), e.durationNs(), e.source(), e.stack());
        }
        if (o instanceof FdOp f && f.tid() == UNKNOWN_PID) {
            return new FdOp(f.tsNs(), tid, f.kind(), f.fd(), f.fd2(), f.path(), f.cloexec(), f.flags());
        }
        if (o instanceof TaskHint h && h.parent() == UNKNOWN_PID) {
            return new TaskHint(h.tsNs(), h.child(), tid, h.flags());
        }
        return o;
    }

    /** A task seen for the first time: if a clone is pending, it is that clone's child. */
    private void newTask(int tid) {
        if (children.contains(tid)) return;
        children.add(tid);
        long[] pc = pendingClones.pollLast();
        if (pc != null) push(new TaskHint(Event.NO_TIME, tid, (int) pc[0], pc[1]));
    }

    private void push(Object o) {
        flushHeld();
        if (holdInitial != null) {
            holdInitial.add(o);
            if (holdInitial.size() > HOLD_LIMIT) {
                out.addAll(holdInitial);
                holdInitial = null;
            }
        } else {
            out.add(o);
        }
    }

    private void emit(Event ev) {
        flushHeld();
        if (options.keepStacks()) held = ev;
        else push(ev);
    }

    private void flushHeld() {
        if (held != null) {
            Event h = held;
            held = null;
            if (heldStack != null) {
                h = new Event(h.seq(), h.tsNs(), h.pid(), h.tid(), h.call(), h.ret(), h.errno(), h.retKnown(), h.durationNs(), h.source(), List.copyOf(heldStack));
                heldStack = null;
            }
            push(h);
        }
    }

    @Override
    protected void finish() throws IOException {
        flushHeld();
        if (split != null) {
            reclassify(LineClass.PAIRED, LineClass.ORPHANED);
            split = null;
        }
        for (int n = unfinished.size(); n > 0; n--) reclassify(LineClass.PAIRED, LineClass.ORPHANED);
        unfinished.clear();
        if (holdInitial != null) {
            out.addAll(holdInitial);
            holdInitial = null;
        }
    }

    private byte[] scratch(int n) {
        if (scratch.length < n) scratch = new byte[Math.max(n, scratch.length * 2)];
        return scratch;
    }

    // ---------------------------------------------------------------- timestamps

    private int tsEnd;

    private long timestamp(byte[] b, int i, int e) {
        int k = i;
        while (k < e && Bytes.isDigit(b[k])) k++;
        long whole = Bytes.digits(b, i, k);
        if (b[k] == ':') {
            // HH:MM:SS[.frac]
            if (k + 6 > e || b[k + 3] != ':') throw new ParseError("bad time of day");
            long h = whole, m = Bytes.digits(b, k + 1, k + 3), sec = Bytes.digits(b, k + 4, k + 6);
            if (m < 0 || sec < 0) throw new ParseError("bad time of day");
            k += 6;
            long ns = 0;
            if (k < e && b[k] == '.') {
                ns = fraction(b, k + 1, e);
                k = tsEnd;
            }
            tsEnd = k;
            long wall = ((h * 60 + m) * 60 + sec) * 1_000_000_000L + ns;
            if (lastWall != Long.MIN_VALUE && wall + 12 * 3600_000_000_000L < lastWall) dayOffset += 86_400_000_000_000L;
            lastWall = wall;
            return wall + dayOffset;
        }
        long ns = fraction(b, k + 1, e);
        long v = whole * 1_000_000_000L + ns;
        if (whole < 100_000_000L) {
            // -r: relative to the previous line
            relAcc += v;
            return relAcc;
        }
        return v;
    }

    /** Digits after the '.', as nanoseconds; sets tsEnd. */
    private long fraction(byte[] b, int i, int e) {
        int k = i;
        long v = 0;
        int n = 0;
        while (k < e && Bytes.isDigit(b[k])) {
            if (n < 9) { v = v * 10 + (b[k] - '0'); n++; }
            k++;
        }
        if (k == i) throw new ParseError("bad timestamp fraction");
        while (n < 9) { v *= 10; n++; }
        tsEnd = k;
        return v;
    }

    // ---------------------------------------------------------------- special lines

    private void exitLine(byte[] b, int i, int e, int tid, long ts) {
        if (!Bytes.endsWith(b, i, e, " +++")) throw new ParseError("unterminated +++ line");
        int j = i + 4;
        Call.Exit call;
        if (Bytes.startsWith(b, j, e, "exited with ")) {
            int k = j + 12;
            int m = k;
            while (m < e && (Bytes.isDigit(b[m]) || b[m] == '-')) m++;
            call = new Call.Exit(false, (int) Bytes.num(b, k, m));
        } else if (Bytes.startsWith(b, j, e, "killed by ")) {
            int k = j + 10;
            int m = k;
            while (m < e && Bytes.isAlnum(b[m])) m++;
            long sig = Names.flags(b, k, m, Names.SIGNAL);
            call = new Call.Exit(true, (int) (128 + sig));
        } else {
            count(LineClass.IGNORED); // "+++ superseded by execve ..."
            return;
        }
        live.remove(tid);
        lastTid = Integer.MIN_VALUE;
        count(LineClass.PARSED);
        emit(event(ts, tid, call, 0, 0, false, Event.NO_TIME, lineNo, null));
    }

    private void notice(byte[] b, int i, int e, long ts) {
        if (Bytes.startsWith(b, i, e, "strace: Process ") && Bytes.endsWith(b, i, e, " attached")) {
            int k = i + 16;
            int m = k;
            while (m < e && Bytes.isDigit(b[m])) m++;
            if (m > k) attached((int) Bytes.digits(b, k, m));
        }
    }

    private void attached(int child) {
        if (aliasInitial && child == initialTid) return;
        if (seen.add(child)) live.add(child);
        if (!children.add(child)) return;
        long[] pc = pendingClones.pollLast();
        if (pc != null) push(new TaskHint(Event.NO_TIME, child, (int) pc[0], pc[1]));
    }

    private void resumed(byte[] b, int i, int e, int tid, long ts) throws IOException {
        int ns = i + 5;
        int k = ns;
        while (k < e && (Bytes.isAlnum(b[k]))) k++;
        if (!Bytes.startsWith(b, k, e, RESUMED)) throw new ParseError("bad resumed line");
        Pending p = unfinished.get(tid);
        if (p == null || p.nameLen != k - ns || !java.util.Arrays.equals(p.text, 0, p.nameLen, b, ns, k)) {
            count(LineClass.ORPHANED);
            return;
        }
        unfinished.remove(tid);
        int r = k + 9;
        int n = p.len + (e - r);
        byte[] c = scratch(n);
        System.arraycopy(p.text, 0, c, 0, p.len);
        System.arraycopy(b, r, c, p.len, e - r);
        long pts = p.ts;
        release(p); // its text is in scratch now
        count(LineClass.PAIRED);
        parseCall(c, 0, n, tid, pts, lineNo, true);
    }

    // ---------------------------------------------------------------- calls

    private void parseCall(byte[] b, int s, int e, int tid, long ts, long line, boolean paired) throws IOException {
        int p = s;
        while (p < e && (Bytes.isAlnum(b[p]) || b[p] == '?')) p++;
        if (p >= e || b[p] != '(') throw new ParseError("expected '(' after the syscall name");
        int id = Sys.lookup(b, s, p);
        // the arguments of a call we do not act on are only checked for structure, not recorded
        boolean acted = id != Sys.NONE && (id != Sys.LSEEK || options.markers());
        int close = args.split(b, p + 1, e, acted);
        if (close == Args.UNFINISHED) {
            int u = args.unfinishedAt;
            Pending old = unfinished.put(tid, pending().set(b, s, u, ts, line, id, p - s));
            if (old != null) {
                release(old);
                reclassify(LineClass.PAIRED, LineClass.ORPHANED); // the earlier unfinished call never resumed
            }
            if (id == Sys.CLONE || id == Sys.CLONE3 || id == Sys.FORK || id == Sys.VFORK) {
                pendingClones.add(new long[] {tid, partialCloneFlags(id, b, p, u)});
            }
            if (!paired) count(LineClass.PAIRED); // a resumed or re-joined line that is unfinished again was counted already
            return;
        }
        if (close == Args.OPEN) {
            int at = Bytes.indexOf(b, p, e, "strace: Process ");
            if (at >= 0 && Bytes.endsWith(b, at, e, " attached") && !paired) {
                split = Arrays.copyOfRange(b, s, at);
                splitTid = tid;
                splitTs = ts;
                splitLine = line;
                if (id == Sys.CLONE || id == Sys.CLONE3 || id == Sys.FORK || id == Sys.VFORK) {
                    pendingClones.add(new long[] {tid, partialCloneFlags(id, b, p, at)});
                }
                int k = at + 16, m = k;
                while (m < e && Bytes.isDigit(b[m])) m++;
                if (m > k) attached((int) Bytes.digits(b, k, m));
                count(LineClass.PAIRED);
                return;
            }
            throw new ParseError("unterminated argument list");
        }
        parseReturn(b, close + 1, e);
        if (id == Sys.LSEEK && options.markers() && args.n >= 2
                && Call.Marker.isMarker(args.val(0, Names.NUMERIC), args.val(1, Names.NUMERIC))) {
            // a snapshot marker: an event of its own (only when asked for)
            if (!paired) count(LineClass.PARSED);
            ev(ts, tid, new Call.Marker(args.val(1, Names.NUMERIC)), line);
            return;
        }
        if (!paired) count(id == Sys.NONE || id == Sys.LSEEK ? LineClass.IGNORED : LineClass.PARSED);
        if (id == Sys.NONE || id == Sys.LSEEK) {
            if (retAnnS >= 0 && retKnown && errno == 0 && ret >= 0) {
                // an unknown call that returned an fd with a -y path (socket, eventfd, ...)
                push(new FdOp(ts, tid, FdOp.Kind.OPEN, (int) ret, -1, retAnnotation(b), false, 0));
            }
            return;
        }
        if (paired) {
            // both halves were counted PAIRED
        }
        build(id, b, s, p, tid, ts, line);
    }

    private String retAnnotation(byte[] b) {
        if (retAnnS < 0) return null;
        return Args.annotation(b, retAnnS, retAnnE);
    }

    /** Parses {@code = ret [<path>] [ERRNO (msg)] [(comment)] [<duration>]}. */
    private void parseReturn(byte[] b, int i, int e) {
        retKnown = false;
        ret = 0;
        errno = 0;
        dur = Event.NO_TIME;
        retAnnS = -1;
        i = Bytes.skipSpaces(b, i, e);
        if (i >= e || b[i] != '=') throw new ParseError("expected '=' after the arguments");
        i = Bytes.skipSpaces(b, i + 1, e);
        if (i >= e) throw new ParseError("missing return value");
        // duration at the very end
        int end = e;
        if (b[e - 1] == '>') {
            int lt = Bytes.lastIndexOf(b, i, e, (byte) '<');
            if (lt > i && b[lt - 1] == ' ') {
                int k = lt + 1;
                int m = k;
                while (m < e - 1 && Bytes.isDigit(b[m])) m++;
                if (m > k && m < e - 1 && b[m] == '.') {
                    long whole = Bytes.digits(b, k, m);
                    dur = whole * 1_000_000_000L + fraction(b, m + 1, e - 1);
                    if (tsEnd != e - 1) throw new ParseError("bad duration");
                    end = Bytes.trimEnd(b, i, lt);
                }
            }
        }
        int k = i;
        if (b[k] == '?') {
            retKnown = false;
            k++;
        } else {
            int m = k;
            if (m < end && b[m] == '-') m++;
            while (m < end && Bytes.isAlnum(b[m])) m++;
            ret = Bytes.num(b, k, m);
            retKnown = true;
            k = m;
            if (k < end && b[k] == '<') {
                int c = k + 1;
                while (c < end && b[c] != '>') { if (b[c] == '\\') c++; c++; }
                if (c >= end) throw new ParseError("unterminated return annotation");
                retAnnS = i;
                int ae = c + 1;
                if (Bytes.startsWith(b, ae, end, "(deleted)")) ae += 9;
                retAnnE = ae;
                k = ae;
            }
        }
        k = Bytes.skipSpaces(b, k, end);
        if (k < end && b[k] >= 'A' && b[k] <= 'Z') {
            int m = k;
            while (m < end && (Bytes.isAlnum(b[m]))) m++;
            int en = Names.errno(b, k, m);
            if (en > 0) {
                errno = en;
                if (!retKnown || ret == -1) {
                    ret = -en;
                } else {
                    errno = 0; // "= 0 ETIMEDOUT"-like text after success: not an error
                }
                if (!retKnown) retKnown = false;
            }
            k = Bytes.skipSpaces(b, m, end);
        }
        if (k < end && b[k] != '(') throw new ParseError("unexpected text after the return value");
    }

    private static long partialCloneFlags(int id, byte[] b, int paren, int e) {
        try {
            switch (id) {
                case Sys.FORK: return 17;
                case Sys.VFORK: return 0x4000 | 0x100 | 17;
                case Sys.CLONE3: {
                    int br = Bytes.indexOf(b, paren, e, (byte) '{');
                    if (br < 0) return -1;
                    int[] f = Args.field(b, br, e, "flags");
                    long v = f == null ? 0 : Names.flags(b, f[0], f[1], Names.CLONE);
                    int[] sg = Args.field(b, br, e, "exit_signal");
                    if (sg != null) v |= Names.flags(b, sg[0], sg[1], Names.SIGNAL) & 0xff;
                    return v;
                }
                case Sys.CLONE: {
                    int f = Bytes.indexOf(b, paren, e, "flags=");
                    if (f < 0) return -1;
                    int m = f + 6;
                    while (m < e && b[m] != ',' && b[m] != ')' && b[m] != ' ') m++;
                    return Names.flags(b, f + 6, m, Names.CLONE);
                }
                default: return -1;
            }
        } catch (ParseError pe) {
            return -1;
        }
    }

    private static boolean isPrSetVma(byte[] b, Args a) {
        try {
            return a.val(0, Names.PRCTL) == Names.PR_SET_VMA;
        } catch (ParseError e) {
            return false;
        }
    }

    private void ev(long ts, int tid, Call call, long line) {
        emit(event(ts, tid, call, ret, errno, retKnown, dur, line, null));
    }

    private void build(int id, byte[] b, int nameS, int paren, int tid, long ts, long line) {
        Args a = args;
        boolean ok = retKnown && errno == 0;
        switch (id) {
            case Sys.MMAP: {
                long flags = a.val(3, Names.MAP);
                int fd = (int) a.val(4, Names.NUMERIC);
                FileRef f = null;
                if ((flags & 0x20) == 0 && fd >= 0) f = new FileRef(-1, a.annotation(4), false);
                long off = a.val(5, Names.NUMERIC);
                if (paren - nameS == 5 && b[nameS + 4] == '2') off <<= 12; // mmap2 (i386, arm): the offset is in 4096-byte units
                ev(ts, tid, new Call.Mmap(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), (int) a.val(2, Names.PROT),
                        (int) flags, fd, off, f), line);
                return;
            }
            case Sys.MUNMAP:
                ev(ts, tid, new Call.Munmap(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC)), line);
                return;
            case Sys.MPROTECT:
                ev(ts, tid, new Call.Mprotect(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), (int) a.val(2, Names.PROT), -1), line);
                return;
            case Sys.PKEY_MPROTECT:
                ev(ts, tid, new Call.Mprotect(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), (int) a.val(2, Names.PROT), (int) a.val(3, Names.NUMERIC)), line);
                return;
            case Sys.MADVISE:
                ev(ts, tid, new Call.Madvise(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), (int) a.val(2, Names.MADV), 0), line);
                return;
            case Sys.PROCESS_MADVISE: {
                // process_madvise(pidfd, [{iov_base=..., iov_len=...}, ...], vlen, advice, flags)
                String ann = a.annotation(0);
                int target = -1;
                if (ann != null && ann.startsWith("pid:")) {
                    try { target = Integer.parseInt(ann.substring(4)); } catch (NumberFormatException ignored) { }
                }
                int advice = (int) a.val(3, Names.MADV);
                if (a.n < 2) throw new ParseError("missing iovec");
                int is = a.s[1], ie = a.e[1];
                if (is < ie && b[is] == '[') {
                    int i = is + 1;
                    while (i < ie) {
                        int ob = Bytes.indexOf(b, i, ie, (byte) '{');
                        if (ob < 0) break;
                        int cb = Bytes.indexOf(b, ob, ie, (byte) '}');
                        if (cb < 0) throw new ParseError("bad iovec");
                        int[] base = Args.field(b, ob, cb + 1, "iov_base");
                        int[] len = Args.field(b, ob, cb + 1, "iov_len");
                        if (base == null || len == null) throw new ParseError("bad iovec");
                        long addr = Args.value(b, base[0], Args.valueEnd(b, base[0], base[1]) , Names.NUMERIC);
                        ev(ts, tid, new Call.Madvise(addr, Bytes.num(b, len[0], len[1]), advice, target), line);
                        i = cb + 1;
                    }
                } else {
                    ev(ts, tid, new Call.Madvise(0, 0, advice, target), line);
                }
                return;
            }
            case Sys.MLOCK:
                ev(ts, tid, new Call.Mlock(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), 0, false), line);
                return;
            case Sys.MLOCK2:
                ev(ts, tid, new Call.Mlock(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), (int) a.val(2, Names.MLOCK), true), line);
                return;
            case Sys.MUNLOCK:
                ev(ts, tid, new Call.Munlock(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC)), line);
                return;
            case Sys.MLOCKALL:
                ev(ts, tid, new Call.Mlockall((int) a.val(0, Names.MCL)), line);
                return;
            case Sys.MUNLOCKALL:
                ev(ts, tid, new Call.Munlockall(), line);
                return;
            case Sys.MREMAP: {
                long flags = a.n > 3 ? a.val(3, Names.MREMAP) : 0;
                long na = a.n > 4 ? a.val(4, Names.NUMERIC) : 0;
                ev(ts, tid, new Call.Mremap(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), a.val(2, Names.NUMERIC), (int) flags, na), line);
                return;
            }
            case Sys.BRK:
                ev(ts, tid, new Call.Brk(a.val(0, Names.NUMERIC)), line);
                return;
            case Sys.MSEAL:
                ev(ts, tid, new Call.Mseal(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), a.val(2, Names.NUMERIC)), line);
                return;
            case Sys.PRCTL: {
                // only PR_SET_VMA touches VMAs; every other option (PR_SET_NAME, ...) is a well-formed
                // line that names a constant we need not know
                if (a.n >= 2 && isPrSetVma(b, a) && a.val(1, Names.PRCTL) == 0) {
                    String name = null;
                    if (a.n > 4 && !a.isNull(4)) {
                        int ns = a.s[4];
                        name = b[ns] == '"' ? Bytes.cString(b, ns, a.e[4]) : a.text(4);
                    }
                    ev(ts, tid, new Call.SetVmaName(a.val(2, Names.NUMERIC), a.val(3, Names.NUMERIC), name), line);
                }
                return;
            }
            case Sys.MBIND: {
                long mask = 0;
                if (a.n > 3 && !a.isNull(3)) {
                    int ms = a.s[3], me = a.e[3];
                    if (b[ms] == '[') {
                        int m = ms + 1;
                        int q = m;
                        while (q < me && b[q] != ',' && b[q] != ']' && b[q] != ' ') q++;
                        if (q > m) mask = Bytes.num(b, m, q);
                    } else {
                        mask = Bytes.num(b, ms, me);
                    }
                }
                ev(ts, tid, new Call.Mbind(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), (int) a.val(2, Names.MPOL), mask), line);
                return;
            }
            case Sys.REMAP_FILE_PAGES:
                ev(ts, tid, new Call.RemapFilePages(a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), (int) a.val(2, Names.PROT),
                        a.val(3, Names.NUMERIC), (int) a.val(4, Names.REMAP_FILE_PAGES)), line);
                return;
            case Sys.SHMAT:
                ev(ts, tid, new Call.Shmat((int) a.val(0, Names.NUMERIC), a.val(1, Names.NUMERIC), (int) a.val(2, Names.SHM)), line);
                return;
            case Sys.SHMDT:
                ev(ts, tid, new Call.Shmdt(a.val(0, Names.NUMERIC)), line);
                return;
            case Sys.CLONE: case Sys.CLONE3: case Sys.FORK: case Sys.VFORK: {
                long flags;
                if (id == Sys.CLONE) {
                    int k = a.keyword("flags");
                    if (k >= 0) flags = Names.flags(b, a.s[k] + 6, a.e[k], Names.CLONE);
                    else flags = a.n > 0 ? a.val(0, Names.CLONE) : 0; // -X raw prints clone(0x..., ...)
                } else if (id == Sys.CLONE3) {
                    if (a.n < 1) throw new ParseError("clone3 without arguments");
                    int as = a.s[0], ae = a.e[0];
                    int[] f = Args.field(b, as, ae, "flags");
                    flags = f == null ? 0 : Names.flags(b, f[0], f[1], Names.CLONE);
                    int[] sg = Args.field(b, as, ae, "exit_signal");
                    if (sg != null) flags |= Names.flags(b, sg[0], sg[1], Names.SIGNAL) & 0xff;
                } else if (id == Sys.FORK) {
                    flags = 17;
                } else {
                    flags = 0x4000 | 0x100 | 17;
                }
                // this clone returned: drop it from the pending list
                for (Iterator<long[]> it = pendingClones.descendingIterator(); it.hasNext(); ) {
                    if (it.next()[0] == tid) { it.remove(); break; }
                }
                if (ok && ret > 0) {
                    int child = (int) ret;
                    children.add(child);
                    if (seen.add(child)) live.add(child);
                }
                ev(ts, tid, new Call.Clone(Bytes.str(b, nameS, paren), flags), line);
                return;
            }
            case Sys.EXECVE: case Sys.EXECVEAT: {
                int k = id == Sys.EXECVE ? 0 : 1;
                String path = null;
                if (a.n > k && b[a.s[k]] == '"') path = Bytes.cString(b, a.s[k], a.e[k]);
                ev(ts, tid, new Call.Execve(Bytes.str(b, nameS, paren), path), line);
                return;
            }
            case Sys.EXIT: case Sys.EXIT_GROUP:
                ev(ts, tid, new Call.Exit(id == Sys.EXIT_GROUP, (int) a.val(0, Names.NUMERIC)), line);
                return;
            case Sys.IOCTL: {
                if (a.n < 3) return;
                int cs = a.s[1], ce = a.e[1];
                boolean reg = Bytes.startsWith(b, cs, ce, "UFFDIO_REGISTER") || (Bytes.isDigit(b[cs]) && safeNum(b, cs, ce) == Names.UFFDIO_REGISTER);
                boolean unreg = Bytes.startsWith(b, cs, ce, "UFFDIO_UNREGISTER") || (Bytes.isDigit(b[cs]) && safeNum(b, cs, ce) == Names.UFFDIO_UNREGISTER);
                if (!reg && !unreg) return;
                int as = a.s[2], ae = a.e[2];
                int[] range = Args.field(b, as, ae, "range");
                int[] st = range == null ? Args.field(b, as, ae, "start") : Args.field(b, range[0], range[1], "start");
                int[] ln = range == null ? Args.field(b, as, ae, "len") : Args.field(b, range[0], range[1], "len");
                int[] md = Args.field(b, as, ae, "mode");
                if (st == null || ln == null) return;
                long mode = md == null ? 0 : Names.flags(b, md[0], md[1], Names.UFFDIO_MODE);
                ev(ts, tid, new Call.UffdRegister(Bytes.num(b, st[0], st[1]), Bytes.num(b, ln[0], ln[1]), mode, reg, a.val(0, Names.NUMERIC)), line);
                return;
            }
            default:
                fdOp(id, b, tid, ts, ok);
        }
    }

    private static long safeNum(byte[] b, int s, int e) {
        try { return Names.flags(b, s, e, Names.NUMERIC); } catch (ParseError pe) { return -1; }
    }

    private void fdOp(int id, byte[] b, int tid, long ts, boolean ok) {
        Args a = args;
        if (!ok) return;
        int r = (int) ret;
        switch (id) {
            case Sys.OPEN: case Sys.OPENAT: case Sys.CREAT: case Sys.OPENAT2: {
                int pk = id == Sys.OPENAT || id == Sys.OPENAT2 ? 1 : 0;
                String path = retAnnotation(b);
                if (path == null && a.n > pk && b[a.s[pk]] == '"') path = Bytes.cString(b, a.s[pk], a.e[pk]);
                boolean cloexec = false;
                long mode = 0; // FdOp.READ_ONLY when the access mode is O_RDONLY
                if (id == Sys.OPENAT2) {
                    if (a.n > 2) {
                        int[] f = Args.field(b, a.s[2], a.e[2], "flags");
                        long fl = f != null ? Names.flags(b, f[0], f[1], Names.OPEN) : 0;
                        cloexec = (fl & Names.O_CLOEXEC) != 0;
                        if (f != null && (fl & 3) == 0) mode = FdOp.READ_ONLY;
                    }
                } else if (id != Sys.CREAT && a.n > pk + 1) {
                    long fl = a.val(pk + 1, Names.OPEN);
                    cloexec = (fl & Names.O_CLOEXEC) != 0;
                    if ((fl & 3) == 0) mode = FdOp.READ_ONLY;
                }
                push(new FdOp(ts, tid, FdOp.Kind.OPEN, r, -1, path, cloexec, mode));
                return;
            }
            case Sys.MEMFD_CREATE: {
                String path = retAnnotation(b);
                if (path == null && a.n > 0 && b[a.s[0]] == '"') path = "/memfd:" + Bytes.cString(b, a.s[0], a.e[0]) + " (deleted)";
                boolean cloexec = a.n > 1 && (a.val(1, Names.MFD) & 1) != 0;
                push(new FdOp(ts, tid, FdOp.Kind.OPEN, r, -1, path, cloexec, 0));
                return;
            }
            case Sys.DUP:
                push(new FdOp(ts, tid, FdOp.Kind.DUP, (int) a.val(0, Names.NUMERIC), r, null, false, 0));
                return;
            case Sys.DUP2: case Sys.DUP3: {
                boolean cloexec = id == Sys.DUP3 && a.n > 2 && (a.val(2, Names.OPEN) & Names.O_CLOEXEC) != 0;
                push(new FdOp(ts, tid, FdOp.Kind.DUP, (int) a.val(0, Names.NUMERIC), r, null, cloexec, 0));
                return;
            }
            case Sys.FCNTL: {
                if (a.n < 2) return;
                long cmd = a.val(1, Names.FCNTL);
                if (cmd == 0 || cmd == 1030) {
                    push(new FdOp(ts, tid, FdOp.Kind.DUP, (int) a.val(0, Names.NUMERIC), r, null, cmd == 1030, 0));
                } else if (cmd == 2 && a.n > 2) {
                    push(new FdOp(ts, tid, FdOp.Kind.SET_CLOEXEC, (int) a.val(0, Names.NUMERIC), -1, null, (a.val(2, Names.FD_FLAGS) & 1) != 0, 0));
                }
                return;
            }
            case Sys.CLOSE:
                push(new FdOp(ts, tid, FdOp.Kind.CLOSE, (int) a.val(0, Names.NUMERIC), -1, null, false, 0));
                return;
            case Sys.CLOSE_RANGE: {
                long flags = a.n > 2 ? a.val(2, Names.CLOSE_RANGE) : 0;
                push(new FdOp(ts, tid, FdOp.Kind.CLOSE_RANGE, (int) a.val(0, Names.NUMERIC), (int) Math.min(Integer.MAX_VALUE, a.val(1, Names.NUMERIC) & 0xffffffffL), null, false, flags));
                return;
            }
            case Sys.PIPE: case Sys.PIPE2: case Sys.SOCKETPAIR: {
                int k = id == Sys.SOCKETPAIR ? 3 : 0;
                if (a.n <= k) return;
                boolean cloexec = id == Sys.PIPE2 && a.n > 1 && (a.val(1, Names.OPEN) & Names.O_CLOEXEC) != 0;
                int as = a.s[k], ae = a.e[k];
                if (b[as] != '[') return;
                int i = as + 1;
                for (int n = 0; n < 2 && i < ae; n++) {
                    int j = i;
                    int depth = 0;
                    while (j < ae && !(depth == 0 && (b[j] == ',' || b[j] == ']'))) {
                        if (b[j] == '<') depth++; else if (b[j] == '>') depth--;
                        j++;
                    }
                    int vs = Bytes.skipSpaces(b, i, j);
                    int ve = Args.valueEnd(b, vs, j);
                    int fd = (int) Bytes.num(b, vs, ve);
                    push(new FdOp(ts, tid, FdOp.Kind.OPEN, fd, -1, Args.annotation(b, vs, j), cloexec, 0));
                    i = j + 1;
                }
                return;
            }
            case Sys.FDRET:
                push(new FdOp(ts, tid, FdOp.Kind.OPEN, r, -1, retAnnotation(b), false, 0));
                return;
            default:
        }
    }
}
