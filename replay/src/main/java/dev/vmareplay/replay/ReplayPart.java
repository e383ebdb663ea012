package dev.vmareplay.replay;

/**
 * One part of a replay split by families of address spaces, so that one large trace can be
 * replayed by several workers (the fleet job's {@code --split-above}) and their rows put
 * together are the rows of the whole replay.
 *
 * <h2>What can be replayed apart</h2>
 * An address space's model depends on the calls made in it and on where it came from:
 * <pre>
 *  fresh mm (first sight of a process, execve) ─┬─ fork ──► copy of the parent's VMAs at the fork
 *     seeded from its own snapshot, or empty    │             └─ fork ──► copy ...
 *                                               └─ vfork / CLONE_VM / threads: the same mm
 * </pre>
 * A forked child's mm starts as a copy of its parent's at that moment ({@code dup_mmap()} in
 * kernel/fork.c; {@link dev.vmareplay.replay.engine.Mm#fork}), so parent and child must be
 * replayed by the same worker, with every call the parent made before the fork. An execve
 * ({@code exec_mmap()} in fs/exec.c) gives the task a new mm that owes the old one nothing: the
 * model starts it empty or from that image's own snapshot ({@code seedByPid}, START markers), never
 * from the parent's state. So the unit of independent work is a <em>family</em>: an mm made fresh
 * and every mm forked from it, directly or not, named by the id of that fresh mm (its
 * {@code mm_id}); VMA ids are numbered per family too ({@link dev.vmareplay.replay.engine.VmaIds}).
 *
 * <h2>What every part still follows</h2>
 * Which task uses which address space, and so which family an event belongs to, is decided by
 * the trace's clone, execve and exit lines, never by a model: every part reads the whole trace
 * and keeps the driver's whole bookkeeping (tasks, held events, mm ids handed out in trace order,
 * the pids seen, the kernel's mm identities, the snapshot images per pid). It also follows the
 * three things the driver shares between families:
 * <ul>
 *   <li>file identities ({@link FileIdentities}): a file mapped or seeded in one family lends its
 *       identity and device/inode to the others, in trace order, so every part looks up every
 *       seeded file and every file a successful mmap maps (result-only mmaps excepted: their
 *       identity is unique to the call and has no path to lend);</li>
 *   <li>a kernel without CONFIG_ANON_VMA_NAME, told by one family's failed prctl, which holds
 *       for all of them from then on;</li>
 *   <li>the pid count of the run summary.</li>
 * </ul>
 * A part models (engine, VMA lives, layouts) only the families it owns and reports only their
 * rows: the events made in their address spaces, their processes, merge events, timeline points,
 * lives, layouts, divergences and latencies. Part 0 also reports what belongs to no address
 * space (an exit or a late line of a task already gone, the child's half of a clone, lost
 * events). Rows put together, every row of the whole replay is reported by exactly one part;
 * the run's counts add up (events, divergences, VMA events), the pid count and the ingest's
 * statistics are the same in every part, and the latency histograms add up exactly.
 *
 * <p>Families go to parts round robin by their id: the trace's own order of process creation,
 * which spreads the builds of a {@code make -j} over the parts without a pass to weigh them.
 * Each part reads and parses the whole trace, which is not free: on the 2 M-line real trace of
 * bench/run a second part added 11 CPU s to the whole replay's 68 (README, "A large trace in
 * parts"). So a split pays off for a trace with many families on workers with cores to spare,
 * not for one large process.
 *
 * @param index this part, 0 to {@code count - 1}
 * @param count how many parts the replay is split into
 */
public record ReplayPart(int index, int count) {

    /** The whole replay, unsplit. */
    public static final ReplayPart WHOLE = new ReplayPart(0, 1);

    public ReplayPart {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("part " + index + " of " + count);
        }
    }

    /** Whether this part models the family whose fresh mm got id {@code family} (1, 2, ...). */
    boolean owns(long family) {
        return (family - 1) % count == index;
    }

    /** Whether this part reports what belongs to no address space. */
    boolean ownsUnattached() {
        return index == 0;
    }
}
