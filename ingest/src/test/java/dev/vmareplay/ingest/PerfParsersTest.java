package dev.vmareplay.ingest;

import dev.vmareplay.ingest.IngestStats.LineClass;
import dev.vmareplay.ingest.TestSupport.Result;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** perf trace and perf script constructs, from real perf 6.1 lines. */
class PerfParsersTest {
    @TempDir
    Path dir;

    @Test
    void perfTraceColumnsOmittedArgumentsAndPrefixlessNames() throws IOException {
        Result r = TestSupport.parse(dir, """
                     0.909 ( 0.008 ms): vmascen/8580 mmap(addr: 0x200000000000, len: 16384, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS|FIXED_NOREPLACE) = 0x200000000000
                     1.000 ( 0.002 ms): python3/19481 mmap(len: 8192, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS)        = 0x7f0000000000
                     1.100 ( 0.002 ms): VM Thread/25185 mmap(len: 8192, flags: PRIVATE|ANONYMOUS|NORESERVE)        = 0x7f0000002000
                     1.200 ( 0.001 ms): vmascen/8580 madvise(start: 0x200000000000, len_in: 8192, behavior: MADV_DONTFORK) = 0
                     1.300 ( 0.001 ms): vmascen/8580 madvise(start: 0x200000000000, len_in: 8192, behavior: ) = 0
                     1.400 ( 0.001 ms): vmascen/8580 mremap(addr: 0x200000000000, old_len: 8192, new_len: 16384, flags: MAYMOVE) = 0x200000000000
                     1.500 ( 0.001 ms): vmascen/8580 brk()                                                                 = 0x55d000
                     1.600 ( 0.001 ms): vmascen/8580 mlock2(start: 105553116266496, len: 4096, flags: 1) = 0
                     1.700 ( 0.001 ms): vmascen/8580 mprotect(start: 0x200000000000, len: 4096, prot: READ) = -1 EPERM (Operation not permitted)
                     1.800 ( 0.001 ms): vmascen/8580 lseek(fd: -1, offset: 424242001, whence: SET)                         = -1 EBADF (Bad file descriptor)
                """);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.events()).extracting(Event::call).containsExactly(
                new Call.Mmap(0x200000000000L, 16384, 3, 0x100022, -1, 0, null),
                new Call.Mmap(0, 8192, 3, 0x22, -1, 0, null),
                new Call.Mmap(0, 8192, 0, 0x4022, -1, 0, null),
                new Call.Madvise(0x200000000000L, 8192, 10, 0),
                new Call.Madvise(0x200000000000L, 8192, -1, 0),
                new Call.Mremap(0x200000000000L, 8192, 16384, 1, 0),
                new Call.Brk(0),
                new Call.Mlock(105553116266496L, 4096, 1, true),
                new Call.Mprotect(0x200000000000L, 4096, 1, -1));
        Event first = r.events().get(0);
        assertThat(first.tsNs()).isEqualTo(909_000L);
        assertThat(first.durationNs()).isEqualTo(8_000L);
        assertThat(r.events().get(2).tid()).isEqualTo(25185);
        assertThat(r.events().get(8).errno()).isEqualTo(1);
    }

    @Test
    void perfTraceContinuedLostAndFaults() throws IOException {
        Result r = TestSupport.parse(dir, """
                     ? (         ): ls/4102  ... [continued]: execve())                                           = 0
                    29.058 (         ): Signal Dispatc/25188 mmap(addr: 0x7fc180ead000, len: 16384, prot: READ|WRITE, flags: PRIVATE|FIXED|ANONYMOUS) ...
                    29.060 ( 0.000 ms): Signal Dispatc/25188 minfault [s_scenario+0x2c] => //anon@0x20000000ff9c (d.)
                    29.061 ( 0.000 ms): vmascen/3378 minfault [_copy_to_iter+0x154] => 0x55affae76040 (?k)
                    29.062 ( 0.000 ms): vmascen/3378 majfault [_dl_relocate_object+0x5] => /usr/lib/x86_64-linux-gnu/libc.so.6@0x22603 (d.)
                    29.070 ( 0.012 ms): Signal Dispatc/25188  ... [continued]: mmap()) = 0x7fc180ead000
                LOST 17 events!
                     0.720 ( 0.001 ms): vmascen/3284  ... [continued]: clone3())                                           = 0
                """, TraceFormat.PERF_TRACE);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.stats().lostEvents()).isEqualTo(17);
        assertThat(r.events()).extracting(Event::syscall).containsExactly("execve", "minfault", "minfault", "majfault", "mmap");
        Event mmap = r.events().get(4);
        assertThat(mmap.tsNs()).isEqualTo(29_058_000L);
        assertThat(mmap.durationNs()).isEqualTo(12_000L);
        assertThat(mmap.ret()).isEqualTo(0x7fc180ead000L);
        assertThat(mmap.source().line()).isEqualTo(6);
        assertThat(r.events().get(1).call()).isEqualTo(new Call.PageFault(0x20000000ff9cL, false, Call.PageFault.Access.UNKNOWN, "//anon"));
        assertThat(r.events().get(2).call()).isEqualTo(new Call.PageFault(0x55affae76040L, false, Call.PageFault.Access.UNKNOWN, null));
        assertThat(((Call.PageFault) r.events().get(3).call()).major()).isTrue();
        assertThat(r.stats().get(LineClass.PAIRED)).isEqualTo(2);
    }

    @Test
    void perfTraceFdTableWithoutPaths() throws IOException {
        Result r = TestSupport.parse(dir, """
                     0.723 ( 0.015 ms): vmascen/3284 openat(dfd: CWD, filename: 0xfa7b016, flags: RDONLY|CLOEXEC)          = 4
                     0.724 ( 0.015 ms): vmascen/3284 openat(dfd: CWD, filename: 0xfa7b016, flags: RDONLY|CLOEXEC)          = 5
                     0.725 ( 0.001 ms): vmascen/3284 dup(fildes: 4) = 6
                     0.730 ( 0.001 ms): vmascen/3284 mmap(addr: 0x200000000000, len: 8192, prot: READ, flags: PRIVATE|FIXED_NOREPLACE, fd: 4) = 0x200000000000
                     0.731 ( 0.001 ms): vmascen/3284 mmap(addr: 0x200000002000, len: 8192, prot: READ, flags: PRIVATE|FIXED_NOREPLACE, fd: 5, off: 0x2000) = 0x200000002000
                     0.732 ( 0.001 ms): vmascen/3284 mmap(addr: 0x200000004000, len: 8192, prot: READ, flags: PRIVATE|FIXED_NOREPLACE, fd: 6, off: 0x4000) = 0x200000004000
                """);
        var ids = r.events().stream().map(e -> ((Call.Mmap) e.call()).file().id()).toList();
        assertThat(ids.get(0)).isNotEqualTo(ids.get(1));
        assertThat(ids.get(2)).isEqualTo(ids.get(0));
        assertThat(r.stats().fdTableComplete()).isTrue();
    }

    @Test
    void perfScriptEnterExitPairs() throws IOException {
        Result r = TestSupport.parse(dir, """
                         vmascen 31324 [000]  2113.406318:          syscalls:sys_enter_mmap: addr: 0x200000000000, len: 0x00008000, prot: 0x00000003, flags: 0x00100022, fd: 0xffffffff, off: 0x00000000
                         vmascen 31325 [001]  2113.406319:          syscalls:sys_enter_mprotect: start: 0x200000000000, len: 0x00001000, prot: 0x00000001
                         vmascen 31324 [000]  2113.406320:           syscalls:sys_exit_mmap: 0x200000000000
                         vmascen 31325 [001]  2113.406321:           syscalls:sys_exit_mprotect: 0xffffffffffffffff
                         vmascen 31324 [000]  2113.406322:          syscalls:sys_enter_mseal: start: 0x200000000000, len: 0x00002000, flags: 0x00000000
                         vmascen 31324 [000]  2113.406323:           syscalls:sys_exit_mseal: 0x0
                         vmascen 31324 [000]  2113.406324:          syscalls:sys_enter_lseek: fd: 0xffffffff, offset: 0x19496b51, whence: 0x00000000
                         vmascen 31324 [000]  2113.406325:           syscalls:sys_exit_lseek: 0xfffffffffffffff7
                         vmascen 31324 [000]  2113.406326:           syscalls:sys_exit_munmap: 0x0
                         python3 31324 [000]  2113.406327:          raw_syscalls:sys_enter: NR 9 (0, 2000, 3, 22, ffffffffffffffff, 0)
                         python3 31324 [000]  2113.406328:           raw_syscalls:sys_exit: NR 9 = 140737488351232
                """);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.events()).extracting(Event::call).containsExactly(
                new Call.Mmap(0x200000000000L, 0x8000, 3, 0x100022, -1, 0, null),
                new Call.Mprotect(0x200000000000L, 0x1000, 1, -1),
                new Call.Mseal(0x200000000000L, 0x2000, 0),
                new Call.Mmap(0, 0x2000, 3, 0x22, -1, 0, null));
        assertThat(r.events().get(0).tsNs()).isEqualTo(2113_406318000L);
        assertThat(r.events().get(0).durationNs()).isEqualTo(2_000L);
        assertThat(r.events().get(1).errno()).isEqualTo(1);
        assertThat(r.events().get(3).ret()).isEqualTo(140737488351232L);
        assertThat(r.stats().get(LineClass.ORPHANED)).isEqualTo(1);
    }
}
