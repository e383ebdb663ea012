package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Mprotect} (mm/mprotect.c): mprotect and pkey_mprotect. Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class MprotectTest extends SyscallTestBase {
    @Test
    void hole_fails_after_changing_what_came_before() {
        /*
         * 012345
         * AA BB
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(3), pages(2), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE, Kind.NEW_NONE);
        /*
         * 012345
         * ** **  ->  RR BB   mprotect [0,5) R: A changes in place, then the hole at 2 fails the call
         */
        assertThat(mm.mprotect(w(0), pages(5), PROT_READ)).isEqualTo(Errno.ENOMEM);
        assertThat(windowLayout(mm)).isEqualTo("0-2 r--p, 3-5 rw-p");
        assertVma(0, 2, vpn(0), false);
        assertVma(3, 5, vpn(3), false);
        assertMapCount(2);
        assertVmg();
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
         * 0123
         * RRWW      W refuses to merge with R (flags)
         */
        mm.mmap(w(0), pages(2), PROT_READ, ANON, null, 0);
        mm.mmap(w(2), pages(2), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE, Kind.REFUSED, Kind.NEW_NONE);
        assertThat(lastRefusal()).isEqualTo(VmaEvent.RefusalReason.FLAGS);
        /*
         * 0123
         * **WW  ->  WWWW   R->RW gains VM_ACCOUNT, then equals WW: next absorbs all of middle
         */
        mm.mprotect(w(0), pages(2), RW);
        assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
        assertThat(rec.last().kind()).isEqualTo(Kind.EXISTING_RIGHT_FULL);
        assertVma(0, 4, vpn(0), false);
        assertMapCount(1);
        assertVmg(Kind.EXISTING_RIGHT_FULL);
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
        /*
         * 0123
         * **AA  ->  KKAA   key 3 on [0,2): a split
         */
        mm.mmap(w(0), pages(4), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.pkeyMprotect(w(0), pages(2), RW, 3)).isZero();
        assertThat(VmFlags.pkey(mm.find(w(0)).flags())).isEqualTo(3);
        assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p");
        assertVma(0, 2, vpn(0), false);
        assertVma(2, 4, vpn(2), false);
        assertMapCount(2);
        assertVmg(Kind.SPLIT);
        /*
         * 0123
         * KK**  ->  KKRR   R on [2,4) keeps key 0: differs from K, no merge
         */
        assertThat(mm.mprotect(w(2), pages(2), PROT_READ)).isZero();
        assertThat(VmFlags.pkey(mm.find(w(2)).flags())).as("plain mprotect keeps the key").isZero();
        assertVma(2, 4, vpn(2), false);
        assertMapCount(2);
        assertVmg(Kind.REFUSED);
        assertThat(mm.pkeyMprotect(w(0), PAGE, RW, 16)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void prot_growsdown_extends_to_the_start_of_a_growsdown_vma() {
        /*
         * 0123
         * SSSS      a VM_GROWSDOWN VMA
         */
        mm.mmap(w(0), pages(4), RW, ANON | MAP_GROWSDOWN, null, 0);
        assertVmg(Kind.NEW_NONE);
        /*
         * 0123
         * ..*S  ->  RRRS   PROT_GROWSDOWN on [2,3) reaches down to the VMA's start
         */
        assertThat(mm.mprotect(w(2), PAGE, PROT_READ | PROT_GROWSDOWN)).isZero();
        assertThat(windowLayout(mm)).isEqualTo("0-3 r--p, 3-4 rw-p");
        assertVma(0, 3, vpn(0), false);
        assertVma(3, 4, vpn(3), false);
        assertMapCount(2);
        assertVmg(Kind.SPLIT);
        mm.mmap(w(8), pages(2), RW, ANON, null, 0);
        assertThat(mm.mprotect(w(9), PAGE, PROT_READ | PROT_GROWSDOWN)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void cascades_over_several_vmas() {
        /*
         * 0123456789
         * WWRRWWRRWW   alternating RW/R, each refusing its neighbour (flags)
         */
        for (int i = 0; i < 10; i += 2) {
            mm.mmap(w(i), pages(2), (i / 2) % 2 == 0 ? RW : PROT_READ, ANON, null, 0);
        }
        assertThat(mm.mapCount()).isEqualTo(5);
        assertVmg(Kind.NEW_NONE, Kind.REFUSED, Kind.NEW_NONE, Kind.REFUSED, Kind.NEW_NONE, Kind.REFUSED, Kind.NEW_NONE,
            Kind.REFUSED, Kind.NEW_NONE);
        /*
         * 0123456789
         * ********** ->  WWWWWWWWWW   each R becomes RW and merges both ways (prev extends, middle and
         *                             next deleted), twice
         */
        mm.mprotect(w(0), pages(10), RW);
        assertThat(windowLayout(mm)).isEqualTo("0-10 rw-p");
        assertThat(mm.mapCount()).isEqualTo(1);
        assertVma(0, 10, vpn(0), false);
        assertVmg(Kind.EXISTING_BOTH, Kind.EXISTING_BOTH);
    }
}
