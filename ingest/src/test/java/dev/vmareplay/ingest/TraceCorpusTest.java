package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.Event;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every variant of every case of the ground-truth traces (copied from /work/shared/traces
 * into test resources) parses with zero malformed lines and yields exactly the mmap-family
 * call counts its case.txt (or, for real programs, check.log) states.
 */
class TraceCorpusTest {
    static final Set<String> FAMILY = Set.of("mmap", "munmap", "mprotect", "pkey_mprotect", "madvise", "process_madvise",
            "mlock", "mlock2", "munlock", "mlockall", "munlockall", "mremap", "brk", "mseal", "prctl", "mbind",
            "remap_file_pages", "shmat", "shmdt");
    static final Pattern COUNT = Pattern.compile("([a-z_0-9]+)=(\\d+)");

    @TestFactory
    Stream<DynamicTest> everyVariantMatchesItsCaseCounts() throws IOException {
        Path root = TestSupport.resource("traces");
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> cases = Files.list(root)) {
            for (Path c : cases.sorted().toList()) {
                if (!Files.isDirectory(c)) continue;
                String caseTxt = Files.readString(c.resolve("case.txt"));
                try (Stream<Path> vs = Files.list(c)) {
                    for (Path v : vs.sorted().toList()) {
                        if (!Files.isDirectory(v)) continue;
                        Path trace = Files.exists(v.resolve("trace.cut.txt")) ? v.resolve("trace.cut.txt") : v.resolve("trace.cut.txt.gz");
                        String variant = v.getFileName().toString();
                        Map<String, Integer> expected = expected(caseTxt, v, variant);
                        tests.add(DynamicTest.dynamicTest(c.getFileName() + "/" + variant, () -> {
                            TestSupport.Result r = TestSupport.read(trace);
                            assertThat(r.stats().examples()).as("malformed lines").isEmpty();
                            assertThat(r.stats().get(IngestStats.LineClass.MALFORMED)).isZero();
                            Map<String, Integer> got = new TreeMap<>();
                            for (Event e : r.events()) if (FAMILY.contains(e.syscall())) got.merge(e.syscall(), 1, Integer::sum);
                            assertThat(got).isEqualTo(expected);
                            long seq = -1;
                            for (Event e : r.events()) {
                                assertThat(e.seq()).isGreaterThan(seq);
                                seq = e.seq();
                                assertThat(e.source().line()).isPositive();
                            }
                        }));
                    }
                }
            }
        }
        assertThat(tests).hasSizeGreaterThan(180);
        return tests.stream();
    }

    static Map<String, Integer> expected(String caseTxt, Path variantDir, String variant) throws IOException {
        String line = null;
        int sec = caseTxt.indexOf("mmap-family calls in the cut traces:");
        if (sec >= 0) {
            for (String l : caseTxt.substring(sec).split("\n")) {
                String t = l.trim();
                if (t.startsWith(variant + " ")) { line = t.substring(variant.length()); break; }
            }
        } else {
            String log = Files.readString(variantDir.resolve("check.log"));
            int k = log.indexOf("cut family calls:");
            line = log.substring(k + "cut family calls:".length()).split("\n")[0];
        }
        assertThat(line).as("counts for " + variantDir).isNotNull();
        Map<String, Integer> m = new TreeMap<>();
        Matcher mt = COUNT.matcher(line);
        while (mt.find()) {
            String name = mt.group(1).equals("syscall_0x1ce") ? "mseal" : mt.group(1);
            m.merge(name, Integer.parseInt(mt.group(2)), Integer::sum);
        }
        return m;
    }
}
