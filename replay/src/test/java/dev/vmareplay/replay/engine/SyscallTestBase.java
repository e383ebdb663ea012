package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.EngineTestSupport.Recorder;
import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.List;

import static dev.vmareplay.replay.engine.EngineTestSupport.w;
import static dev.vmareplay.replay.engine.Mman.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixture of the per-family system call tests (one test class per engine class, named after
 * its kernel file): a 6.18 address space under the observed-only fault policy, recording every
 * event.
 *
 * <p>Scenarios read like the kernel's userland VMA tests (tools/testing/vma): each step draws the
 * window one character per page (page numbers on top), makes its call, then asserts every VMA it
 * shaped with {@link #assertVma} (start, end, pgoff, anon_vma), the map count, and with
 * {@link #assertVmg} what the merge machinery did in that step (which vma_merge_struct case
 * succeeded, which split, removal or refusal happened).
 */
abstract class SyscallTestBase {
    static final int RW = PROT_READ | PROT_WRITE;
    static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

    Recorder rec;
    Mm mm;
    /** The first event of the current step (see {@link #assertVmg}). */
    private int stepStart;

    @BeforeEach
    void setUp() {
        rec = new Recorder();
        mm = new Mm(KernelVersion.V6_18, FaultPolicy.OBSERVED_ONLY, rec);
        stepStart = 0;
    }

    String smaps(long page) {
        return VmFlags.toSmaps(mm.find(w(page)).flags()).trim();
    }

    /** Window page n's virtual page number: the pgoff anonymous private memory mapped there gets. */
    static long vpn(long page) {
        return w(page) >>> Mm.PAGE_SHIFT;
    }

    /**
     * The VMA holding window page startPage spans exactly [startPage, endPage), has pgoff (in
     * pages; {@link #vpn} for anonymous memory) and has an anon_vma or not.
     *
     * @return that VMA
     */
    Vma assertVma(long startPage, long endPage, long pgoff, boolean anonVma) {
        EngineTestSupport.assertVma(mm, startPage, endPage, pgoff, anonVma);
        return mm.find(w(startPage));
    }

    void assertMapCount(int n) {
        assertThat(mm.mapCount()).as("map_count").isEqualTo(n);
    }

    /**
     * What the merge machinery did since the previous step, in order: the merge case each
     * successful vma_merge_struct was classified as (NEW_LEFT, EXISTING_BOTH, ...), NEW_NONE for
     * a VMA allocated because nothing merged, SPLIT, REMOVE, EXPAND, and REFUSED for a neighbour
     * that would have merged but for one rule. Starts the next step.
     */
    void assertVmg(Kind... expected) {
        List<Kind> kinds = new ArrayList<>();
        for (VmaEvent e : rec.events.subList(stepStart, rec.events.size())) {
            kinds.add(e.kind());
        }
        stepStart = rec.events.size();
        assertThat(kinds).as("the vmg outcomes of this step").containsExactly(expected);
    }

    /** Why the most recent refused merge was refused (is_mergeable_vma()'s rule, anon_vma, pgoff). */
    VmaEvent.RefusalReason lastRefusal() {
        for (int i = rec.events.size() - 1; i >= 0; i--) {
            if (rec.events.get(i).kind() == Kind.REFUSED) {
                return rec.events.get(i).reason();
            }
        }
        return null;
    }
}
