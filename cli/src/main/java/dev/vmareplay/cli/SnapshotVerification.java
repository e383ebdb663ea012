package dev.vmareplay.cli;

import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.FinalLayout;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeRecords;
import dev.vmareplay.replay.outcome.ProcessInfo;
import dev.vmareplay.replay.outcome.SnapshotPoint;
import dev.vmareplay.replay.ReplayOptions;
import dev.vmareplay.replay.SnapshotDir;
import dev.vmareplay.replay.maps.LayoutComparison;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.maps.MapsParser;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies a recording made by {@code vmareplay record}: replays the trace, re-seeding each
 * process from its START snapshot at its START marker, and compares the modelled layout at each
 * END marker with the END snapshot taken there. Every process image is one line of the result:
 * an exact match, the differing lines, or why it has nothing to compare (ended by exec, by
 * {@code _exit} or a signal, no snapshot library in it).
 */
final class SnapshotVerification {

    /** What happened to one process image (one pid between two execs). */
    enum Outcome {
        MATCH, DIFFERENT, NO_END_SNAPSHOT_FILE, ENDED_BY_EXEC, ENDED_WITHOUT_EXIT_HANDLERS, NO_SNAPSHOTS, STILL_RUNNING
    }

    /** One process image. */
    static final class Image {
        final int pid;
        int n;
        String exe;
        Path start;
        Path end;
        boolean endMarker;
        Outcome outcome;
        LayoutComparison comparison;
        int exitStatus = Integer.MIN_VALUE;
        String detail = "";
        final List<String> divergences = new ArrayList<>();
        /** the calls perf printed only half of, as inferred (a MATCH that rests on them says so) */
        final List<String> halves = new ArrayList<>();
        long divergenceCount;
        /** after the start snapshot: write faults seen (anon_vma state observed), mmap lock lines (order observed) */
        long writeFaults, faults, locks, threads, reconciledHalves;
        /** merge decisions that rested on assumed anon_vma state: [start, end, seq] */
        final List<long[]> assumed = new ArrayList<>();

        Image(int pid, int n, String exe) {
            this.pid = pid;
            this.n = n;
            this.exe = exe;
        }

        boolean compared() {
            return outcome == Outcome.MATCH || outcome == Outcome.DIFFERENT;
        }
    }

    /** The verdict: every image, in the order the processes appeared. */
    record Result(List<Image> images) {
        long compared() { return images.stream().filter(Image::compared).count(); }
        long matched() { return images.stream().filter(i -> i.outcome == Outcome.MATCH).count(); }
        boolean ok() { return compared() > 0 && matched() == compared(); }
    }

    private SnapshotVerification() { }

    /** The snapshot directory {@code vmareplay record} writes next to TRACE ({@link SnapshotDir#besideTrace}). */
    static Path dirFor(Path trace) {
        return SnapshotDir.besideTrace(trace);
    }

    /**
     * The snapshot directory to use: {@code --snapshots DIR} when given (it must exist), else
     * the one {@code record} writes next to a single TRACE file when it exists, else null.
     */
    static SnapshotDir resolve(Path explicit, List<String> traces) {
        if (explicit != null) {
            if (!java.nio.file.Files.isDirectory(explicit)) {
                throw new Errors.InputException("--snapshots " + explicit + ": no such directory");
            }
            return new SnapshotDir(explicit);
        }
        if (traces == null || traces.size() != 1 || traces.get(0).equals("-")) return null;
        Path auto = dirFor(Path.of(traces.get(0)));
        return java.nio.file.Files.isDirectory(auto) ? new SnapshotDir(auto) : null;
    }

    /** Replays {@code inputs} with {@code options} (whose snapshots re-seed and end each image) and compares every image. */
    static Result run(TraceInputs inputs, ReplayOptions options, boolean lenient, PrintWriter err) throws IOException {
        Map<Integer, Image> current = new LinkedHashMap<>();
        List<Image> all = new ArrayList<>();
        Map<Integer, String> exes = new LinkedHashMap<>();
        OutcomeRecords listener = new OutcomeRecords() {
            /** The image a pid runs now: a fresh one after fork or exec, none after it ended. */
            Image image(int pid) {
                Image img = current.get(pid);
                if (img == null || img.outcome != null) {
                    img = new Image(pid, -1, exes.get(pid));
                    current.put(pid, img);
                    all.add(img);
                }
                return img;
            }

            @Override
            public void onProcess(ProcessInfo p) {
                // first seen, forked (exe inherited) or exec'd (the exec event ended the old image)
                if (p.exe() != null) exes.put(p.pid(), p.exe());
                else if (exes.containsKey(p.parentPid())) exes.putIfAbsent(p.pid(), exes.get(p.parentPid()));
                image(p.pid()).exe = exes.get(p.pid());
            }

            @Override
            protected void onEvent(Event e, long mmId) {
                Image img = current.get(e.pid());
                if (img == null || img.outcome != null) return;
                Call c = e.call();
                if (c instanceof Call.PageFault f) {
                    img.faults++;
                    if (f.access() == Call.PageFault.Access.WRITE) img.writeFaults++;
                } else if (c instanceof Call.MmapLock) {
                    img.locks++;
                } else if (c instanceof Call.Clone cl && cl.isThread() && e.succeeded() && e.ret() > 0) {
                    img.threads++;
                }
                if (c instanceof Call.Execve && e.succeeded()) {
                    if (img.n < 0) {
                        // a fork on its way to exec (or the traced command's first task): not an image worth a line
                        all.remove(img);
                        current.remove(e.pid());
                        return;
                    }
                    img.outcome = Outcome.ENDED_BY_EXEC;
                } else if (c instanceof Call.Exit x && (x.group() || e.tid() == e.pid())) {
                    img.exitStatus = x.status();
                    if (!img.endMarker) img.outcome = img.n >= 0 ? Outcome.ENDED_WITHOUT_EXIT_HANDLERS : Outcome.NO_SNAPSHOTS;
                }
            }

            @Override
            protected void onChange(dev.vmareplay.replay.outcome.Change c) {
                Image img = current.get(c.pid());
                if (img == null || img.outcome != null || !c.assumed()) return;
                if (img.assumed.size() < 10_000) img.assumed.add(new long[] {c.start(), c.end(), c.seq()});
            }

            @Override
            public void onDivergence(Divergence d) {
                Image img = current.get(d.pid());
                if (img == null || img.outcome != null) return;
                if (d.cause().equals(dev.vmareplay.replay.outcome.DivergenceCause.RESULT_ONLY.label())) {
                    img.reconciledHalves++;
                    if (img.halves.size() < 10) img.halves.add("event " + d.seq() + ": " + d.detail());
                }
                img.divergenceCount++;
                if (img.divergences.size() < 10) img.divergences.add("event " + d.seq() + ": " + d.cause() + ": " + d.detail());
            }

            @Override
            public void onSnapshotPoint(SnapshotPoint p) {
                Image img = image(p.pid());
                if (p.start()) {
                    img.n = p.image();
                    img.start = p.snapshot();
                    if (img.exe == null && p.snapshot() != null) img.exe = executableOf(FinalLayout.entries(p.layout()));
                    // what the trace showed before the snapshot no longer counts against this image
                    img.divergences.clear();
                    img.divergenceCount = 0;
                    img.assumed.clear();
                    img.reconciledHalves = 0;
                    img.halves.clear();
                    return;
                }
                if (img.n < 0) img.n = p.image(); // a forked child that never exec'd: image 0
                img.endMarker = true;
                img.end = p.snapshot();
                if (p.snapshot() == null) {
                    img.outcome = Outcome.NO_END_SNAPSHOT_FILE;
                    return;
                }
                List<MapsEntry> expected;
                try {
                    expected = MapsParser.parse(p.snapshot());
                } catch (IOException ex) {
                    throw new Errors.InputException("snapshot " + p.snapshot() + ": " + ex.getMessage(), ex);
                }
                img.comparison = LayoutComparison.compare(expected, FinalLayout.entries(p.layout()), lenient);
                img.outcome = img.comparison.equal() ? Outcome.MATCH : Outcome.DIFFERENT;
            }
        };
        ReplayLoop.run(inputs, options, false, err, listener);
        for (Image img : all) {
            if (img.outcome == null) img.outcome = img.n >= 0 ? Outcome.STILL_RUNNING : Outcome.NO_SNAPSHOTS;
            if (img.exe == null) img.exe = exes.get(img.pid);
        }
        return new Result(all);
    }

    /** Prints one line per process image (and the differing lines of mismatches); returns the exit code. */
    static int print(Result r, PrintWriter out, SnapshotDir dir) {
        for (Image img : r.images()) {
            String who = "pid " + img.pid + (img.exe != null ? " (" + img.exe + ")" : "")
                    + (img.n > 1 ? " image " + img.n : "");
            switch (img.outcome) {
                case MATCH -> {
                    out.printf("  %-8s %s: %d VMAs at exit equal %s%s%n%s", "MATCH", who,
                            img.comparison.expectedCount(), dir.dir().relativize(img.end),
                            img.divergenceCount > 0 ? " (" + img.divergenceCount + " divergences reconciled on the way)" : "",
                            "           " + observed(img) + "\n");
                    for (String h : img.halves) out.println("             " + h);
                }
                case DIFFERENT -> {
                    LayoutComparison cmp = img.comparison;
                    out.printf("  %-8s %s: %d VMAs in %s, %d replayed, %d matching%n", "DIFFERENT", who,
                            cmp.expectedCount(), dir.dir().relativize(img.end), cmp.gotCount(), cmp.matched());
                    out.printf("           %-62s | %-62s | %s%n", "kernel (exit snapshot)", "replayed", "why");
                    for (LayoutComparison.Row row : cmp.differences()) {
                        out.printf("           %-62s | %-62s | %s%n", describe(row.expected()), describe(row.got()),
                                row.problem() + "; " + cause(img, row));
                    }
                    out.println("           " + observed(img));
                    if (!img.divergences.isEmpty()) {
                        out.println("           divergences after the start snapshot (the model reconciled with the trace):");
                        for (String d : img.divergences) out.println("             " + d);
                    }
                }
                case NO_END_SNAPSHOT_FILE -> out.printf("  %-8s %s: the trace has its exit marker but %s has no exit snapshot for it%n",
                        "MISSING", who, dir);
                case ENDED_BY_EXEC -> out.printf("  %-8s %s: ended by execve (its new image is listed next): no exit snapshot, not compared%n",
                        "NO-EXIT", who);
                case ENDED_WITHOUT_EXIT_HANDLERS -> out.printf("  %-8s %s: ended without running exit handlers (_exit or a signal%s): no exit snapshot, not compared%n",
                        "NO-EXIT", who, img.exitStatus != Integer.MIN_VALUE ? "; exit status " + img.exitStatus : "");
                case STILL_RUNNING -> out.printf("  %-8s %s: the trace ends before the process does: no exit snapshot, not compared%n",
                        "NO-EXIT", who);
                case NO_SNAPSHOTS -> out.printf("  %-8s %s: no snapshots (statically linked, LD_PRELOAD dropped, or ended before its constructor ran%s), not compared%n",
                        "NONE", who, img.exitStatus != Integer.MIN_VALUE ? "; exit status " + img.exitStatus : "");
            }
        }
        long compared = r.compared(), matched = r.matched();
        if (compared == 0) {
            out.println("verify: no process has an exit snapshot to compare with: nothing verified");
            return Errors.MISMATCH;
        }
        out.printf("verify: %d of %d process%s with an exit snapshot match%s exactly%n", matched, compared,
                compared == 1 ? "" : "es", matched == 1 && compared == 1 ? "es" : "");
        return r.ok() ? Errors.OK : Errors.MISMATCH;
    }

    /**
     * What the replay of this image observed and what it assumed: anon_vma state (write faults:
     * perf trace with the page_fault tracepoints), the order of address-space changes (the mmap
     * lock lines), and calls perf printed only half of.
     */
    static String observed(Image img) {
        StringBuilder sb = new StringBuilder();
        if (img.writeFaults > 0) {
            sb.append("anon_vma state observed (").append(img.writeFaults).append(" write faults)");
            // under observed faults only the seed's sharing is an assumption (FaultPolicy.OBSERVED_ONLY)
            if (!img.assumed.isEmpty()) sb.append(", but ").append(img.assumed.size())
                    .append(" merge decision(s) rested on an anon_vma the start snapshot's neighbours were assumed to share (a snapshot cannot show it)");
        }
        else if (img.faults > 0) sb.append("anon_vma state from page faults that do not say read or write (perf trace -F without the write-fault tracepoints)");
        else sb.append("anon_vma state assumed (").append(img.assumed.size())
                .append(" merge decision(s) rested on it: re-record with --perf to observe it)");
        sb.append("; ");
        if (img.locks > 0) sb.append("order observed (").append(img.locks).append(" mmap lock acquisitions)");
        else if (img.threads > 0) sb.append("order assumed from print order (").append(img.threads).append(" thread(s): re-record with --perf to observe it)");
        else sb.append("one thread: order as printed");
        if (img.reconciledHalves > 0) sb.append("; ").append(img.reconciledHalves)
                .append(" call(s) perf printed only half of, inferred and counted reconciled");
        return sb.toString();
    }

    /** Why a differing entry may differ: the assumption behind it, when the replay made one there. */
    static String cause(Image img, LayoutComparison.Row row) {
        MapsEntry e = row.expected() != null ? row.expected() : row.got();
        if (e == null) return "cause unknown";
        long lo = row.expected() != null && row.got() != null ? Math.min(row.expected().start(), row.got().start()) : e.start();
        long hi = row.expected() != null && row.got() != null ? Math.max(row.expected().end(), row.got().end()) : e.end();
        for (long[] a : img.assumed) {
            // a decision at or next to the range (a refused or taken merge with a neighbour)
            if (Long.compareUnsigned(a[0], hi) <= 0 && Long.compareUnsigned(lo, a[1]) <= 0) {
                return img.writeFaults > 0
                        ? "anon_vma sharing of the start snapshot's neighbours assumed (event " + a[2] + "): a snapshot cannot show it"
                        : "anon_vma state assumed (event " + a[2] + "): re-record with --perf to observe it";
            }
        }
        if (img.locks == 0 && img.threads > 0) return "call order assumed from print order (threads): re-record with --perf to observe it";
        if (img.reconciledHalves > 0) {
            // name what was done with it: inferred from what followed, or left out for want of arguments
            String first = img.halves.isEmpty() ? "" : ": " + img.halves.get(0);
            long more = img.reconciledHalves - 1;
            return "perf printed a call only half" + first + (more > 0 ? " (and " + more + " more)" : "");
        }
        if (img.writeFaults == 0 && img.faults == 0) return "anon_vma state assumed (no write fault seen): re-record with --perf to observe it";
        return "nothing assumed here: a gap in the model";
    }

    /** The program of a start snapshot (perf traces do not show execve's path): its first file mapping. */
    private static String executableOf(List<MapsEntry> layout) {
        for (MapsEntry e : layout) if (e.isFile()) return e.path();
        return null;
    }

    private static String describe(MapsEntry e) {
        if (e == null) return "-";
        String s = String.format("%x-%x %s %08x %s", e.start(), e.end(), e.perms(), e.offset(), e.path());
        return s.length() > 62 ? s.substring(0, 59) + "..." : s;
    }
}
