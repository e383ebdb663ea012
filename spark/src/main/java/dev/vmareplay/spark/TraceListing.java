package dev.vmareplay.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The fleet's traces, from the command line's inputs, on any Hadoop file system: a file, a
 * glob ({@code s3a://bucket/host-*&#47;trace.txt.gz}) or a directory (every file under it,
 * recursively). In a directory, hidden files ({@code .x}, {@code _x}), snapshot directories
 * ({@code NAME.snapshots/}) and snapshot files ({@code *.maps}, {@code *.smaps}) are not traces.
 * A named file that does not exist is kept: it lands as a failed run saying so.
 */
final class TraceListing {

    /** The traces, fully qualified and sorted (a trace's position + 1 is its run id), and what matched nothing. */
    record Listing(List<Listed> traces, List<String> unmatched) { }

    /** A trace and its size in bytes (on its file system: compressed when it is), -1 when it does not exist. */
    record Listed(String uri, long bytes) { }

    private TraceListing() { }

    static Listing list(List<String> inputs, Configuration conf) throws IOException {
        TreeMap<String, Long> traces = new TreeMap<>();
        List<String> unmatched = new ArrayList<>();
        for (String input : inputs) {
            Path p = new Path(input);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null) {
                // no glob characters and no such file: the task reports it as an unreadable trace
                traces.put(fs.makeQualified(p).toString(), -1L);
                continue;
            }
            if (matches.length == 0) unmatched.add(input);
            for (FileStatus m : matches) {
                if (m.isDirectory()) addTree(fs, m.getPath(), traces);
                else traces.put(m.getPath().toString(), m.getLen());
            }
        }
        List<Listed> listed = new ArrayList<>();
        traces.forEach((uri, bytes) -> listed.add(new Listed(uri, bytes)));
        return new Listing(listed, unmatched);
    }

    private static void addTree(FileSystem fs, Path dir, TreeMap<String, Long> traces) throws IOException {
        String root = dir.toUri().getPath();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            String rel = f.getPath().toUri().getPath().substring(root.length());
            if (isTrace(rel)) traces.put(f.getPath().toString(), f.getLen());
        }
    }

    /** A file below a listed directory, by its relative path: not hidden, not a snapshot. */
    static boolean isTrace(String relative) {
        for (String part : relative.split("/")) {
            if (part.isEmpty()) continue;
            if (part.startsWith(".") || part.startsWith("_") || part.endsWith(".snapshots")) return false;
        }
        return !(relative.endsWith(".maps") || relative.endsWith(".smaps"));
    }
}
