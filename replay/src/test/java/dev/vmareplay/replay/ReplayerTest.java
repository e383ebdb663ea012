package dev.vmareplay.replay;

import dev.vmareplay.replay.outcome.CaseKind;
import dev.vmareplay.replay.outcome.Change;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeListener;
import dev.vmareplay.replay.outcome.OutcomeRecords;
import dev.vmareplay.replay.outcome.ProcessInfo;
import dev.vmareplay.replay.outcome.RunSummary;
import dev.vmareplay.replay.outcome.VmaLayout;
import dev.vmareplay.replay.outcome.VmaLife;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.Source;
import dev.vmareplay.replay.engine.Errno;
import dev.vmareplay.replay.maps.MapsEntry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The driver: which address space each event lands in, and how the replay reconciles with
 * what the trace says the kernel returned. Addresses are in a window W; one page = 0x1000.
 */
class ReplayerTest {

    static final long W = 0x200000000000L;
    static final long PAGE = 0x1000;
    static final int RW = 3, R = 1;
    static final int PRIVATE_ANON = 0x02 | 0x20;
    static final int FIXED = 0x10;

    /** Records what the replay reports. */
    static final class Recorder extends OutcomeRecords {
        final List<ProcessInfo> processes = new ArrayList<>();
        final List<String> divergences = new ArrayList<>();
        final List<Change> vmaEvents = new ArrayList<>();
        final Map<Long, List<VmaLayout>> finals = new java.util.HashMap<>();
        final List<VmaLife> lives = new ArrayList<>();
        final List<Long> peakSeqs = new ArrayList<>();
        final List<VmaLayout> peak = new ArrayList<>();
        boolean finished;

        @Override public void onProcess(ProcessInfo p) { processes.add(p); }
        @Override public void onDivergence(Divergence d) { divergences.add(d.cause()); }
        @Override protected void onChange(Change c) { vmaEvents.add(c); }
        @Override public void onFinalLayout(long mmId, List<VmaLayout> layout) { finals.computeIfAbsent(mmId, k -> new ArrayList<>()).addAll(layout); }
        @Override public void finish(RunSummary s, IngestStats st) { finished = true; }
        @Override protected void onVmaLife(VmaLife l) { lives.add(l); }
        @Override public void onPeakLayout(long mmId, long seq, List<VmaLayout> layout) {
            for (VmaLayout v : layout) { peakSeqs.add(seq); peak.add(v); }
        }

        long count(CaseKind k) {
            return vmaEvents.stream().filter(e -> e.kind() == k).count();
        }
    }

    private long seq;
    private final Recorder rec = new Recorder();
    private final Replayer replayer = new Replayer(ReplayOptions.defaults(), rec);

    private void ev(int tid, Call call, long ret) {
        ev(tid, tid, call, ret, 0);
    }

    private void ev(int pid, int tid, Call call, long ret, int errno) {
        replayer.replay(new Event(seq++, 0, pid, tid, call, errno == 0 ? ret : -1, errno, true, 1000, new Source("test", seq)));
    }

    private void mmap(int tid, long page, long pages, int prot) {
        ev(tid, new Call.Mmap(W + page * PAGE, pages * PAGE, prot, PRIVATE_ANON | FIXED, -1, 0, null), W + page * PAGE);
    }

    private Map<Integer, List<MapsEntry>> finish() throws Exception {
        return replayer.run(new EmptySource());
    }

    @Test
    void threadsShareTheirProcesssAddressSpace() throws Exception {
        /*
         * 0123
         * AB      A mapped by the leader, B by a thread: one address space, B merges into A
         */
        mmap(100, 0, 1, RW);
        ev(100, new Call.Clone("clone3", 0x3d0f00), 101);
        mmap(101, 1, 1, RW);
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(rec.processes).hasSize(1);
        assertThat(rec.count(CaseKind.NEW_LEFT)).isEqualTo(1);
        assertThat(layouts.get(100)).extracting(MapsEntry::start, MapsEntry::end).containsExactly(
                org.assertj.core.groups.Tuple.tuple(W, W + 2 * PAGE));
        assertThat(rec.divergences).isEmpty();
    }

    @Test
    void forkGivesTheChildACopyThatThenGoesItsOwnWay() throws Exception {
        mmap(100, 0, 2, RW);
        ev(100, new Call.Clone("clone", 17 /* SIGCHLD */), 200);
        ev(200, new Call.Munmap(W, 2 * PAGE), 0);
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(rec.processes).extracting(ProcessInfo::pid).containsExactly(100, 200);
        assertThat(rec.processes.get(1).parentPid()).isEqualTo(100);
        assertThat(layouts.get(100)).hasSize(1);
        assertThat(layouts.get(200)).isEmpty();
    }

    @Test
    void vmaIdsCountFromOneInEachFamilySoTheSameTraceStoresTheSameIds() throws Exception {
        /*
         * pid 100  mm 1: A            VMA 1 (a fresh family)
         * fork     mm 2: A' (copy)    VMA 2, then B: VMA 3, then B split by mprotect: VMA 4
         * execve   mm 3: C            VMA 1 again (a fresh family: nothing was copied)
         * Whatever this JVM replayed before, these are the ids.
         */
        mmap(100, 0, 1, RW);
        ev(100, new Call.Clone("clone", 17 /* SIGCHLD */), 200);
        mmap(200, 4, 2, RW);
        ev(200, new Call.Mprotect(W + 5 * PAGE, PAGE, R, -1), 0);
        ev(100, new Call.Execve("execve", "/bin/true"), 0);
        mmap(100, 8, 1, R);
        finish();

        assertThat(rec.lives).extracting(VmaLife::mmId, VmaLife::vmaId, VmaLife::createdBy, VmaLife::parentVma)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(1L, 1L, "mmap", 0L),
                        org.assertj.core.groups.Tuple.tuple(2L, 2L, "fork", 0L),
                        org.assertj.core.groups.Tuple.tuple(2L, 3L, "mmap", 0L),
                        org.assertj.core.groups.Tuple.tuple(2L, 4L, "split", 3L),
                        org.assertj.core.groups.Tuple.tuple(3L, 1L, "mmap", 0L));
    }

    @Test
    void execveStartsAFreshAddressSpace() throws Exception {
        mmap(100, 0, 2, RW);
        ev(100, new Call.Execve("execve", "/bin/true"), 0);
        mmap(100, 8, 1, R);
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(layouts.get(100)).extracting(MapsEntry::start).containsExactly(W + 8 * PAGE);
        assertThat(rec.processes).extracting(ProcessInfo::mmId).doesNotHaveDuplicates().hasSize(2);
        assertThat(rec.processes.get(1).exe()).isEqualTo("/bin/true");
    }

    @Test
    void vforkChildSharesTheParentsAddressSpaceUntilItExecs() throws Exception {
        mmap(100, 0, 1, RW);
        ev(100, new Call.Clone("vfork", 0x4111), 300);
        mmap(300, 1, 1, RW);                                   // still the parent's mm
        ev(300, new Call.Execve("execve", "/bin/sh"), 0);
        mmap(300, 9, 1, RW);                                   // the child's own mm now
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(layouts.get(100)).extracting(MapsEntry::end).containsExactly(W + 2 * PAGE);
        assertThat(layouts.get(300)).extracting(MapsEntry::start).containsExactly(W + 9 * PAGE);
    }

    @Test
    void aVforkChildThatExecdBeforeItsParentsVforkLineKeepsItsOwnAddressSpace() throws Exception {
        // perf trace: "? ( ): gcc/300 ... [continued]: vfork()) = 0", the child's execve and
        // mmaps, and only then the parent's "... [continued]: vfork()) = 300"
        mmap(100, 0, 1, RW);
        mmap(300, 5, 1, RW);                                   // before the exec: still the parent's mm (vfork)
        ev(300, new Call.Execve("execve", "/usr/bin/cc1"), 0);
        mmap(300, 9, 1, RW);                                   // the child's own mm
        ev(100, new Call.Clone("vfork", 0x4111), 300);
        mmap(300, 10, 1, RW);                                  // still the child's own mm
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(layouts.get(100)).extracting(MapsEntry::start).containsExactly(W, W + 5 * PAGE);
        assertThat(layouts.get(300)).extracting(MapsEntry::start).containsExactly(W + 9 * PAGE);
        assertThat(layouts.get(300)).extracting(MapsEntry::end).containsExactly(W + 11 * PAGE);
    }

    @Test
    void theChildsHalfOfAVforkPrintedAfterItExitedCreatesNoProcess() throws Exception {
        mmap(100, 0, 1, RW);
        ev(100, new Call.Clone("vfork", 0x4111), 300);
        ev(300, new Call.Execve("execve", "/usr/bin/as"), 0);
        ev(300, new Call.Exit(true, 0), 0);
        ev(300, new Call.Clone("vfork", 0x4111), 0);          // perf: "as/300 ... [continued]: vfork()) = 0"
        ev(300, new Call.Execve("execve", null), 0);           // and a pre-exec line flushed late
        finish();

        assertThat(rec.processes).extracting(ProcessInfo::pid).containsExactly(100, 300, 300);
        assertThat(rec.divergences).containsExactly("late-event");
    }

    @Test
    void exitOfTheLastTaskReportsTheFinalLayoutOnce() throws Exception {
        mmap(100, 0, 1, RW);
        ev(100, new Call.Exit(true, 0), 0);
        ev(100, new Call.Exit(false, 0), 0);                   // "+++ exited with 0 +++" after exit_group
        finish();

        assertThat(rec.finals).hasSize(1);
        assertThat(rec.finals.values().iterator().next()).hasSize(1);
        assertThat(rec.divergences).as("the +++ line of an exited task is not a new task").isEmpty();
        assertThat(rec.finished).isTrue();
    }

    @Test
    void aTaskWhoseCloneIsNotInTheTraceGetsItsOwnAddressSpaceAndADivergence() throws Exception {
        mmap(100, 0, 1, RW);
        mmap(555, 1, 1, RW);
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(rec.divergences).containsExactly("unknown-task");
        assertThat(layouts.get(100)).hasSize(1);
        assertThat(layouts.get(555)).hasSize(1);
        assertThat(rec.count(CaseKind.NEW_LEFT)).isZero();
    }

    @Test
    void aCallOnARangeTheModelNeverSawMappedCreatesTheMappingAndSaysSo() throws Exception {
        /*
         * 0123
         * ..      mprotect [0,2) succeeded in the trace; the model had nothing there
         */
        ev(100, new Call.Mprotect(W, 2 * PAGE, R, -1), 0);
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(rec.divergences).contains("missing-mapping");
        assertThat(layouts.get(100)).singleElement().satisfies(m -> {
            assertThat(m.start()).isEqualTo(W);
            assertThat(m.end()).isEqualTo(W + 2 * PAGE);
            assertThat(m.perms()).isEqualTo("r--p");
        });
    }

    @Test
    void aFailureTheModelWouldNotHaveIsADivergence() throws Exception {
        mmap(100, 0, 2, RW);
        ev(100, 100, new Call.Mprotect(W, PAGE, R, -1), 0, Errno.EACCES);
        finish();
        assertThat(rec.divergences).containsExactly("model-accepted");
    }

    @Test
    void munmapRefusedWithEpermMeansTheRangeWasSealed() throws Exception {
        /*
         * 0123
         * AAAA    munmap [1,2) fails with EPERM: an mseal the trace does not show (perf trace drops it)
         */
        mmap(100, 0, 4, RW);
        ev(100, 100, new Call.Munmap(W + PAGE, PAGE), 0, Errno.EPERM);
        ev(100, 100, new Call.Mprotect(W + PAGE, PAGE, R, -1), 0, Errno.EPERM);
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(rec.divergences).containsExactly("inferred-seal");
        assertThat(layouts.get(100)).hasSize(3); // [0,1) [1,2)sealed [2,4): the seal split it
        assertThat(layouts.get(100).get(1).vmFlags()).contains("sl");
        assertThat(layouts.get(100).get(1).perms()).isEqualTo("rw-p");
    }

    @Test
    void anMmapOverVmasTheModelStillHadDropsThem() throws Exception {
        mmap(100, 0, 2, RW);
        // not MAP_FIXED, yet the kernel put it at W: the range was free in the kernel
        ev(100, new Call.Mmap(0, PAGE, R, PRIVATE_ANON, -1, 0, null), W);
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(rec.divergences).containsExactly("stale-mapping");
        assertThat(layouts.get(100)).extracting(MapsEntry::perms).containsExactly("r--p", "rw-p");
    }

    @Test
    void brkGrowsTheHeapFromWhereTheFirstAnswerSaysItIs() throws Exception {
        long heap = 0x555555559000L;
        ev(100, new Call.Brk(0), heap);
        ev(100, new Call.Brk(heap + 0x21000), heap + 0x21000);
        ev(100, new Call.Brk(heap + 0x42000), heap + 0x42000);
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(rec.divergences).isEmpty();
        assertThat(layouts.get(100)).singleElement().satisfies(m -> {
            assertThat(m.start()).isEqualTo(heap);
            assertThat(m.end()).isEqualTo(heap + 0x42000);
            assertThat(m.path()).isEqualTo("[heap]");
        });
        assertThat(rec.count(CaseKind.NEW_NONE) + rec.count(CaseKind.EXPAND) + rec.count(CaseKind.NEW_LEFT))
                .as("one new VMA, then one growth in place").isEqualTo(2);
    }

    @Test
    void everyVmaIsFollowedFromTheEventThatMadeItToTheOneThatRemovedIt() throws Exception {
        /*
         * 0123
         * AAAA    mmap                      (seq 0)  A created by mmap
         * BACC    mprotect [1,2) R          (seq 1)  split twice: B and C are pieces of A
         * BBBB    mprotect [1,2) RW         (seq 2)  existing both: B absorbs A and C
         */
        mmap(100, 0, 4, RW);
        ev(100, new Call.Mprotect(W + PAGE, PAGE, R, -1), 0);
        ev(100, new Call.Mprotect(W + PAGE, PAGE, RW, -1), 0);
        finish();

        assertThat(rec.lives).hasSize(3);
        VmaLife a = rec.lives.stream().filter(l -> l.createdBy().equals("mmap")).findFirst().orElseThrow();
        assertThat(a.createdSeq()).isZero();
        assertThat(a.splits()).isEqualTo(2);
        assertThat(a.removedSeq()).isEqualTo(2);
        assertThat(a.removedBy()).isEqualTo("merge");
        List<VmaLife> pieces = rec.lives.stream().filter(l -> l.createdBy().equals("split")).toList();
        assertThat(pieces).hasSize(2).allSatisfy(p -> {
            assertThat(p.parentVma()).isEqualTo(a.vmaId());
            assertThat(p.createdSeq()).isEqualTo(1);
        });
        VmaLife b = pieces.stream().filter(p -> p.start() == W).findFirst().orElseThrow();
        VmaLife c = pieces.stream().filter(p -> p.start() == W + 2 * PAGE).findFirst().orElseThrow();
        assertThat(a.mergedInto()).isEqualTo(b.vmaId());
        assertThat(c.removedBy()).isEqualTo("merge");
        assertThat(c.mergedInto()).isEqualTo(b.vmaId());
        assertThat(b.merges()).isEqualTo(1);
        assertThat(b.removedSeq()).as("still mapped at the end of the trace").isEqualTo(-1);
        assertThat(b.removedBy()).isNull();
    }

    @Test
    void theLayoutAtThePeakIsKeptForTheReport() throws Exception {
        /*
         * 0123456
         * A B C      three separate mappings (peak: 3 VMAs after seq 2)
         * A          then two are unmapped
         */
        mmap(100, 0, 1, RW);
        mmap(100, 2, 1, R);
        mmap(100, 4, 1, RW);
        ev(100, new Call.Munmap(W + 2 * PAGE, 3 * PAGE), 0);
        Map<Integer, List<MapsEntry>> layouts = finish();

        assertThat(layouts.get(100)).hasSize(1);
        assertThat(rec.peak).extracting(VmaLayout::start).containsExactly(W, W + 2 * PAGE, W + 4 * PAGE);
        assertThat(rec.peakSeqs).containsOnly(2L);
    }

    @Test
    void batchesComeBeforeEveryCallThatMustFollowThemAndEvery4096Events() throws Exception {
        List<String> calls = new ArrayList<>();
        Replayer r = new Replayer(ReplayOptions.defaults(), new OutcomeListener() {
            @Override public void onProcess(ProcessInfo p) { calls.add("process " + p.pid()); }
            @Override public void onBatch(dev.vmareplay.replay.outcome.OutcomeBatch b) {
                calls.add("batch " + b.eventCount() + (b.eventCount() > 0 ? " last " + b.event(b.eventCount() - 1).seq() : ""));
            }
            @Override public void onDivergence(Divergence d) { calls.add("divergence " + d.seq()); }
            @Override public void onFinalLayout(long mmId, List<VmaLayout> layout) { calls.add("final " + mmId); }
            @Override public void finish(RunSummary s, IngestStats st) { calls.add("finish " + s.events()); }
        });
        int n = Replayer.BATCH_EVENTS + 10;
        long s = 0;
        for (; s < n; s++) {
            r.replay(new Event(s, 0, 100, 100, new Call.Mmap(W, PAGE, RW, PRIVATE_ANON | FIXED, -1, 0, null), W, 0, true, 1000, new Source("t", s)));
        }
        // munmap of a range the model never had: the trace says it succeeded, so it diverges
        r.replay(new Event(s, 0, 100, 100, new Call.Mprotect(W + 100 * PAGE, PAGE, R, -1), 0, 0, true, 1000, new Source("t", s)));
        r.run(new EmptySource());

        assertThat(calls).containsExactly(
                "process 100",
                "batch " + Replayer.BATCH_EVENTS + " last " + (Replayer.BATCH_EVENTS - 1),
                "batch 11 last " + s,           // the divergence's own event comes before it
                "divergence " + s,
                "batch 0",                       // the rest of that event: its timeline point and reconciling changes
                "final 1",
                "finish " + (n + 1));
    }

    /** No more events. */
    static final class EmptySource implements dev.vmareplay.ingest.EventSource {
        private final IngestStats stats = new IngestStats();
        @Override public Event next() { return null; }
        @Override public IngestStats stats() { return stats; }
        @Override public void close() { }
    }

}
