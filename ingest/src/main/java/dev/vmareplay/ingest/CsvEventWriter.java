package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.FileRef;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes events as the canonical CSV: a header row ({@link #COLUMNS}) and one row per event.
 * The syscall column names the call; each call fills only its own argument columns (the
 * others stay empty). Addresses, lengths and offsets are unsigned decimal; ret is signed
 * decimal; absent values (timestamps, durations, null names/paths) are empty cells, so an
 * empty name reads back as null; stack frames are joined with newlines.
 * {@link Ingest#open} reads it back (format CSV, or auto) into identical events.
 */
public final class CsvEventWriter implements AutoCloseable {

    public static final List<String> COLUMNS = List.of(
            "seq", "ts_ns", "pid", "tid", "syscall",
            "addr", "len", "prot", "flags", "fd", "offset", "new_len", "new_addr", "advice", "target_pid", "pkey",
            "mode", "nodemask", "shmid", "name", "access", "file_id", "file_path", "file_path_only", "exit_status",
            "ret", "errno", "ret_known", "duration_ns", "source", "line", "stack", "file_read_only");

    static final int SEQ = 0, TS = 1, PID = 2, TID = 3, SYSCALL = 4, ADDR = 5, LEN = 6, PROT = 7, FLAGS = 8, FD = 9,
            OFFSET = 10, NEW_LEN = 11, NEW_ADDR = 12, ADVICE = 13, TARGET_PID = 14, PKEY = 15, MODE = 16, NODEMASK = 17,
            SHMID = 18, NAME = 19, ACCESS = 20, FILE_ID = 21, FILE_PATH = 22, FILE_PATH_ONLY = 23, EXIT_STATUS = 24,
            RET = 25, ERRNO = 26, RET_KNOWN = 27, DURATION = 28, SOURCE = 29, LINE = 30, STACK = 31, FILE_READ_ONLY = 32;

    private final CSVPrinter printer;
    private final String[] row = new String[COLUMNS.size()];

    public CsvEventWriter(Writer out) throws IOException {
        this.printer = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get());
        printer.printRecord(COLUMNS);
    }

    public CsvEventWriter(OutputStream out) throws IOException {
        this(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16));
    }

    private static String u(long v) {
        return Long.toUnsignedString(v);
    }

    public void write(Event e) throws IOException {
        Arrays.fill(row, "");
        row[SEQ] = Long.toString(e.seq());
        row[TS] = e.tsNs() == Event.NO_TIME ? "" : Long.toString(e.tsNs());
        row[PID] = Integer.toString(e.pid());
        row[TID] = Integer.toString(e.tid());
        row[SYSCALL] = e.syscall();
        Call c = e.call();
        if (c instanceof Call.Mmap m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len()); row[PROT] = Integer.toString(m.prot());
            row[FLAGS] = Integer.toString(m.flags()); row[FD] = Integer.toString(m.fd()); row[OFFSET] = u(m.offset());
            FileRef f = m.file();
            if (f != null) {
                row[FILE_ID] = Long.toString(f.id());
                row[FILE_PATH] = f.path() == null ? "" : f.path();
                row[FILE_PATH_ONLY] = Boolean.toString(f.fromPathOnly());
                if (f.readOnly()) row[FILE_READ_ONLY] = "true";
            }
        } else if (c instanceof Call.Munmap m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len());
        } else if (c instanceof Call.Mprotect m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len()); row[PROT] = Integer.toString(m.prot()); row[PKEY] = Integer.toString(m.pkey());
        } else if (c instanceof Call.Madvise m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len()); row[ADVICE] = Integer.toString(m.advice()); row[TARGET_PID] = Integer.toString(m.targetPid());
        } else if (c instanceof Call.Mlock m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len()); row[FLAGS] = Integer.toString(m.flags());
        } else if (c instanceof Call.Munlock m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len());
        } else if (c instanceof Call.Mlockall m) {
            row[FLAGS] = Integer.toString(m.flags());
        } else if (c instanceof Call.Mremap m) {
            row[ADDR] = u(m.oldAddr()); row[LEN] = u(m.oldLen()); row[NEW_LEN] = u(m.newLen());
            row[FLAGS] = Integer.toString(m.flags()); row[NEW_ADDR] = u(m.newAddr());
        } else if (c instanceof Call.Brk m) {
            row[ADDR] = u(m.addr());
        } else if (c instanceof Call.Mseal m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len()); row[FLAGS] = Long.toString(m.flags());
        } else if (c instanceof Call.SetVmaName m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len());
            row[NAME] = m.vmaName() == null ? "" : m.vmaName();
        } else if (c instanceof Call.Mbind m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len()); row[MODE] = Integer.toString(m.mode()); row[NODEMASK] = u(m.nodemask());
        } else if (c instanceof Call.RemapFilePages m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.size()); row[PROT] = Integer.toString(m.prot());
            row[OFFSET] = u(m.pgoff()); row[FLAGS] = Integer.toString(m.flags());
        } else if (c instanceof Call.Shmat m) {
            row[SHMID] = Integer.toString(m.shmid()); row[ADDR] = u(m.addr()); row[FLAGS] = Integer.toString(m.flags());
        } else if (c instanceof Call.Shmdt m) {
            row[ADDR] = u(m.addr());
        } else if (c instanceof Call.Clone m) {
            row[FLAGS] = Long.toString(m.flags());
        } else if (c instanceof Call.Execve m) {
            row[FILE_PATH] = m.path() == null ? "" : m.path();
        } else if (c instanceof Call.Exit m) {
            row[EXIT_STATUS] = Integer.toString(m.status());
        } else if (c instanceof Call.PageFault m) {
            row[ADDR] = u(m.addr()); row[ACCESS] = m.access().name();
            row[NAME] = m.target() == null ? "" : m.target();
        } else if (c instanceof Call.UffdRegister m) {
            row[ADDR] = u(m.addr()); row[LEN] = u(m.len()); row[MODE] = Long.toString(m.mode());
            row[FLAGS] = m.register() ? "1" : "0"; row[FD] = Long.toString(m.ctx());
        }
        row[RET] = Long.toString(e.ret());
        row[ERRNO] = Integer.toString(e.errno());
        row[RET_KNOWN] = Boolean.toString(e.retKnown());
        row[DURATION] = e.durationNs() == Event.NO_TIME ? "" : Long.toString(e.durationNs());
        row[SOURCE] = e.source() == null ? "" : e.source().file();
        row[LINE] = e.source() == null ? "" : Long.toString(e.source().line());
        row[STACK] = String.join("\n", e.stack());
        printer.printRecord((Object[]) row);
    }

    public void flush() throws IOException {
        printer.flush();
    }

    @Override
    public void close() throws IOException {
        printer.close();
    }
}
