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
        assertThat(r.events()).extracting(Event::call).containsExactly(
                new Call.MmapLock(0xffff88812dff6a40L, null), new Call.ResultOnly("mmap"));
        assertThat(r.events().get(1).ret()).isEqualTo(0x7fe0a9780000L);
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
}
