package dev.vmareplay.replay;

import dev.vmareplay.replay.engine.FaultPolicy;
import dev.vmareplay.replay.engine.KernelVersion;

import java.nio.file.Path;
import java.util.Map;

/**
 * How to replay.
 *
 * @param kernel          the kernel whose VMA behaviour is modelled
 * @param seedFirst       snapshot that seeds the first process of the trace (null: none)
 * @param seedByPid       snapshots that seed the process with that pid
 * @param faultPolicy     how to decide anon_vma state the trace does not show; null = choose:
 *                        observed faults only when the trace has fault events, else the
 *                        engine's default heuristic
 * @param checkInvariants check the tree's invariants after every operation (slow; for debugging)
 * @param snapshots       snapshots tied to START/END markers in the trace (null: none): at a START
 *                        marker the process's address space is re-seeded from its snapshot, at an
 *                        END marker {@link dev.vmareplay.replay.outcome.OutcomeListener#onSnapshotPoint} reports the modelled layout.
 *                        Needs an event source that emits markers ({@code IngestOptions.withMarkers}).
 */
public record ReplayOptions(KernelVersion kernel, Path seedFirst, Map<Integer, Path> seedByPid,
                            FaultPolicy faultPolicy, boolean checkInvariants, SnapshotDir snapshots) {

    public ReplayOptions(KernelVersion kernel, Path seedFirst, Map<Integer, Path> seedByPid,
                         FaultPolicy faultPolicy, boolean checkInvariants) {
        this(kernel, seedFirst, seedByPid, faultPolicy, checkInvariants, null);
    }

    /** The same options, with snapshots re-seeding processes at their markers. */
    public ReplayOptions withSnapshots(SnapshotDir dir) {
        return new ReplayOptions(kernel, seedFirst, seedByPid, faultPolicy, checkInvariants, dir);
    }

    /**
     * The options {@code vmareplay replay} derives from its command line, from their names, for
     * callers that do not speak the engine's types (the fleet job): {@code kernel} as
     * {@link KernelVersion#parse} reads it; {@code faultPolicy} observed-only, write-before-protect or
     * assume-written, or null to choose as {@code replay} does (observed-only when the trace has
     * page-fault events, else the engine's default).
     *
     * @throws IllegalArgumentException for an unknown kernel or policy name (the message says which)
     */
    public static ReplayOptions named(String kernel, String faultPolicy, boolean traceHasFaultEvents, SnapshotDir snapshots) {
        FaultPolicy policy;
        if (faultPolicy == null) {
            policy = traceHasFaultEvents ? FaultPolicy.OBSERVED_ONLY : null;
        } else {
            try {
                policy = FaultPolicy.valueOf(faultPolicy.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown --fault-policy '" + faultPolicy
                        + "' (expected observed-only, write-before-protect or assume-written)", e);
            }
        }
        return new ReplayOptions(KernelVersion.parse(kernel), null, Map.of(), policy, false, snapshots);
    }

    /** The modelled kernel as stored with a run ({@code 6.18}). */
    public String kernelName() {
        return kernel.toString();
    }

    public static ReplayOptions defaults() {
        return new ReplayOptions(KernelVersion.V6_18, null, Map.of(), null, false);
    }
}
