package dev.vmareplay.replay.outcome;

import java.nio.file.Path;
import java.util.List;

/**
 * A snapshot marker of the trace was reached (only when the replay was given snapshots).
 *
 * @param seq      the marker event
 * @param pid      the process that took the snapshot
 * @param start    START (after the dynamic loader) or END (at exit())
 * @param image    which image of the process: the n-th START marker of that pid (0 before any)
 * @param snapshot the snapshot file for this point, null when there is none
 * @param layout   the modelled layout at this point (after re-seeding, for START)
 */
public record SnapshotPoint(long seq, int pid, boolean start, int image, Path snapshot, List<VmaLayout> layout) { }
