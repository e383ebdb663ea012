package dev.vmareplay.cli;

import dev.vmareplay.cli.record.Host;
import dev.vmareplay.cli.record.Recorder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vmareplay record --verify} on real programs of this machine: every process that
 * took an exit snapshot must replay to exactly that snapshot. Skipped (visibly) where strace,
 * gcc or ptrace are unavailable.
 */
class RecordCommandTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        long count(String regex) {
            Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(out);
            long n = 0;
            while (m.find()) n++;
            return n;
        }
    }

    @BeforeAll
    static void tools() {
        assumeTrue(Host.which("strace") != null, "strace is not installed: record tests skipped");
        assumeTrue(Host.which("gcc") != null || System.getenv("VMAREPLAY_SNAP_LIB") != null,
                "gcc is not installed (it builds the snapshot library): record tests skipped");
        assumeTrue(straceWorks(), "strace cannot trace here (ptrace not permitted): record tests skipped");
    }

    private static boolean straceWorks() {
        try {
            Process p = new ProcessBuilder("strace", "-o", "/dev/null", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs {@code vmareplay ARGS} with the recorded command's input from /dev/null and its output in a file. */
    Result run(String... args) {
        CommandLine cl = Main.commandLine();
        ((RecordCommand) cl.getSubcommands().get("record").getCommand()).stdin =
                ProcessBuilder.Redirect.from(new File("/dev/null"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    Result record(String... command) {
        List<String> args = new ArrayList<>(List.of("record", "--verify", "-o", tmp.resolve("trace.txt").toString(),
                "--command-output", tmp.resolve("command.out").toString(), "--"));
        args.addAll(List.of(command));
        return run(args.toArray(String[]::new));
    }

    @Test
    void aCProgramThatMapsProtectsUnmapsRemapsAndForksMatchesAtExit() throws Exception {
        Path src = tmp.resolve("mm.c");
        Files.writeString(src, """
                #define _GNU_SOURCE
                #include <sys/mman.h>
                #include <sys/wait.h>
                #include <string.h>
                #include <stdlib.h>
                #include <unistd.h>
                #include <fcntl.h>
                int main(void) {
                    long pg = 4096;
                    char *a = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                    memset(a, 1, 16 * pg);
                    mprotect(a + 4 * pg, 4 * pg, PROT_READ);              /* split in three */
                    mprotect(a + 4 * pg, 4 * pg, PROT_READ | PROT_WRITE); /* merge back */
                    munmap(a + 8 * pg, 2 * pg);                           /* a hole */
                    char *b = mmap(a + 8 * pg, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
                    b[0] = 2;
                    char *c = mmap(NULL, 8 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                    madvise(c + 2 * pg, 2 * pg, MADV_DONTFORK);
                    int fd = open("/etc/passwd", O_RDONLY);
                    char *f = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);   /* read-only open: no VM_SHARED */
                    close(fd);
                    char *r = mremap(a, 16 * pg, 32 * pg, MREMAP_MAYMOVE);
                    (void) f; (void) r;
                    if (fork() == 0) {                                      /* a child that never execs */
                        char *x = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                        x[0] = 1;
                        exit(0);
                    }
                    int st;
                    wait(&st);
                    return 0;
                }
                """);
        Path exe = tmp.resolve("mm");
        Process gcc = new ProcessBuilder("gcc", "-O1", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        String gccOut = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as(gccOut).isZero();

        Result r = record(exe.toString());

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.count("^  MATCH ")).as(r.out()).isEqualTo(2); // the program and its forked child
        assertThat(r.out()).contains("verify: 2 of 2 processes with an exit snapshot match exactly")
                .doesNotContain("DIFFERENT");
        assertThat(tmp.resolve("trace.snapshots")).isDirectory();
        assertThat(tmp.resolve("trace.snapshots").toFile().list()).anyMatch(n -> n.matches("\\d+\\.1\\.start\\.smaps"))
                .anyMatch(n -> n.matches("\\d+\\.0\\.end\\.smaps"));
    }

    @Test
    void lsOfUsrLibMatchesAtExit() {
        Result r = record("ls", "-la", "/usr/lib");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^  MATCH +pid \\d+ \\(/usr/bin/ls\\): \\d+ VMAs at exit equal \\d+\\.1\\.end\\.smaps")
                .contains("verify: 1 of 1 process with an exit snapshot matches exactly")
                .contains("replay it:  vmareplay replay ").contains("verify it:  vmareplay verify ");
        assertThat(tmp.resolve("command.out")).content().contains("x86_64-linux-gnu");
    }

    @Test
    void aShellPipelineMatchesForEveryProcessWithAnExitSnapshot() {
        Result r = record("sh", "-c", "ls / | wc -l");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.count("^  MATCH ")).as(r.out()).isEqualTo(2); // ls and wc
        // dash leaves with _exit: no exit snapshot, and the report says so
        assertThat(r.out()).containsPattern("(?m)^  NO-EXIT +pid \\d+ \\(/usr/bin/(da)?sh\\): ended without running exit handlers")
                .contains("verify: 2 of 2 processes with an exit snapshot match exactly");
    }

    @Test
    void theRecordingReplaysAndVerifiesWithTheCommandsItPrints() {
        Result r = record("ls", "/");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        String trace = tmp.resolve("trace.txt").toString(), snaps = tmp.resolve("trace.snapshots").toString();

        Result v = run("verify", trace, "--snapshots", snaps);
        assertThat(v.code()).as(v.out() + v.err()).isZero();
        assertThat(v.out()).contains("MATCH");

        // replay finds trace.snapshots/ next to the trace by itself
        Result p = run("replay", trace, "--db", tmp.resolve("runs.duckdb").toString(), "--no-report", "--final-maps",
                tmp.resolve("final").toString());
        assertThat(p.code()).as(p.out() + p.err()).isZero();
        assertThat(p.err()).contains("re-seeding processes at their snapshot markers");
    }

    @Test
    void aTraceNamedZstIsWrittenCompressedAndReplaysWithItsSnapshots() throws Exception {
        Path trace = tmp.resolve("ls.txt.zst");
        Result r = run("record", "--verify", "-o", trace.toString(), "--command-output", tmp.resolve("command.out").toString(), "--", "ls", "/");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("trace: +.*ls\\.txt\\.zst \\(\\d+ lines, zstd\\)").contains("MATCH");
        assertThat(dev.vmareplay.ingest.Compression.of(trace)).isEqualTo(dev.vmareplay.ingest.Compression.Codec.ZSTD);
        assertThat(tmp.resolve("ls.txt.zst.plain")).doesNotExist();
        assertThat(tmp.resolve("ls.snapshots")).isDirectory();

        // verify and replay find ls.snapshots/ beside ls.txt.zst by themselves
        Result v = run("verify", trace.toString());
        assertThat(v.code()).as(v.out() + v.err()).isZero();
        assertThat(v.out()).contains("MATCH");
        Result p = run("replay", trace.toString(), "--no-store");
        assertThat(p.code()).as(p.out() + p.err()).isZero();
        assertThat(p.err()).contains("re-seeding processes at their snapshot markers from " + tmp.resolve("ls.snapshots"));
        assertThat(p.out()).doesNotContain("    malformed ");
    }

    @Test
    void aStaticProgramIsTracedButHasNothingToVerify() throws Exception {
        Path src = tmp.resolve("st.c");
        Files.writeString(src, "#include <sys/mman.h>\nint main(void){ mmap(0, 8192, 3, 0x22, -1, 0); return 0; }\n");
        Path exe = tmp.resolve("st");
        Process gcc = new ProcessBuilder("gcc", "-static", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        gcc.getInputStream().readAllBytes();
        assumeTrue(gcc.waitFor() == 0, "no static libc here (gcc -static failed): test skipped");

        Result r = record(exe.toString());

        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("none taken: the command is statically linked")
                .containsPattern("(?m)^  NONE +pid \\d+ \\(" + Pattern.quote(exe.toString()) + "\\): no snapshots")
                .contains("nothing verified");
    }

    @Test
    void aPerfTraceRecordingMatchesToo() throws Exception {
        assumeTrue(Host.which("perf") != null, "perf is not installed: perf recording test skipped");
        Process p = new ProcessBuilder("perf", "trace", "--syscalls", "-o", "/dev/null", "--", "true")
                .redirectErrorStream(true).start();
        String why = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor() == 0, "perf trace is not permitted here: perf recording test skipped: " + why.strip());

        List<String> args = new ArrayList<>(List.of("record", "--perf", "--verify", "-o", tmp.resolve("perf.txt").toString(),
                "--command-output", tmp.resolve("command.out").toString(), "--", "sh", "-c", "ls / | wc -l"));
        Result r = run(args.toArray(String[]::new));

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.count("^  MATCH ")).as(r.out()).isEqualTo(2);
        assertThat(r.out()).contains("(as perf trace reports it)");
    }

    @Test
    void noCommandIsABadCommandLine() {
        Result r = run("record", "-o", tmp.resolve("t.txt").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("COMMAND");
    }

    @Test
    void aCommandThatCannotBeRunSaysSo() {
        Result r = run("record", "-o", tmp.resolve("t.txt").toString(), "--", tmp.resolve("no-such-program").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no-such-program");
    }

    @Test
    void straceIsAskedForEverythingButPlainIo() {
        Recorder.Plan plan = new Recorder.Plan(Recorder.Tracer.STRACE, Path.of("/usr/bin/strace"), Path.of("/t/trace.txt"),
                Path.of("/t/trace.snapshots"), Path.of("/c/lib.so"), false, List.of("ls", "-l"));
        List<String> cmd = Recorder.commandLine(plan);
        assertThat(cmd).containsSubsequence("-f", "-ttt", "-T", "-y", "-o", "/t/trace.txt")
                .contains("-E", "VMAREPLAY_SNAPDIR=/t/trace.snapshots").endsWith("--", "ls", "-l");
        assertThat(cmd.get(cmd.indexOf("-e") + 1)).startsWith("trace=!read,write,").doesNotContain("lseek", "mmap", "openat", "close,");
    }

    @Test
    void hintsNameTheRestriction() {
        assertThat(Host.hintFor("strace: ptrace(PTRACE_TRACEME, ...): Operation not permitted\n", false)).contains("ptrace is not permitted");
        assertThat(Host.hintFor("Error:\tNo permissions to read /sys/kernel/tracing/events/raw_syscalls\n", true)).contains("perf_event_paranoid");
        assertThat(Host.hintFor("strace: Process 12 attached\n", false)).isNull();
    }
}
