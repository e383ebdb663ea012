package dev.vmareplay.replay.outcome;

import dev.vmareplay.ingest.event.Event;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A slice of the replay's high-volume output, in four columnar sections: the events
 * replayed, the engine changes they caused, the timeline points (an address space's size
 * after an event that changed it) and the VMA lives that ended. Bulk consumers (storage) read
 * the column arrays; small consumers read the record views ({@link #change(int)}, ...) or let
 * {@link OutcomeRecords} unpack the batch.
 *
 * <p>Immutable once built: the arrays are the batch's own (valid below each section's count,
 * possibly longer) and must never be written; a listener may keep the batch and read it on
 * another thread. Each row also carries its position in the stream ({@code *Order}), so the
 * four sections can be merged back into the order the replay produced them.
 */
public final class OutcomeBatch {

    // events
    private final int eventCount;
    private final Event[] events;
    private final long[] eventMm;
    private final String[] eventCallSite;
    private final int[] eventOrder;
    // changes
    private final int changeCount;
    private final long[] changeSeq;
    private final int[] changePid;
    private final long[] changeMm;
    private final String[] changeSyscall;
    private final CaseKind[] changeKind;
    private final RefusalReason[] changeReason;
    private final long[] changeStart, changeEnd;
    private final int[] changeLegacyCase;
    private final boolean[] changeAssumed;
    private final long[] changeVma;
    private final int[] changeOrder;
    // timeline
    private final int timelineCount;
    private final long[] timelineMm, timelineSeq, timelineTsNs;
    private final int[] timelineVmaCount;
    private final long[] timelineMappedBytes;
    private final int[] timelineOrder;
    // lives
    private final List<VmaLife> lives;
    private final int[] lifeOrder;

    private OutcomeBatch(Builder b) {
        eventCount = b.eventCount;
        events = b.events;
        eventMm = b.eventMm;
        eventCallSite = b.eventCallSite;
        eventOrder = b.eventOrder;
        changeCount = b.changeCount;
        changeSeq = b.changeSeq;
        changePid = b.changePid;
        changeMm = b.changeMm;
        changeSyscall = b.changeSyscall;
        changeKind = b.changeKind;
        changeReason = b.changeReason;
        changeStart = b.changeStart;
        changeEnd = b.changeEnd;
        changeLegacyCase = b.changeLegacyCase;
        changeAssumed = b.changeAssumed;
        changeVma = b.changeVma;
        changeOrder = b.changeOrder;
        timelineCount = b.timelineCount;
        timelineMm = b.timelineMm;
        timelineSeq = b.timelineSeq;
        timelineTsNs = b.timelineTsNs;
        timelineVmaCount = b.timelineVmaCount;
        timelineMappedBytes = b.timelineMappedBytes;
        timelineOrder = b.timelineOrder;
        lives = Collections.unmodifiableList(b.lives);
        lifeOrder = Arrays.copyOf(b.lifeOrder, b.lives.size());
    }

    /** True when the batch holds no row at all. */
    public boolean isEmpty() {
        return eventCount == 0 && changeCount == 0 && timelineCount == 0 && lives.isEmpty();
    }

    // ---- events --------------------------------------------------------------------------

    public int eventCount() { return eventCount; }
    public Event event(int i) { return events[check(i, eventCount)]; }
    /** The address space event {@code i} acted on, -1 when none. */
    public long eventMm(int i) { return eventMm[check(i, eventCount)]; }
    /** The calling frame of event {@code i}'s stack ({@link CallSite}), null without a stack. */
    public String eventCallSite(int i) { return eventCallSite[check(i, eventCount)]; }
    public int eventOrder(int i) { return eventOrder[check(i, eventCount)]; }

    public Event[] events() { return events; }
    public long[] eventMms() { return eventMm; }
    public String[] eventCallSites() { return eventCallSite; }

    // ---- changes -------------------------------------------------------------------------

    public int changeCount() { return changeCount; }

    public Change change(int i) {
        check(i, changeCount);
        return new Change(changeSeq[i], changePid[i], changeMm[i], changeSyscall[i], changeKind[i], changeReason[i],
                changeStart[i], changeEnd[i], changeLegacyCase[i], changeAssumed[i], changeVma[i]);
    }

    public int changeOrder(int i) { return changeOrder[check(i, changeCount)]; }

    public long[] changeSeqs() { return changeSeq; }
    public int[] changePids() { return changePid; }
    public long[] changeMms() { return changeMm; }
    public String[] changeSyscalls() { return changeSyscall; }
    public CaseKind[] changeKinds() { return changeKind; }
    /** Null except for refusals. */
    public RefusalReason[] changeReasons() { return changeReason; }
    public long[] changeStarts() { return changeStart; }
    public long[] changeEnds() { return changeEnd; }
    public int[] changeLegacyCases() { return changeLegacyCase; }
    public boolean[] changeAssumed() { return changeAssumed; }
    public long[] changeVmaIds() { return changeVma; }

    // ---- timeline ------------------------------------------------------------------------

    public int timelineCount() { return timelineCount; }

    public TimelinePoint timeline(int i) {
        check(i, timelineCount);
        return new TimelinePoint(timelineMm[i], timelineSeq[i], timelineTsNs[i], timelineVmaCount[i], timelineMappedBytes[i]);
    }

    public int timelineOrder(int i) { return timelineOrder[check(i, timelineCount)]; }

    public long[] timelineMms() { return timelineMm; }
    public long[] timelineSeqs() { return timelineSeq; }
    /** {@link Event#NO_TIME} when the trace has no time stamps. */
    public long[] timelineTsNs() { return timelineTsNs; }
    public int[] timelineVmaCounts() { return timelineVmaCount; }
    public long[] timelineMappedBytes() { return timelineMappedBytes; }

    // ---- lives ---------------------------------------------------------------------------

    public int lifeCount() { return lives.size(); }
    public VmaLife life(int i) { return lives.get(i); }
    public int lifeOrder(int i) { return lifeOrder[check(i, lives.size())]; }
    /** The VMA lives that ended, read-only. */
    public List<VmaLife> lives() { return lives; }

    private static int check(int i, int count) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("row " + i + " of " + count);
        return i;
    }

    /**
     * Fills one batch at a time: {@link #build} hands the rows over and starts the next batch
     * with fresh arrays (a delivered batch is never written again), allocated when first needed.
     */
    public static final class Builder {

        private static final int INITIAL = 256;
        private static final Event[] NO_EVENTS = {};
        private static final long[] NO_LONGS = {};
        private static final int[] NO_INTS = {};
        private static final String[] NO_STRINGS = {};
        private static final CaseKind[] NO_KINDS = {};
        private static final RefusalReason[] NO_REASONS = {};
        private static final boolean[] NO_BOOLEANS = {};

        /** The size each section reached in the previous batch (see {@link #reset}). */
        private int eventHint, changeHint, timelineHint, lifeHint;

        private int order;

        private int eventCount;
        private Event[] events;
        private long[] eventMm;
        private String[] eventCallSite;
        private int[] eventOrder;

        private int changeCount;
        private long[] changeSeq;
        private int[] changePid;
        private long[] changeMm;
        private String[] changeSyscall;
        private CaseKind[] changeKind;
        private RefusalReason[] changeReason;
        private long[] changeStart, changeEnd;
        private int[] changeLegacyCase;
        private boolean[] changeAssumed;
        private long[] changeVma;
        private int[] changeOrder;

        private int timelineCount;
        private long[] timelineMm, timelineSeq, timelineTsNs;
        private int[] timelineVmaCount;
        private long[] timelineMappedBytes;
        private int[] timelineOrder;

        private List<VmaLife> lives;
        private int[] lifeOrder;

        public Builder() {
            reset();
        }

        /**
         * Starts an empty batch. A section's arrays are allocated on its first row, at the size
         * its previous batch reached: the replay builds a batch before every low-volume callback,
         * so most batches leave most sections empty, and those share the empty arrays below.
         */
        private void reset() {
            order = 0;
            eventCount = 0;
            events = NO_EVENTS;
            eventMm = NO_LONGS;
            eventCallSite = NO_STRINGS;
            eventOrder = NO_INTS;
            changeCount = 0;
            changeSeq = NO_LONGS;
            changePid = NO_INTS;
            changeMm = NO_LONGS;
            changeSyscall = NO_STRINGS;
            changeKind = NO_KINDS;
            changeReason = NO_REASONS;
            changeStart = NO_LONGS;
            changeEnd = NO_LONGS;
            changeLegacyCase = NO_INTS;
            changeAssumed = NO_BOOLEANS;
            changeVma = NO_LONGS;
            changeOrder = NO_INTS;
            timelineCount = 0;
            timelineMm = NO_LONGS;
            timelineSeq = NO_LONGS;
            timelineTsNs = NO_LONGS;
            timelineVmaCount = NO_INTS;
            timelineMappedBytes = NO_LONGS;
            timelineOrder = NO_INTS;
            lives = new ArrayList<>();
            lifeOrder = NO_INTS;
        }

        /** The next capacity of a full section: double, or the previous batch's size to start. */
        private static int grown(int count, int hint) {
            return count == 0 ? Math.max(INITIAL, hint) : count * 2;
        }

        /** Events added since the last {@link #build}. */
        public int eventCount() {
            return eventCount;
        }

        /** True when nothing was added since the last {@link #build}. */
        public boolean isEmpty() {
            return order == 0;
        }

        /** An event replayed, with the address space it acted on (-1 when none). */
        public Builder event(Event e, long mmId) {
            if (eventCount == events.length) {
                int n = grown(eventCount, eventHint);
                events = Arrays.copyOf(events, n);
                eventMm = Arrays.copyOf(eventMm, n);
                eventCallSite = Arrays.copyOf(eventCallSite, n);
                eventOrder = Arrays.copyOf(eventOrder, n);
            }
            int i = eventCount++;
            events[i] = e;
            eventMm[i] = mmId;
            eventCallSite[i] = e.stack().isEmpty() ? null : CallSite.of(e.stack());
            eventOrder[i] = order++;
            return this;
        }

        /** One engine primitive caused by event {@code seq}; {@code reason} null unless refused. */
        public Builder change(long seq, int pid, long mmId, String syscall, CaseKind kind, RefusalReason reason,
                              long start, long end, int legacyCase, boolean assumed, long vmaId) {
            if (changeCount == changeSeq.length) {
                int n = grown(changeCount, changeHint);
                changeSeq = Arrays.copyOf(changeSeq, n);
                changePid = Arrays.copyOf(changePid, n);
                changeMm = Arrays.copyOf(changeMm, n);
                changeSyscall = Arrays.copyOf(changeSyscall, n);
                changeKind = Arrays.copyOf(changeKind, n);
                changeReason = Arrays.copyOf(changeReason, n);
                changeStart = Arrays.copyOf(changeStart, n);
                changeEnd = Arrays.copyOf(changeEnd, n);
                changeLegacyCase = Arrays.copyOf(changeLegacyCase, n);
                changeAssumed = Arrays.copyOf(changeAssumed, n);
                changeVma = Arrays.copyOf(changeVma, n);
                changeOrder = Arrays.copyOf(changeOrder, n);
            }
            int i = changeCount++;
            changeSeq[i] = seq;
            changePid[i] = pid;
            changeMm[i] = mmId;
            changeSyscall[i] = syscall;
            changeKind[i] = kind;
            changeReason[i] = reason;
            changeStart[i] = start;
            changeEnd[i] = end;
            changeLegacyCase[i] = legacyCase;
            changeAssumed[i] = assumed;
            changeVma[i] = vmaId;
            changeOrder[i] = order++;
            return this;
        }

        public Builder change(Change c) {
            return change(c.seq(), c.pid(), c.mmId(), c.syscall(), c.kind(), c.reason(), c.start(), c.end(),
                    c.legacyCase(), c.assumed(), c.vmaId());
        }

        /** The address space's size after event {@code seq}. */
        public Builder timeline(long mmId, long seq, long tsNs, int vmaCount, long mappedBytes) {
            if (timelineCount == timelineMm.length) {
                int n = grown(timelineCount, timelineHint);
                timelineMm = Arrays.copyOf(timelineMm, n);
                timelineSeq = Arrays.copyOf(timelineSeq, n);
                timelineTsNs = Arrays.copyOf(timelineTsNs, n);
                timelineVmaCount = Arrays.copyOf(timelineVmaCount, n);
                timelineMappedBytes = Arrays.copyOf(timelineMappedBytes, n);
                timelineOrder = Arrays.copyOf(timelineOrder, n);
            }
            int i = timelineCount++;
            timelineMm[i] = mmId;
            timelineSeq[i] = seq;
            timelineTsNs[i] = tsNs;
            timelineVmaCount[i] = vmaCount;
            timelineMappedBytes[i] = mappedBytes;
            timelineOrder[i] = order++;
            return this;
        }

        /** A VMA's life that ended. */
        public Builder life(VmaLife life) {
            int i = lives.size();
            if (i == lifeOrder.length) lifeOrder = Arrays.copyOf(lifeOrder, grown(i, lifeHint));
            lives.add(life);
            lifeOrder[i] = order++;
            return this;
        }

        /** The rows added since the last build, as an immutable batch; the builder starts afresh. */
        public OutcomeBatch build() {
            OutcomeBatch b = new OutcomeBatch(this);
            // a big batch's size outlives a few small ones (halving per batch)
            eventHint = Math.max(eventCount, eventHint / 2);
            changeHint = Math.max(changeCount, changeHint / 2);
            timelineHint = Math.max(timelineCount, timelineHint / 2);
            lifeHint = Math.max(lives.size(), lifeHint / 2);
            reset();
            return b;
        }
    }
}
