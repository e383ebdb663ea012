package dev.vmareplay.spark;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.MalformedTraceException;
import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.ingest.TracePeek;
import dev.vmareplay.replay.ReplayOptions;
import dev.vmareplay.replay.ReplayPart;
import dev.vmareplay.replay.Replayer;
import dev.vmareplay.replay.SnapshotDir;
import dev.vmareplay.reports.Export;
import dev.vmareplay.reports.RunMeta;
import dev.vmareplay.reports.RunParts;
import dev.vmareplay.reports.RunStore;
import dev.vmareplay.reports.RunWriter;
import dev.vmareplay.reports.Schema;
import dev.vmareplay.reports.StorageException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One trace of the fleet, on an executor: the same ingest, replay and storage code as
 * {@code vmareplay replay TRACE}, into a private DuckDB file in a scratch directory, exported
 * with {@link Export#parquetRun} under the trace's fleet-wide run id and copied to the output
 * ({@code OUT/TABLE/run_id=N/}). So every row is the row the single-machine command stores,
 * and the files are the files {@code export --parquet} writes.
 *
 * <p>A trace that cannot be replayed becomes a run with its error ({@code runs.error}) and no
 * other rows: one bad trace out of thousands does not fail the job.
 *
 * <p>A trace on a non-local file system (HDFS, S3) is copied to the scratch directory first,
 * with its {@code NAME.snapshots/} directory: the format peek and the snapshot lookup read
 * local files. Its runs and events still name it by its URI.
 *
 * <p>A trace split into parts ({@link ReplayPart}) is replayed by one {@link #runPart} task per
 * part, each leaving its database in {@code OUT/_parts/run_id=N/} ({@code _} keeps it out of every
 * reader's table listing), then one {@link #combine} task puts them together
 * ({@link RunParts#combine}) and writes the run as {@link #run} does.
 */
final class TraceTask {

    private TraceTask() { }

    /** Replays trace {@code uri} as run {@code runId} and writes its rows under {@code options.out()}. */
    static TraceResult run(long runId, String uri, FleetOptions options, Configuration conf) {
        long t0 = System.nanoTime();
        Path scratch = scratch(runId, uri);
        try {
            Outcome o = replay(runId, uri, ReplayPart.WHOLE, options, conf, scratch);
            Export.parquetRun(scratch.resolve(DB), 1, runId, scratch.resolve("parquet"));
            publish(runId, scratch.resolve("parquet"), options.out(), conf);
            return new TraceResult(runId, o.name, o.failure, o.error, o.bytes, System.nanoTime() - t0, 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run " + runId + " (" + uri + ") to " + options.out() + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(scratch);
        }
    }

    /**
     * Replays part {@code part} of trace {@code uri} and leaves its database for {@link #combine}.
     * The result says how this part went (a failure of the trace shows in every part that reads it).
     */
    static TraceResult runPart(long runId, String uri, ReplayPart part, FleetOptions options, Configuration conf) {
        long t0 = System.nanoTime();
        Path scratch = scratch(runId, uri);
        try {
            Outcome o = replay(runId, uri, part, options, conf, scratch);
            FileSystem fs = outputFs(options.out(), conf);
            org.apache.hadoop.fs.Path dst = partFile(options.out(), runId, part.index());
            fs.mkdirs(dst.getParent());
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(scratch.resolve(DB).toUri()), dst);
            return new TraceResult(runId, o.name, o.failure, o.error, o.bytes, System.nanoTime() - t0, part.count());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write part " + part.index() + " of run " + runId + " (" + uri + ") to "
                    + options.out() + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(scratch);
        }
    }

    /**
     * Puts the {@code parts} parts of run {@code runId} together and writes the run as {@link #run}
     * does. Returns the task's wall time.
     */
    static long combine(long runId, int parts, FleetOptions options, Configuration conf) {
        long t0 = System.nanoTime();
        Path scratch = scratch(runId, "run " + runId);
        try {
            FileSystem fs = outputFs(options.out(), conf);
            List<Path> local = new java.util.ArrayList<>();
            for (int i = 0; i < parts; i++) {
                Path p = scratch.resolve("part-" + i + ".duckdb");
                fs.copyToLocalFile(false, partFile(options.out(), runId, i), new org.apache.hadoop.fs.Path(p.toUri()), true);
                local.add(p);
            }
            RunParts.combine(local, scratch.resolve(DB));
            Export.parquetRun(scratch.resolve(DB), 1, runId, scratch.resolve("parquet"));
            publish(runId, scratch.resolve("parquet"), options.out(), conf);
            return System.nanoTime() - t0; // the parts stay until the job ends: a retry of this task finds them
        } catch (IOException e) {
            throw new UncheckedIOException("cannot combine the parts of run " + runId + " in " + options.out() + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(scratch);
        }
    }

    /** Where part {@code index} of run {@code runId} waits for {@link #combine}. */
    static org.apache.hadoop.fs.Path partFile(String out, long runId, int index) {
        return new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(out, PARTS + "/run_id=" + runId), "part-" + index + ".duckdb");
    }

    /** The directory of every split run's parts (empty once they are combined). */
    static final String PARTS = "_parts";

    private static final String DB = "run.duckdb";

    private static Path scratch(long runId, String what) {
        try {
            return Files.createTempDirectory("vmareplay-fleet-" + runId + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("no scratch directory for " + what + " (java.io.tmpdir)", e);
        }
    }

    /** The output's file system; the raw one for a local directory (no .crc files beside the Parquet). */
    private static FileSystem outputFs(String out, Configuration conf) throws IOException {
        FileSystem fs = new org.apache.hadoop.fs.Path(out).getFileSystem(conf);
        return fs instanceof LocalFileSystem lfs ? lfs.getRawFileSystem() : fs;
    }

    private record Outcome(String name, TraceResult.Failure failure, String error, long bytes) { }

    /** Replays {@code part} of the trace into {@code scratch/run.duckdb} (run 1, completed or failed). */
    private static Outcome replay(long runId, String uri, ReplayPart part, FleetOptions options, Configuration conf, Path scratch)
            throws IOException {
        org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = src.getFileSystem(conf);
        boolean local = isLocal(fs);
        // the name errors, runs.inputs and events.source carry: what `replay` would be given
        String name = local ? Paths.get(src.toUri()).toString() : src.toString();
        RunMeta meta = new RunMeta(options.toolVersion(), options.kernel(), List.of(name), options.runOptions(), Instant.now());
        Path db = scratch.resolve(DB);
        TraceResult.Failure failure = null;
        String error = null;
        long bytes = 0;
        try (RunStore store = RunStore.open(db)) {
            try {
                Path trace = local ? Paths.get(src.toUri()) : fetch(fs, src, scratch.resolve("trace"));
                SnapshotDir snapshots = options.snapshots() ? snapshotsBeside(fs, src, local, scratch) : null;
                ReplayOptions replay = ReplayOptions.named(options.kernel(), options.faultPolicy(),
                        TracePeek.hasFaultEvents(List.of(trace.toString())), snapshots);
                IngestOptions ingest = (options.strict() ? IngestOptions.strictMode() : IngestOptions.defaults())
                        .withMarkers(snapshots != null);
                TraceFormat format = TraceFormat.parse(options.format());
                try (RunWriter writer = store.beginRun(meta);
                     EventSource source = local ? Ingest.open(List.of(name), format, ingest)
                             : Ingest.open(name, Files.newInputStream(trace), format, ingest)) {
                    new Replayer(replay, writer, part).run(source);
                    bytes = source.stats().bytesRead();
                }
            } catch (MalformedTraceException e) {
                failure = TraceResult.Failure.MALFORMED;
                error = e.getMessage();
            } catch (IOException | UncheckedIOException e) {
                failure = TraceResult.Failure.UNREADABLE;
                error = e.getMessage() != null ? e.getMessage() : e.toString();
            } catch (StorageException e) {
                failure = TraceResult.Failure.STORAGE;
                error = e.getMessage();
            } catch (RuntimeException | AssertionError | StackOverflowError e) {
                failure = TraceResult.Failure.INTERNAL;
                error = "internal error: " + stackOf(e);
            }
            if (failure != null) store.storeFailedRun(meta, error);
        }
        return new Outcome(name, failure, error, bytes);
    }

    /** The local file system, whose files the ingest reads in place. */
    static boolean isLocal(FileSystem fs) {
        return fs instanceof LocalFileSystem || "file".equals(fs.getScheme());
    }

    private static Path fetch(FileSystem fs, org.apache.hadoop.fs.Path src, Path dst) throws IOException {
        Files.createDirectories(dst.getParent());
        fs.copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(dst.toUri()), true);
        return dst;
    }

    /** {@code NAME.snapshots/} beside the trace, as {@code replay TRACE} finds it; null when there is none. */
    private static SnapshotDir snapshotsBeside(FileSystem fs, org.apache.hadoop.fs.Path src, boolean local, Path scratch)
            throws IOException {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(src.getParent(), SnapshotDir.besideTrace(src.getName()));
        if (local) {
            Path p = Paths.get(dir.toUri());
            return Files.isDirectory(p) ? new SnapshotDir(p) : null;
        }
        if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) return null;
        Path copy = scratch.resolve(dir.getName());
        fs.copyToLocalFile(false, dir, new org.apache.hadoop.fs.Path(copy.toUri()), true);
        return new SnapshotDir(copy);
    }

    /**
     * Copies the run's Parquet files to {@code OUT/TABLE/run_id=N/}, first removing whatever an
     * earlier attempt of this task left there (Spark retries a failed task; the result is the same).
     */
    private static void publish(long runId, Path exported, String out, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(out);
        FileSystem fs = outputFs(out, conf);
        String partition = "run_id=" + runId;
        for (String table : Schema.TABLES) {
            fs.delete(new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(root, table), partition), true);
        }
        if (!Files.isDirectory(exported)) return;
        try (DirectoryStream<Path> tables = Files.newDirectoryStream(exported)) {
            for (Path table : tables) {
                Path part = table.resolve(partition);
                if (!Files.isDirectory(part)) continue;
                org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(
                        new org.apache.hadoop.fs.Path(root, table.getFileName().toString()), partition);
                fs.mkdirs(dst.getParent());
                if (fs instanceof RawLocalFileSystem && moved(part, Paths.get(dst.toUri()))) continue;
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(part.toUri()), dst);
            }
        }
    }

    /**
     * Moves an exported partition into a local output by renaming it, when scratch and output
     * are one file system (the copy through the Hadoop API took a third of a small trace's task).
     */
    private static boolean moved(Path part, Path dst) {
        try {
            Files.move(part, dst);
            return true;
        } catch (IOException e) {
            return false; // another file system (a directory does not move across): copied instead
        }
    }

    private static String stackOf(Throwable e) {
        java.io.StringWriter sw = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(sw));
        return sw.toString().strip();
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // scratch space: the OS cleans java.io.tmpdir eventually
                }
            });
        } catch (IOException ignored) {
            // already gone
        }
    }
}
