package dev.vmareplay.cli;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every exit code DESIGN.md documents, each provoked through the real command line: 0 success,
 * 1 verify mismatch, 2 bad usage, 3 bad input, 4 storage, 70 internal error. The internal
 * error comes from a deliberately failing component (the trace inputs, made by a picocli
 * factory) inside an otherwise real replay.
 */
class ExitCodesTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) { }

    static Result run(CommandLine.IFactory factory, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(factory, new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(CommandLine.defaultFactory(), args);
    }

    static String trace(String caseName) {
        return CliTest.sample(caseName, "strace-tt-T-y").resolve("trace.cut.txt").toString();
    }

    static String file(String caseName, String name) {
        return CliTest.sample(caseName, "strace-tt-T-y").resolve(name).toString();
    }

    @Test
    void zeroForARunThatWorked() {
        Result r = run("replay", trace("new_both"), "--seed-maps", file("new_both", "start.smaps"), "--no-store");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("new_both\\s+1\\b");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void oneForAVerifyMismatch() {
        // munmap_middle's trace replayed onto its start, compared with another case's end
        Result r = run("verify", trace("munmap_middle"), "--seed-maps", file("munmap_middle", "start.smaps"),
                "--expect-maps", file("new_both", "end.maps"));
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).startsWith("verify: DIFFERENT");
    }

    @Test
    void twoForBadUsageWithTheValidValuesListedByPicocli() {
        Result kernel = run("replay", trace("new_left"), "--kernel", "5.4", "--no-store");
        assertThat(kernel.code()).isEqualTo(2);
        assertThat(kernel.err()).contains("--kernel").contains("5.4").contains("6.1, 6.12 or 6.18")
                .contains("Try 'vmareplay replay --help'");

        Result format = run("verify", trace("new_left"), "--format", "ltrace", "--snapshots", tmp.toString());
        assertThat(format.code()).isEqualTo(2);
        assertThat(format.err()).contains("ltrace").contains("auto, strace, perf-trace, perf-script, csv");

        Result policy = run("record", "--verify", "--fault-policy", "lazy", "--", "true");
        assertThat(policy.code()).isEqualTo(2);
        assertThat(policy.err()).contains("lazy").contains("observed-only, write-before-protect, assume-written");

        Result missing = run("verify", trace("new_left"));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("vmareplay verify: give --seed-maps FILE and --expect-maps FILE, or --snapshots DIR"
                + " for a recording of 'vmareplay record'\n");
    }

    @Test
    void threeForInputThatCannotBeRead() {
        Result r = run("replay", tmp.resolve("absent.txt").toString(), "--no-store");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("vmareplay replay: " + tmp.resolve("absent.txt") + ": no such file\n");
    }

    @Test
    void fourForStorageThatCannotBeWritten() throws IOException {
        Path notADir = Files.writeString(tmp.resolve("a-file"), "x");
        Result r = run("replay", trace("new_left"), "--db", notADir.resolve("runs.duckdb").toString(), "--no-report");
        assertThat(r.code()).as(r.err()).isEqualTo(4);
        assertThat(r.err()).startsWith("vmareplay replay: " + notADir.resolve("runs.duckdb") + ": ").hasLineCount(1);
    }

    @Test
    void seventyForABugWithTheWordsInternalErrorAndTheStackTrace() {
        Result r = run(failingInputs(() -> new IllegalStateException("injected fault in the event source")),
                "replay", trace("new_both"), "--no-store");
        assertThat(r.code()).isEqualTo(70);
        assertThat(r.err()).startsWith("vmareplay replay: internal error: java.lang.IllegalStateException: injected fault in the event source\n")
                .contains("This is a bug in vmareplay")
                .containsPattern("\tat dev\\.vmareplay\\.replay\\.Replayer\\.run\\(")
                .containsPattern("\tat dev\\.vmareplay\\.cli\\.ReplayLoop\\.run\\(");
    }

    @Test
    void seventyAlsoForAnErrorPicocliDoesNotCatch() {
        Result r = run(failingInputs(() -> new AssertionError("injected broken precondition")),
                "verify", trace("new_both"), "--seed-maps", file("new_both", "start.smaps"), "--expect-maps", file("new_both", "end.maps"));
        assertThat(r.code()).isEqualTo(70);
        assertThat(r.err()).startsWith("vmareplay verify: internal error: java.lang.AssertionError: injected broken precondition\n")
                .contains("\tat dev.vmareplay.cli.ReplayLoop.run(");
    }

    /** A factory whose trace inputs read three real events, then fail as a bug would. */
    static CommandLine.IFactory failingInputs(Supplier<Throwable> fault) {
        CommandLine.IFactory real = CommandLine.defaultFactory();
        return new CommandLine.IFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <K> K create(Class<K> cls) throws Exception {
                if (cls != TraceInputs.class) return real.create(cls);
                return (K) new TraceInputs() {
                    @Override
                    EventSource open(boolean markers) throws IOException {
                        EventSource s = super.open(markers);
                        return new EventSource() {
                            int n;

                            @Override
                            public Event next() throws IOException {
                                if (++n > 3) {
                                    Throwable t = fault.get();
                                    if (t instanceof Error e) throw e;
                                    throw (RuntimeException) t;
                                }
                                return s.next();
                            }

                            @Override
                            public IngestStats stats() {
                                return s.stats();
                            }

                            @Override
                            public void close() throws IOException {
                                s.close();
                            }
                        };
                    }
                };
            }
        };
    }
}
