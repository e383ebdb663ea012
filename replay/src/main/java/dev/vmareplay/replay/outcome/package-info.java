/**
 * The outcome stream: what a replay produces, in the one form every consumer reads (storage,
 * the report, verify, progress, the fleet job). It belongs to the replay module but imports
 * only the JDK, the ingest event model and HdrHistogram, never {@code replay.engine}: the
 * replay driver maps the engine's own vocabulary onto it, and {@code reports} depends on this
 * package alone.
 *
 * <pre>
 *  engine (VmaEvent, Vma) ──► Replayer ──► OutcomeListener
 *                             maps kinds     onProcess, onDivergence          one call each, in order
 *                             renders VMAs   onBatch(OutcomeBatch)            events, changes, timeline,
 *                             (maps/smaps)                                     VMA lives: columns
 *                                            onPeakLayout, onFinalLayout      List&lt;VmaLayout&gt;
 *                                            onSnapshotPoint, onLatency
 *                                            finish(RunSummary, IngestStats)  last, once, on success
 * </pre>
 *
 * <ul>
 *   <li>{@link dev.vmareplay.replay.outcome.OutcomeListener}: the callbacks, in trace order.
 *       The replay delivers the batch it is filling every ~4 096 events and before every other
 *       callback, so a listener never sees a divergence or a process before the events that
 *       led to it. {@link dev.vmareplay.replay.outcome.OutcomeListener#tee} and
 *       {@link dev.vmareplay.replay.outcome.ForwardingOutcomeListener} fan out and wrap.</li>
 *   <li>{@link dev.vmareplay.replay.outcome.OutcomeBatch}: the high-volume rows as columns
 *       (primitive arrays for bulk storage, record views for tests), immutable once built so a
 *       storage thread may keep it. {@link dev.vmareplay.replay.outcome.OutcomeRecords} unpacks
 *       a batch into one call per record, in the order the rows were produced.</li>
 *   <li>{@link dev.vmareplay.replay.outcome.Change}: one engine primitive (a row of
 *       {@code merge_events}); {@link dev.vmareplay.replay.outcome.CaseKind} and
 *       {@link dev.vmareplay.replay.outcome.RefusalReason} with the storage names of DESIGN.md;
 *       the engine keeps its own {@code VmaEvent.Kind}, and a test pins every engine constant
 *       to its twin here.</li>
 *   <li>{@link dev.vmareplay.replay.outcome.VmaLayout}: a VMA as users see it, rendered once by
 *       the replay from the engine's /proc/PID/maps renderer (fs/proc/task_mmu.c's job):
 *       perms, name, offset and VmFlags are never re-derived downstream.</li>
 *   <li>{@link dev.vmareplay.replay.outcome.CallSite}: the calling frame of an strace -k stack,
 *       computed when the event enters a batch.</li>
 *   <li>{@link dev.vmareplay.replay.outcome.ProcessInfo},
 *       {@link dev.vmareplay.replay.outcome.Divergence} (with
 *       {@link dev.vmareplay.replay.outcome.DivergenceCause}),
 *       {@link dev.vmareplay.replay.outcome.VmaLife},
 *       {@link dev.vmareplay.replay.outcome.TimelinePoint},
 *       {@link dev.vmareplay.replay.outcome.SnapshotPoint},
 *       {@link dev.vmareplay.replay.outcome.RunSummary}: the other records.</li>
 * </ul>
 */
package dev.vmareplay.replay.outcome;
