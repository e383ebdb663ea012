package dev.vmareplay.replay.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared helpers of the engine tests: an event recorder, page arithmetic, layout strings, smaps seeding. */
final class EngineTestSupport {
    private EngineTestSupport() { }

    static final long PAGE = Mm.PAGE_SIZE;
    /** The scripted scenarios' window. */
    static final long W = 0x200000000000L;

    /** Address of page n of the window. */
    static long w(long n) {
        return W + n * PAGE;
    }

    /** n pages in bytes. */
    static long pages(long n) {
        return n * PAGE;
    }

    /** Records every VmaEvent. */
    static final class Recorder implements VmaObserver {
        final List<VmaEvent> events = new ArrayList<>();

        @Override
        public void on(VmaEvent event) {
            events.add(event);
        }

        long count(VmaEvent.Kind kind) {
            return events.stream().filter(e -> e.kind() == kind).count();
        }

        long refused(VmaEvent.RefusalReason reason) {
            return events.stream().filter(e -> e.kind() == VmaEvent.Kind.REFUSED && e.reason() == reason).count();
        }

        Map<VmaEvent.Kind, Long> counts() {
            Map<VmaEvent.Kind, Long> m = new EnumMap<>(VmaEvent.Kind.class);
            for (VmaEvent e : events) {
                m.merge(e.kind(), 1L, Long::sum);
            }
            return m;
        }

        VmaEvent last() {
            return events.get(events.size() - 1);
        }

        void clear() {
            events.clear();
        }
    }

    /**
     * The layout of [base, base + span) in the scenario notation of case.txt: "0-4 rw-p, 4-8 r--p"
     * (page numbers relative to base).
     */
    static String layout(Mm mm, long base, long span) {
        StringBuilder sb = new StringBuilder();
        for (Vma v : mm.vmas(base, base + span)) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append((v.start() - base) / PAGE).append('-').append((v.end() - base) / PAGE).append(' ')
                .append(TaskMmu.perms(v.flags()));
        }
        return sb.toString();
    }

    static String windowLayout(Mm mm) {
        return layout(mm, W, 1L << 32);
    }

    /** Asserts one VMA exactly: [start, end) in window pages, pgoff, anon_vma presence. */
    static void assertVma(Mm mm, long startPage, long endPage, long pgoff, boolean anon) {
        Vma v = mm.find(w(startPage));
        assertThat(v).as("a VMA at page %d", startPage).isNotNull();
        assertThat((v.start() - W) / PAGE).as("start of %s", v).isEqualTo(startPage);
        assertThat((v.end() - W) / PAGE).as("end of %s", v).isEqualTo(endPage);
        assertThat(v.pgoff()).as("pgoff of %s", v).isEqualTo(pgoff);
        assertThat(v.hasAnonVma()).as("anon_vma of %s", v).isEqualTo(anon);
    }

    /** Where the shared ground-truth traces are, or null when this checkout has none. */
    static Path tracesDir() {
        String root = System.getProperty("vmareplay.root");
        List<Path> candidates = new ArrayList<>();
        if (root != null) {
            candidates.add(Path.of(root).resolve("../shared/traces"));
            candidates.add(Path.of(root).resolve("shared/traces"));
        }
        candidates.add(Path.of("/work/shared/traces"));
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                return p.normalize();
            }
        }
        return null;
    }

    /**
     * Seeds mm with every VMA of an smaps snapshot: flags from VmFlags, anon_vma from
     * "Anonymous: N kB" (N &gt; 0), file identity per (dev, inode), [heap] / [stack] / special
     * mappings recognised. Returns the number of VMAs seeded.
     */
    static int seedFromSmaps(Mm mm, Path smaps) throws IOException {
        List<String> lines = Files.readAllLines(smaps);
        Map<String, VmaFile> files = new HashMap<>();
        int n = 0;
        String header = null;
        boolean anon = false;
        long fileIds = 1000;
        for (int i = 0; i <= lines.size(); i++) {
            String l = i < lines.size() ? lines.get(i) : null;
            boolean isHeader = l != null && l.matches("^[0-9a-f]+-[0-9a-f]+ .*");
            if (l != null && !isHeader) {
                if (l.startsWith("Anonymous:")) {
                    anon = Long.parseLong(l.replaceAll("[^0-9]", "")) > 0;
                } else if (l.startsWith("VmFlags:") && header != null) {
                    long flags = VmFlags.fromSmaps(l.substring(8));
                    String[] f = header.trim().split("\\s+", 6);
                    String[] range = f[0].split("-");
                    long start = Long.parseUnsignedLong(range[0], 16);
                    long end = Long.parseUnsignedLong(range[1], 16);
                    long off = Long.parseUnsignedLong(f[2], 16);
                    String dev = f[3];
                    long ino = Long.parseLong(f[4]);
                    String name = f.length > 5 ? f[5].trim() : "";
                    Mm.Seed s = mm.seed(start, end).flags(flags).anonVma(anon);
                    if (ino != 0 || name.startsWith("/")) {
                        final String fdev = dev;
                        final long fino = ino;
                        final String fname = name;
                        final long id = fileIds++;
                        VmaFile vf = files.computeIfAbsent(dev + ":" + ino + ":" + name,
                            k -> new VmaFile(id, fname, fdev, fino, true, (flags & VmFlags.VM_MAYWRITE) != 0, false,
                                fname.startsWith("/memfd:") || fname.startsWith("/dev/shm"), fname.equals("/dev/zero (deleted)")));
                        s.file(vf).pgoff(off >>> 12);
                    } else if (name.equals("[heap]")) {
                        mm.setBrkArea(start, end);
                    } else if (name.equals("[stack]")) {
                        mm.setStartStack(end - PAGE);
                    } else if (name.equals("[vdso]")) {
                        s.special(Vma.Special.VDSO, name);
                    } else if (name.equals("[vvar]")) {
                        s.special(Vma.Special.VVAR, name);
                    } else if (name.equals("[vvar_vclock]")) {
                        s.special(Vma.Special.VVAR_VCLOCK, name);
                    } else if (name.equals("[vsyscall]")) {
                        s.special(Vma.Special.VSYSCALL, name);
                    } else if (name.startsWith("[anon:")) {
                        s.anonName(name.substring(6, name.length() - 1));
                    } else if (!name.isEmpty()) {
                        s.label(name);
                    }
                    if (s.insert() == null) {
                        throw new IllegalStateException("cannot seed " + header);
                    }
                    n++;
                    header = null;
                }
                continue;
            }
            header = l;
            anon = false;
        }
        return n;
    }

    /** All of mm as /proc/PID/maps lines. */
    static List<String> mapsLines(Mm mm) {
        List<String> out = new ArrayList<>();
        for (Vma v : mm.vmas()) {
            out.add(TaskMmu.line(mm, v));
        }
        return out;
    }
}
