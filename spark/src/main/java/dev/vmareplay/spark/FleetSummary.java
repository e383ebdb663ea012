package dev.vmareplay.spark;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet summary, computed with Spark SQL over the job's own Parquet output and written
 * beside it as the small table {@code OUT/fleet_summary/}. One row per figure:
 * <pre>
 *   section   scope     name                 n       traces  p50_ns … max_ns, histogram
 *   runs                traces | replayed | failed | events
 *   failure             malformed | unreadable | storage | internal
 *   case                new_none, split, …   engine events of that kind, in how many traces
 *   refusal             anon_vma, flags, …   refused merges by reason
 *   latency   syscall   mmap, …              values; percentiles of the merged HdrHistogram
 * </pre>
 */
final class FleetSummary {

    static final String TABLE = "fleet_summary";

    static final StructType SCHEMA = new StructType()
            .add("section", DataTypes.StringType, false)
            .add("scope", DataTypes.StringType)
            .add("name", DataTypes.StringType, false)
            .add("n", DataTypes.LongType)
            .add("traces", DataTypes.LongType)
            .add("p50_ns", DataTypes.LongType)
            .add("p90_ns", DataTypes.LongType)
            .add("p99_ns", DataTypes.LongType)
            .add("p999_ns", DataTypes.LongType)
            .add("max_ns", DataTypes.LongType)
            .add("histogram", DataTypes.BinaryType);

    private static final String NO_LATENCY =
            "CAST(NULL AS BIGINT) AS p50_ns, CAST(NULL AS BIGINT) AS p90_ns, CAST(NULL AS BIGINT) AS p99_ns,"
                    + " CAST(NULL AS BIGINT) AS p999_ns, CAST(NULL AS BIGINT) AS max_ns, CAST(NULL AS BINARY) AS histogram";

    private FleetSummary() { }

    /** Computes the summary of the runs under {@code out}, writes it to {@code out/fleet_summary/} and returns its rows. */
    static List<Row> compute(SparkSession spark, String out, List<TraceResult> results) throws IOException {
        HdrHistograms.register(spark);
        FileSystem fs = new Path(out).getFileSystem(spark.sparkContext().hadoopConfiguration());
        List<String> parts = new ArrayList<>();
        if (view(spark, fs, out, "runs")) {
            parts.add("SELECT 'runs' AS section, CAST(NULL AS STRING) AS scope, 'events' AS name, CAST(coalesce(sum(events), 0) AS BIGINT) AS n,"
                    + " count_if(error IS NULL) AS traces, " + NO_LATENCY + " FROM fleet_runs");
        }
        if (view(spark, fs, out, "merge_events")) {
            parts.add("SELECT 'case', NULL, kind, count(*), count(DISTINCT run_id), " + NO_LATENCY
                    + " FROM fleet_merge_events GROUP BY kind");
            parts.add("SELECT 'refusal', NULL, reason, count(*), count(DISTINCT run_id), " + NO_LATENCY
                    + " FROM fleet_merge_events WHERE kind = 'refused' GROUP BY reason");
        }
        if (view(spark, fs, out, "latency")) {
            parts.add("""
                    SELECT 'latency', scope, name, n, traces,
                           hdr_value_at(h, 50.0D), hdr_value_at(h, 90.0D), hdr_value_at(h, 99.0D), hdr_value_at(h, 99.9D),
                           hdr_max(h), h
                    FROM (SELECT scope, name, CAST(sum(`count`) AS BIGINT) AS n, count(DISTINCT run_id) AS traces,
                                 hdr_merge(histogram) AS h
                          FROM fleet_latency GROUP BY scope, name)""");
        }
        List<Row> rows = new ArrayList<>(runRows(results));
        for (String sql : parts) rows.addAll(spark.sql(sql).collectAsList());
        rows.sort(ORDER);
        // the rows are few (kinds, reasons, latency names): written from the driver in one file
        spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(new Path(out, TABLE).toString());
        return rows;
    }

    private static final List<String> SECTIONS = List.of("runs", "failure", "case", "refusal", "latency");
    /** Sections in their order; within case, refusal and latency by scope and name (runs and failures stay as listed). */
    private static final Comparator<Row> ORDER = Comparator.comparingInt((Row r) -> SECTIONS.indexOf(r.getString(0)))
            .thenComparing(r -> sortKey(r, 1)).thenComparing(r -> sortKey(r, 2));

    private static String sortKey(Row r, int field) {
        return SECTIONS.indexOf(r.getString(0)) < 2 || r.isNullAt(field) ? "" : r.getString(field);
    }

    /** The runs and failure rows, from what the tasks reported. */
    private static List<Row> runRows(List<TraceResult> results) {
        long failed = results.stream().filter(r -> !r.ok()).count();
        Map<TraceResult.Failure, Long> byFailure = new EnumMap<>(TraceResult.Failure.class);
        for (TraceResult r : results) if (!r.ok()) byFailure.merge(r.failure(), 1L, Long::sum);
        List<Row> rows = new ArrayList<>();
        rows.add(row("runs", "traces", results.size()));
        rows.add(row("runs", "replayed", results.size() - failed));
        rows.add(row("runs", "failed", failed));
        for (Map.Entry<TraceResult.Failure, Long> e : byFailure.entrySet()) rows.add(row("failure", e.getKey().storageName(), e.getValue()));
        return rows;
    }

    private static Row row(String section, String name, long n) {
        return RowFactory.create(section, null, name, n, null, null, null, null, null, null, null);
    }

    /** Registers {@code fleet_TABLE} over {@code out/TABLE/} when the job wrote that table. */
    private static boolean view(SparkSession spark, FileSystem fs, String out, String table) throws IOException {
        Path dir = new Path(out, table);
        if (!fs.exists(dir)) return false;
        spark.read().parquet(dir.toString()).createOrReplaceTempView("fleet_" + table);
        return true;
    }

    /** Prints the summary: the runs, the case mix, the refusals and the syscalls' fleet latency. */
    static void print(PrintWriter out, List<Row> rows, List<TraceResult> results) {
        long traces = get(rows, "runs", "traces"), failed = get(rows, "runs", "failed");
        StringBuilder why = new StringBuilder();
        for (Row r : rows) {
            if (r.getString(0).equals("failure")) why.append(why.length() == 0 ? " (" : ", ").append(r.getString(2)).append(' ').append(r.getLong(3));
        }
        if (why.length() > 0) why.append(')');
        Row events = find(rows, "runs", "events");
        out.printf("fleet: %d traces, %d replayed, %d failed%s; %d events%n", traces, traces - failed, failed, why,
                events == null ? 0 : events.getLong(3));
        int shown = 0;
        for (TraceResult r : results) {
            if (r.ok()) continue;
            if (shown++ == 20) {
                out.printf("  ... and %d more failed traces (SELECT * FROM runs WHERE error IS NOT NULL)%n", failed - 20);
                break;
            }
            out.printf("  failed run %d: %s: %s%n", r.runId(), r.failure().storageName(), r.error().lines().findFirst().orElse(""));
        }
        table(out, rows, "case", "engine events by kind, all traces");
        table(out, rows, "refusal", "refused merges by reason");
        out.println("syscall latency over the fleet (merged HdrHistograms):");
        out.printf("  %-22s %12s %12s %12s %12s %12s%n", "syscall", "count", "p50_ns", "p90_ns", "p99_ns", "max_ns");
        for (Row r : rows) {
            if (!r.getString(0).equals("latency") || !"syscall".equals(r.getString(1))) continue;
            out.printf("  %-22s %12d %12d %12d %12d %12d%n", r.getString(2), r.getLong(3), r.getLong(5), r.getLong(6), r.getLong(7), r.getLong(9));
        }
        out.flush();
    }

    private static void table(PrintWriter out, List<Row> rows, String section, String title) {
        out.println(title + ":");
        out.printf("  %-26s %12s %8s%n", "name", "n", "traces");
        for (Row r : rows) {
            if (r.getString(0).equals(section)) out.printf("  %-26s %12d %8d%n", r.getString(2), r.getLong(3), r.getLong(4));
        }
    }

    private static Row find(List<Row> rows, String section, String name) {
        for (Row r : rows) if (r.getString(0).equals(section) && r.getString(2).equals(name)) return r;
        return null;
    }

    private static long get(List<Row> rows, String section, String name) {
        Row r = find(rows, section, name);
        return r == null ? 0 : r.getLong(3);
    }
}
