package dev.vmareplay.replay;

import dev.vmareplay.replay.outcome.Change;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeRecords;
import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.replay.engine.KernelVersion;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real trace replayed under --kernel 6.1 and --kernel 6.18 gives the differences the
 * version table of docs/kernel-vma.md predicts (its section 7), each named here.
 */
class KernelVersionTraceTest {

    /** kind or kind(reason) -> count, and the divergences, of one replay. */
    record Outcome(Map<String, Integer> cases, List<String> divergences, List<Integer> legacyCases) { }

    static Outcome replay(String caseName, KernelVersion kernel) throws Exception {
        return replay(caseName, kernel, null);
    }

    static Outcome replay(String caseName, KernelVersion kernel, dev.vmareplay.replay.engine.FaultPolicy policy) throws Exception {
        Path v = Samples.root().resolve(caseName).resolve("strace-tt-T-y");
        Map<String, Integer> cases = new TreeMap<>();
        List<String> divergences = new ArrayList<>();
        List<Integer> legacy = new ArrayList<>();
        OutcomeRecords l = new OutcomeRecords() {
            @Override protected void onChange(Change e) {
                String k = e.kind().storageName() + (e.reason() != null ? "(" + e.reason().storageName() + ")" : "");
                cases.merge(k, 1, Integer::sum);
                if (e.legacyCase() > 0) legacy.add(e.legacyCase());
            }
            @Override public void onDivergence(Divergence d) { divergences.add(d.cause()); }
        };
        ReplayOptions o = new ReplayOptions(kernel, v.resolve("start.smaps"), Map.of(), policy, true);
        try (EventSource s = Ingest.open(v.resolve("trace.cut.txt").toString())) {
            new Replayer(o, l).run(s);
        }
        return new Outcome(cases, divergences, legacy);
    }

    @Test
    void munlockRemergesFaultedMemoryOnlySince616() throws Exception {
        /*
         * mlock_munlock: mmap [0,8) RW; mlock [2,6) (splits in two, populates: the middle gets
         * an anon_vma); munlock [2,6). 6.16's "fix incorrectly disallowed anonymous VMA merges"
         * lets the faulted middle merge back into its unfaulted neighbours (existing both); the
         * older rule (6.1-6.15) refuses both sides for anon_vma, leaving three VMAs.
         */
        Outcome now = replay("mlock_munlock", KernelVersion.V6_18);
        Outcome old = replay("mlock_munlock", KernelVersion.V6_1);

        assertThat(now.cases()).containsEntry("existing_both", 1).containsEntry("split", 2).doesNotContainKey("refused(anon_vma)");
        assertThat(old.cases()).containsEntry("refused(anon_vma)", 2).containsEntry("split", 2).doesNotContainKey("existing_both");
        assertThat(now.legacyCases()).as("6.1 would have called the 6.18 existing-both merge case 6").contains(6);
        assertThat(now.divergences()).isEmpty();
        assertThat(old.divergences()).isEmpty();
    }

    @Test
    void msealExistsOnlySince610() throws Exception {
        /*
         * mseal_basic on 6.18: two splits, then the two later mseals merge with the sealed middle
         * (existing right full = legacy case 8, existing left full = case 7). 6.1 has no mseal:
         * the model refuses every mseal the trace says succeeded, and the EPERMs of the sealed
         * range cannot be explained: divergences, and no seal merges.
         */
        Outcome now = replay("mseal_basic", KernelVersion.V6_18);
        Outcome old = replay("mseal_basic", KernelVersion.V6_1);

        assertThat(now.cases()).containsEntry("existing_right_full", 1).containsEntry("existing_left_full", 1);
        assertThat(now.legacyCases()).containsExactly(8, 7);
        assertThat(now.divergences()).isEmpty();
        assertThat(old.cases()).doesNotContainKeys("existing_right_full", "existing_left_full");
        assertThat(old.divergences()).contains("model-refused");
    }

    /*
     * reservation_jvm_like ends with mprotect [512,544) PROT_NONE: a JVM uncommitting memory
     * it committed with mprotect RW. Whether those pages were written decides 6.1: the default
     * fault policy takes memory made PROT_NONE as never written (guard pages, uncommits), so
     * both kernels merge it back into the reservation on both sides. If it was written
     * (--fault-policy assume-written), 6.16+ still merges the faulted range into its unfaulted
     * neighbours, while the older anon_vma rule refuses both sides.
     */
    @Test
    void theJvmLikeUncommitMergesBackOnOlderKernelsOnlyIfTheMemoryWasNeverWritten() throws Exception {
        dev.vmareplay.replay.engine.FaultPolicy written = dev.vmareplay.replay.engine.FaultPolicy.ASSUME_WRITTEN;
        assertThat(replay("reservation_jvm_like", KernelVersion.V6_18).cases()).containsEntry("existing_both", 1);
        assertThat(replay("reservation_jvm_like", KernelVersion.V6_1).cases()).containsEntry("existing_both", 1);

        Outcome now = replay("reservation_jvm_like", KernelVersion.V6_18, written);
        Outcome old = replay("reservation_jvm_like", KernelVersion.V6_1, written);
        assertThat(now.cases()).containsEntry("existing_both", 1).doesNotContainKey("refused(anon_vma)");
        assertThat(old.cases()).doesNotContainKey("existing_both");
        assertThat(old.cases().get("refused(anon_vma)")).isGreaterThanOrEqualTo(2);
    }
}
