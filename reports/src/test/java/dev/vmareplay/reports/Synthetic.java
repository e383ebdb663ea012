package dev.vmareplay.reports;

import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.FileRef;
import dev.vmareplay.ingest.event.Source;
import dev.vmareplay.replay.outcome.CaseKind;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeBatch;
import dev.vmareplay.replay.outcome.OutcomeListener;
import dev.vmareplay.replay.outcome.ProcessInfo;
import dev.vmareplay.replay.outcome.RefusalReason;
import dev.vmareplay.replay.outcome.RunSummary;
import dev.vmareplay.replay.outcome.VmaLayout;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Feeds a listener what the replay driver would for a plausible trace (in batches delivered
 * every 1 000 events and before each other call, as the driver does): a parent process
 * and a forked child, mmap/mprotect/munmap traffic with the engine events such calls
 * cause, a timeline, a final layout, latency histograms, divergences and parse coverage.
 * Deterministic for a given seed; {@link #kindCounts} says what was emitted.
 */
final class Synthetic {

    static final long PAGE = 4096;
    static final long BASE = 0x7f00_0000_0000L;
    static final long TOP = 0xffff_ffff_ff60_0000L;   // [vsyscall]: above 2^63, proves UBIGINT

    final Map<CaseKind, Long> kindCounts = new EnumMap<>(CaseKind.class);
    final Map<RefusalReason, Long> reasonCounts = new EnumMap<>(RefusalReason.class);
    long events, divergences, vmaEvents, timelineRows;
    final long[] peak = new long[3];   // per mm_id: peak vma count

    private final Random rnd;
    private final int n;
    private final OutcomeBatch.Builder out = new OutcomeBatch.Builder();

    Synthetic(long seed, int events) {
        this.rnd = new Random(seed);
        this.n = events;
    }

    /** Emits everything but {@code finish}. Calls {@code halfway} once at n/2 events. */
    void feed(OutcomeListener l, Runnable halfway) {
        l.onProcess(new ProcessInfo(100, 1, 1, "/usr/bin/app"));
        l.onProcess(new ProcessInfo(101, 1, 100, "/usr/bin/app"));   // a thread
        l.onProcess(new ProcessInfo(200, 2, 100, "/usr/bin/app"));   // a fork
        int[] count = new int[3];
        long[] mapped = new long[3];
        long[] next = {0, BASE, BASE + (1L << 40)};
        FileRef lib = new FileRef(7, "/usr/lib/libc.so.6", false);
        for (long seq = 0; seq < n; seq++) {
            if (seq == n / 2 && halfway != null) {
                deliver(l);
                halfway.run();
            }
            if (out.eventCount() == 1000) deliver(l);
            int mm = rnd.nextInt(10) < 7 ? 1 : 2;
            int pid = mm == 1 ? (rnd.nextBoolean() ? 100 : 101) : 200;
            long ts = 1_000_000_000L + seq * 50_000L;
            long len = (1 + rnd.nextInt(16)) * PAGE;
            int op = rnd.nextInt(10);
            Call call;
            long ret = 0;
            if (op < 5 || count[mm] < 4) {
                long addr = next[mm];
                next[mm] += len + (rnd.nextInt(4) == 0 ? PAGE : 0);
                boolean file = rnd.nextInt(5) == 0;
                call = new Call.Mmap(0, len, 3, file ? 0x2 : 0x22, file ? 3 : -1, 0, file ? lib : null);
                ret = addr;
                if (rnd.nextInt(3) == 0) {
                    vma(l, seq, pid, mm, "mmap", CaseKind.NEW_LEFT, null, addr - PAGE, addr + len);
                } else {
                    if (rnd.nextBoolean()) vma(l, seq, pid, mm, "mmap", CaseKind.REFUSED, pick(), addr, addr + len);
                    vma(l, seq, pid, mm, "mmap", CaseKind.NEW_NONE, null, addr, addr + len);
                    count[mm]++;
                }
                mapped[mm] += len;
            } else if (op < 8) {
                long addr = next[mm] - len * 2;
                call = new Call.Mprotect(addr, PAGE, 1, -1);
                vma(l, seq, pid, mm, "mprotect", CaseKind.SPLIT, null, addr - len, addr + len);
                count[mm]++;
                if (rnd.nextBoolean()) vma(l, seq, pid, mm, "mprotect", CaseKind.EXISTING_LEFT_PARTIAL, null, addr - PAGE, addr + PAGE);
                else vma(l, seq, pid, mm, "mprotect", CaseKind.REFUSED, pick(), addr, addr + PAGE);
            } else {
                long addr = next[mm] - len;
                call = new Call.Munmap(addr, len);
                vma(l, seq, pid, mm, "munmap", CaseKind.REMOVE, null, addr, addr + len);
                count[mm] = Math.max(1, count[mm] - 1);
                mapped[mm] = Math.max(0, mapped[mm] - len);
            }
            Event e = new Event(seq, ts, pid, pid, call, ret, 0, true, 2_000 + rnd.nextInt(5_000),
                    new Source("trace.strace", seq + 1));
            out.event(e, mm);
            events++;
            out.timeline(mm, seq, ts, count[mm], mapped[mm]);
            timelineRows++;
            peak[mm] = Math.max(peak[mm], count[mm]);
            if (seq % 997 == 5) {
                deliver(l);
                l.onDivergence(new Divergence(seq, pid, "missing_mapping", "mprotect of 0x" + Long.toHexString(next[mm]) + " not mapped in the model"));
                divergences++;
            }
        }
        deliver(l);
    }

    private void deliver(OutcomeListener l) {
        if (!out.isEmpty()) l.onBatch(out.build());
    }

    private RefusalReason pick() {
        RefusalReason[] r = {RefusalReason.FLAGS, RefusalReason.ANON_VMA, RefusalReason.FILE, RefusalReason.PGOFF, RefusalReason.NAME};
        return r[rnd.nextInt(r.length)];
    }

    private void vma(OutcomeListener l, long seq, int pid, int mm, String sc, CaseKind k, RefusalReason why, long s, long e) {
        out.change(seq, pid, mm, sc, k, why, s, e, k == CaseKind.NEW_LEFT ? 2 : 0, why == RefusalReason.ANON_VMA, 0);
        kindCounts.merge(k, 1L, Long::sum);
        if (why != null) reasonCounts.merge(why, 1L, Long::sum);
        vmaEvents++;
    }

    /** The final layout, latency and the run's end. */
    void end(OutcomeListener l) {
        List<VmaLayout> one = new ArrayList<>();
        one.add(vma(0x55550000_0000L, 0x55550000_2000L, 0x5, 0, "/usr/bin/app", "08:01", 1234));
        one.add(vma(0x55550000_2000L, 0x55550000_3000L, 0x1, 2, "/usr/bin/app", "08:01", 1234));
        one.add(vma(0x55550001_0000L, 0x55550003_0000L, 0x3, 0, "[heap]", "00:00", 0));
        for (int i = 0; i < 20; i++) {
            long s = BASE + i * 0x10000L;
            one.add(vma(s, s + 0x8000L, i % 3 == 0 ? 0x5 : 0x3, 0, i % 3 == 0 ? "/usr/lib/libc.so.6" : null, "00:00", 0));
        }
        one.add(vma(0x7ffd_0000_0000L, 0x7ffd_0002_1000L, 0x3, 0, "[stack]", "00:00", 0));
        one.add(vma(TOP, TOP + PAGE, 0x4, 0, "[vsyscall]", "00:00", 0));
        l.onFinalLayout(1, one);
        l.onFinalLayout(2, List.of(vma(BASE, BASE + 0x4000, 0x3, 0, null, "00:00", 0)));
        for (String sc : List.of("mmap", "mprotect", "munmap")) l.onLatency("syscall", sc, hist(3_000));
        for (String k : List.of("new_none", "split", "remove")) l.onLatency("case", k, hist(800));
        l.onLatency("engine", "vma_merge_new_range", hist(300));
    }

    /** A VMA as the replay renders it (perms and VmFlags of the few flag values used here). */
    private static VmaLayout vma(long start, long end, long flags, long pgoff, String file, String dev, long inode) {
        String perms = flags == 0x5 ? "r-xp" : flags == 0x1 ? "r--p" : flags == 0x3 ? "rw-p" : "--xp";
        String vmFlags = flags == 0x5 ? "rd ex" : flags == 0x1 ? "rd" : flags == 0x3 ? "rd wr" : "ex";
        return new VmaLayout(start, end, flags, perms, pgoff, file, dev, inode, inode != 0 ? pgoff << 12 : 0, vmFlags);
    }

    IngestStats ingest() {
        IngestStats s = new IngestStats();
        s.format("strace");
        for (long i = 0; i < events; i++) s.count(IngestStats.LineClass.PARSED);
        for (int i = 0; i < 40; i++) s.count(IngestStats.LineClass.IGNORED);
        s.count(IngestStats.LineClass.PAIRED);
        s.malformed("trace.strace", 17, "mmap(NULL, 4096, PROT_READ <garbled", "unbalanced parentheses");
        s.addBytes(events * 90);
        return s;
    }

    RunSummary summary() {
        return new RunSummary(events, divergences, vmaEvents, 3);
    }

    private Histogram hist(int typical) {
        Histogram h = new Histogram(3_600_000_000_000L, 3);
        for (int i = 0; i < 500; i++) h.recordValue(typical / 2 + rnd.nextInt(typical) + (i % 50 == 0 ? typical * 20L : 0));
        return h;
    }

    /** A complete run of {@code events} events stored in {@code store}; returns its id. */
    static Synthetic storeRun(RunStore store, long seed, int events) {
        Synthetic s = new Synthetic(seed, events);
        try (RunWriter w = store.beginRun(new RunMeta("0.1.0-test", "6.18", List.of("trace.strace"),
                Map.of("--kernel", "6.18"), null))) {
            s.feed(w, null);
            s.end(w);
            w.finish(s.summary(), s.ingest());
        }
        return s;
    }
}
