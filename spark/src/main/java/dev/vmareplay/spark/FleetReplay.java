package dev.vmareplay.spark;

import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.replay.ReplayOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
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
 * </pre>
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
        return new FleetOptions(version(), canonicalKernel, faultPolicy, format, strict, !noSnapshots, out);
    }

    /** The output directory cannot be used (not empty, not writable). */
    static final class OutputException extends RuntimeException {
        OutputException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Trace(long runId, String uri) implements Serializable { }

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
        FleetOptions qualified = new FleetOptions(options.toolVersion(), options.kernel(), options.faultPolicy(),
                options.format(), options.strict(), options.snapshots(), out);

        TraceListing.Listing listing = TraceListing.list(inputs, conf);
        for (String u : listing.unmatched()) System.err.println("FleetReplay: " + u + " matches no file");
        List<Trace> work = new ArrayList<>();
        for (String t : listing.traces()) work.add(new Trace(work.size() + 1, t));
        List<TraceResult> results = List.of();
        if (!work.isEmpty()) {
            SerializableConfiguration sconf = new SerializableConfiguration(conf);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            jsc.setJobDescription("vmareplay: replay " + work.size() + " traces");
            results = jsc.parallelize(work, work.size())
                    .map(t -> TraceTask.run(t.runId(), t.uri(), qualified, sconf.value()))
                    .collect();
        }
        spark.sparkContext().setJobDescription("vmareplay: fleet summary");
        return new Fleet(results, FleetSummary.compute(spark, out, results));
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
