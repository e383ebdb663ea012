package dev.vmareplay.cli;

import dev.vmareplay.replay.SnapshotDir;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the replayed processes start from ({@code replay}, {@code verify}): {@code --seed-maps},
 * {@code --snapshots}, {@code --no-snapshots}, shared as a picocli {@code @Mixin}.
 */
class SeedOptions {

    @Option(names = "--seed-maps", paramLabel = "[PID=]FILE", description = "Start a process's address space from a /proc/PID/maps or smaps snapshot (smaps gives exact flags and anon_vma state). Without PID= it seeds the first process of the trace. Repeatable.")
    List<String> seedMaps = new ArrayList<>();

    @Option(names = "--snapshots", paramLabel = "DIR", description = "Snapshots written by 'vmareplay record' (PID.N.start.smaps, PID.N.end.smaps): at each START marker of the trace (lseek(-1, 424242001, SEEK_SET)) the process is re-seeded from its snapshot. Default: TRACE's sibling NAME.snapshots/ when it exists (for a single TRACE file).")
    Path snapshots;

    @Option(names = "--no-snapshots", description = "Ignore snapshot markers and any NAME.snapshots/ directory.")
    boolean noSnapshots;

    /** The seed of the first process (the last --seed-maps without PID=), or null. */
    Path first() {
        Path first = null;
        for (String s : seedMaps) {
            if (pidOf(s) < 0) first = check(s, Path.of(s));
        }
        return first;
    }

    /** The seeds given as PID=FILE. */
    Map<Integer, Path> byPid() {
        Map<Integer, Path> byPid = new LinkedHashMap<>();
        for (String s : seedMaps) {
            int pid = pidOf(s);
            if (pid >= 0) byPid.put(pid, check(s, Path.of(s.substring(s.indexOf('=') + 1))));
        }
        return byPid;
    }

    boolean given() {
        return !seedMaps.isEmpty();
    }

    /**
     * The snapshot directory to re-seed from: none with --no-snapshots, else --snapshots DIR
     * (it must exist), else the one {@code record} writes beside a single TRACE file when it exists.
     */
    SnapshotDir snapshotDir(List<String> traces) {
        return noSnapshots ? null : SnapshotVerification.resolve(snapshots, traces);
    }

    private static int pidOf(String s) {
        int eq = s.indexOf('=');
        return eq > 0 && eq <= 9 && s.substring(0, eq).chars().allMatch(Character::isDigit) ? Integer.parseInt(s.substring(0, eq)) : -1;
    }

    private static Path check(String given, Path p) {
        if (!Files.isRegularFile(p)) throw new Errors.InputException("--seed-maps " + given + ": no such file: " + p);
        return p;
    }
}
