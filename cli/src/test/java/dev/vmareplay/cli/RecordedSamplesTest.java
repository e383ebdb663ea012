package dev.vmareplay.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recordings of samples/recorded (made with {@code record --perf} by its record.sh: the
 * programs of issue 14's "done when" and the engine-gap program), verified through the real
 * command line: every process with an exit snapshot matches it exactly (VMA boundaries and
 * VmFlags), and the verdict says its anon_vma state and its order were observed.
 */
class RecordedSamplesTest {

    static Path root() {
        return Path.of(System.getProperty("vmareplay.root", ".."), "samples/recorded");
    }

    @TestFactory
    Stream<DynamicTest> everyRecordedProcessMatchesItsExitSnapshot() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root())) {
            dirs = s.filter(d -> Files.exists(d.resolve("trace.txt.gz"))).sorted().toList();
        }
        assertThat(dirs).as("samples/recorded holds the recordings").hasSizeGreaterThanOrEqualTo(7);
        return dirs.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> verify(d)));
    }

    private static final Pattern TALLY = Pattern.compile("verify: (\\d+) of (\\d+) process");

    private static void verify(Path dir) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("verify", dir.resolve("trace.txt.gz").toString(), "--snapshots", dir.resolve("snapshots").toString());
        String text = out + "" + err;
        assertThat(code).as(text).isZero();
        Matcher m = TALLY.matcher(out.toString());
        assertThat(m.find()).as(text).isTrue();
        assertThat(m.group(1)).as(text).isEqualTo(m.group(2));
        assertThat(out.toString()).as(text).doesNotContain("DIFFERENT").contains("anon_vma state observed");
    }
}
