package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Madvise} (mm/madvise.c): madvise, and prctl(PR_SET_VMA_ANON_NAME). Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class MadviseTest extends SyscallTestBase {
    @Nested
    class Madvise {
        @Test
        void every_flag_changing_advice() {
            /*
             * 0
             * A      each advice changes the flags of the whole VMA in place: no neighbour, no split
             */
            mm.mmap(w(0), pages(1), RW, ANON, null, 0);
            assertVmg(Kind.NEW_NONE);
            Vma v = mm.find(w(0));
            int[][] cases = {
                {MADV_SEQUENTIAL}, {MADV_RANDOM}, {MADV_NORMAL}, {MADV_DONTFORK}, {MADV_DOFORK}, {MADV_WIPEONFORK},
                {MADV_KEEPONFORK}, {MADV_DONTDUMP}, {MADV_DODUMP}, {MADV_MERGEABLE}, {MADV_UNMERGEABLE},
                {MADV_HUGEPAGE}, {MADV_NOHUGEPAGE}};
            String[] after = {"sr", "rr", "", "dc", "", "wf", "", "dd", "", "mg", "", "hg", "nh"};
            for (int i = 0; i < cases.length; i++) {
                assertThat(mm.madvise(w(0), PAGE, cases[i][0])).isZero();
                String f = VmFlags.toSmaps(v.flags() & ~(VM_ACCESS_FLAGS | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT)).trim();
                assertThat(f).as("after advice %d", cases[i][0]).isEqualTo(after[i]);
            }
            assertThat(mm.mapCount()).isEqualTo(1);
            assertThat(assertVma(0, 1, vpn(0), false)).isSameAs(v);
            assertVmg();
        }

        @Test
        void holes_are_skipped_and_reported_after_the_rest_is_done() {
            /*
             * 012345
             * AA BB
             */
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(3), pages(2), RW, ANON, null, 0);
            assertVmg(Kind.NEW_NONE, Kind.NEW_NONE);
            /*
             * 012345
             * ** **  ->  DD DD   DONTDUMP on [0,5): both VMAs change in place, the hole gives ENOMEM
             */
            assertThat(mm.madvise(w(0), pages(5), MADV_DONTDUMP)).isEqualTo(Errno.ENOMEM);
            assertThat(smaps(0)).contains("dd");
            assertThat(smaps(3)).contains("dd");
            assertVma(0, 2, vpn(0), false);
            assertVma(3, 5, vpn(3), false);
            assertMapCount(2);
            assertVmg();
            assertThat(mm.madvise(w(6), pages(2), MADV_DONTDUMP)).as("nothing mapped").isEqualTo(Errno.ENOMEM);
        }

        @Test
        void validation_and_per_vma_errors() {
            mm.mmap(w(0), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED, VmaFile.regular(4, "/lib"), 0);
            assertThat(mm.madvise(w(0), PAGE, MADV_WIPEONFORK)).as("file-backed").isEqualTo(Errno.EINVAL);
            assertThat(mm.madvise(w(0) + 7, PAGE, MADV_NORMAL)).isEqualTo(Errno.EINVAL);
            assertThat(mm.madvise(w(0), PAGE, 77)).isEqualTo(Errno.EINVAL);
            assertThat(mm.madvise(w(0), 0, MADV_DONTDUMP)).isZero();
            assertThat(mm.mapCount()).isEqualTo(1);
        }

        @Test
        void advice_that_changes_no_flags_never_splits() {
            /*
             * 01234567
             * AA**AAAA   advice on [2,4) that leaves the flags as they are
             */
            mm.mmap(w(0), pages(8), RW, ANON, null, 0);
            assertVmg(Kind.NEW_NONE);
            for (int adv : new int[] {MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_PAGEOUT, MADV_REMOVE,
                MADV_POPULATE_READ, MADV_GUARD_REMOVE, MADV_NORMAL, MADV_DOFORK, MADV_DODUMP}) {
                assertThat(mm.madvise(w(2), pages(2), adv)).as("advice %d", adv).isZero();
            }
            assertThat(mm.mapCount()).isEqualTo(1);
            assertThat(rec.count(Kind.SPLIT)).isZero();
            assertVma(0, 8, vpn(0), false);
            assertVmg();
        }

        @Test
        void guard_install_marks_the_whole_vma_without_splitting_and_it_still_merges() {
            /*
             * 0123456789ab
             * AA*AAAAA     ->  GGGGGGGG   guard [2,3): the whole VMA is marked, nothing is split
             */
            mm.mmap(w(0), pages(8), RW, ANON, null, 0);
            assertVmg(Kind.NEW_NONE);
            assertThat(mm.madvise(w(2), PAGE, MADV_GUARD_INSTALL)).isZero();
            assertThat(mm.mapCount()).isEqualTo(1);
            assertThat(smaps(0)).contains("gu");
            assertThat(mm.find(w(0)).hasAnonVma()).isTrue();
            assertVma(0, 8, vpn(0), true);
            assertVmg();
            /*
             * 0123456789ab
             * GGGGGGGG****  ->  GGGGGGGGGGGG   VM_MAYBE_GUARD is sticky: ignored by the merge, kept
             */
            mm.mmap(w(8), pages(4), RW, ANON, null, 0);
            assertThat(windowLayout(mm)).isEqualTo("0-12 rw-p");
            assertThat(smaps(10)).as("VM_MAYBE_GUARD is sticky").contains("gu");
            assertVma(0, 12, vpn(0), true);
            assertMapCount(1);
            assertVmg(Kind.NEW_LEFT);
        }

        @Test
        void sealed_read_only_anonymous_memory_refuses_discards() {
            mm.mmap(w(0), pages(2), PROT_READ, ANON, null, 0);
            mm.mseal(w(0), pages(2), 0);
            assertThat(mm.madvise(w(0), PAGE, MADV_DONTNEED)).isEqualTo(Errno.EPERM);
            assertThat(mm.madvise(w(0), PAGE, MADV_WILLNEED)).isZero();
        }

        @Test
        void populate_write_gives_an_anon_vma_and_fails_on_read_only_memory() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(4), pages(2), PROT_READ, ANON, null, 0);
            assertThat(mm.madvise(w(0), PAGE, MADV_POPULATE_WRITE)).isZero();
            assertThat(mm.find(w(0)).hasAnonVma()).isTrue();
            assertThat(mm.madvise(w(4), PAGE, MADV_POPULATE_WRITE)).isEqualTo(Errno.EFAULT);
        }
    }

    @Nested
    class AnonName {
        @Test
        void names_compare_by_content_and_clear_back() {
            /*
             * 0123
             * **AA  ->  BBAA   name [0,2) "buf": a split
             */
            mm.mmap(w(0), pages(4), RW, ANON, null, 0);
            assertVmg(Kind.NEW_NONE);
            assertThat(mm.setAnonName(w(0), pages(2), "buf")).isZero();
            assertThat(TaskMmu.name(mm, mm.find(w(0)))).isEqualTo("[anon:buf]");
            assertVma(0, 2, vpn(0), false);
            assertVma(2, 4, vpn(2), false);
            assertVmg(Kind.SPLIT);
            /*
             * 0123
             * BB**  ->  BBBB   an equal name (another String): prev absorbs all of middle
             */
            assertThat(mm.setAnonName(w(2), pages(2), new String("buf"))).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
            assertVma(0, 4, vpn(0), false);
            assertVmg(Kind.EXISTING_LEFT_FULL);
            /*
             * 0123
             * B*BB  ->  BABB   clearing [1,2), strictly inside: two splits
             */
            assertThat(mm.setAnonName(w(1), PAGE, null)).isZero();
            assertThat(mm.mapCount()).isEqualTo(3);
            assertVma(0, 1, vpn(0), false);
            assertVma(1, 2, vpn(1), false);
            assertVma(2, 4, vpn(2), false);
            assertVmg(Kind.SPLIT, Kind.SPLIT);
            /*
             * 0123
             * B*BB  ->  BBBB   naming it again: prev extends, middle and next deleted
             */
            assertThat(mm.setAnonName(w(1), PAGE, "buf")).isZero();
            assertThat(mm.mapCount()).isEqualTo(1);
            assertVma(0, 4, vpn(0), false);
            assertVmg(Kind.EXISTING_BOTH);
        }

        @Test
        void validation() {
            mm.mmap(w(0), pages(2), PROT_READ, MAP_PRIVATE | MAP_FIXED, VmaFile.regular(5, "/f"), 0);
            assertThat(mm.setAnonName(w(0), PAGE, "x")).isEqualTo(Errno.EBADF);
            assertThat(mm.setAnonName(w(0), PAGE, "a[b")).isEqualTo(Errno.EINVAL);
            assertThat(mm.setAnonName(w(0), PAGE, "x".repeat(81))).isEqualTo(Errno.EINVAL);
            mm.mmap(w(4), pages(2), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0);
            assertThat(mm.setAnonName(w(4), pages(2), "shm")).isZero();
            assertThat(TaskMmu.name(mm, mm.find(w(4)))).isEqualTo("[anon_shmem:shm]");
            mm.setAnonVmaNameSupported(false);
            assertThat(mm.setAnonName(w(4), pages(2), "shm")).isEqualTo(Errno.EINVAL);
        }
    }
}
