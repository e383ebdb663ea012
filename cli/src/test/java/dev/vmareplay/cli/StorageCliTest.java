package dev.vmareplay.cli;

import dev.vmareplay.reports.Schema;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.vmareplay.cli.BadInputCliTest.Result;
import static dev.vmareplay.cli.BadInputCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Storage robustness through the command line: a replay killed with SIGKILL half-way, a
 * database held by another writer, unwritable places for the database, the report, the final
 * maps and the ingest CSV, and a full disk. Every failure is one line and exit code 4, and
 * the runs stored before are intact afterwards, with no partial run.
 */
class StorageCliTest {

    @TempDir
    Path tmp;

    static final String SMALL = "1234 11:00:00.000001 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000 <0.000010>\n"
            + "1234 11:00:00.000002 mprotect(0x7f0000001000, 4096, PROT_READ) = 0 <0.000005>\n"
            + "1234 11:00:00.000003 munmap(0x7f0000000000, 4096) = 0 <0.000005>\n";

    /** A synthetic strace trace of 3 * iterations events, each triple a map, a split and an unmap. */
    static Path bigTrace(Path dir, int iterations) throws IOException {
        Path p = dir.resolve("big.strace");
        try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < iterations; i++) {
                long a = 0x7f0000000000L + (i % 64) * 0x10000L;
                String t = String.format("%02d:%02d:%02d.%06d", 10 + i / 3_600_000 % 10, i / 60_000 % 60, i / 1000 % 60, (i % 1000) * 1000);
                w.write("4242 " + t + " mmap(0x" + Long.toHexString(a) + ", 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x"
                        + Long.toHexString(a) + " <0.000003>\n");
                w.write("4242 " + t + " mprotect(0x" + Long.toHexString(a + 4096) + ", 4096, PROT_READ) = 0 <0.000002>\n");
                w.write("4242 " + t + " munmap(0x" + Long.toHexString(a) + ", 12288) = 0 <0.000002>\n");
            }
        }
        return p;
    }

    Path small() throws IOException {
        Path p = tmp.resolve("small.strace");
        if (!Files.exists(p)) Files.writeString(p, SMALL);
        return p;
    }

    static long scalar(Path db, String sql) {
        Result q = run("query", "--db", db.toString(), "--format", "csv", sql);
        assertThat(q.code()).as(q.all()).isZero();
        List<String> lines = q.out().lines().toList();
        assertThat(lines).hasSize(2);
        return Long.parseLong(lines.get(1).trim());
    }

    /** The runs table holds exactly these ids, and no table has a row of any other run. */
    static void assertOnlyRuns(Path db, long... ids) {
        long max = ids.length == 0 ? 0 : ids[ids.length - 1];
        assertThat(scalar(db, "select count(*) from runs")).isEqualTo(ids.length);
        assertThat(scalar(db, "select coalesce(max(run_id), 0) from runs")).isEqualTo(max);
        for (String t : Schema.TABLES) {
            assertThat(scalar(db, "select count(*) from " + t + " where run_id > " + max)).as(t).isZero();
        }
    }

    static Process child(Path db, Path trace) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "replay", trace.toString(), "--db", db.toString(), "--no-report", "-q");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(db.resolveSibling("child.log").toFile()).start();
    }

    /** The process has the file open (Linux: one of /proc/PID/fd links to it). */
    static boolean holdsOpen(Process p, Path file) {
        Path want = file.toAbsolutePath().normalize();
        try (var fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(want);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aReplayKilledHalfWayLeavesEarlierRunsIntactAndNoPartialRunAndALockedDatabaseIsExitFour() throws Exception {
        Path db = tmp.resolve("runs.duckdb");
        Path small = small();
        for (int i = 0; i < 2; i++) assertThat(run("replay", small.toString(), "--db", db.toString(), "--no-report", "-q").code()).isZero();
        long events1 = scalar(db, "select count(*) from events where run_id = 1");
        long merges2 = scalar(db, "select count(*) from merge_events where run_id = 2");
        assertThat(events1).isEqualTo(3);
        Path big = bigTrace(tmp, 150_000); // 450k events: several of DuckDB's row groups before the kill

        Path wal = db.resolveSibling(db.getFileName() + ".wal");
        long before = size(db) + size(wal);
        Process p = child(db, big);
        try {
            // wait until the child has the file open (DuckDB locks it as it opens it) ...
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && p.isAlive() && !holdsOpen(p, db)) Thread.sleep(20);
            // ... and its rows start reaching the file, or 8 s more at most
            long rows = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (System.nanoTime() < rows && p.isAlive() && size(db) + size(wal) <= before) Thread.sleep(20);
            assertThat(p.isAlive()).as("the child replay ended before it could be killed: " + Files.readString(db.resolveSibling("child.log"))).isTrue();

            // a second writer is told who holds the file, in one line, exit 4; so is a reader
            Result locked = run("replay", small.toString(), "--db", db.toString(), "--no-report", "-q");
            assertThat(locked.code()).as(locked.all()).isEqualTo(4);
            assertThat(locked.err()).startsWith("vmareplay replay: " + db.toAbsolutePath() + ": cannot open the database: the file is locked by another process")
                    .contains("PID " + p.pid()).hasLineCount(1);
            Result q = run("query", "--db", db.toString(), "select 1");
            assertThat(q.code()).isEqualTo(4);
            assertThat(q.err()).contains("locked by another process").hasLineCount(1);

            Thread.sleep(300);
            assertThat(p.isAlive()).as("the child replay ended before it could be killed").isTrue();
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no rollback
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(137);

        // every earlier run intact, nothing of the killed one
        assertOnlyRuns(db, 1, 2);
        assertThat(scalar(db, "select count(*) from events where run_id = 1")).isEqualTo(events1);
        assertThat(scalar(db, "select count(*) from merge_events where run_id = 2")).isEqualTo(merges2);
        assertThat(scalar(db, "select count(*) from events where pid = 4242")).isZero();

        // and the file takes the next run
        Result next = run("replay", small.toString(), "--db", db.toString(), "--no-report");
        assertThat(next.code()).as(next.all()).isZero();
        assertThat(next.out()).contains("run 3:");
    }

    @Test
    void unwritablePlacesAreStorageErrorsInOneLine() throws Exception {
        Path small = small();
        Path db = tmp.resolve("ok.duckdb");

        Result r = run("replay", small.toString(), "--db", "/proc/vmareplay-test.duckdb", "--no-report");
        assertThat(r.code()).as(r.all()).isEqualTo(4);
        assertThat(r.err()).startsWith("vmareplay replay: /proc/vmareplay-test.duckdb: cannot open the database").hasLineCount(1);

        Result dir = run("replay", small.toString(), "--db", tmp.toString(), "--no-report");
        assertThat(dir.code()).isEqualTo(4);
        assertThat(dir.err()).contains("it is a directory").hasLineCount(1);

        Result missingDir = run("replay", small.toString(), "--db", tmp.resolve("no/such/dir/x.duckdb").toString(), "--no-report");
        assertThat(missingDir.code()).isEqualTo(4);
        assertThat(missingDir.err()).contains("does not exist").hasLineCount(1);

        // the trace given as the database: refused, and the trace is not touched
        String digest = sha(small);
        Result self = run("replay", small.toString(), "--db", small.toString(), "--no-report");
        assertThat(self.code()).isEqualTo(4);
        assertThat(self.err()).contains("not a DuckDB database").hasLineCount(1);
        assertThat(sha(small)).isEqualTo(digest);

        Result report = run("replay", small.toString(), "--db", db.toString(), "--report", "/proc/vmareplay-test/report.html");
        assertThat(report.code()).as(report.all()).isEqualTo(4);
        assertThat(report.err()).isEqualTo("vmareplay replay: run 1 is stored, but the report cannot be written: /proc/vmareplay-test/report.html: no such file or directory\n");

        Result maps = run("replay", small.toString(), "--db", db.toString(), "--no-report", "--final-maps", "/proc/vmareplay-test");
        assertThat(maps.code()).as(maps.all()).isEqualTo(4);
        assertThat(maps.err()).startsWith("vmareplay replay: the run is stored, but --final-maps cannot be written: /proc/vmareplay-test").hasLineCount(1);

        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        Result mapsOnFile = run("replay", small.toString(), "--db", db.toString(), "--no-report", "--final-maps", file.toString());
        assertThat(mapsOnFile.code()).isEqualTo(4);
        assertThat(mapsOnFile.err()).contains("--final-maps cannot be written").hasLineCount(1);

        Result rep = run("report", "--db", db.toString(), "-o", "/proc/vmareplay-test/r.html");
        assertThat(rep.code()).isEqualTo(4);
        assertThat(rep.err()).isEqualTo("vmareplay report: cannot write the report /proc/vmareplay-test/r.html: no such file or directory\n");
        Result exp = run("export", "--db", db.toString(), "--parquet", "/proc/vmareplay-test");
        assertThat(exp.code()).isEqualTo(4);
        assertThat(exp.err()).endsWith("cannot create the export directory /proc/vmareplay-test: no such file or directory\n").hasLineCount(1);

        Result csv = run("ingest", small.toString(), "-o", "/proc/vmareplay-test.csv");
        assertThat(csv.code()).isEqualTo(4);
        assertThat(csv.err()).isEqualTo("vmareplay ingest: cannot write /proc/vmareplay-test.csv: no such file or directory\n");

        for (Result x : List.of(r, dir, missingDir, self, report, maps, mapsOnFile, rep, exp, csv)) BadInputCliTest.assertNoTrace(x);
        assertOnlyRuns(db, 1, 2, 3);
    }

    // ------------------------------------------------------------------ a tiny tmpfs

    /** Mounts a tmpfs of the given size, or skips the test visibly when this machine does not allow it. */
    static Path mountTmpfs(Path where, String options) throws Exception {
        Files.createDirectories(where);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", where.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        Assumptions.assumeTrue(ok, "cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): " + out
                + " -- full-disk and read-only-filesystem tests skipped");
        return where;
    }

    static void unmount(Path where) throws Exception {
        new ProcessBuilder("umount", "-l", where.toString()).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aFullDiskIsAStorageErrorAndTheStoredRunsSurviveIt() throws Exception {
        Path mnt = mountTmpfs(tmp.resolve("tiny"), "size=6m");
        try {
            Path db = mnt.resolve("runs.duckdb");
            Path small = small();
            Result first = run("replay", small.toString(), "--db", db.toString(), "--no-report", "-q");
            assertThat(first.code()).as(first.all()).isZero();
            long events1 = scalar(db, "select count(*) from events where run_id = 1");

            // fill the disk to the last byte
            Path filler = mnt.resolve("filler");
            try (OutputStream o = Files.newOutputStream(filler)) {
                byte[] block = new byte[64 * 1024];
                while (true) o.write(block);
            } catch (IOException full) {
                assertThat(full.getMessage()).contains("No space left on device");
            }
            Path big = bigTrace(tmp, 20_000);
            Result r = run("replay", big.toString(), "--db", db.toString(), "--no-report");
            BadInputCliTest.assertNoTrace(r);
            assertThat(r.code()).as(r.all()).isEqualTo(4);
            assertThat(r.err()).startsWith("vmareplay replay: ").contains("disk is full").hasLineCount(1);

            Result csv = run("ingest", big.toString(), "-o", mnt.resolve("events.csv").toString());
            BadInputCliTest.assertNoTrace(csv);
            assertThat(csv.code()).isEqualTo(4);
            assertThat(csv.err()).isEqualTo("vmareplay ingest: cannot write " + mnt.resolve("events.csv") + ": No space left on device\n");

            Result maps = run("replay", small.toString(), "--db", tmp.resolve("elsewhere.duckdb").toString(), "--no-report", "--final-maps", mnt.resolve("maps").toString());
            assertThat(maps.code()).isEqualTo(4);
            assertThat(maps.err()).contains("--final-maps cannot be written").contains("No space left on device").hasLineCount(1);

            // room again: run 1 is intact, the failed run left nothing, and the next run works
            Files.delete(filler);
            Files.deleteIfExists(mnt.resolve("events.csv"));
            assertOnlyRuns(db, 1);
            assertThat(scalar(db, "select count(*) from events where run_id = 1")).isEqualTo(events1);
            Result again = run("replay", small.toString(), "--db", db.toString(), "--no-report");
            assertThat(again.code()).as(again.all()).isZero();
            assertThat(again.out()).contains("run 2:");
        } finally {
            unmount(mnt);
        }
    }

    @Test
    void aReadOnlyFileSystemIsAStorageError() throws Exception {
        Path mnt = mountTmpfs(tmp.resolve("ro"), "size=1m,ro");
        try {
            Result r = run("replay", small().toString(), "--db", mnt.resolve("x.duckdb").toString(), "--no-report");
            BadInputCliTest.assertNoTrace(r);
            assertThat(r.code()).as(r.all()).isEqualTo(4);
            assertThat(r.err()).startsWith("vmareplay replay: " + mnt.resolve("x.duckdb") + ": cannot open the database").hasLineCount(1);
        } finally {
            unmount(mnt);
        }
    }

    static String sha(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
