package dev.vmareplay.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The real traces bundled in samples/traces (copied from ../shared/traces). */
final class Samples {

    private Samples() { }

    static Path root() {
        String root = System.getProperty("vmareplay.root");
        Path base = root != null ? Path.of(root) : Path.of("..");
        Path p = base.resolve("samples/traces");
        if (!Files.isDirectory(p)) p = Path.of("../samples/traces");
        return p;
    }

    /** One capture: a case, a variant, its cut trace and its own snapshots. */
    record Variant(String caseName, String variant, Path dir) {
        Path trace() {
            Path t = dir.resolve("trace.cut.txt");
            return Files.exists(t) ? t : dir.resolve("trace.cut.txt.gz");
        }

        Path seed() {
            Path s = dir.resolve("start.smaps");
            return Files.exists(s) ? s : dir.resolve("start.maps");
        }

        Path end() {
            return dir.resolve("end.maps");
        }

        Path endSmaps() {
            return dir.resolve("end.smaps");
        }

        @Override
        public String toString() {
            return caseName + "/" + variant;
        }
    }

    static List<Variant> variants() throws IOException {
        List<Variant> out = new ArrayList<>();
        try (Stream<Path> cases = Files.list(root())) {
            for (Path c : cases.sorted().toList()) {
                if (!Files.isDirectory(c)) continue;
                try (Stream<Path> vs = Files.list(c)) {
                    for (Path v : vs.sorted().toList()) {
                        if (Files.exists(v.resolve("trace.cut.txt")) || Files.exists(v.resolve("trace.cut.txt.gz"))) {
                            out.add(new Variant(c.getFileName().toString(), v.getFileName().toString(), v));
                        }
                    }
                }
            }
        }
        return out;
    }
}
