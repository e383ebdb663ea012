package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.EngineTestSupport.Recorder;
import dev.vmareplay.replay.engine.VmaEvent.Kind;
import dev.vmareplay.replay.engine.VmaEvent.RefusalReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The 31 scripted ground-truth scenarios of shared/traces, each transcribed from its
 * strace-tt-T-y/trace.cut.txt as direct Mm calls. Each test asserts the expected end layout of the
 * window and the Totals of case.txt; when the traces are present it also seeds the whole start.smaps
 * of that run and compares the complete modelled /proc/PID/maps with the kernel's end.maps.
 *
 * <p>strace shows no page faults: by default the calls run under the default
 * {@link FaultPolicy#WRITE_BEFORE_PROTECT}. Scenarios whose outcome depends on writes strace cannot
 * show are also replayed with the faults of their perf-trace-F variant under
 * {@link FaultPolicy#OBSERVED_ONLY}.
 */
class ScriptedScenarioTest {

    /** One scenario run: the Mm, its events, and the checks. */
    static final class Scenario {
        final String name;
        final Recorder rec = new Recorder();
        final Mm mm;
        final Path dir;

        Scenario(String name, FaultPolicy policy) throws IOException {
            this.name = name;
            this.mm = new Mm(KernelVersion.V6_18, policy, VmaObserver.NONE);
            Path traces = tracesDir();
            this.dir = traces == null ? null : traces.resolve(name).resolve("strace-tt-T-y");
            if (dir != null && Files.isRegularFile(dir.resolve("start.smaps"))) {
                seedFromSmaps(mm, dir.resolve("start.smaps"));
            }
            mm.setObserver(rec);
        }

        /** The window layout, e.g. "0-4 rw-p, 4-8 r--p" (case.txt's "expected end layout"). */
        Scenario expectWindow(String expected) {
            assertThat(windowLayout(mm)).as("%s: end layout in the window", name).isEqualTo(expected);
            return this;
        }

        /** The Totals of case.txt, e.g. "new_none=2 new_both=1 split=0": every merge/split kind not named must be 0. */
        Scenario totals(String spec) {
            java.util.Map<Kind, Long> want = new java.util.EnumMap<>(Kind.class);
            for (Kind k : new Kind[] {Kind.NEW_NONE, Kind.NEW_LEFT, Kind.NEW_RIGHT, Kind.NEW_BOTH, Kind.EXISTING_LEFT_FULL,
                Kind.EXISTING_LEFT_PARTIAL, Kind.EXISTING_RIGHT_FULL, Kind.EXISTING_RIGHT_PARTIAL, Kind.EXISTING_BOTH,
                Kind.SPLIT}) {
                want.put(k, 0L);
            }
            for (String kv : spec.trim().split("\\s+")) {
                String[] p = kv.split("=");
                if (p[0].startsWith("refused:")) {
                    RefusalReason r = RefusalReason.valueOf(p[0].substring(8).toUpperCase());
                    assertThat(rec.refused(r)).as("%s: refusals for %s", name, r).isEqualTo(Long.parseLong(p[1]));
                } else {
                    want.put(Kind.valueOf(p[0].toUpperCase()), Long.parseLong(p[1]));
                }
            }
            java.util.Map<Kind, Long> got = new java.util.EnumMap<>(Kind.class);
            for (Kind k : want.keySet()) {
                got.put(k, rec.count(k));
            }
            assertThat(got).as("%s: Totals (events %s)", name, rec.events).isEqualTo(want);
            return this;
        }

        /** Compares the whole modelled maps with the kernel's end.maps of the same run (when present). */
        Scenario matchesKernelEndMaps() throws IOException {
            mm.checkInvariants();
            if (dir == null || !Files.isRegularFile(dir.resolve("end.maps"))) {
                return this;
            }
            List<String> kernel = Files.readAllLines(dir.resolve("end.maps"));
            assertThat(mapsLines(mm)).as("%s: whole /proc/PID/maps vs the kernel's end.maps", name)
                .containsExactlyElementsOf(kernel);
            return this;
        }

        /** Replays the write faults of [startPage, endPage) of the window, page by page. */
        void touch(long startPage, long endPage) {
            for (long p = startPage; p < endPage; p++) {
                assertThat(mm.fault(w(p), true)).isZero();
            }
        }
    }

    private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
    private static final int NOREPLACE = ANON | MAP_FIXED_NOREPLACE;
    private static final int RW = PROT_READ | PROT_WRITE;

    /** The strace-only runs use the default policy (override with -Dvmareplay.engine.faultPolicy=...). */
    private static Scenario scenario(String name) throws IOException {
        String p = System.getProperty("vmareplay.engine.faultPolicy", FaultPolicy.WRITE_BEFORE_PROTECT.name());
        return new Scenario(name, FaultPolicy.valueOf(p));
    }

    private static Scenario observed(String name) throws IOException {
        return new Scenario(name, FaultPolicy.OBSERVED_ONLY);
    }

    // ---------------------------------------------------------------- new-range merges

    @Test
    void new_left() throws IOException {
        Scenario s = scenario("new_left");
        assertThat(s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0)).isZero();
        assertThat(s.mm.mmap(w(4), pages(4), RW, NOREPLACE, null, 0)).isZero();
        s.expectWindow("0-8 rw-p").totals("new_none=1 new_left=1").matchesKernelEndMaps();
    }

    @Test
    void new_both() throws IOException {
        Scenario s = scenario("new_both");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(8), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mmap(w(4), pages(4), RW, NOREPLACE, null, 0)).isZero();
        s.expectWindow("0-12 rw-p").totals("new_none=2 new_both=1").matchesKernelEndMaps();
        assertThat(s.rec.last().assumed()).as("had both sides been written, the merge would have been refused").isTrue();
    }

    /**
     * Identical system calls to {@link #new_both()}; only the writes between them differ, which
     * strace does not show. No fault policy can get both right from strace alone: the default one
     * assumes untouched memory (new_both). This case is therefore verified with its observed
     * faults in {@link #new_both_anon_vma_conflict_with_observed_faults()}.
     */
    @Test
    @Disabled("strace-only replay cannot distinguish this from new_both: the writes that give both sides "
        + "different anon_vmas are invisible; see new_both_anon_vma_conflict_with_observed_faults")
    void new_both_anon_vma_conflict() throws IOException {
        Scenario s = scenario("new_both_anon_vma_conflict");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(8), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(4), pages(4), RW, NOREPLACE, null, 0);
        s.expectWindow("0-8 rw-p, 8-12 rw-p").totals("new_none=2 new_left=1 refused:anon_vma=1");
    }

    @Test
    void new_both_anon_vma_conflict_with_observed_faults() throws IOException {
        Scenario s = observed("new_both_anon_vma_conflict");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        s.touch(0, 4);
        s.mm.mmap(w(8), pages(4), RW, NOREPLACE, null, 0);
        s.touch(8, 12);
        s.mm.mmap(w(4), pages(4), RW, NOREPLACE, null, 0);
        s.expectWindow("0-8 rw-p, 8-12 rw-p").totals("new_none=2 new_left=1 refused:anon_vma=1").matchesKernelEndMaps();
        assertThat(s.mm.find(w(0)).anonVma()).isNotSameAs(s.mm.find(w(8)).anonVma());
    }

    @Test
    void new_noreserve() throws IOException {
        Scenario s = scenario("new_noreserve");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(4), pages(4), RW, NOREPLACE | MAP_NORESERVE, null, 0);
        s.mm.mmap(w(8), pages(4), RW, NOREPLACE | MAP_NORESERVE, null, 0);
        s.expectWindow("0-4 rw-p, 4-12 rw-p").totals("new_none=2 new_left=1 refused:flags=1").matchesKernelEndMaps();
        assertThat(VmFlags.toSmaps(s.mm.find(w(0)).flags())).isEqualTo("rd wr mr mw me ac ");
        assertThat(VmFlags.toSmaps(s.mm.find(w(4)).flags())).isEqualTo("rd wr mr mw me nr ");
    }

    @Test
    void new_prot_mismatch() throws IOException {
        Scenario s = scenario("new_prot_mismatch");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(4), pages(4), PROT_READ, NOREPLACE, null, 0);
        s.mm.mmap(w(8), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(12), pages(4), PROT_READ, NOREPLACE, null, 0);
        s.mm.mmap(w(16), pages(4), PROT_READ, NOREPLACE, null, 0);
        s.expectWindow("0-4 rw-p, 4-8 r--p, 8-12 rw-p, 12-20 r--p").totals("new_none=4 new_left=1").matchesKernelEndMaps();
    }

    @Test
    void fixed_over_middle() throws IOException {
        Scenario s = scenario("fixed_over_middle");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mmap(w(2), pages(2), RW, ANON | MAP_FIXED, null, 0)).isZero();
        s.expectWindow("0-8 rw-p").totals("new_none=1 split=2 new_both=1").matchesKernelEndMaps();
        assertThat(s.rec.count(Kind.REMOVE)).isEqualTo(1);
    }

    @Test
    void file_same_fd_contig() throws IOException {
        Scenario s = scenario("file_same_fd_contig");
        VmaFile f = new VmaFile(1, "/tmp/vmareplay-data/data.bin", "fe:00", 2154553, true, false, false, false, false);
        s.mm.mmap(w(0), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, f, 0);
        s.mm.mmap(w(2), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, f, 0x2000);
        s.mm.mmap(w(6), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, f, 0x6000);
        s.mm.mmap(w(4), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, f, 0x4000);
        s.expectWindow("0-8 r--p").totals("new_none=2 new_left=1 new_both=1").matchesKernelEndMaps();
    }

    @Test
    void file_two_opens_and_dup() throws IOException {
        Scenario s = scenario("file_two_opens_and_dup");
        VmaFile fd1 = new VmaFile(1, "/tmp/vmareplay-data/data.bin", "fe:00", 2154553, true, false, false, false, false);
        VmaFile fd2 = new VmaFile(2, "/tmp/vmareplay-data/data.bin", "fe:00", 2154553, true, false, false, false, false);
        VmaFile fd3 = fd1; // dup(fd1) shares the open file description
        s.mm.mmap(w(0), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd1, 0);
        s.mm.mmap(w(2), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd2, 0x2000);
        s.mm.mmap(w(4), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd2, 0x4000);
        s.mm.mmap(w(8), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd1, 0x8000);
        s.mm.mmap(w(10), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd3, 0xa000);
        s.expectWindow("0-2 r--p, 2-6 r--p, 8-12 r--p").totals("new_none=3 new_left=2 refused:file=1").matchesKernelEndMaps();
    }

    @Test
    void memfd_contig() throws IOException {
        Scenario s = scenario("memfd_contig");
        VmaFile memfd = new VmaFile(3, "/memfd:vmareplay (deleted)", "00:01", 1051, true, true, false, true, false);
        s.mm.mmap(w(0), pages(4), RW, MAP_SHARED | MAP_FIXED_NOREPLACE, memfd, 0);
        s.mm.mmap(w(4), pages(4), RW, MAP_SHARED | MAP_FIXED_NOREPLACE, memfd, 0x4000);
        s.mm.mmap(w(8), pages(4), RW, MAP_PRIVATE | MAP_FIXED_NOREPLACE, memfd, 0x8000);
        s.expectWindow("0-8 rw-s, 8-12 rw-p").totals("new_none=2 new_left=1 refused:flags=1").matchesKernelEndMaps();
    }

    @Test
    void free_placement_mix() throws IOException {
        Scenario s = scenario("free_placement_mix");
        assumeTrue(s.dir != null, "needs the start snapshot of shared/traces/free_placement_mix");
        long p = 0x7f16c263d000L;
        long q = 0x7f16c244e000L;
        long r = 0x7f16c244a000L;
        assertThat(s.mm.mmap(p, pages(8), RW, ANON, null, 0)).isZero();
        assertThat(s.mm.mmap(q, pages(8), RW, ANON, null, 0)).isZero();
        assertThat(s.mm.mmap(r, pages(4), PROT_READ, ANON, null, 0)).isZero();
        assertThat(s.mm.munmap(0x7f16c2450000L, 8192)).isZero();
        assertThat(s.mm.mprotect(p, 16384, PROT_READ)).isZero();
        assertThat(s.mm.mmap(0x7f16c2429000L, 135168, RW, ANON, null, 0)).isZero();
        assertThat(s.mm.munmap(0x7f16c2429000L, 4096)).isZero();
        assertThat(s.mm.munmap(r, 16384)).isZero();
        s.totals("new_none=2 new_right=2 split=4").matchesKernelEndMaps();
    }

    // ---------------------------------------------------------------- munmap

    @Test
    void munmap_middle() throws IOException {
        Scenario s = scenario("munmap_middle");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        assertThat(s.mm.munmap(w(2), 8192)).isZero();
        s.expectWindow("0-2 rw-p, 4-8 rw-p").totals("new_none=1 split=2").matchesKernelEndMaps();
    }

    @Test
    void munmap_edges_span() throws IOException {
        Scenario s = scenario("munmap_edges_span");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(6), pages(4), PROT_READ, NOREPLACE, null, 0);
        s.mm.mmap(w(12), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.munmap(w(0), 4096)).isZero();
        assertThat(s.mm.munmap(w(15), 4096)).isZero();
        assertThat(s.mm.munmap(w(2), 49152)).isZero();
        assertThat(s.mm.munmap(w(20), 16384)).isZero();
        s.expectWindow("1-2 rw-p, 14-15 rw-p").totals("new_none=3 split=4").matchesKernelEndMaps();
    }

    // ---------------------------------------------------------------- mprotect

    @Test
    void mprotect_split_middle() throws IOException {
        Scenario s = scenario("mprotect_split_middle");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mprotect(w(2), 8192, PROT_READ)).isZero();
        s.expectWindow("0-2 rw-p, 2-4 r--p, 4-8 rw-p").totals("new_none=1 split=2").matchesKernelEndMaps();
    }

    @Test
    void mprotect_merge_left_partial() throws IOException {
        Scenario s = scenario("mprotect_merge_left_partial");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(4), pages(4), PROT_READ, NOREPLACE, null, 0);
        assertThat(s.mm.mprotect(w(4), 8192, RW)).isZero();
        s.expectWindow("0-6 rw-p, 6-8 r--p").totals("new_none=2 existing_left_partial=1").matchesKernelEndMaps();
    }

    @Test
    void mprotect_merge_right_full() throws IOException {
        Scenario s = scenario("mprotect_merge_right_full");
        s.mm.mmap(w(0), pages(4), PROT_READ | PROT_EXEC, NOREPLACE, null, 0);
        s.mm.mmap(w(4), pages(4), PROT_READ, NOREPLACE, null, 0);
        s.mm.mmap(w(8), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mprotect(w(4), 16384, RW)).isZero();
        s.expectWindow("0-4 r-xp, 4-12 rw-p").totals("new_none=3 existing_right_full=1").matchesKernelEndMaps();
    }

    @Test
    void seed_mprotect_merge_right_full() throws IOException {
        Scenario s = scenario("seed_mprotect_merge_right_full");
        if (s.dir == null) {
            // no snapshot here: seed the window as case.txt describes it
            s.mm.seed(w(0), w(4)).flags(VmFlags.fromSmaps("rd ex mr mw me")).insert();
            s.mm.seed(w(4), w(8)).flags(VmFlags.fromSmaps("rd mr mw me")).insert();
            s.mm.seed(w(8), w(12)).flags(VmFlags.fromSmaps("rd wr mr mw me ac")).insert();
        }
        assertThat(windowLayout(s.mm)).isEqualTo("0-4 r-xp, 4-8 r--p, 8-12 rw-p");
        assertThat(s.mm.mprotect(w(4), 16384, RW)).isZero();
        s.expectWindow("0-4 r-xp, 4-12 rw-p").totals("existing_right_full=1").matchesKernelEndMaps();
    }

    @Test
    void mprotect_account_nomerge() throws IOException {
        Scenario s = scenario("mprotect_account_nomerge");
        s.mm.mmap(w(0), pages(4), PROT_READ, NOREPLACE, null, 0);
        s.mm.mmap(w(4), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mprotect(w(4), 16384, PROT_READ)).isZero();
        s.expectWindow("0-4 r--p, 4-8 r--p").totals("new_none=2 refused:flags=2").matchesKernelEndMaps();
        assertThat(s.mm.find(w(4)).flags() & VmFlags.VM_ACCOUNT).isNotZero();
        assertThat(s.rec.last().kind()).isEqualTo(Kind.REFUSED);
        assertThat(s.rec.last().assumed()).as("mprotect's refusal rested on the assumed write").isTrue();
    }

    @Test
    void mprotect_account_nomerge_with_observed_faults() throws IOException {
        Scenario s = observed("mprotect_account_nomerge");
        s.mm.mmap(w(0), pages(4), PROT_READ, NOREPLACE, null, 0);
        s.mm.mmap(w(4), pages(4), RW, NOREPLACE, null, 0);
        s.touch(4, 8);
        s.mm.mprotect(w(4), 16384, PROT_READ);
        s.expectWindow("0-4 r--p, 4-8 r--p").matchesKernelEndMaps();
        assertThat(s.rec.refused(RefusalReason.FLAGS)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void mprotect_alternating_stress() throws IOException {
        Scenario s = scenario("mprotect_alternating_stress");
        s.mm.mmap(w(0), pages(32), RW, NOREPLACE, null, 0);
        for (int p = 1; p < 32; p += 2) {
            assertThat(s.mm.mprotect(w(p), 4096, PROT_READ)).isZero();
        }
        assertThat(s.mm.mapCount()).isGreaterThanOrEqualTo(32);
        assertThat(s.mm.mprotect(w(0), pages(32), RW)).isZero();
        s.expectWindow("0-32 rw-p").totals("new_none=1 split=31 existing_both=15 existing_left_full=1").matchesKernelEndMaps();
    }

    @Test
    void reservation_jvm_like() throws IOException {
        Scenario s = scenario("reservation_jvm_like");
        s.mm.mmap(w(0), pages(1024), PROT_NONE, NOREPLACE | MAP_NORESERVE, null, 0);
        s.mm.mmap(w(0), pages(64), RW, ANON | MAP_FIXED, null, 0);
        s.mm.mmap(w(64), pages(64), RW, ANON | MAP_FIXED, null, 0);
        s.mm.mmap(w(96), pages(32), PROT_NONE, ANON | MAP_FIXED | MAP_NORESERVE, null, 0);
        assertThat(s.mm.mprotect(w(512), pages(16), RW)).isZero();
        assertThat(s.mm.mprotect(w(528), pages(16), RW)).isZero();
        assertThat(s.mm.mprotect(w(512), pages(32), PROT_NONE)).isZero();
        s.expectWindow("0-96 rw-p, 96-1024 ---p")
            .totals("new_none=2 new_left=1 new_right=1 split=5 existing_left_partial=1 existing_both=1")
            .matchesKernelEndMaps();
    }

    // ---------------------------------------------------------------- madvise

    @Test
    void madvise_dontfork_dofork() throws IOException {
        Scenario s = scenario("madvise_dontfork_dofork");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        assertThat(s.mm.madvise(w(2), 16384, MADV_DONTFORK)).isZero();
        assertThat(s.mm.madvise(w(2), 16384, MADV_DOFORK)).isZero();
        s.expectWindow("0-8 rw-p").totals("new_none=1 split=2 existing_both=1").matchesKernelEndMaps();
    }

    /** Same shape as madvise_dontfork_dofork except for the writes in between: see the observed variant. */
    @Test
    @Disabled("strace-only replay cannot see the 8 page writes between the two madvise calls that give the "
        + "two VMAs different anon_vmas; see madvise_dofork_anon_vma_refusal_with_observed_faults")
    void madvise_dofork_anon_vma_refusal() throws IOException {
        Scenario s = scenario("madvise_dofork_anon_vma_refusal");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        s.mm.madvise(w(4), 16384, MADV_DONTFORK);
        s.mm.madvise(w(4), 16384, MADV_DOFORK);
        s.expectWindow("0-4 rw-p, 4-8 rw-p").totals("new_none=1 split=1 refused:anon_vma=1");
    }

    @Test
    void madvise_dofork_anon_vma_refusal_with_observed_faults() throws IOException {
        Scenario s = observed("madvise_dofork_anon_vma_refusal");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        s.mm.madvise(w(4), 16384, MADV_DONTFORK);
        s.touch(0, 8);
        assertThat(s.mm.madvise(w(4), 16384, MADV_DOFORK)).isZero();
        s.expectWindow("0-4 rw-p, 4-8 rw-p").totals("new_none=1 split=1 refused:anon_vma=1").matchesKernelEndMaps();
    }

    @Test
    void madvise_dontdump_partials() throws IOException {
        Scenario s = scenario("madvise_dontdump_partials");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        s.mm.madvise(w(0), 16384, MADV_DONTDUMP);
        s.mm.madvise(w(4), 8192, MADV_DONTDUMP);
        s.mm.madvise(w(5), 4096, MADV_DODUMP);
        s.expectWindow("0-5 rw-p, 5-8 rw-p")
            .totals("new_none=1 split=1 existing_left_partial=1 existing_right_partial=1").matchesKernelEndMaps();
        assertThat(s.mm.find(w(0)).flags() & VmFlags.VM_DONTDUMP).isNotZero();
        assertThat(s.mm.find(w(5)).flags() & VmFlags.VM_DONTDUMP).isZero();
    }

    @Test
    void madvise_nosplit() throws IOException {
        Scenario s = scenario("madvise_nosplit");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        for (int advice : new int[] {MADV_DONTNEED, MADV_FREE, MADV_WILLNEED, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_WRITE}) {
            assertThat(s.mm.madvise(w(2), 8192, advice)).isZero();
        }
        assertThat(s.mm.find(w(0)).hasAnonVma()).as("POPULATE_WRITE faults the pages").isTrue();
        s.mm.mmap(w(8), pages(4), RW, NOREPLACE, null, 0);
        s.expectWindow("0-12 rw-p").totals("new_none=1 new_left=1 split=0").matchesKernelEndMaps();
    }

    // ---------------------------------------------------------------- mlock

    @Test
    void mlock_munlock() throws IOException {
        Scenario s = scenario("mlock_munlock");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mlock(w(2), 16384)).isZero();
        assertThat(s.mm.find(w(2)).hasAnonVma()).as("mlock populates").isTrue();
        assertThat(s.mm.munlock(w(2), 16384)).isZero();
        s.expectWindow("0-8 rw-p").totals("new_none=1 split=2 existing_both=1").matchesKernelEndMaps();
    }

    @Test
    void mlockall_future() throws IOException {
        Scenario s = scenario("mlockall_future");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mlockall(MCL_FUTURE)).isZero();
        s.mm.mmap(w(4), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(8), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.find(w(4)).flags() & VmFlags.VM_LOCKED).isNotZero();
        assertThat(s.mm.munlockall()).isZero();
        s.expectWindow("0-12 rw-p").totals("new_none=2 new_left=1 existing_left_full=1").matchesKernelEndMaps();
    }

    // ---------------------------------------------------------------- mseal

    @Test
    void mseal_basic() throws IOException {
        Scenario s = scenario("mseal_basic");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mseal(w(2), 0x2000, 0)).isZero();
        assertThat(s.mm.mprotect(w(2), 8192, PROT_READ)).isEqualTo(Errno.EPERM);
        assertThat(s.mm.munmap(w(2), 8192)).isEqualTo(Errno.EPERM);
        assertThat(s.mm.mseal(w(0), 0x2000, 0)).isZero();
        assertThat(s.mm.mseal(w(4), 0x4000, 0)).isZero();
        s.expectWindow("0-8 rw-p")
            .totals("new_none=1 split=2 existing_right_full=1 existing_left_full=1").matchesKernelEndMaps();
        assertThat(VmFlags.toSmaps(s.mm.find(w(0)).flags())).contains("sl");
    }

    // ---------------------------------------------------------------- mremap

    @Test
    void mremap_shrink() throws IOException {
        Scenario s = scenario("mremap_shrink");
        s.mm.mmap(w(0), pages(8), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mremap(w(0), 32768, 16384, 0, w(0))).isZero();
        s.mm.mmap(w(10), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mremap(w(10), 16384, 8192, 0, w(10))).isZero();
        s.expectWindow("0-4 rw-p, 10-12 rw-p").totals("new_none=2 split=2").matchesKernelEndMaps();
    }

    @Test
    void mremap_grow_inplace() throws IOException {
        Scenario s = scenario("mremap_grow_inplace");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mremap(w(0), 16384, 32768, 0, w(0))).isZero();
        s.mm.mmap(w(12), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mremap(w(0), 32768, 49152, 0, w(0))).isZero();
        s.expectWindow("0-16 rw-p").totals("new_none=2 new_left=1 new_both=1").matchesKernelEndMaps();
    }

    @Test
    void mremap_move_untouched_merge() throws IOException {
        Scenario s = scenario("mremap_move_untouched_merge");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        s.mm.mmap(w(16), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mremap(w(16), 16384, 16384, MREMAP_MAYMOVE | MREMAP_FIXED, w(4))).isZero();
        s.expectWindow("0-8 rw-p").totals("new_none=2 new_left=1").matchesKernelEndMaps();
        assertThat(s.rec.events.stream().filter(e -> e.kind() == Kind.NEW_LEFT))
            .as("the merge rested on the moved VMA being untouched").allMatch(VmaEvent::assumed);
    }

    @Test
    void mremap_dontunmap() throws IOException {
        Scenario s = scenario("mremap_dontunmap");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        assertThat(s.mm.mremap(w(0), 16384, 16384, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, w(16))).isZero();
        s.mm.mmap(w(4), pages(4), RW, NOREPLACE, null, 0);
        s.expectWindow("0-8 rw-p, 16-20 rw-p").totals("new_none=2 new_left=1").matchesKernelEndMaps();
        assertThat(s.mm.find(w(0)).flags() & VmFlags.VM_ACCOUNT).as("6.18.44 keeps VM_ACCOUNT").isNotZero();
    }

    @Test
    void mremap_dontunmap_with_observed_faults() throws IOException {
        Scenario s = observed("mremap_dontunmap");
        s.mm.mmap(w(0), pages(4), RW, NOREPLACE, null, 0);
        s.touch(0, 4);
        AnonVma a = s.mm.find(w(0)).anonVma();
        assertThat(s.mm.mremap(w(0), 16384, 16384, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, w(16))).isZero();
        assertVma(s.mm, 0, 4, W >>> 12, false);
        assertThat(s.mm.find(w(16)).anonVma()).isSameAs(a);
        assertThat(s.mm.find(w(16)).pgoff()).as("faulted memory keeps its pgoff").isEqualTo(W >>> 12);
        s.mm.mmap(w(4), pages(4), RW, NOREPLACE, null, 0);
        s.expectWindow("0-8 rw-p, 16-20 rw-p").totals("new_none=2 new_left=1").matchesKernelEndMaps();
    }

    // ---------------------------------------------------------------- brk

    @Test
    void brk_grow_shrink() throws IOException {
        Scenario s = scenario("brk_grow_shrink");
        long base = 0x5603b65ce000L;
        // brk(NULL) = base: the driver seeds the break from the first brk(NULL)
        s.mm.setBrkArea(base, base);
        assertThat(s.mm.brk(0)).isEqualTo(base);
        assertThat(s.mm.brk(base + pages(4))).isEqualTo(base + pages(4));
        assertThat(s.mm.brk(base + pages(8))).isEqualTo(base + pages(8));
        assertThat(s.mm.brk(base + pages(2))).isEqualTo(base + pages(2));
        assertThat(s.mm.brk(base + pages(6))).isEqualTo(base + pages(6));
        assertThat(layout(s.mm, base, pages(64))).isEqualTo("0-6 rw-p");
        s.totals("new_none=1 new_left=2 split=1").matchesKernelEndMaps();
        assertThat(TaskMmu.name(s.mm, s.mm.find(base))).isEqualTo("[heap]");
    }
}
