package dev.vmareplay.spark;

import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.replay.ReplayOptions;
import dev.vmareplay.replay.ReplayPart;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The fleet job: {@code vmareplay replay} over many traces on Apache Spark, one task per
 * trace, each running the project's own ingest, replay and storage code ({@link TraceTask}).
 * The output is what {@code vmareplay export --parquet} writes for a database holding one run
 * per trace ({@code OUT/TABLE/run_id=N/*.parquet}), plus the fleet summary
 * ({@link FleetSummary}, {@code OUT/fleet_summary/}).
 *
 * <pre>
 *   driver: list traces ──► one task per trace ──► collect (run id, error) ──► summary (Spark SQL)
 *                              │ ingest, replay into a private DuckDB, export, copy to OUT
 *           a trace above --split-above:
 *                          ──► one task per part ──► one task per split trace: combine ──┘
 *                              │ the whole trace read,   │ the parts' rows together (RunParts),
 *                              │ its share of families   │ export, copy to OUT
 *                              │ replayed (ReplayPart)
 * </pre>
 *
 * <p>A large trace is split by families of address spaces, the unit that replays independently
 * ({@link ReplayPart} says why: a fork copies its parent's layout, an execve starts afresh), and
 * its parts' rows put together are exactly the rows of the whole replay, so a split changes the
 * job's speed, never its output.
 *
 * <p>Submit with {@code spark-submit --class dev.vmareplay.spark.FleetReplay
 * spark/target/vmareplay-spark.jar --out OUT TRACE...}; {@code spark/local} runs it in local
 * mode from a checkout.
 */
@Command(name = "FleetReplay", mixinStandardHelpOptions = true,
        header = "Replay many traces on Apache Spark; one run per trace, Parquet out.",
        description = {
                "Replays every trace exactly as 'vmareplay replay TRACE' does, one Spark task per trace, and",
                "writes the tables of the DuckDB store as Parquet partitioned by run (OUT/TABLE/run_id=N/), the",
                "schema 'vmareplay export --parquet' writes, plus OUT/fleet_summary/. A trace that cannot be",
                "replayed becomes a run with its error (runs.error); the job goes on. Open the result with",
                "'vmareplay query --parquet OUT' and 'vmareplay report --parquet OUT -o fleet.html'.",
                ""},
        footer = {"", "TRACE is a file, a glob or a directory on any Hadoop file system (file:, hdfs:, s3a: ...);",
                "@FILE reads more arguments (one a line) from FILE.", "",
                "Examples:",
                "  spark/local --out fleet/ samples/captured/*.gz",
                "  spark-submit --class dev.vmareplay.spark.FleetReplay vmareplay-spark.jar --out s3a://b/out 's3a://b/traces/*/trace.txt.gz'"})
public final class FleetReplay implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "TRACE", description = "Trace files, globs or directories (any Hadoop file system).")
    List<String> traces;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created; must be empty unless --overwrite).")
    String out;

    @Option(names = "--overwrite", description = "Delete DIR's contents first.")
    boolean overwrite;

    @Option(names = "--format", paramLabel = "F", defaultValue = "auto", description = "Input format: auto, strace, perf-trace, perf-script, csv (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--kernel", paramLabel = "VERSION", defaultValue = "6.18", description = "Kernel behaviour to model: 6.1, 6.12 or 6.18 (default: ${DEFAULT-VALUE}).")
    String kernel;

    @Option(names = "--fault-policy", paramLabel = "P", description = {
            "observed-only, write-before-protect or assume-written. Default: per trace, as 'replay' chooses",
            "(observed-only when the trace has page-fault events, else write-before-protect)."})
    String faultPolicy;

    @Option(names = "--strict", description = "A malformed trace line fails that trace (it lands as a failed run).")
    boolean strict;

    @Option(names = "--no-snapshots", description = "Ignore each trace's NAME.snapshots/ directory and its markers.")
    boolean noSnapshots;

    @Option(names = "--split-above", paramLabel = "SIZE", defaultValue = "1g", description = {
            "Replay a trace larger than SIZE (Spark's size syntax: 512m, 1g; 0: every trace) in parts, one task",
            "each, by families of address spaces (a process and the children forked from it; an execve starts",
            "a new one); the parts make exactly the run the whole replay makes. Each part reads the whole",
            "trace. Default: ${DEFAULT-VALUE}."})
    String splitAbove;

    @Option(names = "--split-parts", paramLabel = "N", defaultValue = "0", description = {
            "How many parts such a trace is replayed in (default: Spark's default parallelism, at least 2)."})
    int splitParts;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: what spark-submit sets; spark/local: local[*]).")
    String master;

    @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FleetReplay()).execute(args));
    }

    /** What a job did: one result per trace (by run id) and the summary's rows. */
    public record Fleet(List<TraceResult> traces, List<Row> summary) { }

    @Override
    public Integer call() throws IOException {
        FleetOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        SparkSession.Builder b = SparkSession.builder().appName("vmareplay fleet");
        if (master != null) b.master(master);
        PrintWriter pw = spec.commandLine().getOut();
        try (SparkSession spark = b.getOrCreate()) {
            Fleet fleet = run(spark, traces, options, overwrite);
            if (!quiet) FleetSummary.print(pw, fleet.summary(), fleet.traces());
        } catch (OutputException e) {
            spec.commandLine().getErr().println("FleetReplay: " + e.getMessage());
            return 4;
        }
        return 0;
    }

    /** The options, checked here on the driver so that a typo fails at once, not in every task. */
    FleetOptions options() {
        String canonicalKernel = ReplayOptions.named(kernel, faultPolicy, false, null).kernelName();
        TraceFormat.parse(format);
        long above;
        try {
            above = JavaUtils.byteStringAsBytes(splitAbove);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad --split-above '" + splitAbove + "' (expected a size like 512m, 1g or 0)", e);
        }
        if (above < 0) throw new IllegalArgumentException("bad --split-above '" + splitAbove + "' (negative)");
        if (splitParts < 0) throw new IllegalArgumentException("bad --split-parts " + splitParts + " (expected 1 or more, or 0 for the default)");
        return new FleetOptions(version(), canonicalKernel, faultPolicy, format, strict, !noSnapshots, out, above, splitParts);
    }

    /** The output directory cannot be used (not empty, not writable). */
    static final class OutputException extends RuntimeException {
        OutputException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One task's work: a whole trace ({@code parts == 1}) or one part of it. */
    private record Work(long runId, String uri, int part, int parts) implements Serializable { }

    /**
     * Runs the job on {@code spark}: lists the traces, replays each in its own task, writes
     * the summary. Run ids follow the sorted trace list: the first trace is run 1.
     */
    public static Fleet run(SparkSession spark, List<String> inputs, FleetOptions options, boolean overwrite) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path outPath = new Path(options.out());
        FileSystem outFs = outPath.getFileSystem(conf);
        String out = outFs.makeQualified(outPath).toString();
        prepareOutput(outFs, new Path(out), overwrite);
        FleetOptions qualified = options.withOut(out);

        TraceListing.Listing listing = TraceListing.list(inputs, conf);
        for (String u : listing.unmatched()) System.err.println("FleetReplay: " + u + " matches no file");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Work> work = new ArrayList<>();
        List<Work> split = new ArrayList<>();
        for (int i = 0; i < listing.traces().size(); i++) {
            TraceListing.Listed t = listing.traces().get(i);
            int parts = qualified.partsFor(t.bytes(), jsc.defaultParallelism());
            for (int k = 0; k < parts; k++) work.add(new Work(i + 1, t.uri(), k, parts));
            if (parts > 1) split.add(new Work(i + 1, t.uri(), 0, parts));
        }
        List<TraceResult> results = new ArrayList<>();
        if (!work.isEmpty()) {
            SerializableConfiguration sconf = new SerializableConfiguration(conf);
            jsc.setJobDescription("vmareplay: replay " + listing.traces().size() + " traces"
                    + (split.isEmpty() ? "" : " (" + split.size() + " in parts)"));
            List<TraceResult> done = jsc.parallelize(work, work.size())
                    .map(w -> w.parts() == 1 ? TraceTask.run(w.runId(), w.uri(), qualified, sconf.value())
                            : TraceTask.runPart(w.runId(), w.uri(), new ReplayPart(w.part(), w.parts()), qualified, sconf.value()))
                    .collect();
            List<Long> combined = List.of();
            if (!split.isEmpty()) {
                jsc.setJobDescription("vmareplay: combine the parts of " + split.size() + " traces");
                combined = jsc.parallelize(split, split.size())
                        .map(w -> TraceTask.combine(w.runId(), w.parts(), qualified, sconf.value()))
                        .collect();
            }
            results = perTrace(work, done, split, combined);
            deleteParts(conf, out);
        }
        spark.sparkContext().setJobDescription("vmareplay: fleet summary");
        return new Fleet(results, FleetSummary.compute(spark, out, results));
    }

    /**
     * One result per trace, in run-id order: a split trace's is its first failed part's (or
     * part 0's), with the time of all its tasks; collect() keeps the order of the work.
     */
    private static List<TraceResult> perTrace(List<Work> work, List<TraceResult> done, List<Work> split, List<Long> combined) {
        List<TraceResult> out = new ArrayList<>();
        int c = 0;
        for (int i = 0; i < work.size(); ) {
            Work w = work.get(i);
            TraceResult first = done.get(i), failed = null;
            long nanos = 0;
            for (int k = 0; k < w.parts(); k++) {
                TraceResult r = done.get(i + k);
                nanos += r.nanos();
                if (failed == null && !r.ok()) failed = r;
            }
            if (w.parts() > 1) nanos += combined.get(c++);
            TraceResult r = failed != null ? failed : first;
            out.add(new TraceResult(r.runId(), r.trace(), r.failure(), r.error(), first.bytes(), nanos, w.parts()));
            i += w.parts();
        }
        assert c == split.size() : "every split trace combined once";
        return out;
    }

    /** The parts' directory, empty once every split run is combined. */
    private static void deleteParts(Configuration conf, String out) throws IOException {
        Path parts = new Path(out, TraceTask.PARTS);
        parts.getFileSystem(conf).delete(parts, true);
    }

    private static void prepareOutput(FileSystem fs, Path out, boolean overwrite) {
        try {
            if (fs.exists(out)) {
                FileStatus[] entries = fs.listStatus(out);
                if (entries.length > 0 && !overwrite) {
                    throw new OutputException(out + " is not empty (use --overwrite to replace what is there)", null);
                }
                for (FileStatus e : entries) fs.delete(e.getPath(), true);
            }
            fs.mkdirs(out);
        } catch (IOException e) {
            throw new OutputException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
    }

    /** vmareplay's version, as the CLI stores it with every run. */
    static String version() {
        try (InputStream in = FleetReplay.class.getResourceAsStream("/vmareplay-version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
