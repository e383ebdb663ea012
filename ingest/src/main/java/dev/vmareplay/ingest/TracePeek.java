package dev.vmareplay.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Cheap looks at the head of trace files, before they are parsed. */
public final class TracePeek {

    private TracePeek() { }

    /**
     * True when a trace carries page-fault events (perf trace -F): then anon_vma state is
     * observed rather than assumed. Looks at the first MiB of each file input; standard input
     * cannot be peeked and counts as no.
     */
    public static boolean hasFaultEvents(List<String> traces) {
        for (String t : traces) {
            if (t.equals("-")) continue;
            Path p = Path.of(t);
            if (!Files.isRegularFile(p)) continue;
            try (InputStream in = Compression.openDecoded(p)) {
                String head = new String(in.readNBytes(1 << 20), StandardCharsets.ISO_8859_1);
                if (head.contains(" minfault ") || head.contains(" majfault ")) return true;
            } catch (IOException | RuntimeException e) {
                // unreadable here: Ingest.open reports it properly
            }
        }
        return false;
    }
}
