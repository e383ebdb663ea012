package dev.vmareplay.ingest;

import dev.vmareplay.ingest.IngestStats.LineClass;
import dev.vmareplay.ingest.TestSupport.Result;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Call.PageFault.Access;
import dev.vmareplay.ingest.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tracepoint lines of {@code perf trace -e exceptions:page_fault_user -e
 * mmap_lock:mmap_lock_acquire_returned -e syscalls:sys_enter_mseal ...} (the perf-trace-Fw
 * captures; lines copied from them) and the same tracepoints in perf script output.
 */
class PerfTracepointsTest {
    @TempDir
    Path dir;

    @Test
    void writeFaultTracepointsSayWhichFaultsWereWritesAndTheRestAreReads() throws IOException {
        Result r = TestSupport.parse(dir, """
                     2.151 (         ): vmascen/25317 read(fd: 4, buf: 0x557a04b54040, count: 65536)                     ...
                     2.180 (         ): vmascen/25317 exceptions:page_fault_kernel(address: 0x557a04b54040, ip: -2111479484, error_code: 2)
                     2.193 ( 0.000 ms): vmascen/25317 minfault [rep_movs_alternative+0x54] => 0x557a04b54040 (?k)
                     2.151 ( 0.053 ms): vmascen/25317  ... [continued]: read())                                             = 2303
                     3.000 ( 0.000 ms): vmascen/25317 minfault [main+0x10] => /tmp/vmareplay-data/data.bin@0x1000 (d.)
                     3.422 (         ): vmascen/25317 exceptions:page_fault_user(address: 0x7f9fdc69f001, ip: 94431262020008, error_code: 7)
                     3.430 ( 0.000 ms): vmascen/25317 minfault [main+0x20] => //anon@0x7f9fdc69f001 (d.)
                """, TraceFormat.PERF_TRACE);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.events()).extracting(Event::call).containsExactly(
                new Call.PageFault(0x557a04b54040L, false, Access.WRITE, null),
                new Call.PageFault(0x1000L, false, Access.READ, "/tmp/vmareplay-data/data.bin"),
                new Call.PageFault(0x7f9fdc69f001L, false, Access.WRITE, null));
        // each tracepoint and its minfault line are one fault: the minfault half is paired, not a second event
        assertThat(r.stats().get(LineClass.PAIRED)).isEqualTo(2 + 2);
        assertThat(r.stats().get(LineClass.PARSED)).isEqualTo(3);
    }

    @Test
    void withoutTracepointsAFaultLineSaysNothingOfTheAccess() throws IOException {
        Result r = TestSupport.parse(dir, """
                     3.000 ( 0.000 ms): vmascen/25317 minfault [main+0x10] => /tmp/vmareplay-data/data.bin@0x1000 (d.)
                """, TraceFormat.PERF_TRACE);
        assertThat(((Call.PageFault) r.events().get(0).call()).access()).isEqualTo(Access.UNKNOWN);
    }

    @Test
    void lockLinesAreOrderingEventsWithTheMmIdentityAndTheCallTheyBelongTo() throws IOException {
        Result r = TestSupport.parse(dir, """
                     2.746 (         ): vmascen/25317 mmap(addr: 0x200000000000, len: 32768, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS|FIXED_NOREPLACE) ...
                     2.753 (         ): vmascen/25317 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff88812dff44c0, memcg_id: 5315, write: 1, success: 1)
                     2.746 ( 0.026 ms): vmascen/25317  ... [continued]: mmap())                                             = 0x200000000000
                     2.760 (         ): vmascen/25317 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff88812dff44c0, memcg_id: 5315, write: 0, success: 1)
                     2.761 (         ): vmascen/25317 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff88812dff44c0, memcg_id: 5315, write: 1, success: 1)
                """, TraceFormat.PERF_TRACE);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.stats().get(LineClass.IGNORED)).isEqualTo(1); // the read acquisition
        assertThat(r.events()).extracting(Event::call).containsExactly(
                new Call.MmapLock(0xffff88812dff44c0L, "mmap"),
                new Call.Mmap(0x200000000000L, 32768, 3, 0x100022, -1, 0, null),
                new Call.MmapLock(0xffff88812dff44c0L, null));
    }

    @Test
    void callsOfOneAddressSpaceComeInTheOrderTheyTookTheLockNotTheOrderTheyReturned() throws IOException {
        // thread 11 enters munmap first, but thread 12's mmap takes the lock first and returns last
        Result r = TestSupport.parse(dir, """
                     1.000 (         ): app/11 munmap(addr: 0x7f0000000000, len: 8192)                            ...
                     1.001 (         ): app/12 mmap(len: 8192, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS)         ...
                     1.002 (         ): app/12 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888100072580, memcg_id: 7, write: 1, success: 1)
                     1.003 (         ): app/11 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888100072580, memcg_id: 7, write: 1, success: 1)
                     1.004 ( 0.001 ms): app/11 minfault [f+0x1] => //anon@0x7f0000100000 (d.)
                     1.000 ( 0.005 ms): app/11  ... [continued]: munmap())                                           = 0
                     1.006 ( 0.000 ms): app/11 close(fd: 5)                                                          = 0
                     1.001 ( 0.007 ms): app/12  ... [continued]: mmap())                                             = 0x7f0000000000
                     1.009 ( 0.001 ms): app/11 mprotect(start: 0x7f0000000000, len: 4096, prot: READ)               = 0
                """, TraceFormat.PERF_TRACE);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.events()).extracting(e -> e.tid() + " " + e.syscall()).containsExactly(
                "12 mmap_lock", "12 mmap",       // acquired first (line 3): applied first, though printed last
                "11 mmap_lock", "11 munmap",     // a call's place is its acquisition: a fault printed after it comes after it
                "11 minfault", "11 mprotect");
        assertThat(r.events().get(3).source().line()).isEqualTo(6);
        assertThat(r.events().get(5).source().line()).isEqualTo(9);
    }

    @Test
    void aThreadsEventsPerfFlushedLateAreAppliedAtTheirTime() throws IOException {
        // python-threads under record --perf: perf's sorting window printed thread 18901's
        // events of 1307 ms after those of 1349 ms; the lock lines put them back in time order
        Result r = TestSupport.parse(dir, """
                  1349.409 (         ): python3/18901 mprotect(start: 0x7f7bd8522000, len: 65536, prot: READ|WRITE)      ...
                  1349.417 (         ): python3/18901 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888109a80640, memcg_id: 3599, write: 1, success: 1)
                  1349.409 ( 0.029 ms): python3/18901  ... [continued]: mprotect())                                         = 0
                  1307.535 (         ): python3/18901 mprotect(start: 0x7f7bd8512000, len: 65536, prot: READ|WRITE)      ...
                  1307.541 (         ): python3/18901 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888109a80640, memcg_id: 3599, write: 1, success: 1)
                  1307.535 ( 0.013 ms): python3/18901  ... [continued]: mprotect())                                         = 0
                """, TraceFormat.PERF_TRACE);
        assertThat(r.events()).filteredOn(e -> e.call() instanceof Call.Mprotect).extracting(Event::call).containsExactly(
                new Call.Mprotect(0x7f7bd8512000L, 65536, 3, -1), new Call.Mprotect(0x7f7bd8522000L, 65536, 3, -1));
    }

    @Test
    void aClone3WhoseChildExecsBeforeItReturnsIsAVforkNotAThread() throws IOException {
        // make-j2 under record --perf: posix_spawn's clone3(CLONE_VM|CLONE_VFORK); perf cannot
        // show clone3's flags, but the parent's clone3 returned after the child's exec began
        Result r = TestSupport.parse(dir, """
                   358.447 (         ): make/18348 clone3(uargs: 0x7ffd1c0a3f70, size: 88)                          ...
                         ? (         ): make/18377  ... [continued]: clone3())                                           = 0
                   358.447 ( 2.164 ms): make/18348  ... [continued]: clone3())                                           = 18377
                   360.512 (         ): make/18377 execve(filename: 0x8763b0a0, argv: 0x7f7d8763b010, envp: 0x7ffd1c0a45e8) ...
                   360.543 (         ): make/18377 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888109a80640, memcg_id: 3599, write: 1, success: 1)
                   360.512 ( 3.061 ms): gcc/18377  ... [continued]: execve())                                           = 0
                   400.000 (         ): python3/20 clone3(uargs: 0x7ffd1c0a3f70, size: 88)                          ...
                   400.010 ( 0.020 ms): python3/20  ... [continued]: clone3())                                           = 21
                   400.100 ( 0.001 ms): python3/21 mprotect(start: 0x7f0000000000, len: 4096, prot: READ)       = 0
                """, TraceFormat.PERF_TRACE);
        assertThat(r.events()).filteredOn(e -> e.call() instanceof Call.Clone).extracting(e -> ((Call.Clone) e.call()).isThread())
                .containsExactly(false, true);
        Call.Clone spawn = (Call.Clone) r.events().stream().filter(e -> e.call() instanceof Call.Clone).findFirst().orElseThrow().call();
        assertThat(spawn.sharesVm()).isTrue();
        assertThat(spawn.flags() & Call.Clone.CLONE_VFORK).isNotZero();
    }

    @Test
    void msealFromItsSyscallTracepointsWithoutAReturnValue() throws IOException {
        Result r = TestSupport.parse(dir, """
                     2.781 (         ): vmascen/25317 syscalls:sys_enter_mseal(__syscall_nr: 462, start: 35184372097024, len: 8192)
                     2.799 (         ): vmascen/25317 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff88812dff44c0, memcg_id: 5315, write: 1, success: 1)
                     2.812 (         ): vmascen/25317 syscalls:sys_exit_mseal(__syscall_nr: 462)
                     2.820 (         ): vmascen/25317 syscalls:sys_enter_mmap(__syscall_nr: 9, len: 4096)
                     2.830 (         ): vmascen/25317 sched:sched_switch(prev_comm: vmascen, prev_pid: 25317)
                """, TraceFormat.PERF_TRACE);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.stats().get(LineClass.IGNORED)).as("sys_enter_mmap (perf prints mmap itself) and the unknown tracepoint").isEqualTo(2);
        assertThat(r.events()).extracting(Event::call).containsExactly(
                new Call.MmapLock(0xffff88812dff44c0L, "mseal"),
                new Call.Mseal(0x200000002000L, 8192, 0));
        Event seal = r.events().get(1);
        assertThat(seal.retKnown()).isFalse();
        assertThat(seal.tsNs()).isEqualTo(2_781_000L);
    }

    @Test
    void aResultHalfWithoutItsEntryIsKeptAsAResultOnlyCall() throws IOException {
        // real-ls perf-trace-Fw: perf printed the newfstatat and lost the mmap's entry half
        Result r = TestSupport.parse(dir, """
                    11.113 ( 0.027 ms): ls/13259 newfstatat(dfd: 4, filename: 0xa99b7dd5, statbuf: 0x7fff6f314ae0, flag: 4096) = 0
                    11.156 (         ): ls/13259 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff88812dff6a40, memcg_id: 5315, write: 1, success: 1)
                    11.113 ( 0.055 ms): ls/13259  ... [continued]: mmap())                                             = 0x7fe0a9780000
                     0.720 ( 0.001 ms): ls/3284  ... [continued]: clone3())                                           = 0
                """, TraceFormat.PERF_TRACE);
        // in time order at its entry time (11.113), before the lock line that was its own
        assertThat(r.events()).extracting(Event::call).containsExactly(
                new Call.ResultOnly("mmap"), new Call.MmapLock(0xffff88812dff6a40L, null));
        assertThat(r.events().get(0).ret()).isEqualTo(0x7fe0a9780000L);
        assertThat(r.stats().get(LineClass.ORPHANED)).isEqualTo(2);
    }

    @Test
    void perfScriptFaultAndLockTracepoints() throws IOException {
        Result r = TestSupport.parse(dir, """
                              ls 30262 [000]   694.621994: mmap_lock:mmap_lock_acquire_returned: mm=0xffff88814ecb1900 memcg_id=3599 write=true success=true
                              ls 30262 [000]   694.622037:         exceptions:page_fault_kernel: address=0x55ce9958d5c0 ip=elf_load error_code=0x2
                              ls 30262 [000]   694.622038: mmap_lock:mmap_lock_acquire_returned: mm=0xffff88814ecb1900 memcg_id=3599 write=false success=true
                              ls 30262 [000]   694.622114:           exceptions:page_fault_user: address=0x7fad2e670b70 ip=0x7fad2e670b70 error_code=0x14
                              ls 30262 [000]   694.622119:           exceptions:page_fault_user: address=0x7fad2e689e06 ip=0x7fad2e6717ad error_code=0x6
                              ls 30262 [000]   694.622120:           sched:sched_switch: prev_comm=ls prev_pid=30262
                         vmascen 31324 [000]  2113.406318:          syscalls:sys_enter_mmap: addr: 0x200000000000, len: 0x00008000, prot: 0x00000003, flags: 0x00100022, fd: 0xffffffff, off: 0x00000000
                         vmascen 31324 [000]  2113.406320:          syscalls:sys_exit_mmap: 0x200000000000
                """, TraceFormat.PERF_SCRIPT);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.stats().get(LineClass.IGNORED)).isEqualTo(2);
        assertThat(r.events()).extracting(Event::call).containsExactly(
                new Call.MmapLock(0xffff88814ecb1900L, null),
                new Call.PageFault(0x55ce9958d5c0L, false, Access.WRITE, null),
                new Call.PageFault(0x7fad2e670b70L, false, Access.READ, null),  // 0x14: an instruction fetch
                new Call.PageFault(0x7fad2e689e06L, false, Access.WRITE, null),
                new Call.Mmap(0x200000000000L, 0x8000, 3, 0x100022, -1, 0, null));
        assertThat(r.events().get(1).tsNs()).isEqualTo(694_622_037_000L);
        assertThat(r.events().get(1).tid()).isEqualTo(30262);
    }

    @Test
    void mapFlagsNeitherToolCanNameKeepTheirBits() throws IOException {
        // MAP_DROPPABLE (map type 0x08): strace 6.1 prints it raw, perf 6.1 prints an empty name
        Result st = TestSupport.parse(dir, """
                12345 mmap(NULL, 12288, PROT_READ|PROT_WRITE, 0x8 /* MAP_??? */|MAP_ANONYMOUS, -1, 0) = 0x7f149313c000
                """, TraceFormat.STRACE);
        Result pf = TestSupport.parse(dir, """
                    53.807 ( 0.035 ms): rec-gaps/23927 mmap(len: 12288, prot: READ|WRITE, flags:|ANONYMOUS)                  = 0x7efc0b36a000
                """, TraceFormat.PERF_TRACE);
        assertThat(st.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(pf.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(((Call.Mmap) st.events().get(0).call()).flags()).isEqualTo(0x28);
        assertThat(((Call.Mmap) pf.events().get(0).call()).flags()).isEqualTo(0x28);
    }

    @Test
    void anEntryHalfWhoseResultNeverCameIsPassedOnWithAnUnknownResultInItsLockPlace() throws IOException {
        // real-python3 perf-trace-Fw, the [continued] line of the mremap at 161.604 taken out (as
        // perf 6.1 printed a perl mremap): the thread's next call line shows it will not come
        Result r = TestSupport.parse(dir, """
                   161.604 (         ): python3/13459 mremap(addr: 0x7f5d6dab3000, old_len: 278528, new_len: 315392, flags: MAYMOVE) ...
                   161.614 (         ): python3/13459 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff88812dff3200, memcg_id: 5315, write: 1, success: 1)
                   161.665 (         ): python3/13459 exceptions:page_fault_user(address: 0x7f5d6c961030, ip: 5231956, error_code: 6)
                   161.676 ( 0.000 ms): python3/13459 minfault [PyUnicode_New+0x164] => //anon@0x7f5d6c961030 (d.)
                   161.700 ( 0.011 ms): python3/13459 brk(brk: 0x1c9e000)                                               = 0x1c9e000
                   170.806 (         ): python3/13459 mremap(addr: 0x7f5d6c8b3000, old_len: 315392, new_len: 352256, flags: MAYMOVE) ...
                   170.816 (         ): python3/13459 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff88812dff3200, memcg_id: 5315, write: 1, success: 1)
                   170.806 ( 0.044 ms): python3/13459  ... [continued]: mremap())                                           = 0x7f5d6daa1000
                """, TraceFormat.PERF_TRACE);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.stats().get(LineClass.ORPHANED)).isEqualTo(1);
        assertThat(r.events()).extracting(e -> e.syscall() + (e.retKnown() ? " = 0x" + Long.toHexString(e.ret()) : " = ?")).containsExactly(
                "mmap_lock = 0x0", "mremap = ?",      // at its acquisition, before the fault and the brk that came after it
                "minfault = 0x0", "brk = 0x1c9e000",
                "mmap_lock = 0x0", "mremap = 0x7f5d6daa1000");
        assertThat(r.events().get(1).call()).isEqualTo(new Call.Mremap(0x7f5d6dab3000L, 278528, 315392, 1, 0));
        assertThat(r.events().get(1).source().line()).isEqualTo(1);
    }

    @Test
    void anEntryHalfFollowedByAnotherCallsResultIsPassedOnToo() throws IOException {
        // without lock lines (file order): a [continued] of another call also shows the pending one's result is lost
        Result r = TestSupport.parse(dir, """
                     1.000 (         ): perl/7 mremap(addr: 0x7f0000000000, old_len: 8192, new_len: 16384, flags: MAYMOVE) ...
                     2.000 (         ): perl/7 munmap(addr: 0x7f0000100000, len: 16384)                             ...
                     2.000 ( 0.002 ms): perl/7  ... [continued]: munmap())                                           = 0
                     3.000 (         ): perl/7 read(fd: 3, buf: 0x7f0000200000, count: 16)                        ...
                     3.000 ( 0.002 ms): perl/7  ... [continued]: mremap())                                           = 0x7f0000300000
                """, TraceFormat.PERF_TRACE);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.stats().get(LineClass.ORPHANED)).isEqualTo(1 + 1 + 1); // the mremap's entry; the read's entry and the stray result
        assertThat(r.events()).extracting(e -> e.call().getClass().getSimpleName() + (e.retKnown() ? " = 0x" + Long.toHexString(e.ret()) : " = ?"))
                .containsExactly("Mremap = ?", "Munmap = 0x0", "ResultOnly = 0x7f0000300000");
    }
}
