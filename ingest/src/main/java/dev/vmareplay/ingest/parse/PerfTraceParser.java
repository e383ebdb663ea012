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
 * are not monotonic: events keep file order, except for the mmap lock (below).
 *
 * <p>Tracepoint lines ({@code TIME (         ): COMM/TID SYSTEM:EVENT(field: value, ...)}), as
 * {@code perf trace -e} prints them between a call's two halves:
 * <ul>
 * <li>{@code exceptions:page_fault_user} / {@code page_fault_kernel}: a page fault with its x86
 *     {@code error_code} (bit 1: write). It becomes the fault event (WRITE or READ); the
 *     minfault/majfault line perf prints right after it for the same fault is its other half.
 *     Once a trace has these, a fault line without one is a read.</li>
 * <li>{@code mmap_lock:mmap_lock_acquire_returned} with {@code write: 1}: a {@link Call.MmapLock}
 *     event. A call's acquisition is the first such line of its thread after the call's entry
 *     half, and the call is emitted at that place, not where its result is printed: within one
 *     address space the events come in the order the kernel changed it.</li>
 * <li>{@code syscalls:sys_enter_NAME} / {@code sys_exit_NAME}: calls perf trace cannot name
 *     (mseal). Their exit carries no return value.</li>
 * <li>any other tracepoint: counted ignored.</li>
 * </ul>
 */
public final class PerfTraceParser extends LineParser {
    private final Args args = new Args();
    private final NamedArgs named = new NamedArgs();
    private static final class Pending {
        final byte[] text;
        final long ts, line;
        /** the order key of its entry */
        long key;
        /** whether it is an mmap-family call (Sys id in MMAP..SHMDT), -1 before it is looked up */
        int family = -1;
        /** the order key of the call's mmap write-lock acquisition, {@link #NONE} before it */
        long acquired = NONE;

        Pending(byte[] text, long ts, long line) {
            this.text = text;
            this.ts = ts;
            this.line = line;
        }
    }
    private final Map<Integer, Pending> pending = new HashMap<>();
    private byte[] scratch = new byte[4096];
    /** A syscall tracepoint's enter half (sys_enter_mseal), per thread. */
    private final Map<Integer, Pending> enters = new HashMap<>();
    /** The page of the last fault tracepoint per thread: its minfault/majfault line is the same fault. */
    private final Map<Integer, Long> faultHalf = new HashMap<>();
    /** The trace carries fault tracepoints: a fault line without one is a read. */
    private boolean faultTracepoints;
    private final LockOrder order = new LockOrder();
    private static final long NONE = Long.MIN_VALUE;
    /**
     * The trace has mmap lock lines (perf trace -e mmap_lock:..., with --sort-events): events are
     * ordered by time (a call by its lock acquisition's), because perf's sorting window sometimes
     * flushes a thread's events late, after later ones of other threads. Otherwise file order.
     */
    private final boolean timeOrder;
    private long lastKey, maxTs = NONE;
    /**
     * In time order, events wait until the trace is this far past them: perf has printed a
     * thread's block of events up to 6 s (16 000 lines) late (node under record --perf).
     */
    private static final long WINDOW_NS = 30_000_000_000L;
    /** ... and never more than this many at once (memory stays bounded; past it, file order). */
    private static final int MAX_HELD = 500_000;

    public PerfTraceParser(String file, InputStream in, IngestOptions options) {
        super(file, in, options, "perf-trace");
        byte[] head = peek(in);
        faultTracepoints = Bytes.indexOf(head, 0, head.length, "exceptions:page_fault_") >= 0;
        timeOrder = Bytes.indexOf(head, 0, head.length, "mmap_lock:mmap_lock_acquire_returned(") >= 0;
    }

    /** The first MiB (the stream must support mark; else nothing). */
    private static byte[] peek(InputStream in) {
        if (!in.markSupported()) return new byte[0];
        try {
            in.mark((1 << 20) + 1);
            byte[] head = in.readNBytes(1 << 20);
            in.reset();
            return head;
        } catch (java.io.IOException e) {
            return new byte[0]; // the parser's own reads report it
        }
    }

    /** The order key of an event at time ts printed on the current line. */
    private long key(long ts) {
        if (!timeOrder) return lineNo;
        if (ts != Event.NO_TIME) {
            lastKey = ts;
            if (ts > maxTs) maxTs = ts;
        }
        return lastKey;
    }

    private static Call.Clone vforkOf(String name) {
        return new Call.Clone(name, Call.Clone.CLONE_VM | Call.Clone.CLONE_VFORK | 17);
    }

    /** A clone3 event held in time order until its child shows whether it was a vfork. */
    private static final class CloneSlot {
        Event event;
        /** when the parent's clone3 returned */
        final long returned;

        CloneSlot(Event event, long returned) {
            this.event = event;
            this.returned = returned;
        }

        void vfork() {
            Event e = event;
            event = new Event(e.seq(), e.tsNs(), e.pid(), e.tid(), vforkOf(e.call().name()), e.ret(), e.errno(), e.retKnown(),
                    e.durationNs(), e.source(), e.stack());
        }
    }

    /** Held clone3 events by child tid. */
    private final Map<Integer, CloneSlot> cloneSlots = new HashMap<>();

    /** Tasks that exec'd lately: a clone3 returning one of them was a vfork. */
    private final java.util.Set<Integer> execedTids = new java.util.HashSet<>();

    private void execed(int tid) {
        if (execedTids.size() > 65536) execedTids.clear();
        execedTids.add(tid);
    }

    /** In time order, a pending mmap-family call whose lock is not taken yet holds back what comes after its entry. */
    private boolean holdsBack(Pending p) {
        if (p.acquired != NONE) return true;
        if (!timeOrder) return false;
        if (p.family < 0) {
            int q = 0;
            while (q < p.text.length && Bytes.isAlnum(p.text[q])) q++;
            int id = Sys.lookup(p.text, 0, q);
            p.family = id >= Sys.MMAP && id <= Sys.SHMDT ? 1 : 0;
        }
        return p.family == 1;
    }

    /**
     * Holds events back while a thread's call has taken the mmap write lock but its result is not
     * printed yet, and hands them on in the order of their keys: a call's key is the line of its
     * acquisition, every other event's the line it was printed on. The calls of one address space
     * thus come in lock order; each thread's own events stay in their order (a call's acquisition
     * lies between its entry and its result).
     */
    private final class LockOrder {
        private record Held(long key, long n, Object item) {}
        private final java.util.PriorityQueue<Held> held = new java.util.PriorityQueue<>(
                (a, b) -> a.key != b.key ? Long.compare(a.key, b.key) : Long.compare(a.n, b.n));
        private long n;
        /** pending calls that hold an acquisition */
        int acquired;

        void emit(Object item, long key) {
            if (!timeOrder && acquired == 0 && held.isEmpty()) {
                out.add(item);
                return;
            }
            held.add(new Held(key, n++, item));
        }

        void release() {
            if (held.isEmpty()) return;
            long wm = timeOrder ? maxTs - WINDOW_NS : Long.MAX_VALUE;
            if (acquired > 0 || timeOrder) {
                for (Pending p : pending.values()) if (holdsBack(p)) wm = Math.min(wm, p.acquired != NONE ? p.acquired : p.key);
                for (Pending p : enters.values()) if (holdsBack(p)) wm = Math.min(wm, p.acquired != NONE ? p.acquired : p.key);
            }
            while (!held.isEmpty() && (held.peek().key < wm || held.size() > MAX_HELD)) out.add(unwrap(held.poll().item));
        }

        void flush() {
            while (!held.isEmpty()) out.add(unwrap(held.poll().item));
        }

        private Object unwrap(Object item) {
            if (!(item instanceof CloneSlot slot)) return item;
            cloneSlots.remove((int) slot.event.ret(), slot);
            return slot.event;
        }
    }

    private Pending takeEnter(int tid) {
        return released(enters.remove(tid));
    }

    private Pending takePending(int tid) {
        return released(pending.remove(tid));
    }

    /** A pending call leaves: the events it held back go on once the line is done (its own event first). */
    private Pending released(Pending p) {
        if (p != null && p.acquired != NONE) order.acquired--;
        return p;
    }

    @Override
    protected void parseLine(byte[] b, int s, int e) {
        try {
            line(b, s, e);
        } finally {
            order.release();
        }
    }

    private void line(byte[] b, int s, int e) {
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
            continued(b, c + 17, e, tid, ts, dur);
            return;
        }
        if (Bytes.startsWith(b, c, e, "minfault ") || Bytes.startsWith(b, c, e, "majfault ")) {
            fault(b, c, e, tid, ts);
            return;
        }
        call(b, c, e, tid, ts, dur, lineNo, false, key(ts));
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
        Long half = faultHalf.remove(tid);
        if (half != null && half == addr >>> 12) {
            count(LineClass.PAIRED); // the tracepoint line before it was this fault (and said read or write)
            return;
        }
        count(LineClass.PARSED);
        Call.PageFault.Access access = faultTracepoints ? Call.PageFault.Access.READ : Call.PageFault.Access.UNKNOWN;
        order.emit(event(ts, tid, new Call.PageFault(addr, major, access, target), 0, 0, true, Event.NO_TIME, lineNo, null), key(ts));
    }

    private void continued(byte[] b, int c, int e, int tid, long ts, long dur) {
        // NAME()) = RET
        int p = c;
        while (p < e && Bytes.isAlnum(b[p])) p++;
        if (!Bytes.startsWith(b, p, e, "())")) throw new ParseError("bad [continued] line");
        Pending pd = takePending(tid);
        if (pd == null || pd.text.length < p - c + 1 || !Bytes.startsWith(pd.text, 0, pd.text.length, Bytes.str(b, c, p) + "(")) {
            if (pd != null) entryOnly(tid, pd);
            // a continued call whose start is not in the trace (execve at trace start, clone3 in a new thread)
            int id = Sys.lookup(b, c, p);
            if (id == Sys.EXECVE || id == Sys.EXECVEAT) {
                parseRet(b, p + 3, e);
                count(LineClass.ORPHANED);
                if (errno == 0 && retKnown) {
                    execed(tid);
                    order.emit(event(Event.NO_TIME, tid, new Call.Execve(Bytes.str(b, c, p), null), ret, errno, retKnown, dur, lineNo, null), key(ts));
                }
                return;
            }
            if (id >= Sys.MMAP && id <= Sys.SHMDT) {
                // an mmap-family call whose entry half perf never printed: its result still tells something
                parseRet(b, p + 3, e);
                count(LineClass.ORPHANED);
                order.emit(event(Event.NO_TIME, tid, new Call.ResultOnly(Bytes.str(b, c, p)), ret, errno, retKnown, dur, lineNo, null), key(ts));
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
        call(scratch, 0, n, tid, pd.ts, dur, lineNo, true, pd.acquired != NONE ? pd.acquired : timeOrder ? pd.key : lineNo);
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

    private void call(byte[] b, int c, int e, int tid, long ts, long dur, long line, boolean paired, long key) {
        int p = c;
        while (p < e && Bytes.isAlnum(b[p])) p++;
        if (!paired && p < e && b[p] == ':') {
            tracepoint(b, c, p, e, tid, ts);
            return;
        }
        if (p >= e || b[p] != '(') throw new ParseError("expected NAME(");
        if (!paired && pending.containsKey(tid)) {
            // a thread makes one call at a time: a new call line while one is pending means perf
            // never printed the pending one's result (done before this line's arguments are split:
            // entryOnly parses the pending text with the same splitter)
            entryOnly(tid, takePending(tid));
        }
        int close = args.split(b, p + 1, e);
        if (close < 0) throw new ParseError("unterminated argument list");
        int after = Bytes.skipSpaces(b, close + 1, e);
        if (!paired && Bytes.equals(b, after, Bytes.trimEnd(b, after, e), "...")) {
            // interrupted: the rest comes in a "[continued]" line
            Pending np = new Pending(Arrays.copyOfRange(b, c, close), ts, line);
            np.key = key;
            pending.put(tid, np);
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
                order.emit(event(ts, tid, new Call.Marker(off), ret, errno, retKnown, dur, line, null), key);
                return;
            }
        }
        if (!paired) count(id == Sys.NONE || id == Sys.LSEEK ? LineClass.IGNORED : LineClass.PARSED);
        if (id == Sys.NONE || id == Sys.LSEEK) return;
        named.parse(args, b, p + 1, close);
        Call call = named.call(id, Bytes.str(b, c, p));
        if ((id == Sys.EXECVE || id == Sys.EXECVEAT) && retKnown && errno == 0) execed(tid);
        if ((id == Sys.EXECVE || id == Sys.EXECVEAT) && retKnown && errno == 0) {
            CloneSlot slot = cloneSlots.remove(tid);
            if (slot != null && ts != Event.NO_TIME && ts < slot.returned) slot.vfork();
        }
        if (id == Sys.CLONE3 && retKnown && errno == 0 && ret > 0 && execedTids.remove((int) ret)) {
            // clone3's flags are behind a pointer perf does not follow. A child that exec'd while
            // its parent was still inside clone3 was a vfork child (posix_spawn's
            // CLONE_VM|CLONE_VFORK: the parent waits for the exec), not a thread.
            call = vforkOf(Bytes.str(b, c, p));
        } else if (id == Sys.CLONE3 && timeOrder && retKnown && errno == 0 && ret > 0 && call != null) {
            // in time order the child's exec may be printed after the clone3's result: decide when it comes
            CloneSlot slot = new CloneSlot(event(ts, tid, call, ret, errno, retKnown, dur, line, null),
                    ts != Event.NO_TIME && dur != Event.NO_TIME ? ts + dur : Long.MAX_VALUE);
            cloneSlots.put((int) ret, slot);
            order.emit(slot, key);
            return;
        }
        if (call != null) {
            order.emit(event(ts, tid, call, ret, errno, retKnown, dur, line, null), key);
        } else if (retKnown && errno == 0) {
            FdOp op = named.fdOp(id, ts, tid, ret);
            if (op != null) order.emit(op, key);
        }
    }

    /**
     * An entry half whose {@code [continued]} result never came (perf 6.1 on a perl program
     * growing hashes with mremap, no LOST line): the thread's next call line, or a result half
     * of another call, shows it. Counted orphaned; an mmap-family call is still passed on, with
     * its result unknown ({@code = ?}) and in its place in lock order, for the replay to infer
     * what it did from the layout and what follows.
     */
    private void entryOnly(int tid, Pending pd) {
        countEarlier(LineClass.ORPHANED);
        int q = 0;
        while (q < pd.text.length && Bytes.isAlnum(pd.text[q])) q++;
        int id = Sys.lookup(pd.text, 0, q);
        if (id < Sys.MMAP || id > Sys.SHMDT || q >= pd.text.length || pd.text[q] != '(') return;
        byte[] t = Arrays.copyOf(pd.text, pd.text.length + 5);
        System.arraycopy(new byte[] {')', ' ', '=', ' ', '?'}, 0, t, pd.text.length, 5);
        try {
            call(t, 0, t.length, tid, pd.ts, Event.NO_TIME, pd.line, true, pd.acquired != NONE ? pd.acquired : timeOrder ? pd.key : pd.line);
        } catch (ParseError e) {
            // its arguments do not parse: the orphan count says it was there
        }
    }

    /** {@code SYSTEM:EVENT(field: value, ...)}; {@code colon} is at the ':' after SYSTEM. */
    private void tracepoint(byte[] b, int c, int colon, int e, int tid, long ts) {
        int p = colon + 1;
        while (p < e && Bytes.isAlnum(b[p])) p++;
        if (p >= e || b[p] != '(') throw new ParseError("expected SYSTEM:EVENT(");
        int close = args.split(b, p + 1, e);
        if (close < 0) throw new ParseError("unterminated tracepoint fields");
        if (Bytes.equals(b, c, colon, "exceptions")
                && (Bytes.equals(b, colon + 1, p, "page_fault_user") || Bytes.equals(b, colon + 1, p, "page_fault_kernel"))) {
            named.parse(args, b, p + 1, close);
            long addr = named.v("address", Names.NUMERIC, 0);
            long code = named.v("error_code", Names.NUMERIC, 0);
            boolean write = (code & 2) != 0;
            faultTracepoints = true;
            faultHalf.put(tid, addr >>> 12);
            count(LineClass.PARSED);
            order.emit(event(ts, tid, new Call.PageFault(addr, false, write ? Call.PageFault.Access.WRITE : Call.PageFault.Access.READ, null),
                    0, 0, true, Event.NO_TIME, lineNo, null), key(ts));
            return;
        }
        if (Bytes.equals(b, c, colon, "mmap_lock") && Bytes.equals(b, colon + 1, p, "mmap_lock_acquire_returned")) {
            named.parse(args, b, p + 1, close);
            if (named.v("write", Names.NUMERIC, 0) == 0 || named.v("success", Names.NUMERIC, 1) == 0) {
                count(LineClass.IGNORED); // a read acquisition (unfiltered capture) or a failed trylock: no change
                return;
            }
            long mm = named.v("mm", Names.NUMERIC, 0);
            long k = key(ts);
            Pending in = pending.get(tid);
            String during = null;
            if (in != null) {
                int q = 0;
                while (q < in.text.length && Bytes.isAlnum(in.text[q])) q++;
                during = Bytes.str(in.text, 0, q);
                if (in.acquired == NONE) {
                    in.acquired = k;
                    order.acquired++;
                }
            } else {
                Pending enter = enters.get(tid);
                if (enter != null) {
                    during = "mseal";
                    if (enter.acquired == NONE) {
                        enter.acquired = k;
                        order.acquired++;
                    }
                }
            }
            count(LineClass.PARSED);
            order.emit(event(ts, tid, new Call.MmapLock(mm, during), 0, 0, true, Event.NO_TIME, lineNo, null), k);
            return;
        }
        if (Bytes.equals(b, c, colon, "syscalls")) {
            boolean enter = Bytes.startsWith(b, colon + 1, p, "sys_enter_");
            if (!enter && !Bytes.startsWith(b, colon + 1, p, "sys_exit_")) {
                count(LineClass.IGNORED);
                return;
            }
            int ns = colon + 1 + (enter ? 10 : 9);
            int id = Sys.lookup(b, ns, p);
            if (id != Sys.MSEAL) {
                // calls perf trace names itself come as syscall lines: these would count them twice
                count(LineClass.IGNORED);
                return;
            }
            if (enter) {
                Pending old = takeEnter(tid);
                Pending np = new Pending(Arrays.copyOfRange(b, ns, close + 1), ts, lineNo);
                np.key = key(ts);
                enters.put(tid, np);
                if (old != null) countEarlier(LineClass.ORPHANED);
                return;
            }
            Pending en = takeEnter(tid);
            if (en == null) {
                count(LineClass.ORPHANED);
                return;
            }
            countEarlier(LineClass.PAIRED);
            count(LineClass.PAIRED);
            int op = Bytes.indexOf(en.text, 0, en.text.length, (byte) '(');
            int cl = args.split(en.text, op + 1, en.text.length);
            if (cl < 0) cl = en.text.length;
            named.parse(args, en.text, op + 1, cl);
            // perf 6.1 prints no return value for these: the result is not known
            order.emit(event(en.ts, tid, named.call(id, "mseal"), 0, 0, false, ts - en.ts, lineNo, null),
                    en.acquired != NONE ? en.acquired : key(ts));
            return;
        }
        count(LineClass.IGNORED);
    }

    @Override
    protected void finish() {
        for (int k = 0; k < pending.size() + enters.size(); k++) countEarlier(LineClass.ORPHANED);
        pending.clear();
        enters.clear();
        order.acquired = 0;
        order.flush();
    }
}
