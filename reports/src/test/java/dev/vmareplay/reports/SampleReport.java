package dev.vmareplay.reports;

import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a sample database and reports into a directory (for looking at them by hand). */
public final class SampleReport {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Path db = ReportWriterTest.sampleDb(dir);
        ReportWriter.write(db, 1L, dir.resolve("report.html"));
        ReportWriter.writeDiff(db, 1, 2, dir.resolve("diff.html"));
    }
}
