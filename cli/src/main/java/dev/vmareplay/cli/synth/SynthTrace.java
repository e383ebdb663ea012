package dev.vmareplay.cli.synth;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a synthetic {@code strace -f -tt -T -y} trace, deterministic for a given seed,
 * whose operation mix and address patterns follow the real traces in samples/traces:
 * <ul>
 *   <li>ld.so loading libraries (openat, read, newfstatat, mmap of the whole image, MAP_FIXED
 *       segments and bss, close, RELRO mprotect), dlopen/dlclose;</li>
 *   <li>malloc: brk growing and trimming, mmap/munmap of large chunks, per-thread arenas
 *       (128 MiB PROT_NONE reservation, head/tail munmap, mprotect growth, MAP_FIXED trim);</li>
 *   <li>a JIT flipping protections page by page;</li>
 *   <li>thread stacks with guard pages (mmap MAP_STACK + mprotect) and clone3 threads;</li>
 *   <li>mremap of growing buffers (MREMAP_MAYMOVE) and in-place shrinks;</li>
 *   <li>processes forking (clone, execve, exit_group, SIGCHLD, wait4), some without exec;</li>
 *   <li>noise: read/write/newfstatat/futex/poll/ioctl/rt_sigaction, failed opens, signals,
 *       unfinished/resumed pairs (futex and mmap).</li>
 * </ul>
 * The generator keeps its own model of what each process has mapped, so every call it
 * writes is one the kernel would accept: replaying the trace gives no divergences.
 * Addresses come from a per-process top-down bump allocator (ASLR-like random base).
 */
public final class SynthTrace {

    /** What to write. {@code lines} and {@code bytes}: stop at whichever is reached first (0 = no limit). */
    public record Config(long lines, long bytes, long seed, int processes) {
        public Config {
            if (lines <= 0 && bytes <= 0) throw new IllegalArgumentException("give a number of events or a size");
            if (processes < 1) throw new IllegalArgumentException("processes must be >= 1");
        }
    }

    /** What was written. */
    public record Result(long lines, long bytes, long processes, long threads) { }

    private static final long PAGE = 4096;
    private static final long MMAP_FLOOR = 0x5800_0000_0000L;
    private static final long PER_PROCESS_BUMP = 8L << 40; // 8 TiB of address space, then stop mapping new ranges

    private static final String CWD = "/home/user/src/project";
    private static final String[][] LIBS = {
            // name as opened, real path, image size
            {"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "1974096"},
            {"/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "913680"},
            {"/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", "123280"},
            {"/lib/x86_64-linux-gnu/libexpat.so.1", "/usr/lib/x86_64-linux-gnu/libexpat.so.1.8.10", "172160"},
            {"/lib/x86_64-linux-gnu/libselinux.so.1", "/usr/lib/x86_64-linux-gnu/libselinux.so.1", "181928"},
            {"/lib/x86_64-linux-gnu/libpcre2-8.so.0", "/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0.11.2", "616184"},
            {"/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", "2260296"},
            {"/lib/x86_64-linux-gnu/libgcc_s.so.1", "/usr/lib/x86_64-linux-gnu/libgcc_s.so.1", "127280"},
            {"/lib/x86_64-linux-gnu/libcrypto.so.3", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", "4709656"},
            {"/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libssl.so.3", "692384"},
            {"/lib/x86_64-linux-gnu/libffi.so.8", "/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2", "45024"},
            {"/lib/x86_64-linux-gnu/liblzma.so.5", "/usr/lib/x86_64-linux-gnu/liblzma.so.5.4.1", "178448"},
    };
    private static final String[][] PLUGINS = {
            {"/usr/lib/python3.11/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so", "62368"},
            {"/usr/lib/python3.11/lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so", "74784"},
            {"/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", "192960"},
            {"/usr/lib/python3.11/lib-dynload/_ctypes.cpython-311-x86_64-linux-gnu.so", "153072"},
            {"/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so", "18800"},
            {"/usr/lib/jvm/java-17-openjdk-amd64/lib/libzip.so", "91272"},
    };
    private static final String[][] EXES = {
            {"/usr/bin/cc1", "cc1"}, {"/usr/bin/python3.11", "python3"}, {"/usr/bin/ls", "ls"},
            {"/usr/bin/as", "as"}, {"/usr/bin/ld.bfd", "ld"}, {"/usr/bin/sed", "sed"},
            {"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "java"}, {"/usr/bin/gzip", "gzip"},
    };
    private static final String THREAD_FLAGS = "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID";

    // ---- model -------------------------------------------------------------------------

    private enum Kind { LIB, PLUGIN, ANON, STACK, ARENA, JIT, BUF }

    /** A range the process has fully mapped. */
    private static final class Obj {
        final Kind kind;
        long start, len;   // page-aligned
        long committed;    // ARENA: read-write part at the start
        byte[] rx;         // JIT: per page 1 = r-x, 0 = rw-
        Obj(Kind kind, long start, long len) { this.kind = kind; this.start = start; this.len = len; }
        Obj copy() {
            Obj o = new Obj(kind, start, len);
            o.committed = committed;
            o.rx = rx == null ? null : rx.clone();
            return o;
        }
    }

    private static final class Proc {
        final int pid;
        Proc parent;
        final List<Proc> children = new ArrayList<>();
        final List<Task> tasks = new ArrayList<>();
        List<Obj> objs = new ArrayList<>();
        long top;            // next mmap(NULL) lands just below this
        long bumped;
        long brkStart, brk;
        long budget;         // lines left before it exits (root: unlimited)
        int maxObjs;
        boolean exec;        // ran its own program (vs. a forked copy)
        Proc(int pid) { this.pid = pid; }
    }

    private static final class Task {
        final int tid;
        final Proc proc;
        Obj stack;                // thread's own stack (null for the main thread)
        Runnable resume;          // a pending unfinished call
        Task(int tid, Proc proc) { this.tid = tid; this.proc = proc; }
    }

    private final Config cfg;
    private final SplittableRandom rnd;
    private Out out;
    private long clockUs = 10L * 3600 * 1_000_000; // 10:00:00
    private int nextPid = 10_000;
    private final List<Task> tasks = new ArrayList<>();
    private final List<Proc> procs = new ArrayList<>();
    private long nProcs, nThreads;

    public SynthTrace(Config cfg) {
        this.cfg = cfg;
        this.rnd = new SplittableRandom(cfg.seed());
    }

    /** Writes the whole trace (the stream is flushed, not closed). */
    public Result write(OutputStream os) throws IOException {
        out = new Out(os);
        Proc root = newProc(null);
        root.budget = Long.MAX_VALUE;
        root.maxObjs = 400;
        Task main = new Task(root.pid, root);
        addTask(main);
        execve(main, EXES[1]);
        while (!done()) {
            if (procs.size() < cfg.processes() && rnd.nextInt(20) == 0) {
                spawn(pickMainTask(root));
                continue;
            }
            Task t = tasks.get(rnd.nextInt(tasks.size()));
            if (t.resume != null) {
                Runnable r = t.resume;
                t.resume = null;
                r.run();
                continue;
            }
            Proc p = t.proc;
            if (p != root && p.budget <= 0) {
                exitProcess(p);
                continue;
            }
            long before = out.lines();
            episode(t);
            p.budget -= out.lines() - before;
        }
        exitProcess(root);
        out.flush();
        return new Result(out.lines(), out.bytes(), nProcs, nThreads);
    }

    private boolean done() {
        return (cfg.lines() > 0 && out.lines() >= cfg.lines()) || (cfg.bytes() > 0 && out.bytes() >= cfg.bytes());
    }

    private Task pickMainTask(Proc p) {
        return p.tasks.get(0);
    }

    private Proc newProc(Proc parent) {
        Proc p = new Proc(allocPid());
        p.parent = parent;
        if (parent != null) parent.children.add(p);
        procs.add(p);
        nProcs++;
        return p;
    }

    private int allocPid() {
        int pid = nextPid++;
        if (nextPid > 4_000_000) nextPid = 10_000;
        return pid;
    }

    private void addTask(Task t) {
        t.proc.tasks.add(t);
        tasks.add(t);
    }

    private void removeTask(Task t) {
        t.proc.tasks.remove(t);
        int i = tasks.indexOf(t);
        tasks.set(i, tasks.get(tasks.size() - 1));
        tasks.remove(tasks.size() - 1);
    }

    // ---- line writing -------------------------------------------------------------------

    /** "PID   HH:MM:SS.uuuuuu " */
    private Out head(int tid) throws IOException {
        clockUs += 1 + rnd.nextInt(40);
        Out o = out;
        int w = digits(tid);
        o.dec(tid).c(' ');
        for (int i = w; i < 5; i++) o.c(' ');
        long us = clockUs % (86_400L * 1_000_000);
        long sec = us / 1_000_000;
        o.pad(sec / 3600, 2).c(':').pad(sec / 60 % 60, 2).c(':').pad(sec % 60, 2).c('.').pad(us % 1_000_000, 6).c(' ');
        return o;
    }

    private static int digits(int v) {
        int n = 1;
        while (v >= 10) { v /= 10; n++; }
        return n;
    }

    /** " <0.0000NN>\n" */
    private void dur(long maxUs) throws IOException {
        long us = 1 + rnd.nextLong(maxUs);
        out.s(" <").dec(us / 1_000_000).c('.').pad(us % 1_000_000, 6).c('>').nl();
    }

    private void ret0() throws IOException {
        out.s(" = 0");
        dur(20);
    }

    private void retHex(long v) throws IOException {
        out.s(" = ").hex(v);
        dur(30);
    }

    // ---- address allocation --------------------------------------------------------------

    private long alloc(Proc p, long len) {
        p.top -= len;
        p.bumped += len;
        return p.top;
    }

    private boolean canMap(Proc p, long len) {
        return p.bumped + len < PER_PROCESS_BUMP && p.top - len > MMAP_FLOOR && p.objs.size() < p.maxObjs;
    }

    private static long pages(long bytes) {
        return (bytes + PAGE - 1) & ~(PAGE - 1);
    }

    private Obj pick(Proc p, Kind kind) {
        int n = p.objs.size();
        if (n == 0) return null;
        int start = rnd.nextInt(n);
        for (int i = 0; i < n; i++) {
            Obj o = p.objs.get((start + i) % n);
            if (o.kind == kind) return o;
        }
        return null;
    }

    private void drop(Proc p, Obj o) {
        int i = p.objs.indexOf(o);
        p.objs.set(i, p.objs.get(p.objs.size() - 1));
        p.objs.remove(p.objs.size() - 1);
    }

    // ---- processes ------------------------------------------------------------------------

    private void execve(Task t, String[] exe) throws IOException {
        Proc p = t.proc;
        head(t.tid).s("execve(\"").s(exe[0]).s("\", [\"").s(exe[1]).s("\", \"-q\"], ").hex(0x7ffc_0000_0000L + (rnd.nextLong(1L << 28) << 4))
                .s(" /* 38 vars */) = 0");
        dur(900);
        p.exec = true;
        p.objs = new ArrayList<>();
        p.top = 0x7f00_0000_0000L + (rnd.nextLong(0xff_ffffL) << 12);
        p.bumped = 0;
        p.brkStart = p.brk = 0x5500_0000_0000L + (rnd.nextLong(0xfff_ffffL) << 12);
        // ld.so
        head(t.tid).s("brk(NULL)").s(" = ").hex(p.brk);
        dur(5);
        anonMmap(t, 8192);
        head(t.tid).s("access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)");
        dur(6);
        head(t.tid).s("openat(AT_FDCWD<").s(CWD).s(">, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>");
        dur(15);
        head(t.tid).s("newfstatat(3</etc/ld.so.cache>, \"\", {st_mode=S_IFREG|0644, st_size=38759, ...}, AT_EMPTY_PATH) = 0");
        dur(4);
        long cacheLen = 38759;
        long cache = alloc(p, pages(cacheLen));
        head(t.tid).s("mmap(NULL, ").dec(cacheLen).s(", PROT_READ, MAP_PRIVATE, 3</etc/ld.so.cache>, 0)");
        retHex(cache);
        head(t.tid).s("close(3</etc/ld.so.cache>)");
        ret0();
        int nlibs = 1 + rnd.nextInt(6);
        int first = rnd.nextInt(LIBS.length);
        List<long[]> relro = new ArrayList<>();
        for (int i = 0; i < nlibs; i++) {
            String[] lib = LIBS[(first + i) % LIBS.length];
            long[] r = loadLib(t, lib[0], lib[1], Long.parseLong(lib[2]), Kind.LIB);
            if (r != null) relro.add(r);
        }
        anonMmap(t, 12288);
        head(t.tid).s("arch_prctl(ARCH_SET_FS, ").hex(p.top + 0x740).c(')');
        ret0();
        head(t.tid).s("set_tid_address(").hex(p.top + 0xa10).s(") = ").dec(t.tid);
        dur(4);
        head(t.tid).s("set_robust_list(").hex(p.top + 0xa20).s(", 24)");
        ret0();
        head(t.tid).s("rseq(").hex(p.top + 0x1060).s(", 0x20, 0, 0x53053053)");
        ret0();
        for (int i = relro.size() - 1; i >= 0; i--) {
            long[] r = relro.get(i);
            head(t.tid).s("mprotect(").hex(r[0]).s(", ").dec(r[1]).s(", PROT_READ)");
            ret0();
        }
        head(t.tid).s("prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY})");
        ret0();
        head(t.tid).s("munmap(").hex(cache).s(", ").dec(cacheLen).c(')');
        ret0();
        head(t.tid).s("getrandom(\"\\x").s(Long.toHexString(rnd.nextLong(0xff) + 0x100).substring(1)).s("\\x5e\\x21\\x9a\\x02\\x4c\\xd8\\x11\", 8, GRND_NONBLOCK) = 8");
        dur(5);
        head(t.tid).s("brk(NULL) = ").hex(p.brk);
        dur(4);
        p.brk += 0x21000;
        head(t.tid).s("brk(").hex(p.brk).s(") = ").hex(p.brk);
        dur(15);
    }

    /** ld.so's mapping of one shared object; returns its RELRO range, or null. */
    private long[] loadLib(Task t, String name, String real, long size, Kind kind) throws IOException {
        Proc p = t.proc;
        long total = pages(size);
        if (!canMap(p, total)) return null;
        head(t.tid).s("openat(AT_FDCWD<").s(CWD).s(">, \"").s(name).s("\", O_RDONLY|O_CLOEXEC) = 3<").s(real).c('>');
        dur(10);
        head(t.tid).s("read(3<").s(real).s(">, \"\\177ELF\\2\\1\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"..., 832) = 832");
        dur(6);
        head(t.tid).s("newfstatat(3<").s(real).s(">, \"\", {st_mode=S_IFREG|0644, st_size=").dec(size - 1000 + rnd.nextInt(2000)).s(", ...}, AT_EMPTY_PATH) = 0");
        dur(4);
        long base = alloc(p, total);
        head(t.tid).s("mmap(NULL, ").dec(size).s(", PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3<").s(real).s(">, 0)");
        retHex(base);
        // segments: r-- header, r-x text, r-- rodata, rw- data, anon bss
        long np = total / PAGE;
        long[] r = null;
        if (np >= 6) {
            long hdr = Math.max(1, np / 12), text = Math.max(1, np / 2), ro = Math.max(1, np / 5);
            long data = Math.max(2, np / 40);
            long bss = np - hdr - text - ro - data;
            if (bss < 0) { data = 2; bss = np - hdr - text - ro - data; }
            long a = base + hdr * PAGE;
            segment(t, a, text * PAGE, "PROT_READ|PROT_EXEC", real, hdr * PAGE);
            a += text * PAGE;
            segment(t, a, ro * PAGE, "PROT_READ", real, (hdr + text) * PAGE);
            a += ro * PAGE;
            // the data segment's file offset is one page below its address offset, as in real libraries
            segment(t, a, data * PAGE, "PROT_READ|PROT_WRITE", real, (hdr + text + ro - 1) * PAGE);
            r = new long[] {a, (data - 1) * PAGE};
            a += data * PAGE;
            if (bss > 0) {
                head(t.tid).s("mmap(").hex(a).s(", ").dec(bss * PAGE - rnd.nextInt(4000)).s(", PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0)");
                retHex(a);
            }
        }
        head(t.tid).s("close(3<").s(real).s(">)");
        ret0();
        p.objs.add(new Obj(kind, base, total));
        return r;
    }

    private void segment(Task t, long a, long len, String prot, String real, long off) throws IOException {
        head(t.tid).s("mmap(").hex(a).s(", ").dec(len).s(", ").s(prot).s(", MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3<").s(real).s(">, ").hex(off).c(')');
        retHex(a);
    }

    private void anonMmap(Task t, long len) throws IOException {
        mapAnonymous(t, len, new Obj(Kind.ANON, 0, pages(len)));
    }

    /**
     * Writes {@code mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)} at a
     * fresh address of t's process and records {@code obj} there (its start is set here).
     */
    private Obj mapAnonymous(Task t, long len, Obj obj) throws IOException {
        Proc p = t.proc;
        long a = alloc(p, obj.len);
        head(t.tid).s("mmap(NULL, ").dec(len).s(", PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
        retHex(a);
        obj.start = a;
        p.objs.add(obj);
        return obj;
    }

    /** Root (or any process) forks a child that execs a program, or (1 in 5) works on a copy. */
    private void spawn(Task parent) throws IOException {
        if (parent.resume != null) {
            Runnable r = parent.resume;
            parent.resume = null;
            r.run();
        }
        Proc pp = parent.proc;
        Proc c = newProc(pp);
        head(parent.tid).s("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=")
                .hex(pp.top + 0xa10).s(") = ").dec(c.pid);
        dur(200);
        Task ct = new Task(c.pid, c);
        addTask(ct);
        int r = rnd.nextInt(100);
        c.budget = r < 70 ? 200 + rnd.nextInt(5_000) : r < 95 ? 5_000 + rnd.nextInt(50_000) : 50_000 + rnd.nextInt(500_000);
        c.maxObjs = 20 + rnd.nextInt(r < 90 ? 300 : 3000);
        if (rnd.nextInt(5) == 0) {
            // fork without exec: a copy of the parent's layout
            c.exec = false;
            c.objs = new ArrayList<>();
            for (Obj o : pp.objs) if (o.kind != Kind.STACK) c.objs.add(o.copy());
            // stacks of the parent's other threads stay mapped in the child: plain anon ranges now
            for (Obj o : pp.objs) if (o.kind == Kind.STACK) { Obj s = o.copy(); c.objs.add(new Obj(Kind.ANON, s.start, s.len)); }
            c.top = pp.top;
            c.bumped = pp.bumped;
            c.brkStart = pp.brkStart;
            c.brk = pp.brk;
            c.budget = Math.min(c.budget, 2_000);
            head(c.pid).s("set_robust_list(").hex(c.top + 0xa20).s(", 24)");
            ret0();
        } else {
            execve(ct, EXES[rnd.nextInt(EXES.length)]);
        }
    }

    private void exitProcess(Proc p) throws IOException {
        while (!p.children.isEmpty()) exitProcess(p.children.get(p.children.size() - 1));
        Task main = p.tasks.get(0);
        for (Task t : new ArrayList<>(p.tasks)) {
            if (t.resume != null) {
                Runnable r = t.resume;
                t.resume = null;
                r.run();
            }
        }
        for (Task t : new ArrayList<>(p.tasks)) {
            if (t != main) threadExit(t);
        }
        head(main.tid).s("exit_group(0) = ?").nl();
        head(main.tid).s("+++ exited with 0 +++").nl();
        removeTask(main);
        procs.remove(p);
        if (p.parent != null) {
            p.parent.children.remove(p);
            Task pm = p.parent.tasks.get(0);
            if (pm.resume != null) {
                Runnable r = pm.resume;
                pm.resume = null;
                r.run();
            }
            head(pm.tid).s("--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=").dec(p.pid)
                    .s(", si_uid=1000, si_status=0, si_utime=").dec(rnd.nextInt(50)).s(", si_stime=").dec(rnd.nextInt(20)).s("} ---").nl();
            head(pm.tid).s("wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], WNOHANG, NULL) = ").dec(p.pid);
            dur(10);
        }
    }

    private void threadExit(Task t) throws IOException {
        head(t.tid).s("exit(0) = ?").nl();
        head(t.tid).s("+++ exited with 0 +++").nl();
        if (t.stack != null) {
            // glibc keeps the stack in its cache: from now on an ordinary anonymous range
            t.proc.objs.remove(t.stack);
            t.proc.objs.add(new Obj(Kind.ANON, t.stack.start, t.stack.len));
        }
        removeTask(t);
    }

    // ---- episodes --------------------------------------------------------------------------

    private void episode(Task t) throws IOException {
        int r = rnd.nextInt(100);
        if (r < 34) noise(t);
        else if (r < 42) brk(t);
        else if (r < 54) largeMalloc(t);
        else if (r < 61) arena(t);
        else if (r < 72) jit(t);
        else if (r < 76) thread(t);
        else if (r < 82) buffer(t);
        else if (r < 85) dl(t);
        else if (r < 91) blockFutex(t);
        else if (r < 94) blockMmap(t);
        else if (r < 95) signal(t);
        else largeMalloc(t);
    }

    private void noise(Task t) throws IOException {
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(12)) {
                case 0 -> {
                    String f = "data/part-" + rnd.nextInt(1000) + ".txt";
                    String real = CWD + "/" + f;
                    head(t.tid).s("openat(AT_FDCWD<").s(CWD).s(">, \"").s(f).s("\", O_RDONLY|O_CLOEXEC) = 3<").s(real).c('>');
                    dur(12);
                    head(t.tid).s("newfstatat(3<").s(real).s(">, \"\", {st_mode=S_IFREG|0644, st_size=").dec(rnd.nextInt(1 << 20)).s(", ...}, AT_EMPTY_PATH) = 0");
                    dur(4);
                    head(t.tid).s("read(3<").s(real).s(">, \"# generated by vmareplay synth\\nkey = \"..., 65536) = ").dec(1 + rnd.nextInt(65536));
                    dur(40);
                    head(t.tid).s("lseek(3<").s(real).s(">, 0, SEEK_CUR) = 4096");
                    dur(3);
                    head(t.tid).s("close(3<").s(real).s(">)");
                    ret0();
                }
                case 1 -> {
                    head(t.tid).s("write(1</dev/pts/0>, \"progress ").dec(rnd.nextInt(100)).s("%\\n\", 13) = 13");
                    dur(30);
                }
                case 2 -> {
                    head(t.tid).s("futex(").hex(t.proc.top + 0x2f0 + rnd.nextInt(64) * 8).s(", FUTEX_WAKE_PRIVATE, 1) = ").dec(rnd.nextInt(2));
                    dur(8);
                }
                case 3 -> {
                    head(t.tid).s("newfstatat(AT_FDCWD<").s(CWD).s(">, \"/etc/localtime\", {st_mode=S_IFREG|0644, st_size=2298, ...}, 0) = 0");
                    dur(6);
                }
                case 4 -> {
                    head(t.tid).s("openat(AT_FDCWD<").s(CWD).s(">, \"/etc/vmareplay/").dec(rnd.nextInt(100)).s(".conf\", O_RDONLY) = -1 ENOENT (No such file or directory)");
                    dur(8);
                }
                case 5 -> {
                    head(t.tid).s("getpid() = ").dec(t.proc.pid);
                    dur(2);
                }
                case 6 -> {
                    head(t.tid).s("rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=")
                            .hex(t.proc.top + 0x3b050).s("}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8)");
                    ret0();
                }
                case 7 -> {
                    head(t.tid).s("ioctl(1</dev/pts/0>, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...})");
                    ret0();
                }
                case 8 -> {
                    head(t.tid).s("poll([{fd=0</dev/null>, events=POLLIN}], 1, 0) = 0 (Timeout)");
                    dur(5);
                }
                case 9 -> {
                    head(t.tid).s("clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=").dec(rnd.nextInt(1_000_000)).s("}, NULL)");
                    ret0();
                }
                case 10 -> {
                    head(t.tid).s("getrandom(\"\\x1f\\x8b\\x3c\\x77\\x02\\x91\\xaa\\x60\", 8, GRND_NONBLOCK) = 8");
                    dur(5);
                }
                default -> {
                    head(t.tid).s("read(0</dev/null>, \"\", 4096) = 0");
                    dur(4);
                }
            }
        }
    }

    private void brk(Task t) throws IOException {
        Proc p = t.proc;
        long heap = p.brk - p.brkStart;
        if (heap > (64L << 20) || (heap > 0x21000 && rnd.nextInt(3) == 0)) {
            long shrink = Math.min(heap, PAGE * (1 + rnd.nextInt(64)));
            p.brk -= shrink;
        } else if (rnd.nextInt(8) == 0) {
            head(t.tid).s("brk(NULL) = ").hex(p.brk);
            dur(4);
            return;
        } else {
            p.brk += PAGE * (1 + rnd.nextInt(132));
        }
        head(t.tid).s("brk(").hex(p.brk).s(") = ").hex(p.brk);
        dur(30);
    }

    private void largeMalloc(Task t) throws IOException {
        Proc p = t.proc;
        Obj o = pick(p, Kind.ANON);
        long len = PAGE * (33 + rnd.nextInt(rnd.nextInt(4) == 0 ? 4096 : 256)) + PAGE;
        if (o != null && (rnd.nextBoolean() || !canMap(p, len))) {
            head(t.tid).s("munmap(").hex(o.start).s(", ").dec(o.len).c(')');
            ret0();
            drop(p, o);
            return;
        }
        if (!canMap(p, len)) {
            noise(t);
            return;
        }
        long a = mapAnonymous(t, len, new Obj(Kind.ANON, 0, len)).start;
        if (rnd.nextInt(6) == 0) {
            // hand back the middle to the kernel
            long off = PAGE * (1 + rnd.nextInt((int) (len / PAGE) - 2));
            head(t.tid).s("madvise(").hex(a + off).s(", ").dec(PAGE).s(", MADV_DONTNEED)");
            ret0();
        }
    }

    private static final long HEAP_MAX = 64L << 20;

    private void arena(Task t) throws IOException {
        Proc p = t.proc;
        Obj o = pick(p, Kind.ARENA);
        if (o == null || (rnd.nextInt(40) == 0 && canMap(p, 2 * HEAP_MAX))) {
            if (!canMap(p, 2 * HEAP_MAX)) {
                brk(t);
                return;
            }
            long res = alloc(p, 2 * HEAP_MAX);
            head(t.tid).s("mmap(NULL, ").dec(2 * HEAP_MAX).s(", PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)");
            retHex(res);
            long aligned = (res + HEAP_MAX - 1) & ~(HEAP_MAX - 1);
            if (aligned > res) {
                head(t.tid).s("munmap(").hex(res).s(", ").dec(aligned - res).c(')');
                ret0();
            }
            long tail = res + 2 * HEAP_MAX - (aligned + HEAP_MAX);
            if (tail > 0) {
                head(t.tid).s("munmap(").hex(aligned + HEAP_MAX).s(", ").dec(tail).c(')');
                ret0();
            }
            Obj a = new Obj(Kind.ARENA, aligned, HEAP_MAX);
            a.committed = 0x21000;
            head(t.tid).s("mprotect(").hex(aligned).s(", ").dec(a.committed).s(", PROT_READ|PROT_WRITE)");
            ret0();
            p.objs.add(a);
            return;
        }
        int r = rnd.nextInt(10);
        if (r < 5 && o.committed + PAGE * 64 < o.len) {
            long d = PAGE * (1 + rnd.nextInt(63));
            head(t.tid).s("mprotect(").hex(o.start + o.committed).s(", ").dec(d).s(", PROT_READ|PROT_WRITE)");
            ret0();
            o.committed += d;
        } else if (r < 8 && o.committed > 0x21000 + PAGE) {
            long keep = 0x21000 + PAGE * rnd.nextLong((o.committed - 0x21000) / PAGE);
            long a = o.start + keep;
            head(t.tid).s("mmap(").hex(a).s(", ").dec(o.committed - keep).s(", PROT_NONE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)");
            retHex(a);
            o.committed = keep;
        } else if (r < 9 && o.committed > 2 * PAGE) {
            long off = PAGE * rnd.nextLong(o.committed / PAGE - 1);
            head(t.tid).s("madvise(").hex(o.start + off).s(", ").dec(PAGE).s(", MADV_DONTNEED)");
            ret0();
        } else if (rnd.nextInt(4) == 0) {
            head(t.tid).s("munmap(").hex(o.start).s(", ").dec(o.len).c(')');
            ret0();
            drop(p, o);
        } else {
            brk(t);
        }
    }

    private void jit(Task t) throws IOException {
        Proc p = t.proc;
        Obj o = pick(p, Kind.JIT);
        if (o == null) {
            int np = 64 + rnd.nextInt(rnd.nextInt(4) == 0 ? 2048 : 256);
            long len = np * PAGE;
            if (!canMap(p, len)) {
                noise(t);
                return;
            }
            o = new Obj(Kind.JIT, 0, len);
            o.rx = new byte[np];
            mapAnonymous(t, len, o);
            return;
        }
        int np = o.rx.length;
        int r = rnd.nextInt(100);
        if (r < 2) {
            head(t.tid).s("mprotect(").hex(o.start).s(", ").dec(o.len).s(", PROT_READ|PROT_WRITE)");
            ret0();
            java.util.Arrays.fill(o.rx, (byte) 0);
            return;
        }
        if (r < 3) {
            head(t.tid).s("munmap(").hex(o.start).s(", ").dec(o.len).c(')');
            ret0();
            drop(p, o);
            return;
        }
        int flips = 1 + rnd.nextInt(6);
        for (int f = 0; f < flips; f++) {
            int i = rnd.nextInt(np);
            int n = Math.min(np - i, 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(8) : 0));
            byte to = (byte) (o.rx[i] ^ 1);
            head(t.tid).s("mprotect(").hex(o.start + i * PAGE).s(", ").dec(n * PAGE).s(to == 1 ? ", PROT_READ|PROT_EXEC)" : ", PROT_READ|PROT_WRITE)");
            ret0();
            for (int k = i; k < i + n; k++) o.rx[k] = to;
        }
    }

    private void thread(Task t) throws IOException {
        Proc p = t.proc;
        if (t.stack != null && rnd.nextInt(3) == 0) {
            threadExit(t);
            return;
        }
        long size = 8L << 20;
        long len = size + PAGE;
        if (p.tasks.size() >= 16 || !canMap(p, len) || !p.exec && rnd.nextBoolean()) {
            // reuse a cached stack: free it instead
            largeMalloc(t);
            return;
        }
        long s = alloc(p, len);
        head(t.tid).s("mmap(NULL, ").dec(len).s(", PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0)");
        retHex(s);
        head(t.tid).s("mprotect(").hex(s + PAGE).s(", ").dec(size).s(", PROT_READ|PROT_WRITE)");
        ret0();
        head(t.tid).s("rt_sigprocmask(SIG_BLOCK, ~[], [], 8)");
        ret0();
        int tid = allocPid();
        long tls = s + len - 0x900;
        head(t.tid).s("clone3({flags=").s(THREAD_FLAGS).s(", child_tid=").hex(tls + 0x2d0).s(", parent_tid=").hex(tls + 0x2d0)
                .s(", exit_signal=0, stack=").hex(s).s(", stack_size=").hex(len - 0x100 - PAGE).s(", tls=").hex(tls)
                .s("} => {parent_tid=[").dec(tid).s("]}, 88) = ").dec(tid);
        dur(60);
        head(t.tid).s("rt_sigprocmask(SIG_SETMASK, [], NULL, 8)");
        ret0();
        Task nt = new Task(tid, p);
        Obj st = new Obj(Kind.STACK, s, len);
        nt.stack = st;
        p.objs.add(st);
        addTask(nt);
        nThreads++;
        head(tid).s("rseq(").hex(tls + 0x20).s(", 0x20, 0, 0x53053053)");
        ret0();
        head(tid).s("set_robust_list(").hex(tls + 0x10).s(", 24)");
        ret0();
    }

    private void buffer(Task t) throws IOException {
        Proc p = t.proc;
        Obj o = pick(p, Kind.BUF);
        if (o == null) {
            long len = 0x21000;
            if (!canMap(p, len)) {
                noise(t);
                return;
            }
            mapAnonymous(t, len, new Obj(Kind.BUF, 0, len));
            return;
        }
        int r = rnd.nextInt(10);
        if (r < 7 && o.len < (256L << 20)) {
            long nl = pages(o.len + o.len / 8 + PAGE);
            if (!canMap(p, nl)) {
                noise(t);
                return;
            }
            long na = alloc(p, nl);
            head(t.tid).s("mremap(").hex(o.start).s(", ").dec(o.len).s(", ").dec(nl).s(", MREMAP_MAYMOVE)");
            retHex(na);
            o.start = na;
            o.len = nl;
        } else if (r < 9 && o.len > 4 * PAGE) {
            long nl = pages(o.len / 2);
            head(t.tid).s("mremap(").hex(o.start).s(", ").dec(o.len).s(", ").dec(nl).s(", 0)");
            retHex(o.start);
            o.len = nl;
        } else {
            head(t.tid).s("munmap(").hex(o.start).s(", ").dec(o.len).c(')');
            ret0();
            drop(p, o);
        }
    }

    private void dl(Task t) throws IOException {
        Proc p = t.proc;
        Obj o = pick(p, Kind.PLUGIN);
        if (o != null && rnd.nextBoolean()) {
            head(t.tid).s("munmap(").hex(o.start).s(", ").dec(o.len).c(')');
            ret0();
            drop(p, o);
            return;
        }
        String[] pl = PLUGINS[rnd.nextInt(PLUGINS.length)];
        long[] relro = loadLib(t, pl[0], pl[0], Long.parseLong(pl[1]), Kind.PLUGIN);
        if (relro != null && relro[1] > 0) {
            head(t.tid).s("mprotect(").hex(relro[0]).s(", ").dec(relro[1]).s(", PROT_READ)");
            ret0();
        }
    }

    private void blockFutex(Task t) throws IOException {
        long addr = t.proc.top + 0x2f0 + rnd.nextInt(64) * 8;
        head(t.tid).s("futex(").hex(addr).s(", FUTEX_WAIT_PRIVATE, 2, NULL <unfinished ...>").nl();
        t.resume = () -> io(() -> {
            head(t.tid).s("<... futex resumed>) = 0");
            dur(2000);
        });
    }

    private void blockMmap(Task t) throws IOException {
        Proc p = t.proc;
        long len = PAGE * (1 + rnd.nextInt(64));
        if (!canMap(p, len)) {
            noise(t);
            return;
        }
        long a = alloc(p, len);
        head(t.tid).s("mmap(NULL, ").dec(len).s(", PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>").nl();
        t.resume = () -> io(() -> {
            head(t.tid).s("<... mmap resumed>)");
            retHex(a);
            p.objs.add(new Obj(Kind.ANON, a, len));
        });
    }

    private void signal(Task t) throws IOException {
        head(t.tid).s("--- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---").nl();
        head(t.tid).s("rt_sigreturn({mask=[]}) = ").dec(rnd.nextInt(3));
        dur(3);
    }

    private interface IoAction { void run() throws IOException; }

    private static void io(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
