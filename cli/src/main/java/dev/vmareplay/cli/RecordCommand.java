package dev.vmareplay.cli;

import dev.vmareplay.cli.record.Host;
import dev.vmareplay.cli.record.RecordProblem;
import dev.vmareplay.cli.record.Recorder;
import dev.vmareplay.cli.record.SnapLibrary;
import dev.vmareplay.ingest.Compression;
import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.replay.SnapshotDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code vmareplay record}: trace a command, with snapshots of every process's memory map at start and exit. */
@Command(name = "record", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Trace COMMAND (strace or perf) with smaps snapshots of every process at start and exit.",
        description = {
                "Runs COMMAND under strace (or perf trace with --perf), following every child,",
                "and writes the trace replay needs: mmap-family, process and file-descriptor",
                "calls with timestamps, durations and fd paths.",
                "",
                "Every dynamically linked process of the workload also snapshots its own",
                "/proc/PID/smaps and maps: right after the dynamic loader has mapped its",
                "libraries (before main) and at exit(). A small LD_PRELOAD library does it",
                "(built with gcc at first use, cached in ~/.cache/vmareplay); it uses raw",
                "syscalls only, so a snapshot never changes the address space it records. A",
                "marker call that fails harmlessly, lseek(-1, 424242001 (start) or 424242002",
                "(exit), SEEK_SET), ties each snapshot to its place in the trace.",
                "",
                "Writes TRACE (default vmareplay-trace.txt) and, next to it, the snapshot",
                "directory TRACE-name.snapshots/ (PID.N.start.smaps, PID.N.end.smaps, ...; N",
                "counts the images a pid exec'd), then prints the replay and verify commands to",
                "use. 'vmareplay replay' re-seeds each process from its start snapshot at its",
                "start marker, so what the loader did before it no longer matters; 'vmareplay",
                "verify --snapshots DIR' compares each process's modelled layout at its exit",
                "marker with its exit snapshot.",
                "",
                "With --verify it records, replays and verifies in one go and prints one line",
                "per process: MATCH, DIFFERENT (with the differing lines), or why there is",
                "nothing to compare (a process that ends by execve, _exit or a signal takes no",
                "exit snapshot). Exit status 0 only when every process with an exit snapshot",
                "matches.",
                "",
                "COMMAND's standard input, output and error are the terminal's (see --command-",
                "output). Needs strace (or perf) and, for snapshots, gcc. Statically linked",
                "programs ignore LD_PRELOAD: they are traced but take no snapshots (replay them",
                "from their execve on, or give --seed-maps).",
                ""},
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  recorded (with --verify: every process with an exit snapshot matches)",
                "  1  --verify: some process differs from its exit snapshot, or none had one",
                "  2  bad usage, or the tracer is missing / not permitted here (the message",
                "     says what to install or change: kernel.yama.ptrace_scope,",
                "     kernel.perf_event_paranoid, root)",
                "  3  the trace or a snapshot could not be read back",
                "",
                "Examples:",
                "  vmareplay record -- ls -la /usr/lib",
                "  vmareplay record --verify -- sh -c 'ls | wc -l'",
                "  vmareplay record -o build.txt -- make -j2",
                "  vmareplay replay build.txt            (uses build.snapshots/ automatically)",
                "  vmareplay verify build.txt --snapshots build.snapshots",
                "  vmareplay record --perf --verify -- python3 -c 'print(1)'"})
final class RecordCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command to record and its arguments (put them after --).")
    List<String> command = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "TRACE", defaultValue = "vmareplay-trace.txt",
            description = "The trace file to write (default: ${DEFAULT-VALUE}). A name ending in .gz, .zst, .xz or .bz2 compresses it (the tracer writes TRACE.plain beside it first).")
    Path output;

    @Option(names = "--snapshots", paramLabel = "DIR",
            description = "Where the snapshots go (default: TRACE's name with .snapshots, next to it). Earlier snapshot files in it are deleted first.")
    Path snapshots;

    @Option(names = "--no-snapshots", description = "Trace only: no LD_PRELOAD, no snapshots.")
    boolean noSnapshots;

    @Option(names = "--perf", description = "Record with perf trace instead of strace: syscalls, page faults, write faults and the mmap lock order (anon_vma state and the order of changes observed).")
    boolean perf;

    @Option(names = "--all-syscalls", description = {
            "strace: trace every syscall (default: everything except read/write/stat/time/signal and "
            + "similar calls that change neither VMAs nor the fd table)."})
    boolean allSyscalls;

    @Option(names = "--command-output", paramLabel = "FILE",
            description = "Write COMMAND's standard output and error to FILE instead of the terminal (keeps --verify's report readable).")
    Path commandOutput;

    /** COMMAND's standard input (tests set /dev/null). */
    ProcessBuilder.Redirect stdin = ProcessBuilder.Redirect.INHERIT;

    @Option(names = "--verify", description = "Then replay the trace and compare every process's layout at exit with its exit snapshot.")
    boolean verify;

    @Option(names = "--lenient", description = "--verify: join adjacent entries that print identically on both sides first.")
    boolean lenient;

    /** --verify: the model to replay with (--kernel, --fault-policy). */
    @picocli.CommandLine.Mixin
    ModelOptions model;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws RecordProblem, IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (command.isEmpty()) throw new Errors.UsageException("no COMMAND to record: vmareplay record [OPTIONS] -- COMMAND [ARGS...]");
        Path trace = output.toAbsolutePath().normalize();
        Path snapDir = (snapshots != null ? snapshots : SnapshotVerification.dirFor(output)).toAbsolutePath().normalize();
        if (Files.isDirectory(trace)) throw new Errors.UsageException("-o " + output + " is a directory");

        Path tracerExe = perf ? Host.checkPerf() : Host.checkStrace();
        Path lib = null;
        if (!noSnapshots) {
            try {
                lib = SnapLibrary.ensure();
            } catch (RecordProblem p) {
                if (verify) throw p;
                err.println("vmareplay record: no snapshots: " + p.getMessage());
            }
        }
        // a directory that cannot be made or written: the IOException names the file (exit 3)
        if (trace.getParent() != null) Files.createDirectories(trace.getParent());
        if (lib != null) {
            Files.createDirectories(snapDir);
            SnapLibrary.clear(snapDir);
            Files.writeString(snapDir.resolve("command.txt"), String.join(" ", command) + "\n");
        }
        // -o trace.txt.zst: the tracer writes the plain trace beside it, compressed when it is done
        Compression.Codec codec = Compression.Codec.forFileName(trace.getFileName().toString());
        Path written = codec == null ? trace : trace.resolveSibling(trace.getFileName() + ".plain");
        Recorder.Plan plan = new Recorder.Plan(perf ? Recorder.Tracer.PERF : Recorder.Tracer.STRACE, tracerExe, written,
                lib != null ? snapDir : null, lib, allSyscalls, List.copyOf(command));

        err.println("vmareplay record: " + String.join(" ", quoteAll(Recorder.commandLine(plan))));
        err.flush();
        out.flush();
        Recorder.Outcome outcome;
        try {
            if (commandOutput != null) Files.deleteIfExists(commandOutput);
            outcome = Recorder.run(plan, stdin, commandOutput, System.err);
        } catch (IOException e) {
            throw new Errors.UsageException("cannot run " + plan.tracerExe() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Errors.UsageException("interrupted");
        }
        String messages = outcome.tracerMessages();
        String hint = Host.hintFor(messages, perf);
        boolean traced = Files.isRegularFile(written) && size(written) > 0;
        if (hint != null && (!traced || lines(written) < 2)) {
            throw new Errors.UsageException(hint + (messages.isBlank() ? "" : "\n  " + messages.strip().replace("\n", "\n  ")));
        }
        if (!traced) {
            throw new Errors.UsageException((perf ? "perf trace" : "strace") + " wrote no trace (exit status " + outcome.exitCode() + ")"
                    + (messages.isBlank() ? "" : ": " + messages.strip()));
        }

        // what was recorded
        int files = 0, starts = 0;
        TreeSet<Integer> pids = new TreeSet<>();
        if (plan.snapshots() != null) {
            try (Stream<Path> s = Files.list(snapDir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String n = p.getFileName().toString();
                    if (!n.endsWith(".smaps")) continue;
                    files++;
                    pids.add(Integer.parseInt(n.substring(0, n.indexOf('.'))));
                    if (n.contains(".start.")) starts++;
                }
            } catch (IOException | NumberFormatException e) {
                // counted what we could
            }
        }
        out.println();
        out.printf("vmareplay record: %s exited with status %d%s%n", command.get(0), outcome.exitCode(),
                perf ? " (as perf trace reports it)" : "");
        long lines = lines(written);
        long lost = lostLines(written);
        if (codec != null) compress(written, trace, codec);
        out.printf("  trace:      %s (%d lines%s)%n", display(output), lines, codec != null ? ", " + codec.label() : "");
        if (lost > 0) {
            out.printf("  WARNING:    perf lost events %d time(s) (\"LOST ... events!\" in the trace): the replay of the processes "
                    + "concerned is incomplete; record again with strace, or on a quieter machine%n", lost);
        }
        if (plan.snapshots() != null) {
            out.printf("  snapshots:  %s (%d process(es): %d start and %d exit snapshot(s))%n", display(snapDir), pids.size(),
                    starts, files - starts);
            if (files == 0) {
                out.println("              none taken: the command is statically linked or clears LD_PRELOAD; replay starts each process from its execve");
            }
        }
        String traceArg = shellQuote(display(output));
        String snapArg = plan.snapshots() != null ? shellQuote(display(snapDir)) : null;
        out.println("  replay it:  vmareplay replay " + traceArg + (snapArg != null ? " --snapshots " + snapArg : ""));
        if (snapArg != null) out.println("  verify it:  vmareplay verify " + traceArg + " --snapshots " + snapArg);
        if (!verify) return Errors.OK;

        out.println();
        out.printf("verify: replaying %s, re-seeding each process at its start snapshot, comparing at its exit snapshot%n", display(output));
        TraceInputs recorded = TraceInputs.of(List.of(trace.toString()), TraceFormat.AUTO, false);
        SnapshotDir dir = new SnapshotDir(snapDir);
        SnapshotVerification.Result r = SnapshotVerification.run(recorded, model.replayOptions(recorded, null, false, dir), lenient, err);
        return SnapshotVerification.print(r, out, dir);
    }

    /** Compresses the plain trace into TRACE and removes it. */
    private static void compress(Path plain, Path trace, Compression.Codec codec) {
        try (OutputStream out = codec.encoder(new BufferedOutputStream(Files.newOutputStream(trace), 1 << 16))) {
            Files.copy(plain, out);
        } catch (IOException e) {
            throw new Errors.StorageFailure("cannot write " + trace + ": " + Errors.reason(e) + " (the plain trace is " + plain + ")", e);
        }
        try {
            Files.delete(plain);
        } catch (IOException e) {
            // the compressed trace is complete; a leftover plain copy is only wasted space
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long lines(Path p) {
        try (Stream<String> s = Files.lines(p, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return s.count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** perf trace's "LOST n events!" lines. */
    private static long lostLines(Path p) {
        try (Stream<String> s = Files.lines(p, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return s.filter(l -> l.contains("LOST ") && l.contains(" events!")).count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** A path as the user would type it: relative to the working directory when inside it. */
    private static String display(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    private static List<String> quoteAll(List<String> args) {
        List<String> q = new ArrayList<>();
        for (String a : args) q.add(shellQuote(a));
        return q;
    }

    static String shellQuote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
