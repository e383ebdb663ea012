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
 */
public record FleetOptions(String toolVersion, String kernel, String faultPolicy, String format, boolean strict,
                           boolean snapshots, String out) implements Serializable {

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
