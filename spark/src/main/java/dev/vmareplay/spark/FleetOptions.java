package dev.vmareplay.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How every trace of the fleet is replayed: the options of {@code vmareplay replay} that make
 * sense for a fleet (no per-trace seeds: each trace finds its snapshots beside it).
 *
 * @param toolVersion vmareplay's version, stored with every run
 * @param kernel      the modelled kernel, already checked on the driver ({@code 6.18})
 * @param faultPolicy observed-only, write-before-protect, assume-written, or null to choose per
 *                    trace as {@code replay} does
 * @param format      the input format name ({@code auto} detects it per trace)
 * @param strict      a malformed line fails its trace (which lands as a failed run)
 * @param snapshots   use the {@code NAME.snapshots/} directory beside each trace when it exists
 * @param out         the output directory, fully qualified ({@code file:/…}, {@code hdfs://…})
 * @param splitAbove  a trace larger than this many bytes is replayed in parts, by families of
 *                    address spaces ({@link dev.vmareplay.replay.ReplayPart}); 0 splits every trace
 * @param splitParts  how many parts such a trace is replayed in; 0: Spark's default parallelism
 *                    (the cores of the cluster, at least 2)
 */
public record FleetOptions(String toolVersion, String kernel, String faultPolicy, String format, boolean strict,
                           boolean snapshots, String out, long splitAbove, int splitParts) implements Serializable {

    /** {@code --split-above}'s default: 1 GiB. */
    public static final long DEFAULT_SPLIT_ABOVE = 1L << 30;

    /** The options with the default split (above {@link #DEFAULT_SPLIT_ABOVE}, in as many parts as Spark has cores). */
    public FleetOptions(String toolVersion, String kernel, String faultPolicy, String format, boolean strict,
                        boolean snapshots, String out) {
        this(toolVersion, kernel, faultPolicy, format, strict, snapshots, out, DEFAULT_SPLIT_ABOVE, 0);
    }

    /** The same options writing to {@code out}. */
    FleetOptions withOut(String out) {
        return new FleetOptions(toolVersion, kernel, faultPolicy, format, strict, snapshots, out, splitAbove, splitParts);
    }

    /** How many parts a trace of {@code bytes} is replayed in (1: whole), given Spark's default parallelism. */
    int partsFor(long bytes, int defaultParallelism) {
        boolean split = bytes >= 0 && (splitAbove == 0 || bytes > splitAbove); // a missing trace fails whole
        if (!split) return 1;
        return splitParts > 0 ? splitParts : Math.max(2, defaultParallelism);
    }

    /**
     * The {@code runs.options} JSON of each run: the keys {@code vmareplay replay} stores for the
     * same command line ({@code replay TRACE} finds {@code NAME.snapshots/} by itself too), so a
     * fleet run and a single-machine run of one trace look alike.
     */
    public Map<String, String> runOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("kernel", kernel);
        if (faultPolicy != null) m.put("fault_policy", faultPolicy);
        if (strict) m.put("strict", "true");
        return m;
    }
}
