package dev.vmareplay.cli.record;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command under strace or perf trace with the snapshot library preloaded. The
 * command's standard input and output are the recorder's; its standard error (which is also
 * the tracer's) is copied through while the tracer's own messages are kept for diagnosis.
 */
public final class Recorder {

    /**
     * Syscalls strace leaves out by default: I/O, stat, time, signal and identity calls that
     * neither change VMAs nor create, duplicate or close descriptors. A negated set is used
     * (rather than %memory,%process,%desc,...) because strace 6.1 cannot name mseal (462), which
     * it then prints as syscall_0x1ce: only "everything except" includes it.
     */
    public static final List<String> STRACE_SKIPPED = List.of(
            "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
            "newfstatat", "fstat", "stat", "lstat", "statx", "statfs", "fstatfs", "getdents", "getdents64",
            "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "futex", "clock_gettime", "clock_getres",
            "clock_nanosleep", "nanosleep", "gettimeofday", "time", "getpid", "getppid", "gettid", "getuid", "geteuid",
            "getgid", "getegid", "getresuid", "getresgid", "getgroups", "getpgrp", "getpgid", "getsid", "getrlimit",
            "prlimit64", "getrusage", "getcwd", "uname", "sysinfo", "poll", "ppoll", "select", "pselect6", "epoll_wait",
            "epoll_pwait", "sched_yield", "sched_getaffinity", "getrandom", "access", "faccessat", "faccessat2",
            "readlink", "readlinkat", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
            "wait4", "waitid", "kill", "tgkill", "tkill");

    public enum Tracer { STRACE, PERF }

    /**
     * What {@code record --perf} asks perf trace for (after {@code perf trace}): the syscalls and
     * every page fault; the write faults, user and kernel mode ({@code error_code} bit 1), which
     * make anon_vma state observed; the mmap lock's write acquisitions, the order in which the
     * kernel changed each address space and its identity; and mseal's tracepoints, because perf
     * 6.1 cannot name mseal as a syscall. The README's "Recording" section gives the same command
     * for capturing by hand.
     */
    public static final List<String> PERF_EVENTS = List.of(
            "--syscalls", "-F", "all", "-m", "8M", "--sort-events",
            "-e", "exceptions:page_fault_user", "--filter", "error_code & 2",
            "-e", "exceptions:page_fault_kernel", "--filter", "error_code & 2",
            "-e", "mmap_lock:mmap_lock_acquire_returned", "--filter", "write == 1",
            "-e", "syscalls:sys_enter_mseal", "-e", "syscalls:sys_exit_mseal");

    /** What one recording needs. {@code snapLib} null: no snapshots. */
    public record Plan(Tracer tracer, Path tracerExe, Path trace, Path snapshots, Path snapLib, boolean allSyscalls,
                       List<String> command) { }

    /** How the recording went. {@code tracerMessages}: the tracer's own lines from standard error. */
    public record Outcome(int exitCode, String tracerMessages) { }

    private Recorder() { }

    /** The tracer's command line for a plan. */
    public static List<String> commandLine(Plan plan) {
        List<String> cmd = new ArrayList<>();
        String preload = null;
        if (plan.snapLib() != null) {
            String old = System.getenv("LD_PRELOAD");
            preload = plan.snapLib() + (old == null || old.isBlank() ? "" : ":" + old);
        }
        if (plan.tracer() == Tracer.STRACE) {
            cmd.add(plan.tracerExe().toString());
            cmd.addAll(List.of("-f", "-ttt", "-T", "-y", "-o", plan.trace().toString()));
            cmd.add("-e");
            cmd.add(plan.allSyscalls() ? "trace=all" : "trace=!" + String.join(",", STRACE_SKIPPED));
            if (preload != null) {
                cmd.addAll(List.of("-E", "LD_PRELOAD=" + preload, "-E", "VMAREPLAY_SNAPDIR=" + plan.snapshots()));
            }
            cmd.add("--");
            cmd.addAll(plan.command());
        } else {
            cmd.add(plan.tracerExe().toString());
            // -m 8M: perf trace's default ring buffer loses events of short busy processes (cc1);
            // --sort-events: without it, perf prints some events of a busy process after its exit
            cmd.add("trace");
            cmd.addAll(PERF_EVENTS);
            cmd.addAll(List.of("-o", plan.trace().toString(), "--"));
            if (preload != null) {
                // through env, so that perf itself does not load the library
                cmd.addAll(List.of("env", "LD_PRELOAD=" + preload, "VMAREPLAY_SNAPDIR=" + plan.snapshots()));
            }
            cmd.addAll(plan.command());
        }
        return cmd;
    }

    /**
     * Runs the plan. The command's standard input is {@code stdin}; its standard output goes to
     * {@code commandOutput} (appended) or the recorder's own; its standard error (and the
     * tracer's) is copied there too, or to {@code err}.
     */
    public static Outcome run(Plan plan, ProcessBuilder.Redirect stdin, Path commandOutput, OutputStream err)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(commandLine(plan));
        pb.redirectInput(stdin);
        pb.redirectOutput(commandOutput != null ? ProcessBuilder.Redirect.appendTo(commandOutput.toFile()) : ProcessBuilder.Redirect.INHERIT);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        OutputStream errOut = commandOutput != null
                ? java.nio.file.Files.newOutputStream(commandOutput, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)
                : err;
        try {
            Process p = pb.start();
            StderrTee tee = new StderrTee(p.getErrorStream(), errOut, plan.tracer() == Tracer.PERF);
            Thread t = new Thread(tee, "vmareplay-record-stderr");
            t.setDaemon(true);
            t.start();
            int code = p.waitFor();
            t.join(5000);
            return new Outcome(code, tee.messages());
        } finally {
            if (commandOutput != null) errOut.close();
        }
    }

    /** Copies a stream through, keeping the lines that come from the tracer itself. */
    static final class StderrTee implements Runnable {
        private final InputStream in;
        private final OutputStream out;
        private final boolean perf;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final StringBuilder kept = new StringBuilder();

        StderrTee(InputStream in, OutputStream out, boolean perf) {
            this.in = in;
            this.out = out;
            this.perf = perf;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') flushLine();
                        else if (line.size() < 4096) line.write(buf[i]);
                    }
                }
                flushLine();
            } catch (IOException e) {
                // the process went away
            }
        }

        private void flushLine() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            boolean tracer = perf ? (s.contains("perf") || s.contains("ermission") || s.contains("paranoid")
                    || s.contains("tracepoint") || s.contains("Error") || s.contains("event"))
                    : s.startsWith("strace: ");
            if (tracer && kept.length() < 16384) kept.append(s).append('\n');
        }

        synchronized String messages() {
            return kept.toString();
        }
    }
}
