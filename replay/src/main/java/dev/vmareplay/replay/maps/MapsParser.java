package dev.vmareplay.replay.maps;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code /proc/PID/maps} or {@code /proc/PID/smaps} snapshot. smaps is recognised by
 * its per-VMA field lines ({@code Size:}, {@code Anonymous:}, {@code VmFlags:}); the fields
 * replay needs (VmFlags for exact vm_flags, Anonymous for whether an anon_vma exists) are
 * attached to the VMA line they follow.
 */
public final class MapsParser {

    private MapsParser() { }

    /** A snapshot line that is not a VMA line nor a known smaps field. */
    public static final class MalformedMapsException extends IOException {
        public MalformedMapsException(String message) {
            super(message);
        }
    }

    /** Parses a maps or smaps file ({@code .gz}: gzipped). */
    public static List<MapsEntry> parse(Path file) throws IOException {
        if (file.getFileName().toString().endsWith(".gz")) {
            try (BufferedReader r = new BufferedReader(new java.io.InputStreamReader(
                    new java.util.zip.GZIPInputStream(Files.newInputStream(file)), StandardCharsets.ISO_8859_1))) {
                return parse(r, file.toString());
            }
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            return parse(r, file.toString());
        }
    }

    public static List<MapsEntry> parse(BufferedReader r, String name) throws IOException {
        List<MapsEntry> out = new ArrayList<>();
        String line;
        long lineNo = 0;
        // the smaps fields of the entry being read; applied when the next VMA line (or EOF) comes
        MapsEntry pending = null;
        String vmFlags = null;
        long anonKb = -1;
        long lastEnd = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) continue;
            int dash = line.indexOf('-');
            int sp = line.indexOf(' ');
            if (dash > 0 && sp > dash && isHex(line, 0, dash) && isHex(line, dash + 1, sp)) {
                if (pending != null) out.add(withSmaps(pending, vmFlags, anonKb));
                pending = parseVmaLine(line, name, lineNo);
                if (((pending.start() | pending.end()) & 0xfff) != 0) {
                    throw new MalformedMapsException(name + ":" + lineNo + ": range not page aligned: " + clip(line));
                }
                if (Long.compareUnsigned(pending.start(), lastEnd) < 0) {
                    throw new MalformedMapsException(name + ":" + lineNo + ": overlaps or precedes the line before (a snapshot is sorted, without overlaps): " + clip(line));
                }
                lastEnd = pending.end();
                vmFlags = null;
                anonKb = -1;
            } else if (line.startsWith("VmFlags:")) {
                vmFlags = line.substring(8).trim();
            } else if (line.startsWith("Anonymous:")) {
                anonKb = parseKb(line, name, lineNo);
            } else if (pending != null && line.indexOf(':') > 0) {
                // another smaps field (Size:, Rss:, ...): not needed for replay
            } else {
                throw new MalformedMapsException(name + ":" + lineNo + ": not a maps or smaps line: " + clip(line));
            }
        }
        if (pending != null) out.add(withSmaps(pending, vmFlags, anonKb));
        return out;
    }

    private static MapsEntry withSmaps(MapsEntry e, String vmFlags, long anonKb) {
        if (vmFlags == null && anonKb < 0) return e;
        return new MapsEntry(e.start(), e.end(), e.perms(), e.offset(), e.dev(), e.inode(), e.path(), vmFlags, anonKb);
    }

    private static MapsEntry parseVmaLine(String line, String name, long lineNo) throws MalformedMapsException {
        // start-end perms offset dev inode [path]; the path may contain spaces
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 5) throw new MalformedMapsException(name + ":" + lineNo + ": expected 'start-end perms offset dev inode [path]': " + clip(line));
        try {
            int dash = f[0].indexOf('-');
            long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            if (f[1].length() != 4) throw new NumberFormatException("perms");
            long offset = Long.parseUnsignedLong(f[2], 16);
            long inode = Long.parseUnsignedLong(f[4]);
            String path = f.length > 5 ? f[5].trim() : "";
            if (Long.compareUnsigned(start, end) >= 0) throw new NumberFormatException("start >= end");
            return new MapsEntry(start, end, f[1], offset, f[3], inode, path, null, -1);
        } catch (RuntimeException e) {
            throw new MalformedMapsException(name + ":" + lineNo + ": bad maps line (" + e.getMessage() + "): " + clip(line));
        }
    }

    private static long parseKb(String line, String name, long lineNo) throws MalformedMapsException {
        String v = line.substring(line.indexOf(':') + 1).trim();
        if (v.endsWith("kB")) v = v.substring(0, v.length() - 2).trim();
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new MalformedMapsException(name + ":" + lineNo + ": bad Anonymous: field: " + clip(line));
        }
    }

    private static boolean isHex(String s, int from, int to) {
        if (to <= from) return false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
        }
        return true;
    }

    private static String clip(String s) {
        return dev.vmareplay.ingest.Printable.of(s, 120);
    }
}
