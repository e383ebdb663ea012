package dev.vmareplay.cli;

import dev.vmareplay.replay.ReplayOptions;
import dev.vmareplay.replay.SnapshotDir;
import dev.vmareplay.replay.maps.LayoutComparison;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.maps.MapsParser;
import dev.vmareplay.replay.outcome.Change;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeRecords;
import dev.vmareplay.replay.outcome.ProcessInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vmareplay verify}: does replaying the trace on its start snapshot give the kernel's end snapshot? */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Check that replaying a trace gives the kernel's end snapshot (exit 0 only on a match).",
        description = {
                "Replays TRACE on top of the --seed-maps snapshot and compares the modelled final layout of",
                "the first process (or --pid) with the --expect-maps snapshot, VMA boundary by VMA boundary",
                "(and VmFlags when both sides have them). Exits 0 only on an exact match, 1 otherwise,",
                "printing both layouts side by side where they differ. Stores nothing.",
                ""},
        footer = {"", "Example:",
                "  vmareplay verify samples/traces/new_both/strace-tt-T-y/trace.cut.txt \\",
                "      --seed-maps samples/traces/new_both/strace-tt-T-y/start.smaps \\",
                "      --expect-maps samples/traces/new_both/strace-tt-T-y/end.maps"})
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    TraceInputs inputs;

    @Mixin
    SeedOptions seeds;

    @Mixin
    ModelOptions model;

    @Option(names = "--expect-maps", paramLabel = "FILE", description = "The snapshot the kernel ended at (maps or smaps). With --seed-maps; without them, a recording's --snapshots are verified.")
    Path expectMaps;

    @Option(names = "--pid", paramLabel = "PID", description = "The process to compare (default: the first process of the trace).")
    Integer pid;

    @Option(names = "--lenient", description = "Join adjacent entries that print identically on both sides first (as rr and CRIU compare).")
    boolean lenient;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (seeds.snapshots != null || (!seeds.given() && expectMaps == null)) {
            // a recording of 'vmareplay record': --snapshots DIR, or the directory beside TRACE
            SnapshotDir dir = seeds.snapshotDir(inputs.traces());
            if (dir != null) {
                SnapshotVerification.Result r = SnapshotVerification.run(inputs, model.replayOptions(inputs, seeds, false, dir), lenient, err);
                return SnapshotVerification.print(r, out, dir);
            }
        }
        if (!seeds.given() || expectMaps == null) {
            throw new Errors.UsageException("give --seed-maps FILE and --expect-maps FILE, or --snapshots DIR for a recording of 'vmareplay record'");
        }
        ReplayOptions options = model.replayOptions(inputs, seeds, false, null);
        // unreadable or malformed: an IOException naming the file (and line), exit 3, as for --seed-maps
        List<MapsEntry> expected = MapsParser.parse(expectMaps);
        List<String> divergences = new ArrayList<>();
        List<Divergence> halves = new ArrayList<>();
        int[] firstPid = {-1};
        dev.vmareplay.ingest.event.Event[] lastEvent = {null};
        List<Touch> touches = new ArrayList<>();
        Map<Long, String> sources = new java.util.HashMap<>();
        OutcomeRecords listener = new OutcomeRecords() {
            @Override public void onProcess(ProcessInfo p) { if (firstPid[0] < 0) firstPid[0] = p.pid(); }
            @Override protected void onEvent(dev.vmareplay.ingest.event.Event e, long mmId) {
                lastEvent[0] = e;
            }
            @Override protected void onChange(Change v) {
                long seq = v.seq();
                touches.add(new Touch(seq, v.pid(), v.start(), v.end(), v.syscall() + " " + v.kind().storageName()
                        + (v.reason() != null ? "(" + v.reason().storageName() + ")" : "") + (v.assumed() ? " [assumed]" : "")));
                dev.vmareplay.ingest.event.Event e = lastEvent[0];
                if (e != null && e.seq() == seq) sources.putIfAbsent(seq, e.source().toString());
            }
            @Override public void onDivergence(Divergence d) {
                if (d.cause().equals(dev.vmareplay.replay.outcome.DivergenceCause.RESULT_ONLY.label())) halves.add(d);
                if (divergences.size() < 20) divergences.add("event " + d.seq() + " (pid " + d.pid() + "): " + d.cause() + ": " + d.detail());
            }
        };
        Map<Integer, List<MapsEntry>> layouts = ReplayLoop.run(inputs, options, false, err, listener).layouts();
        int which = pid != null ? pid : firstPid[0];
        List<MapsEntry> got = layouts.get(which);
        if (got == null) {
            out.println("verify: no process " + which + " in the trace (processes: " + layouts.keySet() + ")");
            return Errors.MISMATCH;
        }
        LayoutComparison cmp = LayoutComparison.compare(expected, got, lenient);
        if (cmp.equal()) {
            out.printf("verify: equal: %d VMAs of pid %d match %s%s%n", cmp.expectedCount(), which, expectMaps,
                    lenient ? " (lenient)" : "");
            printHalves(out, halves, which);
            return Errors.OK;
        }
        out.printf("verify: DIFFERENT: pid %d, %d VMAs expected, %d replayed, %d matching%n", which,
                cmp.expectedCount(), cmp.gotCount(), cmp.matched());
        out.printf("  %-62s | %-62s | %s%n", "kernel (" + expectMaps.getFileName() + ")", "replayed", "why");
        for (LayoutComparison.Row r : cmp.differences()) {
            out.printf("  %-62s | %-62s | %s%n", describe(r.expected()), describe(r.got()), r.problem() + likelyCause(r));
            Touch last = lastTouch(touches, which, r);
            if (last != null) {
                out.printf("  %-62s   %-62s   last changed by event %d (%s) at %s%n", "", "", last.seq(), last.what(),
                        sources.getOrDefault(last.seq(), "?"));
            }
        }
        if (!divergences.isEmpty()) {
            out.println("  divergences during the replay (the model reconciled with the trace):");
            for (String d : divergences) out.println("    " + d);
        }
        return Errors.MISMATCH;
    }

    /**
     * The calls perf printed only half of that the replay inferred (a match that rests on an
     * inference says so): the count, then each with what was inferred from what.
     */
    private static void printHalves(PrintWriter out, List<Divergence> halves, int pid) {
        List<Divergence> mine = halves.stream().filter(d -> d.pid() == pid).toList();
        if (mine.isEmpty()) return;
        out.printf("  %d call(s) perf printed only half of, inferred and counted reconciled:%n", mine.size());
        for (Divergence d : mine.subList(0, Math.min(10, mine.size()))) out.println("    event " + d.seq() + ": " + d.detail());
    }

    /** An engine event over [start, end) caused by event {@code seq}. */
    record Touch(long seq, int pid, long start, long end, String what) { }

    /** The last engine event of that process that touched the differing row's range. */
    private static Touch lastTouch(List<Touch> touches, int pid, LayoutComparison.Row r) {
        long start = Math.min(r.expected() != null ? r.expected().start() : Long.MAX_VALUE, r.got() != null ? r.got().start() : Long.MAX_VALUE);
        long end = Math.max(r.expected() != null ? r.expected().end() : 0, r.got() != null ? r.got().end() : 0);
        for (int i = touches.size() - 1; i >= 0; i--) {
            Touch t = touches.get(i);
            if (t.pid() == pid && Long.compareUnsigned(t.start(), end) < 0 && Long.compareUnsigned(start, t.end()) < 0) return t;
        }
        return null;
    }

    private static String describe(MapsEntry e) {
        if (e == null) return "-";
        String s = String.format("%x-%x %s %08x %s", e.start(), e.end(), e.perms(), e.offset(), e.path());
        return s.length() > 62 ? s.substring(0, 59) + "..." : s;
    }

    /** The usual reasons a modelled layout differs, by what the difference looks like. */
    private static String likelyCause(LayoutComparison.Row r) {
        MapsEntry a = r.expected(), b = r.got();
        if (r.problem().startsWith("VmFlags") && a != null && b != null && a.vmFlags() != null && b.vmFlags() != null) {
            java.util.Set<String> x = new java.util.HashSet<>(List.of(a.vmFlags().trim().split("\\s+")));
            java.util.Set<String> y = new java.util.HashSet<>(List.of(b.vmFlags().trim().split("\\s+")));
            java.util.Set<String> diff = new java.util.HashSet<>(x);
            diff.addAll(y);
            java.util.Set<String> both = new java.util.HashSet<>(x);
            both.retainAll(y);
            diff.removeAll(both);
            if (diff.equals(java.util.Set.of("ac"))) {
                return " (VM_ACCOUNT: mprotect keeps it only on memory that was written, anon_vma state the trace cannot show)";
            }
            return "";
        }
        if (a != null && b != null && a.perms().equals(b.perms()) && a.path().equals(b.path())) {
            return " (boundaries: likely anon_vma state the trace cannot show, or a merge the model refused/allowed)";
        }
        if ((a != null && a.path().equals("[stack]")) || (b != null && b.path().equals("[stack]"))) {
            return " (stack growth by faults is not in the trace)";
        }
        if (a != null && b != null && !a.perms().equals(b.perms()) && a.perms().substring(0, 3).equals(b.perms().substring(0, 3))) {
            return " (shared vs private)";
        }
        return "";
    }
}
