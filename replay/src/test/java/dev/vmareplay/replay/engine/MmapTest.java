package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import dev.vmareplay.replay.engine.VmaEvent.RefusalReason;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Mmap} (mm/mmap.c): mmap, munmap and brk. Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class MmapTest extends SyscallTestBase {
    @Nested
    class Mmap {
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
             * AAAAAAAA
             */
            mm.mmap(w(0), pages(8), RW, ANON, null, 0);
            assertVma(0, 8, vpn(0), false);
            assertVmg(Kind.NEW_NONE);
            /*
             * 01234567
             * AA**AAAA  ->  AARRAAAA   MAP_FIXED R over [2,4): split twice, the middle unmapped,
             *                          the new range refuses both neighbours (flags)
             */
            assertThat(mm.mmap(w(2), pages(2), PROT_READ, ANON, null, 0)).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 r--p, 4-8 rw-p");
            assertThat(rec.count(Kind.SPLIT)).isEqualTo(2);
            assertThat(rec.count(Kind.REMOVE)).isEqualTo(1);
            assertThat(mm.mapCount()).isEqualTo(3);
            assertVma(0, 2, vpn(0), false);
            assertVma(2, 4, vpn(2), false);
            assertVma(4, 8, vpn(4), false);
            assertVmg(Kind.SPLIT, Kind.SPLIT, Kind.REMOVE, Kind.REFUSED, Kind.REFUSED, Kind.NEW_NONE);
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
            /*
             * 0123
             * SS**  ->  SSTT   the new range has no file yet (shmem_zero_setup comes later)
             */
            mm.mmap(w(0), pages(2), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0x5000);
            assertVmg(Kind.NEW_NONE);
            mm.mmap(w(2), pages(2), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0);
            assertVmg(Kind.REFUSED, Kind.NEW_NONE);
            assertThat(lastRefusal()).isEqualTo(RefusalReason.FILE);
            assertVma(0, 2, 0, false);
            assertVma(2, 4, 0, false);
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
            /*
             * 0123
             * AA**  ->  AASS   MAP_STACK's VM_NOHUGEPAGE differs: refused (flags)
             */
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(2), pages(2), RW, ANON | MAP_STACK, null, 0);
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p");
            assertThat(rec.refused(RefusalReason.FLAGS)).isEqualTo(1);
            assertVma(0, 2, vpn(0), false);
            assertVma(2, 4, vpn(2), false);
            assertMapCount(2);
            assertVmg(Kind.NEW_NONE, Kind.REFUSED, Kind.NEW_NONE);
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
    class Munmap {
        @Test
        void validation() {
            assertThat(mm.munmap(w(0) + 1, PAGE)).isEqualTo(Errno.EINVAL);
            assertThat(mm.munmap(w(0), 0)).isEqualTo(Errno.EINVAL);
            assertThat(mm.munmap(0xffffffffff600000L, PAGE)).as("above TASK_SIZE").isEqualTo(Errno.EINVAL);
            assertThat(mm.munmap(w(0), PAGE)).as("nothing there").isZero();
        }

        @Test
        void partial_page_length_rounds_up_and_never_merges() {
            /*
             * 012345
             * AAAAAA
             */
            mm.mmap(w(0), pages(6), RW, ANON, null, 0);
            assertVmg(Kind.NEW_NONE);
            /*
             * 012345
             * AA*AAA  ->  AA AAA   one byte unmaps the whole page: split twice, one removal
             */
            assertThat(mm.munmap(w(2), 1)).isZero();
            assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 3-6 rw-p");
            assertThat(mm.mappedBytes()).isEqualTo(pages(5));
            assertVma(0, 2, vpn(0), false);
            assertVma(3, 6, vpn(3), false);
            assertMapCount(2);
            assertVmg(Kind.SPLIT, Kind.SPLIT, Kind.REMOVE);
        }

        @Test
        void map_count_limit_on_a_three_way_split() {
            /*
             * 012345
             * AA*AAA    max_map_count 1: unmapping [2,3) would leave two VMAs
             */
            mm.setMaxMapCount(1);
            mm.mmap(w(0), pages(6), RW, ANON, null, 0);
            assertVmg(Kind.NEW_NONE);
            assertThat(mm.munmap(w(2), PAGE)).isEqualTo(Errno.ENOMEM);
            assertVma(0, 6, vpn(0), false);
            assertVmg();
            /*
             * 012345
             * AAAAA*  ->  AAAAA   a two-way split is fine
             */
            assertThat(mm.munmap(w(5), PAGE)).as("a two-way split is fine").isZero();
            assertVma(0, 5, vpn(0), false);
            assertMapCount(1);
            assertVmg(Kind.SPLIT, Kind.REMOVE);
        }
    }

    @Nested
    class Brk {
        static final long HEAP = 0x555555600000L;

        @Test
        void expand_only_never_merges_right() {
            /*
             * 0123456 ... 300
             * HH BB       AA    pages of the heap: brk makes H, two mmaps
             */
            mm.setBrkArea(HEAP, HEAP);
            assertThat(mm.brk(HEAP + pages(2))).isEqualTo(HEAP + pages(2));
            mm.mmap(HEAP + pages(300), pages(2), RW, ANON, null, 0);
            mm.mmap(HEAP + pages(3), pages(2), RW, ANON, null, 0);
            assertThat(layout(mm, HEAP, pages(512))).isEqualTo("0-2 rw-p, 3-5 rw-p, 300-302 rw-p");
            assertThat(mm.find(HEAP).pgoff()).as("brk's pgoff is its virtual page number").isEqualTo(HEAP >>> 12);
            assertMapCount(3);
            assertVmg(Kind.NEW_NONE, Kind.NEW_NONE, Kind.NEW_NONE);
            mm.munmap(HEAP + pages(3), pages(2));
            assertVmg(Kind.REMOVE);
            /*
             * 0123456 ... 300
             * HH****...*  AA   the guard: the next VMA must start at least a page above the new
             *                  break; then H expands (expand-only: it never merges right)
             */
            assertThat(mm.brk(HEAP + pages(299) + 1)).as("too close to the next VMA").isEqualTo(HEAP + pages(2));
            assertVmg();
            assertThat(mm.brk(HEAP + pages(298) + 5)).isEqualTo(HEAP + pages(298) + 5);
            assertThat(layout(mm, HEAP, pages(512))).isEqualTo("0-299 rw-p, 300-302 rw-p");
            assertThat(mm.find(HEAP).pgoff()).isEqualTo(HEAP >>> 12);
            assertMapCount(2);
            assertVmg(Kind.NEW_LEFT);
        }

        @Test
        void below_start_brk_and_unaligned_requests() {
            /*
             * 0123
             * *      brk below start_brk is refused; 10 bytes map one page
             */
            mm.setBrkArea(HEAP, HEAP);
            assertThat(mm.brk(HEAP - PAGE)).isEqualTo(HEAP);
            assertVmg();
            assertThat(mm.brk(HEAP + 10)).isEqualTo(HEAP + 10);
            assertThat(layout(mm, HEAP, pages(4))).isEqualTo("0-1 rw-p");
            assertVmg(Kind.NEW_NONE);
            assertThat(mm.brk(HEAP + 20)).as("same page: only mm->brk moves").isEqualTo(HEAP + 20);
            assertThat(mm.mapCount()).isEqualTo(1);
            assertVmg();
            /*
             * 0123
             * H  ->  (nothing)   back to start_brk unmaps the heap
             */
            assertThat(mm.brk(HEAP)).isEqualTo(HEAP);
            assertThat(mm.mapCount()).isZero();
            assertVmg(Kind.REMOVE);
        }

        @Test
        void a_locked_heap_cannot_grow_in_place_unless_def_flags_lock_too() {
            /*
             * 012345
             * LL**    the heap locked, then brk grows it: the new pages are not locked (refused: flags)
             */
            mm.setBrkArea(HEAP, HEAP);
            mm.brk(HEAP + pages(2));
            mm.mlock(HEAP, pages(2));
            assertVmg(Kind.NEW_NONE);
            mm.brk(HEAP + pages(4));
            assertThat(layout(mm, HEAP, pages(8))).isEqualTo("0-2 rw-p, 2-4 rw-p");
            assertVmg(Kind.REFUSED, Kind.NEW_NONE);
            assertThat(lastRefusal()).isEqualTo(RefusalReason.FLAGS);
            /*
             * 012345
             * LLUU**  MCL_FUTURE: the next growth is locked, so it refuses the unlocked UU
             */
            mm.mlockall(MCL_FUTURE);
            assertVmg();
            mm.brk(HEAP + pages(6));
            assertThat(layout(mm, HEAP, pages(8))).isEqualTo("0-2 rw-p, 2-4 rw-p, 4-6 rw-p");
            assertThat(VmFlags.toSmaps(mm.find(HEAP + pages(4)).flags())).contains("lo");
            assertThat(mm.find(HEAP + pages(4)).hasAnonVma()).as("mm_populate() after a locked brk").isTrue();
            assertMapCount(3);
            assertVmg(Kind.REFUSED, Kind.NEW_NONE);
        }
    }
}
