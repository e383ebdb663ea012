package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.FileRef;
import org.apache.commons.csv.CSVFormat;

import java.io.IOException;
import java.io.OutputStream;
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

    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();

    // Rows are formatted straight into bytes (UTF-8): numbers without Strings, and text cells
    // that need no quoting copied as they are; a cell that needs quoting goes through
    // commons-csv's own printer, so the output is byte for byte what CSVPrinter writes.
    private final OutputStream os;   // one of os / writer
    private final Writer writer;
    private byte[] buf = new byte[1 << 16];
    private int n;
    private final StringBuilder quoted = new StringBuilder();

    public CsvEventWriter(Writer out) throws IOException {
        this.os = null;
        this.writer = out;
        header();
    }

    public CsvEventWriter(OutputStream out) throws IOException {
        this.os = out;
        this.writer = null;
        header();
    }

    private void header() throws IOException {
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (i > 0) put((byte) ',');
            text(COLUMNS.get(i), i == 0);
        }
        endRow();
    }

    // ---- byte formatting ---------------------------------------------------------------

    private void room(int k) {
        if (n + k > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + k));
    }

    private void put(byte b) {
        room(1);
        buf[n++] = b;
    }

    private void comma() {
        put((byte) ',');
    }

    /** Signed decimal. */
    private void dec(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) { ascii(Long.toString(v)); return; }
            put((byte) '-');
            v = -v;
        }
        room(20);
        int start = n;
        do {
            buf[n++] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        reverse(start);
    }

    /** Unsigned decimal. */
    private void u(long v) {
        if (v >= 0) { dec(v); return; }
        room(20);
        int start = n;
        long q = (v >>> 1) / 5; // unsigned v / 10
        int r = (int) (v - q * 10);
        buf[n++] = (byte) ('0' + r);
        v = q;
        while (v != 0) {
            buf[n++] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        }
        reverse(start);
    }

    private void reverse(int start) {
        for (int i = start, j = n - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    private void ascii(String s) {
        int len = s.length();
        room(len);
        for (int i = 0; i < len; i++) buf[n++] = (byte) s.charAt(i);
    }

    /** A text cell: as is when commons-csv (MINIMAL quoting) would not quote it, else through its printer. */
    private void text(String s, boolean first) throws IOException {
        int len = s.length();
        if (len == 0) {
            if (first) quoteWithCommonsCsv(s);
            return;
        }
        boolean plain = s.charAt(0) > '#' && s.charAt(len - 1) > ' ';
        boolean ascii = true;
        for (int i = 0; plain && i < len; i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '"' || c == ',') plain = false;
            else if (c >= 0x80) ascii = false;
        }
        if (!plain) {
            quoteWithCommonsCsv(s);
        } else if (ascii) {
            ascii(s);
        } else {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            room(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }
    }

    private void quoteWithCommonsCsv(String s) throws IOException {
        quoted.setLength(0);
        FORMAT.print(s, quoted, true); // newRecord: no delimiter in front (written already); only decides quoting of ""
        byte[] b = quoted.toString().getBytes(StandardCharsets.UTF_8);
        room(b.length);
        System.arraycopy(b, 0, buf, n, b.length);
        n += b.length;
    }

    private void endRow() throws IOException {
        put((byte) '\n');
        if (n >= (1 << 16) - 4096) drain();
    }

    private void drain() throws IOException {
        if (n == 0) return;
        if (os != null) os.write(buf, 0, n);
        else writer.write(new String(buf, 0, n, StandardCharsets.UTF_8));
        n = 0;
    }

    public void write(Event e) throws IOException {
        dec(e.seq());
        comma();
        if (e.tsNs() != Event.NO_TIME) dec(e.tsNs());
        comma();
        dec(e.pid());
        comma();
        dec(e.tid());
        comma();
        text(e.syscall(), false);
        // columns ADDR .. EXIT_STATUS: each call fills its own
        Call c = e.call();
        boolean readOnly = false;
        int col = ADDR; // next column to open (its comma not yet written)
        if (c instanceof Call.Mmap m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
            col = cell(col, PROT); dec(m.prot());
            col = cell(col, FLAGS); dec(m.flags());
            col = cell(col, FD); dec(m.fd());
            col = cell(col, OFFSET); u(m.offset());
            FileRef f = m.file();
            if (f != null) {
                col = cell(col, FILE_ID); dec(f.id());
                col = cell(col, FILE_PATH); if (f.path() != null) text(f.path(), false);
                col = cell(col, FILE_PATH_ONLY); ascii(f.fromPathOnly() ? "true" : "false");
                readOnly = f.readOnly();
            }
        } else if (c instanceof Call.Munmap m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
        } else if (c instanceof Call.Mprotect m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
            col = cell(col, PROT); dec(m.prot());
            col = cell(col, PKEY); dec(m.pkey());
        } else if (c instanceof Call.Madvise m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
            col = cell(col, ADVICE); dec(m.advice());
            col = cell(col, TARGET_PID); dec(m.targetPid());
        } else if (c instanceof Call.Mlock m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
            col = cell(col, FLAGS); dec(m.flags());
        } else if (c instanceof Call.Munlock m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
        } else if (c instanceof Call.Mlockall m) {
            col = cell(col, FLAGS); dec(m.flags());
        } else if (c instanceof Call.Mremap m) {
            col = cell(col, ADDR); u(m.oldAddr());
            col = cell(col, LEN); u(m.oldLen());
            col = cell(col, FLAGS); dec(m.flags());
            col = cell(col, NEW_LEN); u(m.newLen());
            col = cell(col, NEW_ADDR); u(m.newAddr());
        } else if (c instanceof Call.Brk m) {
            col = cell(col, ADDR); u(m.addr());
        } else if (c instanceof Call.Mseal m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
            col = cell(col, FLAGS); dec(m.flags());
        } else if (c instanceof Call.SetVmaName m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
            col = cell(col, NAME); if (m.vmaName() != null) text(m.vmaName(), false);
        } else if (c instanceof Call.Mbind m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
            col = cell(col, MODE); dec(m.mode());
            col = cell(col, NODEMASK); u(m.nodemask());
        } else if (c instanceof Call.RemapFilePages m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.size());
            col = cell(col, PROT); dec(m.prot());
            col = cell(col, FLAGS); dec(m.flags());
            col = cell(col, OFFSET); u(m.pgoff());
        } else if (c instanceof Call.Shmat m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, FLAGS); dec(m.flags());
            col = cell(col, SHMID); dec(m.shmid());
        } else if (c instanceof Call.Shmdt m) {
            col = cell(col, ADDR); u(m.addr());
        } else if (c instanceof Call.Clone m) {
            col = cell(col, FLAGS); dec(m.flags());
        } else if (c instanceof Call.Execve m) {
            col = cell(col, FILE_PATH); if (m.path() != null) text(m.path(), false);
        } else if (c instanceof Call.Exit m) {
            col = cell(col, EXIT_STATUS); dec(m.status());
        } else if (c instanceof Call.PageFault m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, NAME); if (m.target() != null) text(m.target(), false);
            col = cell(col, ACCESS); ascii(m.access().name());
        } else if (c instanceof Call.ResultOnly) {
            col = cell(col, NAME); ascii(Call.ResultOnly.CSV_MARK);
        } else if (c instanceof Call.MmapLock m) {
            col = cell(col, ADDR); u(m.mm());
            col = cell(col, NAME); if (m.during() != null) text(m.during(), false);
        } else if (c instanceof Call.UffdRegister m) {
            col = cell(col, ADDR); u(m.addr());
            col = cell(col, LEN); u(m.len());
            col = cell(col, FLAGS); put(m.register() ? (byte) '1' : (byte) '0');
            col = cell(col, FD); dec(m.ctx());
            col = cell(col, MODE); dec(m.mode());
        }
        cell(col, RET); dec(e.ret());
        comma(); dec(e.errno());
        comma(); ascii(e.retKnown() ? "true" : "false");
        comma(); if (e.durationNs() != Event.NO_TIME) dec(e.durationNs());
        comma(); if (e.source() != null) text(e.source().file(), false);
        comma(); if (e.source() != null) dec(e.source().line());
        comma();
        List<String> stack = e.stack();
        if (!stack.isEmpty()) text(stack.size() == 1 ? stack.get(0) : String.join("\n", stack), false);
        comma();
        if (readOnly) ascii("true");
        endRow();
    }

    /** Writes the commas from column {@code from} (not yet opened) up to and opening {@code to}; returns to + 1. */
    private int cell(int from, int to) {
        if (to < from) throw new IllegalStateException("columns out of order: " + to + " after " + from);
        for (int i = from; i <= to; i++) put((byte) ',');
        return to + 1;
    }

    public void flush() throws IOException {
        drain();
        if (os != null) os.flush(); else writer.flush();
    }

    @Override
    public void close() throws IOException {
        drain();
        if (os != null) os.close(); else writer.close();
    }
}
