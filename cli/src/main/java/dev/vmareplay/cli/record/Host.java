package dev.vmareplay.cli.record;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What this machine allows: tools on the PATH, ptrace and perf restrictions, capabilities. */
public final class Host {

    static final int CAP_SYS_PTRACE = 19;
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;

    private Host() { }

    /** The executable {@code name} on the PATH (or {@code name} itself when it contains a slash), or null. */
    public static Path which(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? p : null;
        }
        String path = System.getenv("PATH");
        if (path == null) path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** An integer sysctl under /proc/sys (e.g. "kernel/yama/ptrace_scope"), or null when absent. */
    public static Integer sysctl(String name) {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys", name)).trim());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return null;
        }
    }

    /** Whether this process has capability {@code cap} in its effective set. */
    public static boolean hasCapability(int cap) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String l : lines) {
                if (l.startsWith("CapEff:")) {
                    long v = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                    return (v & (1L << cap)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: assume not
        }
        return false;
    }

    /**
     * Checks that strace can trace a child here: present, and ptrace not forbidden by Yama.
     * Returns the strace executable.
     */
    public static Path checkStrace() throws RecordProblem {
        Path strace = which("strace");
        if (strace == null) {
            throw new RecordProblem("strace is not installed (or not on the PATH): install it, e.g. 'apt-get install strace' "
                    + "(Debian/Ubuntu) or 'dnf install strace' (Fedora); or record with --perf");
        }
        Integer scope = sysctl("kernel/yama/ptrace_scope");
        if (scope != null && scope == 3) {
            throw new RecordProblem("ptrace is disabled on this machine (kernel.yama.ptrace_scope = 3, which only a reboot "
                    + "undoes): strace cannot trace anything; record with --perf instead");
        }
        if (scope != null && scope == 2 && !hasCapability(CAP_SYS_PTRACE)) {
            throw new RecordProblem("ptrace needs CAP_SYS_PTRACE here (kernel.yama.ptrace_scope = 2): run as root, or allow "
                    + "tracing your own children with 'sudo sysctl kernel.yama.ptrace_scope=1'");
        }
        return strace;
    }

    /** Checks that perf trace can run here: present and permitted. Returns the perf executable. */
    public static Path checkPerf() throws RecordProblem {
        Path perf = which("perf");
        if (perf == null) {
            throw new RecordProblem("perf is not installed (or not on the PATH): install it, e.g. 'apt-get install linux-perf' "
                    + "(Debian), 'apt-get install linux-tools-$(uname -r)' (Ubuntu) or 'dnf install perf' (Fedora); "
                    + "or record with strace (without --perf)");
        }
        Integer paranoid = sysctl("kernel/perf_event_paranoid");
        boolean privileged = hasCapability(CAP_SYS_ADMIN) || hasCapability(CAP_PERFMON);
        if (paranoid != null && paranoid > -1 && !privileged) {
            throw new RecordProblem("perf trace needs the syscall tracepoints, which kernel.perf_event_paranoid = " + paranoid
                    + " forbids without root/CAP_PERFMON: run as root, or 'sudo sysctl kernel.perf_event_paranoid=-1' "
                    + "and make /sys/kernel/tracing readable; or record with strace (without --perf)");
        }
        return perf;
    }

    /** A hint for a tracer's error output, or null when it says nothing we recognise. */
    public static String hintFor(String tracerOutput, boolean perf) {
        String s = tracerOutput;
        if (!perf && (s.contains("PTRACE_TRACEME") || s.contains("ptrace(PTRACE_SEIZE") || s.contains("PTRACE_SEIZE"))
                && (s.contains("Operation not permitted") || s.contains("Permission denied"))) {
            return "ptrace is not permitted here (a container without CAP_SYS_PTRACE or a seccomp profile that blocks it, "
                    + "or kernel.yama.ptrace_scope): run with --cap-add=SYS_PTRACE / as root, or record with --perf";
        }
        if (perf && (s.contains("ermission") || s.contains("Operation not permitted") || s.contains("perf_event_paranoid")
                || s.contains("No permissions"))) {
            return "perf is not permitted to trace here: run as root, or 'sudo sysctl kernel.perf_event_paranoid=-1' and make "
                    + "/sys/kernel/tracing readable; or record with strace (without --perf)";
        }
        if (perf && (s.contains("mlock") || s.contains("mapping pages"))) {
            return "perf could not lock its 8 MiB ring buffer: run as root, or raise kernel.perf_event_mlock_kb "
                    + "(sudo sysctl kernel.perf_event_mlock_kb=16384); or record with strace (without --perf)";
        }
        if (perf && (s.contains("tracepoint") || s.contains("tracefs") || s.contains("debugfs"))) {
            return "perf cannot read the syscall tracepoints: mount tracefs (mount -t tracefs nodev /sys/kernel/tracing) and run "
                    + "as root; or record with strace (without --perf)";
        }
        return null;
    }
}
