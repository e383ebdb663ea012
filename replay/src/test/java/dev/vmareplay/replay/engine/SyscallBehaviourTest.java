package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.EngineTestSupport.Recorder;
import dev.vmareplay.replay.engine.VmaEvent.Kind;
import dev.vmareplay.replay.engine.VmaEvent.RefusalReason;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-syscall, per-flag behaviour of {@link Mm}: validation errnos, the vm_flags each call derives,
 * when it merges or splits, and what it leaves alone. Layouts are drawn one character per page
 * of the window W.
 */
class SyscallBehaviourTest {
    static final int RW = PROT_READ | PROT_WRITE;
    static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

    Recorder rec;
    Mm mm;

    @BeforeEach
    void setUp() {
        rec = new Recorder();
        mm = new Mm(KernelVersion.V6_18, FaultPolicy.OBSERVED_ONLY, rec);
    }

    String smaps(long page) {
        return VmFlags.toSmaps(mm.find(w(page)).flags()).trim();
    }

    @Nested
    class MmapTest {
        @Test
        void rejects_bad_arguments_like_the_kernel() {
            assertThat(mm.mmap(w(0), 0, RW, ANON, null, 0)).as("len 0").isEqualTo(Errno.EINVAL);
            assertThat(mm.mmap(w(0) + 1, PAGE, RW, ANON, null, 0)).as("unaligned").isEqualTo(Errno.EINVAL);
            assertThat(mm.mmap(w(0), PAGE, RW, MAP_PRIVATE | MAP_FIXED, VmaFile.regular(1, "/f"), 7)).as("offset").isEqualTo(Errno.EINVAL);
            assertThat(mm.mmap(w(0), -PAGE, RW, ANON, null, 0)).as("length wraps").isEqualTo(Errno.ENOMEM);
            assertThat(mm.mmap(Mm.DEFAULT_TASK_SIZE - PAGE, pages(2), RW, ANON, null, 0)).as("beyond TASK_SIZE").isEqualTo(Errno.ENOMEM);
            assertThat(mm.mmap(w(0), PAGE, RW, MAP_ANONYMOUS | MAP_FIXED, null, 0)).as("no map type").isEqualTo(Errno.EINVAL);
            assertThat(mm.mmap(w(0), PAGE, RW, MAP_PRIVATE | MAP_FIXED, null, 0)).as("file mapping without a file").isEqualTo(Errno.EBADF);
            assertThat(mm.mapCount()).isZero();
        }

        @Test
        void fixed_noreplace_refuses_to_overlap() {
            mm.mmap(w(0), pages(4), RW, ANON, null, 0);
            assertThat(mm.mmap(w(2), pages(4), RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, null, 0)).isEqualTo(Errno.EEXIST);
            assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
        }

        @Test
        void map_fixed_replaces_and_merges_outside_the_hole() {
            /*
             * 01234567
             * AAAAAAAA    then MAP_FIXED R over [2,4): AA**AAAA -> AA RR AAAA
             */
            mm.mmap(w(0), pages(8), RW, ANON, null, 0);
            assertThat(mm.mmap(w(2), pages(2), PROT_READ, ANON, null, 0)).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 r--p, 4-8 rw-p");
            assertThat(rec.count(Kind.SPLIT)).isEqualTo(2);
            assertThat(rec.count(Kind.REMOVE)).isEqualTo(1);
            assertThat(mm.mapCount()).isEqualTo(3);
        }

        @Test
        void private_writable_gets_vm_account_unless_noreserve() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(4), pages(2), RW, ANON | MAP_NORESERVE, null, 0);
            mm.mmap(w(8), pages(2), PROT_READ, ANON, null, 0);
            assertThat(smaps(0)).isEqualTo("rd wr mr mw me ac");
            assertThat(smaps(4)).isEqualTo("rd wr mr mw me nr");
            assertThat(smaps(8)).isEqualTo("rd mr mw me");
            mm.setOvercommitNever(true);
            mm.mmap(w(12), pages(2), RW, ANON | MAP_NORESERVE, null, 0);
            assertThat(smaps(12)).as("overcommit never ignores MAP_NORESERVE").isEqualTo("rd wr mr mw me ac");
        }

        @Test
        void anonymous_private_pgoff_is_the_virtual_page_number() {
            mm.mmap(w(3), pages(2), RW, ANON, null, 0);
            assertThat(mm.find(w(3)).pgoff()).isEqualTo(w(3) >>> 12);
            assertThat(mm.find(w(3)).mapsOffset()).isZero();
        }

        @Test
        void shared_anonymous_gets_a_fresh_shmem_file_per_call_and_never_merges() {
            mm.mmap(w(0), pages(2), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0x5000);
            mm.mmap(w(2), pages(2), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0);
            Vma a = mm.find(w(0));
            Vma b = mm.find(w(2));
            assertThat(mm.mapCount()).isEqualTo(2);
            assertThat(a.pgoff()).as("pgoff ignored").isZero();
            assertThat(a.file()).isNotNull();
            assertThat(VmaFile.same(a.file(), b.file())).isFalse();
            assertThat(TaskMmu.name(mm, a)).isEqualTo("/dev/zero (deleted)");
            assertThat(smaps(0)).isEqualTo("rd wr sh mr mw me ms");
            assertThat(TaskMmu.line(mm, a)).startsWith(String.format("%08x-%08x rw-s 00000000 00:01 ", w(0), w(2)));
        }

        @Test
        void shared_file_mapping_of_a_read_only_fd() {
            VmaFile ro = VmaFile.readOnly(7, "/etc/hosts");
            assertThat(mm.mmap(w(0), PAGE, RW, MAP_SHARED | MAP_FIXED, ro, 0)).isEqualTo(Errno.EACCES);
            assertThat(mm.mmap(w(0), PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, ro, 0)).isZero();
            assertThat(smaps(0)).as("no VM_SHARED/VM_MAYWRITE, still 's' via VM_MAYSHARE").isEqualTo("rd mr me ms");
            assertThat(TaskMmu.line(mm, mm.find(w(0)))).contains(" r--s ");
        }

        @Test
        void map_growsdown_stack_and_locked_flags() {
            mm.mmap(w(0), pages(2), RW, ANON | MAP_GROWSDOWN, null, 0);
            mm.mmap(w(4), pages(2), RW, ANON | MAP_STACK, null, 0);
            mm.mmap(w(8), pages(2), RW, ANON | MAP_LOCKED, null, 0);
            assertThat(smaps(0)).isEqualTo("rd wr mr mw me gd ac");
            assertThat(smaps(4)).isEqualTo("rd wr mr mw me ac nh");
            assertThat(smaps(8)).isEqualTo("rd wr mr mw me lo ac");
            assertThat(mm.find(w(8)).hasAnonVma()).as("MAP_LOCKED populates with write faults").isTrue();
            assertThat(mm.mmap(w(12), PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN, VmaFile.regular(2, "/f"), 0))
                .as("growsdown file mapping").isEqualTo(Errno.EINVAL);
        }

        @Test
        void map_stack_does_not_merge_with_plain_anonymous_memory() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(2), pages(2), RW, ANON | MAP_STACK, null, 0);
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p");
            assertThat(rec.refused(RefusalReason.FLAGS)).isEqualTo(1);
        }

        @Test
        void map_populate_faults_private_writable_memory_only() {
            mm.mmap(w(0), pages(2), RW, ANON | MAP_POPULATE, null, 0);
            mm.mmap(w(4), pages(2), PROT_READ, ANON | MAP_POPULATE, null, 0);
            mm.mmap(w(8), pages(2), RW, ANON | MAP_POPULATE | MAP_NONBLOCK, null, 0);
            assertThat(mm.find(w(0)).hasAnonVma()).isTrue();
            assertThat(mm.find(w(4)).hasAnonVma()).isFalse();
            assertThat(mm.find(w(8)).hasAnonVma()).isFalse();
        }

        @Test
        void map_droppable_flags() {
            mm.mmap(w(0), pages(2), RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED, null, 0);
            assertThat(mm.find(w(0)).flags() & (VM_DROPPABLE | VM_WIPEONFORK | VM_DONTDUMP | VM_NORESERVE))
                .isEqualTo(VM_DROPPABLE | VM_WIPEONFORK | VM_DONTDUMP | VM_NORESERVE);
            assertThat(mm.mmap(w(4), pages(2), RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, null, 0))
                .isEqualTo(Errno.EINVAL);
        }

        @Test
        void anonymous_hugetlb_gets_its_own_file_rounds_to_huge_pages_and_never_merges_or_splits_unaligned() {
            long huge = 2L << 20;
            long base = 0x40000000L;
            assertThat(mm.mmap(base, PAGE, RW, ANON | MAP_HUGETLB, null, 0)).isZero();
            assertThat(mm.mmap(base + huge, huge, RW, ANON | MAP_HUGETLB, null, 0)).isZero();
            Vma a = mm.find(base);
            assertThat(a.end() - a.start()).as("rounded up to 2 MiB").isEqualTo(huge);
            assertThat(mm.mapCount()).isEqualTo(2);
            assertThat(VmaFile.same(a.file(), mm.find(base + huge).file())).isFalse();
            assertThat(VmFlags.toSmaps(a.flags())).isEqualTo("rd wr mr mw me de ht ");
            assertThat(TaskMmu.name(mm, a)).isEqualTo("/anon_hugepage (deleted)");
            assertThat(mm.mprotect(base, PAGE, PROT_READ)).as("unaligned split").isEqualTo(Errno.EINVAL);
        }

        @Test
        void mcl_future_locks_new_mappings() {
            mm.mlockall(MCL_FUTURE);
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            assertThat(smaps(0)).contains("lo");
            assertThat(mm.defFlags()).isEqualTo(VM_LOCKED);
        }

        @Test
        void execute_only_pkey_for_prot_exec() {
            mm.setExecuteOnlyPkey(1);
            mm.mmap(w(0), pages(2), PROT_EXEC, ANON, null, 0);
            assertThat(VmFlags.pkey(mm.find(w(0)).flags())).isEqualTo(1);
        }

        @Test
        void a_non_fixed_mapping_landing_on_an_existing_one_is_reported() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            assertThat(mm.mmap(w(1), pages(2), RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0)).isEqualTo(Errno.EEXIST);
        }
    }

    @Nested
    class MunmapTest {
        @Test
        void validation() {
            assertThat(mm.munmap(w(0) + 1, PAGE)).isEqualTo(Errno.EINVAL);
            assertThat(mm.munmap(w(0), 0)).isEqualTo(Errno.EINVAL);
            assertThat(mm.munmap(0xffffffffff600000L, PAGE)).as("above TASK_SIZE").isEqualTo(Errno.EINVAL);
            assertThat(mm.munmap(w(0), PAGE)).as("nothing there").isZero();
        }

        @Test
        void partial_page_length_rounds_up_and_never_merges() {
            mm.mmap(w(0), pages(6), RW, ANON, null, 0);
            assertThat(mm.munmap(w(2), 1)).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 3-6 rw-p");
            assertThat(mm.mappedBytes()).isEqualTo(pages(5));
        }

        @Test
        void map_count_limit_on_a_three_way_split() {
            mm.setMaxMapCount(1);
            mm.mmap(w(0), pages(6), RW, ANON, null, 0);
            assertThat(mm.munmap(w(2), PAGE)).isEqualTo(Errno.ENOMEM);
            assertThat(mm.munmap(w(5), PAGE)).as("a two-way split is fine").isZero();
        }
    }

    @Nested
    class MprotectTest {
        @Test
        void hole_fails_after_changing_what_came_before() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(3), pages(2), RW, ANON, null, 0);
            assertThat(mm.mprotect(w(0), pages(5), PROT_READ)).isEqualTo(Errno.ENOMEM);
            assertThat(windowLayout(mm)).isEqualTo("0-2 r--p, 3-5 rw-p");
            assertThat(mm.mprotect(w(2), PAGE, PROT_READ)).as("start in a hole").isEqualTo(Errno.ENOMEM);
            assertThat(mm.mprotect(w(0), 0, PROT_READ)).isZero();
            assertThat(mm.mprotect(w(0) + 1, PAGE, PROT_READ)).isEqualTo(Errno.EINVAL);
            assertThat(mm.mprotect(w(0), PAGE, 0x40)).isEqualTo(Errno.EINVAL);
        }

        @Test
        void needs_the_may_bit() {
            mm.mmap(w(0), PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, VmaFile.readOnly(3, "/ro"), 0);
            assertThat(mm.mprotect(w(0), PAGE, RW)).isEqualTo(Errno.EACCES);
        }

        @Test
        void becoming_writable_adds_vm_account_and_merges() {
            /*
             * 012345
             * RRWW      R->RW: gains VM_ACCOUNT, then equals WW: existing-range merge
             */
            mm.mmap(w(0), pages(2), PROT_READ, ANON, null, 0);
            mm.mmap(w(2), pages(2), RW, ANON, null, 0);
            mm.mprotect(w(0), pages(2), RW);
            assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
            assertThat(rec.last().kind()).isEqualTo(Kind.EXISTING_RIGHT_FULL);
        }

        @Test
        void noreserve_mapping_never_gains_vm_account() {
            mm.mmap(w(0), pages(2), PROT_NONE, ANON | MAP_NORESERVE, null, 0);
            mm.mprotect(w(0), pages(2), RW);
            assertThat(smaps(0)).isEqualTo("rd wr mr mw me nr");
        }

        @Test
        void write_protecting_untouched_memory_drops_vm_account_touched_keeps_it() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(4), pages(2), RW, ANON, null, 0);
            mm.fault(w(4), true);
            mm.mprotect(w(0), pages(2), PROT_READ);
            mm.mprotect(w(4), pages(2), PROT_READ);
            assertThat(smaps(0)).isEqualTo("rd mr mw me");
            assertThat(smaps(4)).isEqualTo("rd mr mw me ac");
        }

        @Test
        void pkey_mprotect_keys_are_flag_bits() {
            mm.mmap(w(0), pages(4), RW, ANON, null, 0);
            assertThat(mm.pkeyMprotect(w(0), pages(2), RW, 3)).isZero();
            assertThat(VmFlags.pkey(mm.find(w(0)).flags())).isEqualTo(3);
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p");
            assertThat(mm.mprotect(w(2), pages(2), PROT_READ)).isZero();
            assertThat(VmFlags.pkey(mm.find(w(2)).flags())).as("plain mprotect keeps the key").isZero();
            assertThat(mm.pkeyMprotect(w(0), PAGE, RW, 16)).isEqualTo(Errno.EINVAL);
        }

        @Test
        void prot_growsdown_extends_to_the_start_of_a_growsdown_vma() {
            mm.mmap(w(0), pages(4), RW, ANON | MAP_GROWSDOWN, null, 0);
            assertThat(mm.mprotect(w(2), PAGE, PROT_READ | PROT_GROWSDOWN)).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-3 r--p, 3-4 rw-p");
            mm.mmap(w(8), pages(2), RW, ANON, null, 0);
            assertThat(mm.mprotect(w(9), PAGE, PROT_READ | PROT_GROWSDOWN)).isEqualTo(Errno.EINVAL);
        }

        @Test
        void cascades_over_several_vmas() {
            /*
             * 0123456789
             * AABBCCDDEE   alternating R/RW; mprotect all RW -> one VMA
             */
            for (int i = 0; i < 10; i += 2) {
                mm.mmap(w(i), pages(2), (i / 2) % 2 == 0 ? RW : PROT_READ, ANON, null, 0);
            }
            assertThat(mm.mapCount()).isEqualTo(5);
            mm.mprotect(w(0), pages(10), RW);
            assertThat(windowLayout(mm)).isEqualTo("0-10 rw-p");
            assertThat(mm.mapCount()).isEqualTo(1);
        }
    }

    @Nested
    class MadviseTest {
        @Test
        void every_flag_changing_advice() {
            mm.mmap(w(0), pages(1), RW, ANON, null, 0);
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
        }

        @Test
        void holes_are_skipped_and_reported_after_the_rest_is_done() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(3), pages(2), RW, ANON, null, 0);
            assertThat(mm.madvise(w(0), pages(5), MADV_DONTDUMP)).isEqualTo(Errno.ENOMEM);
            assertThat(smaps(0)).contains("dd");
            assertThat(smaps(3)).contains("dd");
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
            mm.mmap(w(0), pages(8), RW, ANON, null, 0);
            for (int adv : new int[] {MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_PAGEOUT, MADV_REMOVE,
                MADV_POPULATE_READ, MADV_GUARD_REMOVE, MADV_NORMAL, MADV_DOFORK, MADV_DODUMP}) {
                assertThat(mm.madvise(w(2), pages(2), adv)).as("advice %d", adv).isZero();
            }
            assertThat(mm.mapCount()).isEqualTo(1);
            assertThat(rec.count(Kind.SPLIT)).isZero();
        }

        @Test
        void guard_install_marks_the_whole_vma_without_splitting_and_it_still_merges() {
            /*
             * 0123456789ab
             * AAAAAAAA        guard [2,3) -> whole VMA 'gu'; then mmap [8,12) merges (sticky)
             */
            mm.mmap(w(0), pages(8), RW, ANON, null, 0);
            assertThat(mm.madvise(w(2), PAGE, MADV_GUARD_INSTALL)).isZero();
            assertThat(mm.mapCount()).isEqualTo(1);
            assertThat(smaps(0)).contains("gu");
            assertThat(mm.find(w(0)).hasAnonVma()).isTrue();
            mm.mmap(w(8), pages(4), RW, ANON, null, 0);
            assertThat(windowLayout(mm)).isEqualTo("0-12 rw-p");
            assertThat(smaps(10)).as("VM_MAYBE_GUARD is sticky").contains("gu");
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
    class MlockTest {
        @Test
        void mlock2_onfault_locks_without_populating() {
            mm.mmap(w(0), pages(4), RW, ANON, null, 0);
            assertThat(mm.mlock2(w(1), pages(2), MLOCK_ONFAULT)).isZero();
            assertThat(smaps(1)).contains("lo").contains("lf");
            assertThat(mm.find(w(1)).hasAnonVma()).isFalse();
            assertThat(mm.mlock2(w(1), PAGE, 2)).isEqualTo(Errno.EINVAL);
        }

        @Test
        void mlock_rounds_to_pages_and_fails_on_holes() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            assertThat(mm.mlock(w(0) + 100, 10)).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-1 rw-p, 1-2 rw-p");
            assertThat(mm.mlock(w(0), pages(3))).isEqualTo(Errno.ENOMEM);
            assertThat(mm.mlock(w(5), PAGE)).isEqualTo(Errno.ENOMEM);
        }

        @Test
        void mlockall_current_merges_vmas_that_differed_only_in_lock_state_and_munlockall_undoes_it() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(2), pages(2), RW, ANON | MAP_LOCKED, null, 0);
            assertThat(mm.mapCount()).isEqualTo(2);
            assertThat(mm.mlockall(MCL_CURRENT)).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
            assertThat(mm.munlockall()).isZero();
            assertThat(smaps(0)).doesNotContain("lo");
            assertThat(mm.mlockall(0)).isEqualTo(Errno.EINVAL);
            assertThat(mm.mlockall(MCL_ONFAULT)).isEqualTo(Errno.EINVAL);
        }

        @Test
        void mlockall_current_alone_cancels_mcl_future() {
            mm.mlockall(MCL_FUTURE);
            mm.mlockall(MCL_CURRENT);
            assertThat(mm.defFlags()).isZero();
        }

        @Test
        void special_mappings_are_skipped() {
            mm.seed(w(0), w(2)).flags(VM_READ | VM_MAYREAD).special(Vma.Special.VDSO, "[vdso]").insert();
            assertThat(mm.mlock(w(0), pages(2))).isZero();
            assertThat(smaps(0)).doesNotContain("lo");
        }
    }

    @Nested
    class MremapTest {
        @Test
        void validation() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            assertThat(mm.mremap(w(0), PAGE, PAGE, 8, w(0))).isEqualTo(Errno.EINVAL);
            assertThat(mm.mremap(w(0), PAGE, PAGE, MREMAP_FIXED, w(8))).isEqualTo(Errno.EINVAL);
            assertThat(mm.mremap(w(0), PAGE, pages(2), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, w(8))).isEqualTo(Errno.EINVAL);
            assertThat(mm.mremap(w(0), PAGE, 0, 0, w(0))).isEqualTo(Errno.EINVAL);
            assertThat(mm.mremap(w(4), PAGE, pages(2), 0, w(4))).isEqualTo(Errno.EFAULT);
            assertThat(mm.mremap(w(0), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(1))).as("overlap").isEqualTo(Errno.EINVAL);
            assertThat(mm.mremap(w(0), PAGE, PAGE, 0, w(0))).as("no-op").isZero();
        }

        @Test
        void grow_in_place_needs_room_or_maymove() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(3), pages(2), PROT_READ, ANON, null, 0);
            assertThat(mm.mremap(w(0), pages(2), pages(4), 0, w(0))).isEqualTo(Errno.ENOMEM);
            assertThat(mm.mremap(w(0), pages(2), pages(4), 0, w(8))).as("moved without MAYMOVE").isEqualTo(Errno.ENOMEM);
            assertThat(mm.mremap(w(0), pages(2), pages(4), MREMAP_MAYMOVE, w(8))).isZero();
            assertThat(windowLayout(mm)).isEqualTo("3-5 r--p, 8-12 rw-p");
        }

        @Test
        void faulted_memory_keeps_its_pgoff_and_does_not_merge_where_it_lands() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(8), pages(2), RW, ANON, null, 0);
            mm.fault(w(8), true);
            mm.mremap(w(8), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(2));
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p");
            assertThat(mm.find(w(2)).pgoff()).isEqualTo(w(8) >>> 12);
            assertThat(rec.refused(RefusalReason.PGOFF)).isEqualTo(1);
            // moved back where it came from, it merges again (pgoff matches the address)
            mm.mmap(w(10), pages(2), RW, ANON, null, 0);
            mm.mremap(w(2), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(8));
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 8-12 rw-p");
        }

        @Test
        void fixed_unmaps_the_destination_first_and_a_shrinking_move() {
            mm.mmap(w(0), pages(4), RW, ANON, null, 0);
            mm.mmap(w(8), pages(4), PROT_READ, ANON, null, 0);
            assertThat(mm.mremap(w(0), pages(4), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(9))).isZero();
            assertThat(windowLayout(mm)).isEqualTo("8-9 r--p, 9-11 rw-p, 11-12 r--p");
        }

        @Test
        void partial_move_leaves_head_and_tail() {
            mm.mmap(w(0), pages(6), RW, ANON, null, 0);
            assertThat(mm.mremap(w(2), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(10))).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 4-6 rw-p, 10-12 rw-p");
            assertThat(smaps(0)).contains("ac");
            assertThat(smaps(4)).contains("ac");
        }

        @Test
        void multi_vma_move_preserves_gaps_on_6_18() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(3), pages(2), PROT_READ, ANON, null, 0);
            assertThat(mm.mremap(w(0), pages(5), pages(5), MREMAP_MAYMOVE | MREMAP_FIXED, w(10))).isZero();
            assertThat(windowLayout(mm)).isEqualTo("10-12 rw-p, 13-15 r--p");
            assertThat(mm.mremap(w(12), pages(3), pages(3), MREMAP_MAYMOVE | MREMAP_FIXED, w(20)))
                .as("a hole at the very start").isEqualTo(Errno.EFAULT);
        }

        @Test
        void dontunmap_keeps_the_source_unlocked_and_accounted() {
            mm.mmap(w(0), pages(2), RW, ANON | MAP_LOCKED, null, 0);
            assertThat(mm.mremap(w(0), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, w(8))).isZero();
            assertThat(smaps(0)).isEqualTo("rd wr mr mw me ac");
            assertThat(mm.find(w(0)).hasAnonVma()).as("whole VMA moved: anon_vma dropped").isFalse();
            assertThat(smaps(8)).contains("lo");
            assertThat(mm.find(w(8)).hasAnonVma()).isTrue();
        }

        @Test
        void sealed_memory_cannot_move() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mseal(w(0), pages(2), 0);
            assertThat(mm.mremap(w(0), pages(2), pages(4), MREMAP_MAYMOVE, w(8))).isEqualTo(Errno.EPERM);
        }

        @Test
        void growing_a_locked_mapping_populates_the_tail() {
            mm.mmap(w(0), pages(2), RW, ANON | MAP_LOCKED | MAP_NORESERVE, null, 0);
            mm.setOvercommitNever(false);
            assertThat(mm.mremap(w(0), pages(2), pages(3), 0, w(0))).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-3 rw-p");
        }
    }

    @Nested
    class BrkTest {
        static final long HEAP = 0x555555600000L;

        @Test
        void expand_only_never_merges_right() {
            mm.setBrkArea(HEAP, HEAP);
            assertThat(mm.brk(HEAP + pages(2))).isEqualTo(HEAP + pages(2));
            mm.mmap(HEAP + pages(300), pages(2), RW, ANON, null, 0);
            mm.mmap(HEAP + pages(3), pages(2), RW, ANON, null, 0);
            assertThat(layout(mm, HEAP, pages(512))).isEqualTo("0-2 rw-p, 3-5 rw-p, 300-302 rw-p");
            mm.munmap(HEAP + pages(3), pages(2));
            // the guard: the next VMA must start at least a page above the new break
            assertThat(mm.brk(HEAP + pages(299) + 1)).as("too close to the next VMA").isEqualTo(HEAP + pages(2));
            assertThat(mm.brk(HEAP + pages(298) + 5)).isEqualTo(HEAP + pages(298) + 5);
            assertThat(layout(mm, HEAP, pages(512))).isEqualTo("0-299 rw-p, 300-302 rw-p");
        }

        @Test
        void below_start_brk_and_unaligned_requests() {
            mm.setBrkArea(HEAP, HEAP);
            assertThat(mm.brk(HEAP - PAGE)).isEqualTo(HEAP);
            assertThat(mm.brk(HEAP + 10)).isEqualTo(HEAP + 10);
            assertThat(layout(mm, HEAP, pages(4))).isEqualTo("0-1 rw-p");
            assertThat(mm.brk(HEAP + 20)).as("same page: only mm->brk moves").isEqualTo(HEAP + 20);
            assertThat(mm.mapCount()).isEqualTo(1);
            assertThat(mm.brk(HEAP)).isEqualTo(HEAP);
            assertThat(mm.mapCount()).isZero();
        }

        @Test
        void a_locked_heap_cannot_grow_in_place_unless_def_flags_lock_too() {
            mm.setBrkArea(HEAP, HEAP);
            mm.brk(HEAP + pages(2));
            mm.mlock(HEAP, pages(2));
            mm.brk(HEAP + pages(4));
            assertThat(layout(mm, HEAP, pages(8))).isEqualTo("0-2 rw-p, 2-4 rw-p");
            mm.mlockall(MCL_FUTURE);
            mm.brk(HEAP + pages(6));
            assertThat(layout(mm, HEAP, pages(8))).isEqualTo("0-2 rw-p, 2-4 rw-p, 4-6 rw-p");
            assertThat(VmFlags.toSmaps(mm.find(HEAP + pages(4)).flags())).contains("lo");
        }
    }

    @Nested
    class MsealTest {
        @Test
        void holes_fail_before_anything_changes() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(3), pages(2), RW, ANON, null, 0);
            assertThat(mm.mseal(w(0), pages(5), 0)).isEqualTo(Errno.ENOMEM);
            assertThat(smaps(0)).doesNotContain("sl");
            assertThat(mm.mseal(w(0), pages(2), 1)).isEqualTo(Errno.EINVAL);
            assertThat(mm.mseal(w(0) + 1, pages(2), 0)).isEqualTo(Errno.EINVAL);
            assertThat(mm.mseal(w(0), 0, 0)).isZero();
        }

        @Test
        void sealing_twice_is_a_no_op_and_sealed_vmas_refuse_changes() {
            mm.mmap(w(0), pages(4), RW, ANON, null, 0);
            assertThat(mm.mseal(w(1), pages(2), 0)).isZero();
            int splits = (int) rec.count(Kind.SPLIT);
            assertThat(mm.mseal(w(1), pages(2), 0)).isZero();
            assertThat(rec.count(Kind.SPLIT)).isEqualTo(splits);
            assertThat(mm.munmap(w(0), pages(4))).isEqualTo(Errno.EPERM);
            assertThat(mm.mmap(w(2), PAGE, RW, ANON, null, 0)).isEqualTo(Errno.EPERM);
            assertThat(mm.mprotect(w(1), PAGE, PROT_READ)).isEqualTo(Errno.EPERM);
            assertThat(windowLayout(mm)).isEqualTo("0-1 rw-p, 1-3 rw-p, 3-4 rw-p");
        }
    }

    @Nested
    class AnonNameTest {
        @Test
        void names_compare_by_content_and_clear_back() {
            mm.mmap(w(0), pages(4), RW, ANON, null, 0);
            assertThat(mm.setAnonName(w(0), pages(2), "buf")).isZero();
            assertThat(TaskMmu.name(mm, mm.find(w(0)))).isEqualTo("[anon:buf]");
            assertThat(mm.setAnonName(w(2), pages(2), new String("buf"))).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
            assertThat(mm.setAnonName(w(1), PAGE, null)).isZero();
            assertThat(mm.mapCount()).isEqualTo(3);
            assertThat(mm.setAnonName(w(1), PAGE, "buf")).isZero();
            assertThat(mm.mapCount()).isEqualTo(1);
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

    @Nested
    class MbindTest {
        @Test
        void policy_splits_and_default_merges_back() {
            MemPolicy bind = new MemPolicy(2, 0, 0b11);
            mm.mmap(w(0), pages(6), RW, ANON, null, 0);
            assertThat(mm.mbind(w(2), pages(2), bind)).isZero();
            assertThat(mm.mapCount()).isEqualTo(3);
            assertThat(mm.mbind(w(2), pages(2), new MemPolicy(2, 0, 0b11))).as("equal by value: no change").isZero();
            assertThat(mm.mapCount()).isEqualTo(3);
            assertThat(mm.mbind(w(2), pages(2), null)).isZero();
            assertThat(mm.mapCount()).isEqualTo(1);
            assertThat(mm.mbind(w(4), pages(4), bind)).as("hole").isEqualTo(Errno.EFAULT);
            assertThat(mm.mapCount()).isEqualTo(1);
        }
    }

    @Nested
    class UffdTest {
        @Test
        void register_splits_and_unregister_merges_back() {
            mm.mmap(w(0), pages(6), RW, ANON, null, 0);
            assertThat(mm.uffdRegister(w(2), pages(2), VM_UFFD_MISSING, 42)).isZero();
            assertThat(mm.mapCount()).isEqualTo(3);
            assertThat(mm.find(w(2)).uffdCtx()).isEqualTo(42);
            assertThat(smaps(2)).contains("um");
            assertThat(mm.uffdRegister(w(2), pages(2), 0, 0)).isZero();
            assertThat(mm.mapCount()).isEqualTo(1);
        }
    }

    @Nested
    class ForkTest {
        @Test
        void child_drops_dontcopy_wipes_and_unlocks_and_never_merges() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(2), pages(2), RW, ANON | MAP_LOCKED, null, 0);
            mm.mmap(w(6), pages(2), RW, ANON, null, 0);
            mm.madvise(w(6), pages(2), MADV_DONTFORK);
            mm.mmap(w(10), pages(2), RW, ANON, null, 0);
            mm.fault(w(10), true);
            mm.madvise(w(10), pages(2), MADV_WIPEONFORK);
            mm.fault(w(0), true);
            Mm child = mm.fork();
            assertThat(windowLayout(child)).as("[0,2) and [2,4) became identical but stay apart")
                .isEqualTo("0-2 rw-p, 2-4 rw-p, 10-12 rw-p");
            assertThat(child.find(w(2)).flags() & VM_LOCKED).isZero();
            assertThat(child.find(w(10)).hasAnonVma()).as("wipe on fork").isFalse();
            assertThat(child.find(w(0)).isForkChild()).isTrue();
            assertThat(child.find(w(0)).anonVma()).isNotSameAs(mm.find(w(0)).anonVma());
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p, 6-8 rw-p, 10-12 rw-p");
            child.checkInvariants();
        }

        @Test
        void a_faulted_fork_child_does_not_absorb_new_neighbours_but_the_parent_does() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.fault(w(0), true);
            Mm child = mm.fork();
            mm.mmap(w(2), pages(2), RW, ANON, null, 0);
            child.mmap(w(2), pages(2), RW, ANON, null, 0);
            assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
            assertThat(windowLayout(child)).isEqualTo("0-2 rw-p, 2-4 rw-p");
        }
    }

    @Nested
    class FaultTest {
        @Test
        void read_faults_never_create_an_anon_vma_write_faults_do() {
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            assertThat(mm.fault(w(0), false)).isZero();
            assertThat(mm.find(w(0)).hasAnonVma()).isFalse();
            assertThat(mm.fault(w(0), true)).isZero();
            assertThat(mm.find(w(0)).hasAnonVma()).isTrue();
            assertThat(mm.fault(w(5), true)).isEqualTo(Errno.EFAULT);
            mm.mmap(w(4), pages(2), PROT_READ, ANON, null, 0);
            assertThat(mm.fault(w(4), true)).as("write to read-only memory").isEqualTo(Errno.EFAULT);
        }

        @Test
        void write_fault_reuses_a_compatible_neighbours_anon_vma() {
            /*
             * 0123
             * AABB   A faulted; B differs only in protection: find_mergeable_anon_vma() reuses A's
             */
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.fault(w(0), true);
            mm.mprotect(w(0), pages(2), PROT_READ);
            mm.mmap(w(2), pages(2), RW, ANON, null, 0);
            mm.fault(w(2), true);
            assertThat(mm.find(w(2)).anonVma()).isSameAs(mm.find(w(0)).anonVma());
        }

        @Test
        void stack_grows_down_on_a_fault_below_it() {
            mm.mmap(w(10), pages(2), RW, ANON | MAP_GROWSDOWN, null, 0);
            long pgoff = mm.find(w(10)).pgoff();
            assertThat(mm.fault(w(8) + 12, true)).isZero();
            assertVma(mm, 8, 12, pgoff - 2, true);
            assertThat(rec.count(Kind.EXPAND)).isEqualTo(1);
        }
    }

    @Nested
    class SeedTest {
        @Test
        void seeding_keeps_exact_attributes_and_rejects_overlaps() {
            VmaFile lib = new VmaFile(9, "/usr/lib/libc.so.6", "fe:00", 339380, true, false, false, false, false);
            Vma v = mm.seed(w(0), w(4)).flags(VmFlags.fromSmaps("rd ex mr mw me")).pgoff(0x28).file(lib).insert();
            assertThat(v).isNotNull();
            assertThat(mm.seed(w(2), w(6)).insert()).isNull();
            assertThat(mm.seed(w(6), w(6)).insert()).isNull();
            assertThat(TaskMmu.line(mm, v)).isEqualTo(
                "200000000000-200000004000 r-xp 00028000 fe:00 339380                     /usr/lib/libc.so.6");
            Vma hi = mm.seed(0xffffffffff600000L, 0xffffffffff601000L).flags(VM_EXEC).special(Vma.Special.VSYSCALL, "[vsyscall]").insert();
            assertThat(hi).isNotNull();
            assertThat(mm.find(0xffffffffff600abcL)).isSameAs(hi);
            assertThat(mm.find(w(1))).isSameAs(v);
            mm.checkInvariants();
        }

        @Test
        void seeded_anon_pages_share_a_neighbours_anon_vma_only_when_the_kernel_would_have() {
            Vma a = mm.seed(w(0), w(2)).flags(VmFlags.fromSmaps("rd wr mr mw me ac")).anonVma(true).insert();
            Vma b = mm.seed(w(2), w(4)).flags(VmFlags.fromSmaps("rd mr mw me ac")).anonVma(true).insert();
            Vma c = mm.seed(w(4), w(6)).flags(VmFlags.fromSmaps("rd mr mw me ac")).anonVma(true).insert();
            assertThat(b.anonVma()).as("differs only in protection: shared").isSameAs(a.anonVma());
            assertThat(c.anonVma()).as("identical to b: had they shared one they would have merged").isNotSameAs(b.anonVma());
        }

        @Test
        void special_mappings_never_merge_or_split() {
            mm.seed(w(0), w(2)).flags(VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYEXEC).special(Vma.Special.VDSO, "[vdso]").insert();
            assertThat(mm.mprotect(w(1), PAGE, PROT_READ)).isEqualTo(Errno.EINVAL);
            assertThat(mm.munmap(w(1), PAGE)).isEqualTo(Errno.EINVAL);
            assertThat(mm.mapCount()).isEqualTo(1);
            assertThat(TaskMmu.name(mm, mm.find(w(0)))).isEqualTo("[vdso]");
        }
    }
}
