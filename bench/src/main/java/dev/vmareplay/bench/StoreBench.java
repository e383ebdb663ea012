package dev.vmareplay.bench;

import dev.vmareplay.reports.RunStore;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Storage candidates side by side (issue 13, lever 3): the same rows, stored into a fresh
 * database in one transaction by each way of loading DuckDB, timed to the commit.
 *
 * <p>{@code StoreBench SOURCE.duckdb WORKDIR [ROUNDS] [CANDIDATE...]}: reads the high-volume
 * tables of the newest run of SOURCE (a run of the real-workload trace stored by
 * {@code vmareplay replay}) into memory as columns, then for each candidate and round creates
 * WORKDIR/CANDIDATE.duckdb with vmareplay's schema, loads every table, commits and prints
 * wall seconds, the CPU seconds of the loading thread (what the storage thread would spend)
 * and of the whole process (DuckDB's own threads included). Candidates:
 * <ul>
 *   <li>{@code appender}: DuckDBAppender, one value at a time (the storage before issue 13);</li>
 *   <li>{@code arrow}: Arrow vectors of 4096 rows exported through the C data interface
 *       ({@code DuckDBConnection.registerArrowStream}) and {@code INSERT ... SELECT};</li>
 *   <li>{@code csv}: CSV files written by this thread, loaded with {@code COPY ... FROM}
 *       (DuckDB's parallel CSV reader).</li>
 * </ul>
 * Run it with the driver under test on the class path (1.5.x is the project's; swap the jar
 * for 2.0.x).
 */
public final class StoreBench {

    /** The tables the run's volume is in. */
    static final List<String> TABLES = List.of("processes", "events", "merge_events", "vma_timeline", "final_vmas",
            "peak_vmas", "divergences", "vma_lifecycle");

    /** One column held in memory: integers (with a null mask) or strings (null = NULL). */
    record Col(String name, String type, int kind, long[] longs, boolean[] nulls, String[] strings) {
        static final int LONG = 0, INT = 1, BYTE = 2, BOOL = 3;

        static int kindOf(String type) {
            return switch (type) {
                case "INTEGER" -> INT;
                case "TINYINT" -> BYTE;
                case "BOOLEAN" -> BOOL;
                default -> LONG;
            };
        }

        boolean isString() {
            return strings != null;
        }
    }

    record Table(String name, int rows, List<Col> cols) { }

    public static void main(String[] args) throws Exception {
        Path source = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> candidates = args.length > 3 ? Arrays.asList(args).subList(3, args.length) : List.of("appender", "arrow", "csv");
        Files.createDirectories(work);
        List<Table> tables = load(source);
        long rows = tables.stream().mapToLong(Table::rows).sum();
        System.out.printf("driver %s, %d rows (%s)%n", org.duckdb.DuckDBDriver.class.getPackage().getImplementationVersion(), rows,
                String.join(", ", tables.stream().map(t -> t.name() + " " + t.rows()).toList()));
        System.out.println("| candidate | round | wall s | loading thread CPU s | process CPU s | rows/s |");
        System.out.println("|---|---|---|---|---|---|");
        for (int r = 1; r <= rounds; r++) {
            for (String c : candidates) {
                Path db = work.resolve(c + ".duckdb");
                Files.deleteIfExists(db);
                Files.deleteIfExists(work.resolve(c + ".duckdb.wal"));
                RunStore.open(db).close();   // vmareplay's schema
                ThreadMXBean tm = ManagementFactory.getThreadMXBean();
                com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long p0 = os.getProcessCpuTime(), t0 = tm.getCurrentThreadCpuTime(), w0 = System.nanoTime();
                try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + db.toAbsolutePath());
                     Statement st = conn.createStatement()) {
                    st.execute("BEGIN TRANSACTION");
                    StringBuilder phases = new StringBuilder();
                    for (Table t : tables) {
                        long tt = tm.getCurrentThreadCpuTime();
                        switch (c) {
                            case "appender" -> appender(conn, t);
                            case "arrow" -> arrow(conn, t);
                            case "csv" -> csv(conn, t, work);
                            case "sql" -> sql(conn, t, source);
                            case "none" -> { }
                            default -> throw new IllegalArgumentException("unknown candidate " + c);
                        }
                        phases.append(String.format(" %s %.2f", t.name(), (tm.getCurrentThreadCpuTime() - tt) / 1e9));
                    }
                    long tc = tm.getCurrentThreadCpuTime(), wc = System.nanoTime();
                    st.execute("COMMIT");
                    phases.append(String.format(" commit %.2f (wall %.2f)", (tm.getCurrentThreadCpuTime() - tc) / 1e9, (System.nanoTime() - wc) / 1e9));
                    System.err.println(c + " thread CPU s:" + phases);
                }
                double wall = (System.nanoTime() - w0) / 1e9, thread = (tm.getCurrentThreadCpuTime() - t0) / 1e9, proc = (os.getProcessCpuTime() - p0) / 1e9;
                System.out.printf("| %s | %d | %.2f | %.2f | %.2f | %.2f M |%n", c, r, wall, thread, proc, rows / wall / 1e6);
            }
        }
    }

    /** The newest run's rows of every high-volume table, as columns. */
    static List<Table> load(Path source) throws SQLException {
        List<Table> out = new ArrayList<>();
        java.util.Properties p = new java.util.Properties();
        p.setProperty("duckdb.read_only", "true");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + source.toAbsolutePath(), p); Statement st = c.createStatement()) {
            long run;
            try (ResultSet rs = st.executeQuery("SELECT max(run_id) FROM runs")) {
                rs.next();
                run = rs.getLong(1);
            }
            for (String name : TABLES) {
                int n;
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + name + " WHERE run_id = " + run)) {
                    rs.next();
                    n = rs.getInt(1);
                }
                List<Col> cols = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT * FROM " + name + " WHERE run_id = " + run)) {
                    ResultSetMetaData md = rs.getMetaData();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        String type = md.getColumnTypeName(i);
                        boolean str = type.equals("VARCHAR");
                        cols.add(new Col(md.getColumnName(i), type, Col.kindOf(type), str ? null : new long[n], str ? null : new boolean[n], str ? new String[n] : null));
                    }
                    int row = 0;
                    while (rs.next()) {
                        for (int i = 0; i < cols.size(); i++) {
                            Col col = cols.get(i);
                            Object o = rs.getObject(i + 1);
                            if (col.isString()) col.strings()[row] = (String) o;
                            else if (o == null) col.nulls()[row] = true;
                            else if (o instanceof Boolean b) col.longs()[row] = b ? 1 : 0;
                            else if (o instanceof BigInteger b) col.longs()[row] = b.longValue();
                            else col.longs()[row] = ((Number) o).longValue();
                        }
                        row++;
                    }
                }
                out.add(new Table(name, n, cols));
            }
        }
        return out;
    }

    /**
     * The floor: DuckDB copying the same rows from the source file into this one by itself
     * (no Java in the loop).
     */
    static void sql(Connection conn, Table t, Path source) throws SQLException {
        try (Statement st = conn.createStatement()) {
            if (t.name().equals(TABLES.get(0))) st.execute("ATTACH '" + source.toAbsolutePath() + "' AS src (READ_ONLY)");
            st.execute("INSERT INTO " + t.name() + " SELECT * FROM src." + t.name()
                    + " WHERE run_id = (SELECT max(run_id) FROM src.runs)");
        }
    }

    static void appender(Connection conn, Table t) throws SQLException {
        try (DuckDBAppender a = conn.unwrap(DuckDBConnection.class).createAppender("main", t.name())) {
            List<Col> cols = t.cols();
            for (int r = 0; r < t.rows(); r++) {
                a.beginRow();
                for (Col c : cols) {
                    if (c.isString()) {
                        String s = c.strings()[r];
                        if (s == null) a.appendNull(); else a.append(s);
                    } else if (c.nulls()[r]) {
                        a.appendNull();
                    } else {
                        long v = c.longs()[r];
                        switch (c.kind()) {
                            case Col.INT -> a.append((int) v);
                            case Col.BYTE -> a.append((byte) v);
                            case Col.BOOL -> a.append(v != 0);
                            default -> a.append(v);
                        }
                    }
                }
                a.endRow();
            }
        }
    }

    static final int BATCH = 4096;

    static void arrow(Connection conn, Table t) throws SQLException, IOException {
        try (BufferAllocator alloc = new RootAllocator();
             ArrowArrayStream stream = ArrowArrayStream.allocateNew(alloc)) {
            Data.exportArrayStream(alloc, new ColumnsReader(alloc, t), stream);
            String view = "vmareplay_arrow_" + t.name();
            conn.unwrap(DuckDBConnection.class).registerArrowStream(view, stream);
            try (Statement st = conn.createStatement()) {
                st.execute("INSERT INTO " + t.name() + " SELECT * FROM " + view);
            }
        }
    }

    /** Hands a table's columns to Arrow BATCH rows at a time. */
    static final class ColumnsReader extends ArrowReader {
        private final Table t;
        private int next;

        ColumnsReader(BufferAllocator alloc, Table t) {
            super(alloc);
            this.t = t;
        }

        @Override
        protected Schema readSchema() {
            List<Field> fields = new ArrayList<>();
            for (Col c : t.cols()) fields.add(new Field(c.name(), FieldType.nullable(arrowType(c.type())), null));
            return new Schema(fields);
        }

        static ArrowType arrowType(String type) {
            return switch (type) {
                case "VARCHAR" -> ArrowType.Utf8.INSTANCE;
                case "UBIGINT" -> new ArrowType.Int(64, false);
                case "INTEGER" -> new ArrowType.Int(32, true);
                case "TINYINT" -> new ArrowType.Int(8, true);
                case "BOOLEAN" -> ArrowType.Bool.INSTANCE;
                default -> new ArrowType.Int(64, true);
            };
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            if (next >= t.rows()) return false;
            int n = Math.min(BATCH, t.rows() - next);
            VectorSchemaRoot root = getVectorSchemaRoot();
            List<FieldVector> vs = root.getFieldVectors();
            for (FieldVector v : vs) v.setInitialCapacity(n);
            root.allocateNew();
            for (int i = 0; i < vs.size(); i++) {
                Col c = t.cols().get(i);
                FieldVector v = vs.get(i);
                for (int r = 0; r < n; r++) {
                    int row = next + r;
                    if (c.isString()) {
                        String s = c.strings()[row];
                        if (s == null) v.setNull(r); else ((VarCharVector) v).setSafe(r, s.getBytes(StandardCharsets.UTF_8));
                    } else if (c.nulls()[row]) {
                        v.setNull(r);
                    } else {
                        long x = c.longs()[row];
                        if (v instanceof UInt8Vector u) u.set(r, x);
                        else if (v instanceof BigIntVector b) b.set(r, x);
                        else if (v instanceof IntVector b) b.set(r, (int) x);
                        else if (v instanceof TinyIntVector b) b.set(r, (byte) x);
                        else if (v instanceof BitVector b) b.set(r, (int) x);
                        else throw new IllegalStateException(v.getClass().getName());
                    }
                }
                v.setValueCount(n);
            }
            root.setRowCount(n);
            next += n;
            return true;
        }

        @Override
        public long bytesRead() {
            return 0;
        }

        @Override
        protected void closeReadSource() { }
    }

    static void csv(Connection conn, Table t, Path work) throws SQLException, IOException {
        Path f = work.resolve(t.name() + ".csv");
        try (BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            StringBuilder sb = new StringBuilder(256);
            for (int r = 0; r < t.rows(); r++) {
                sb.setLength(0);
                for (int i = 0; i < t.cols().size(); i++) {
                    Col c = t.cols().get(i);
                    if (i > 0) sb.append(',');
                    if (c.isString()) {
                        String s = c.strings()[r];
                        if (s != null) {
                            sb.append('"');
                            for (int k = 0; k < s.length(); k++) {
                                char ch = s.charAt(k);
                                if (ch == '"') sb.append('"');
                                sb.append(ch);
                            }
                            sb.append('"');
                        }
                    } else if (!c.nulls()[r]) {
                        long v = c.longs()[r];
                        if (c.type().equals("UBIGINT")) sb.append(Long.toUnsignedString(v));
                        else if (c.type().equals("BOOLEAN")) sb.append(v != 0);
                        else sb.append(v);
                    }
                }
                sb.append('\n');
                w.append(sb);
            }
        }
        try (Statement st = conn.createStatement()) {
            st.execute("COPY " + t.name() + " FROM '" + f + "' (FORMAT csv, HEADER false, QUOTE '\"', ESCAPE '\"')");
        }
        Files.delete(f);
    }

    private StoreBench() { }
}
