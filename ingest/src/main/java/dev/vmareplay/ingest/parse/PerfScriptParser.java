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
 * {@code perf script} output of {@code syscalls:sys_enter_NAME}/{@code sys_exit_NAME} and
 * {@code raw_syscalls:sys_enter}/{@code sys_exit} tracepoints:
 * {@code COMM [PID/]TID [CPU] SECS.USECS: syscalls:sys_enter_mmap: addr: 0x..., len: 0x...}.
 * Enter and exit are joined per thread; values are hex (fd 0xffffffff = -1), errors are
 * negative returns.
 */
public final class PerfScriptParser extends LineParser {
    private final Args args = new Args();
    private final NamedArgs named = new NamedArgs();
    private record Pending(int id, String name, byte[] text, long ts, long line) {}
    private final Map<Integer, Pending> pending = new HashMap<>();

    private static final String[] RAW_ARG_NAMES = {"a0", "a1", "a2", "a3", "a4", "a5"};
    private static final Map<Integer, String> NR = new HashMap<>();

    static {
        Object[] t = {9, "mmap", 10, "mprotect", 11, "munmap", 12, "brk", 25, "mremap", 28, "madvise", 30, "shmat",
                67, "shmdt", 32, "dup", 33, "dup2", 56, "clone", 57, "fork", 58, "vfork", 59, "execve", 60, "exit",
                72, "fcntl", 2, "open", 3, "close", 85, "creat", 149, "mlock", 150, "munlock", 151, "mlockall",
                152, "munlockall", 157, "prctl", 216, "remap_file_pages", 231, "exit_group", 237, "mbind",
                257, "openat", 292, "dup3", 319, "memfd_create", 322, "execveat", 325, "mlock2", 329, "pkey_mprotect",
                435, "clone3", 436, "close_range", 437, "openat2", 440, "process_madvise", 462, "mseal", 8, "lseek"};
        for (int i = 0; i < t.length; i += 2) NR.put((Integer) t[i], (String) t[i + 1]);
    }

    /** tracepoint field names of the raw_syscalls positional arguments, per syscall */
    private static final Map<String, String[]> POSITIONAL = new HashMap<>();

    static {
        POSITIONAL.put("mmap", new String[] {"addr", "len", "prot", "flags", "fd", "off"});
        POSITIONAL.put("mprotect", new String[] {"start", "len", "prot"});
        POSITIONAL.put("pkey_mprotect", new String[] {"start", "len", "prot", "pkey"});
        POSITIONAL.put("munmap", new String[] {"addr", "len"});
        POSITIONAL.put("brk", new String[] {"brk"});
        POSITIONAL.put("mremap", new String[] {"addr", "old_len", "new_len", "flags", "new_addr"});
        POSITIONAL.put("madvise", new String[] {"start", "len_in", "behavior"});
        POSITIONAL.put("mlock", new String[] {"start", "len"});
        POSITIONAL.put("mlock2", new String[] {"start", "len", "flags"});
        POSITIONAL.put("munlock", new String[] {"start", "len"});
        POSITIONAL.put("mlockall", new String[] {"flags"});
        POSITIONAL.put("mseal", new String[] {"start", "len", "flags"});
        POSITIONAL.put("prctl", new String[] {"option", "arg2", "arg3", "arg4", "arg5"});
        POSITIONAL.put("mbind", new String[] {"start", "len", "mode", "nmask", "maxnode", "flags"});
        POSITIONAL.put("remap_file_pages", new String[] {"start", "size", "prot", "pgoff", "flags"});
        POSITIONAL.put("shmat", new String[] {"shmid", "shmaddr", "shmflg"});
        POSITIONAL.put("shmdt", new String[] {"shmaddr"});
        POSITIONAL.put("clone", new String[] {"clone_flags", "newsp", "parent_tidptr", "child_tidptr", "tls"});
        POSITIONAL.put("exit", new String[] {"error_code"});
        POSITIONAL.put("exit_group", new String[] {"error_code"});
        POSITIONAL.put("open", new String[] {"filename", "flags", "mode"});
        POSITIONAL.put("openat", new String[] {"dfd", "filename", "flags", "mode"});
        POSITIONAL.put("dup", new String[] {"fildes"});
        POSITIONAL.put("dup2", new String[] {"oldfd", "newfd"});
        POSITIONAL.put("dup3", new String[] {"oldfd", "newfd", "flags"});
        POSITIONAL.put("fcntl", new String[] {"fd", "cmd", "arg"});
        POSITIONAL.put("close", new String[] {"fd"});
        POSITIONAL.put("close_range", new String[] {"fd", "max_fd", "flags"});
        POSITIONAL.put("memfd_create", new String[] {"uname", "flags"});
    }

    public PerfScriptParser(String file, InputStream in, IngestOptions options) {
        super(file, in, options, "perf-script");
        named.raw = true;
    }

    @Override
    protected void parseLine(byte[] b, int s, int e) {
        int i = Bytes.skipSpaces(b, s, e);
        if (i >= e || b[i] == '#') {
            count(LineClass.IGNORED);
            return;
        }
        int evStart = eventStart(b, i, e);
        if (evStart < 0) throw new ParseError("not a tracepoint line (COMM TID [CPU] TIME: EVENT: ...)");
        boolean rawSys = Bytes.startsWith(b, evStart, e, "raw_syscalls:sys_");
        if (!rawSys && !Bytes.startsWith(b, evStart, e, "syscalls:sys_")) {
            otherTracepoint(b, i, evStart, e);
            return;
        }
        int ev = rawSys ? evStart + 4 : evStart;
        // backwards: "COMM [PID/]TID [CPU] SECS.USECS:" before the event name
        int k = Bytes.trimEnd(b, i, evStart);
        if (k <= i || b[k - 1] != ':') throw new ParseError("expected 'TIME:' before the event");
        int tEnd = k - 1;
        int tStart = tEnd;
        while (tStart > i && (Bytes.isDigit(b[tStart - 1]) || b[tStart - 1] == '.')) tStart--;
        long ts = secsToNs(b, tStart, tEnd);
        k = Bytes.trimEnd(b, i, tStart);
        if (k > i && b[k - 1] == ']') {
            int ob = Bytes.lastIndexOf(b, i, k, (byte) '[');
            if (ob < 0) throw new ParseError("bad [cpu]");
            k = Bytes.trimEnd(b, i, ob);
        }
        int idEnd = k;
        int idStart = idEnd;
        while (idStart > i && (Bytes.isDigit(b[idStart - 1]) || b[idStart - 1] == '/')) idStart--;
        if (idStart == idEnd) throw new ParseError("expected a tid");
        int sl = Bytes.lastIndexOf(b, idStart, idEnd, (byte) '/');
        int tid = (int) Bytes.digits(b, sl < 0 ? idStart : sl + 1, idEnd);
        if (tid < 0) throw new ParseError("bad tid");
        // event name
        int nameS = ev + 13; // after "syscalls:sys_"
        boolean enter;
        if (Bytes.startsWith(b, nameS, e, "enter")) { enter = true; nameS += 5; }
        else if (Bytes.startsWith(b, nameS, e, "exit")) { enter = false; nameS += 4; }
        else throw new ParseError("unknown syscall tracepoint");
        int colon = Bytes.indexOf(b, nameS, e, (byte) ':');
        if (colon < 0) throw new ParseError("expected ':' after the event name");
        int body = Bytes.skipSpaces(b, colon + 1, e);
        String name;
        if (rawSys) {
            // raw_syscalls:sys_enter: NR 9 (0, 2000, 3, 22, ffffffffffffffff, 0) / sys_exit: NR 9 = 1234
            if (!Bytes.startsWith(b, body, e, "NR ")) throw new ParseError("expected 'NR n'");
            int m = body + 3;
            while (m < e && (Bytes.isDigit(b[m]) || b[m] == '-')) m++;
            long nr = Bytes.num(b, body + 3, m);
            name = NR.getOrDefault((int) nr, "syscall_" + nr);
            body = Bytes.skipSpaces(b, m, e);
        } else {
            if (b[nameS] != '_') throw new ParseError("bad tracepoint name");
            name = Bytes.str(b, nameS + 1, colon);
        }
        int id = Sys.lookup(name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, name.length());
        if (enter) {
            Pending old = pending.put(tid, new Pending(id, name, Arrays.copyOfRange(b, body, e), ts, lineNo));
            if (old != null) countEarlier(LineClass.ORPHANED); // exit, execve success without sys_exit...
            return;
        }
        long ret;
        if (rawSys) {
            if (body >= e || b[body] != '=') throw new ParseError("expected '= RET'");
            int rs = Bytes.skipSpaces(b, body + 1, e);
            ret = Bytes.num(b, rs, Bytes.trimEnd(b, rs, e));
        } else {
            ret = Bytes.hex(b, body, Bytes.trimEnd(b, body, e));
        }
        Pending p = pending.remove(tid); // after the return value: a malformed exit leaves the enter to be counted orphaned
        if (p == null || !p.name.equals(name)) {
            if (p != null) countEarlier(LineClass.ORPHANED);
            count(LineClass.ORPHANED);
            return;
        }
        count(LineClass.PAIRED);
        count(LineClass.PAIRED);
        if (id == Sys.LSEEK && options.markers()) {
            int errno = ret < 0 && ret >= -4095 ? (int) -ret : 0;
            if (rawSys) rawArgs(name, p.text);
            else splitFields(p.text);
            long off = named.v("offset", Names.NUMERIC, 0);
            if (Call.Marker.isMarker(named.v("fd", Names.NUMERIC, 0), off)) {
                // a snapshot marker: an event of its own (only when asked for)
                out.add(event(p.ts, tid, new Call.Marker(off), ret, errno, true, ts - p.ts, lineNo, null));
            }
            return;
        }
        if (id == Sys.NONE || id == Sys.LSEEK) return;
        int errno = 0;
        if (ret < 0 && ret >= -4095) errno = (int) -ret;
        // decode the enter arguments
        byte[] t = p.text;
        if (rawSys) rawArgs(name, t);
        else splitFields(t);
        Call call = named.call(id, name);
        if (call != null) {
            out.add(event(p.ts, tid, call, ret, errno, true, ts - p.ts, lineNo, null));
        } else if (errno == 0) {
            FdOp op = named.fdOp(id, p.ts, tid, ret);
            if (op != null) out.add(op);
        }
    }

    /** The start of the event name: after the first {@code SECS.USECS:} token, or -1. */
    private static int eventStart(byte[] b, int i, int e) {
        for (int k = i; k < e; k++) {
            if (b[k] != ':' || k == i || !Bytes.isDigit(b[k - 1]) || (k + 1 < e && b[k + 1] != ' ')) continue;
            int t = k;
            while (t > i && (Bytes.isDigit(b[t - 1]) || b[t - 1] == '.')) t--;
            if (t < k && (t == i || b[t - 1] == ' ') && Bytes.indexOf(b, t, k, (byte) '.') >= 0) {
                int ev = Bytes.skipSpaces(b, k + 1, e);
                return ev < e ? ev : -1;
            }
        }
        return -1;
    }

    /**
     * A tracepoint other than a syscall's: the page faults ({@code exceptions:page_fault_user:
     * address=0x... ip=... error_code=0x6}; bit 1 of error_code: a write) and the mmap lock
     * ({@code mmap_lock:mmap_lock_acquire_returned: mm=0x... memcg_id=N write=true success=true}),
     * as for perf trace; any other tracepoint is counted ignored.
     */
    private void otherTracepoint(byte[] b, int i, int ev, int e) {
        int tid = tidBefore(b, i, ev);
        long ts = timeBefore(b, i, ev);
        if (Bytes.startsWith(b, ev, e, "exceptions:page_fault_user:") || Bytes.startsWith(b, ev, e, "exceptions:page_fault_kernel:")) {
            long addr = field(b, ev, e, "address=");
            long code = field(b, ev, e, "error_code=");
            count(LineClass.PARSED);
            out.add(event(ts, tid, new Call.PageFault(addr, false,
                    (code & 2) != 0 ? Call.PageFault.Access.WRITE : Call.PageFault.Access.READ, null), 0, 0, true, Event.NO_TIME, lineNo, null));
            return;
        }
        if (Bytes.startsWith(b, ev, e, "mmap_lock:mmap_lock_acquire_returned:")) {
            if (Bytes.indexOf(b, ev, e, " write=true") < 0 && Bytes.indexOf(b, ev, e, " write=1") < 0
                    || Bytes.indexOf(b, ev, e, " success=false") >= 0 || Bytes.indexOf(b, ev, e, " success=0") >= 0) {
                count(LineClass.IGNORED); // read acquisitions change nothing
                return;
            }
            long mm = field(b, ev, e, "mm=");
            Pending in = pending.get(tid);
            count(LineClass.PARSED);
            out.add(event(ts, tid, new Call.MmapLock(mm, in == null ? null : in.name), 0, 0, true, Event.NO_TIME, lineNo, null));
            return;
        }
        count(LineClass.IGNORED);
    }

    /** The hex value after {@code key} (e.g. {@code address=}) up to the next space. */
    private static long field(byte[] b, int s, int e, String key) {
        int k = Bytes.indexOf(b, s, e, key);
        if (k < 0) throw new ParseError("no " + key + " field");
        int vs = k + key.length();
        int ve = vs;
        while (ve < e && b[ve] != ' ') ve++;
        return Bytes.hex(b, vs, ve);
    }

    private static long timeBefore(byte[] b, int i, int ev) {
        int k = Bytes.trimEnd(b, i, ev) - 1; // at the ':'
        int t = k;
        while (t > i && (Bytes.isDigit(b[t - 1]) || b[t - 1] == '.')) t--;
        return secsToNs(b, t, k);
    }

    /** {@code COMM [PID/]TID [CPU] TIME:} before the event: the tid. */
    private static int tidBefore(byte[] b, int i, int ev) {
        int k = Bytes.trimEnd(b, i, ev) - 1;
        while (k > i && (Bytes.isDigit(b[k - 1]) || b[k - 1] == '.')) k--;
        k = Bytes.trimEnd(b, i, k);
        if (k > i && b[k - 1] == ']') {
            int ob = Bytes.lastIndexOf(b, i, k, (byte) '[');
            if (ob < 0) throw new ParseError("bad [cpu]");
            k = Bytes.trimEnd(b, i, ob);
        }
        int s = k;
        while (s > i && Bytes.isDigit(b[s - 1])) s--;
        if (s == k) throw new ParseError("expected a tid");
        return (int) Bytes.digits(b, s, k);
    }

    private int splitFields(byte[] t) {
        // the fields have no parentheses: split the whole text as an argument list
        byte[] w = new byte[t.length + 1];
        System.arraycopy(t, 0, w, 0, t.length);
        w[t.length] = ')';
        int close = args.split(w, 0, w.length);
        if (close < 0) throw new ParseError("bad tracepoint fields");
        named.clear(w);
        for (int k = 0; k < args.n; k++) {
            int as = args.s[k], ae = args.e[k];
            int c = Bytes.indexOf(w, as, ae, (byte) ':');
            if (c < 0) throw new ParseError("field without a name");
            named.add(as, Bytes.trimEnd(w, as, c), Bytes.skipSpaces(w, c + 1, ae), ae);
        }
        args.n = 0;
        return close;
    }

    private int rawArgs(String name, byte[] t) {
        // "(0, 2000, 3, 22, ffffffffffffffff, 0)": hex without 0x, named by position
        int o = Bytes.indexOf(t, 0, t.length, (byte) '(');
        int c = Bytes.lastIndexOf(t, 0, t.length, (byte) ')');
        if (o < 0 || c < o) throw new ParseError("bad raw_syscalls arguments");
        String[] names = POSITIONAL.getOrDefault(name, RAW_ARG_NAMES);
        StringBuilder sb = new StringBuilder();
        int k = o + 1, idx = 0;
        while (k < c && idx < names.length) {
            int j = k;
            while (j < c && t[j] != ',') j++;
            int vs = Bytes.skipSpaces(t, k, j);
            if (sb.length() > 0) sb.append(", ");
            sb.append(names[idx]).append(": ").append(Bytes.str(t, vs, Bytes.trimEnd(t, vs, j)));
            k = j + 1;
            idx++;
        }
        return splitFields(sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static long secsToNs(byte[] b, int s, int e) {
        int dot = Bytes.indexOf(b, s, e, (byte) '.');
        if (dot < 0) {
            long v = Bytes.digits(b, s, e);
            if (v < 0) throw new ParseError("bad timestamp");
            return v * 1_000_000_000L;
        }
        long secs = Bytes.digits(b, s, dot);
        if (secs < 0) throw new ParseError("bad timestamp");
        long frac = 0;
        int nd = 0;
        for (int k = dot + 1; k < e && nd < 9; k++, nd++) frac = frac * 10 + (b[k] - '0');
        while (nd < 9) { frac *= 10; nd++; }
        return secs * 1_000_000_000L + frac;
    }

    @Override
    protected void finish() {
        for (int k = 0; k < pending.size(); k++) countEarlier(LineClass.ORPHANED);
        pending.clear();
    }
}
