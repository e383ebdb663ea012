package dev.vmareplay.ingest.parse;

import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.IngestStats.LineClass;
import dev.vmareplay.ingest.MalformedTraceException;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.FileRef;
import dev.vmareplay.ingest.event.Source;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads the canonical event CSV written by {@link dev.vmareplay.ingest.CsvEventWriter}. */
public final class CsvEventReader implements RawSource {
    private final String file;
    private final InputStream in;
    private final IngestOptions options;
    private final IngestStats stats = new IngestStats();
    private final CSVParser parser;
    private final Iterator<CSVRecord> it;
    private final Map<String, Integer> col = new HashMap<>();

    public CsvEventReader(String file, InputStream in, IngestOptions options) throws IOException {
        this.file = file;
        this.in = in;
        this.options = options;
        stats.format("csv");
        this.parser = CSVParser.builder().setReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                .setFormat(CSVFormat.DEFAULT).get();
        this.it = parser.iterator();
        if (it.hasNext()) {
            CSVRecord h = it.next();
            for (int i = 0; i < h.size(); i++) col.put(h.get(i), i);
            stats.count(LineClass.IGNORED);
            for (String need : List.of("seq", "tid", "syscall", "ret")) {
                if (!col.containsKey(need)) throw new dev.vmareplay.ingest.IngestException(file, "CSV header lacks column '" + need + "'");
            }
        }
    }

    private String s(CSVRecord r, String name) {
        Integer i = col.get(name);
        if (i == null || i >= r.size()) return "";
        return r.get(i);
    }

    private long l(CSVRecord r, String name, long dflt) {
        String v = s(r, name);
        if (v.isEmpty()) return dflt;
        try {
            return v.charAt(0) == '-' ? Long.parseLong(v) : Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in column " + name + ": '" + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "'");
        }
    }

    private int i(CSVRecord r, String name, int dflt) {
        return (int) l(r, name, dflt);
    }

    private String str(CSVRecord r, String name) {
        String v = s(r, name);
        return v.isEmpty() ? null : v;
    }

    @Override
    public Object next() throws IOException {
        while (true) {
            CSVRecord r;
            long line = parser.getCurrentLineNumber() + 1; // where the next record starts
            try {
                if (!it.hasNext()) return null;
                r = it.next();
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof org.apache.commons.csv.CSVException)) {
                    throw new dev.vmareplay.ingest.IngestException(file, "cannot read: " + e.getCause().getMessage(), e.getCause());
                }
                // commons-csv cannot resynchronise after broken quoting: the rest of the file is one malformed line
                malformed(line, "", "broken CSV quoting (rest of the file skipped): " + e.getCause().getMessage());
                return null;
            } catch (IllegalStateException e) {
                malformed(line, "", "broken CSV quoting (rest of the file skipped): " + e.getMessage());
                return null;
            }
            try {
                Event e = event(r);
                stats.count(LineClass.PARSED);
                return e;
            } catch (RuntimeException ex) {
                malformed(line, String.join(",", r.values()), ex.getMessage() == null ? ex.toString() : ex.getMessage());
            }
        }
    }

    private void malformed(long line, String text, String problem) throws MalformedTraceException {
        stats.malformed(file, line, text, problem);
        if (options.strict()) throw new MalformedTraceException(file, line, text, problem);
    }

    private Event event(CSVRecord r) {
        String sc = s(r, "syscall");
        long addr = l(r, "addr", 0), len = l(r, "len", 0);
        int prot = i(r, "prot", 0), flags = i(r, "flags", 0);
        Call c = s(r, "name").equals(Call.ResultOnly.CSV_MARK) ? new Call.ResultOnly(sc) : switch (sc) {
            case "mmap" -> {
                String fid = s(r, "file_id");
                FileRef f = fid.isEmpty() ? null : new FileRef(Long.parseLong(fid), str(r, "file_path"), Boolean.parseBoolean(s(r, "file_path_only")),
                        Boolean.parseBoolean(s(r, "file_read_only")));
                yield new Call.Mmap(addr, len, prot, flags, i(r, "fd", -1), l(r, "offset", 0), f);
            }
            case "munmap" -> new Call.Munmap(addr, len);
            case "mprotect", "pkey_mprotect" -> new Call.Mprotect(addr, len, prot, i(r, "pkey", -1));
            case "madvise", "process_madvise" -> new Call.Madvise(addr, len, i(r, "advice", 0), i(r, "target_pid", 0));
            case "mlock", "mlock2" -> new Call.Mlock(addr, len, flags, sc.equals("mlock2"));
            case "munlock" -> new Call.Munlock(addr, len);
            case "mlockall" -> new Call.Mlockall(flags);
            case "munlockall" -> new Call.Munlockall();
            case "mremap" -> new Call.Mremap(addr, len, l(r, "new_len", 0), flags, l(r, "new_addr", 0));
            case "brk" -> new Call.Brk(addr);
            case "mseal" -> new Call.Mseal(addr, len, l(r, "flags", 0));
            case "prctl" -> new Call.SetVmaName(addr, len, str(r, "name"));
            case "mbind" -> new Call.Mbind(addr, len, i(r, "mode", 0), l(r, "nodemask", 0));
            case "remap_file_pages" -> new Call.RemapFilePages(addr, len, prot, l(r, "offset", 0), flags);
            case "shmat" -> new Call.Shmat(i(r, "shmid", 0), addr, flags);
            case "shmdt" -> new Call.Shmdt(addr);
            case "clone", "clone3", "fork", "vfork" -> new Call.Clone(sc, l(r, "flags", 0));
            case "execve", "execveat" -> new Call.Execve(sc, str(r, "file_path"));
            case "exit", "exit_group" -> new Call.Exit(sc.equals("exit_group"), i(r, "exit_status", 0));
            case "minfault", "majfault" -> new Call.PageFault(addr, sc.equals("majfault"),
                    s(r, "access").isEmpty() ? Call.PageFault.Access.UNKNOWN : Call.PageFault.Access.valueOf(s(r, "access")), str(r, "name"));
            case "mmap_lock" -> new Call.MmapLock(addr, str(r, "name"));
            case "ioctl" -> new Call.UffdRegister(addr, len, l(r, "mode", 0), flags != 0, l(r, "fd", 0));
            default -> throw new IllegalArgumentException("unknown syscall '" + sc + "'");
        };
        String stack = s(r, "stack");
        List<String> frames = stack.isEmpty() ? List.of() : Arrays.asList(stack.split("\n", -1));
        String src = s(r, "source");
        long line = l(r, "line", r.getRecordNumber() + 1);
        return new Event(l(r, "seq", -1), l(r, "ts_ns", Event.NO_TIME), i(r, "pid", 0), i(r, "tid", 0), c,
                l(r, "ret", 0), i(r, "errno", 0), !s(r, "ret_known").equals("false"), l(r, "duration_ns", Event.NO_TIME),
                new Source(src.isEmpty() ? file : src, line), List.copyOf(frames));
    }

    @Override
    public IngestStats stats() {
        return stats;
    }

    @Override
    public void close() throws IOException {
        parser.close();
        in.close();
    }
}
