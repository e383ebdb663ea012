package dev.vmareplay.ingest;

import dev.vmareplay.ingest.IngestStats.LineClass;
import dev.vmareplay.ingest.TestSupport.Result;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One test per strace construct, from real captured lines (strace 6.1). */
class StraceParserTest {
    @TempDir
    Path dir;

    private Result p(String text) throws IOException {
        return TestSupport.parse(dir, text);
    }

    private static Event only(Result r) {
        assertThat(r.events()).hasSize(1);
        return r.events().get(0);
    }

    @Test
    void pidPrefixFromDashO_wallClockAndDuration() throws IOException {
        Event e = only(p("2998  11:29:34.647178 mmap(0x200000000000, 8192, PROT_READ, MAP_PRIVATE|MAP_FIXED_NOREPLACE, 3</tmp/vmareplay-data/data.bin>, 0) = 0x200000000000 <0.000010>\n"));
        assertThat(e.pid()).isEqualTo(2998);
        assertThat(e.tid()).isEqualTo(2998);
        assertThat(e.tsNs()).isEqualTo(((11 * 60 + 29) * 60 + 34) * 1_000_000_000L + 647_178_000L);
        assertThat(e.durationNs()).isEqualTo(10_000L);
        Call.Mmap m = (Call.Mmap) e.call();
        assertThat(m.addr()).isEqualTo(0x200000000000L);
        assertThat(m.len()).isEqualTo(8192);
        assertThat(m.prot()).isEqualTo(1);
        assertThat(m.flags()).isEqualTo(0x100002);
        assertThat(m.fd()).isEqualTo(3);
        assertThat(m.file().path()).isEqualTo("/tmp/vmareplay-data/data.bin");
        assertThat(m.file().fromPathOnly()).isTrue();
        assertThat(e.ret()).isEqualTo(0x200000000000L);
        assertThat(e.source().line()).isEqualTo(1);
    }

    @Test
    void prctlOptionsOtherThanSetVmaAreWellFormedAndMakeNoEvent() throws IOException {
        // a JVM names its threads: PR_SET_NAME is a constant the VMA model never needs
        Result r = p("11163 21:46:50.930198 prctl(PR_SET_NAME, \"VM Thread\" <unfinished ...>\n"
                + "11163 21:46:50.930226 <... prctl resumed>) = 0 <0.000022>\n"
                + "11163 21:46:50.930300 prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7f0000000000, 8192, \"heap\") = 0 <0.000002>\n");
        assertThat(r.stats().get(IngestStats.LineClass.MALFORMED)).isZero();
        assertThat(r.events()).singleElement().satisfies(e ->
                assertThat(((Call.SetVmaName) e.call()).vmaName()).isEqualTo("heap"));
    }

    @Test
    void midnightRolloverOfWallClock() throws IOException {
        Result r = p("5  23:59:59.999000 brk(NULL) = 0x1000\n5  00:00:00.001000 brk(NULL) = 0x1000\n");
        assertThat(r.events().get(1).tsNs() - r.events().get(0).tsNs()).isEqualTo(2_000_000L);
    }

    @Test
    void timestampsT_Ttt_R_Ns() throws IOException {
        assertThat(only(p("6677  21:21:12 brk(NULL)                = 0x55c7e483b000\n")).tsNs()).isEqualTo(76872L * 1_000_000_000L);
        assertThat(only(p("3190  1795346975.191870 brk(NULL) = 0x1\n")).tsNs()).isEqualTo(1795346975_191870000L);
        Event ns = only(p("6686  1795382472.588545056 brk(NULL)    = 0x55a56cf0d000 <0.000005691>\n"));
        assertThat(ns.tsNs()).isEqualTo(1795382472_588545056L);
        assertThat(ns.durationNs()).isEqualTo(5691L);
        Result rel = p("6668       0.000213 brk(NULL)           = 0x55ccb83a1000\n6668       0.000064 brk(NULL) = 0x55ccb83a1000\n");
        assertThat(rel.events().get(1).tsNs()).isEqualTo(277_000L);
    }

    @Test
    void unprefixedStderrLinesWithoutAnyPrefixGetPidZero() throws IOException {
        Result r = p("lseek(-1, 424242001, SEEK_SET)          = -1 EBADF (Bad file descriptor)\nbrk(NULL)                               = 0x5586bf5d4000\n");
        Event e = only(r);
        assertThat(e.pid()).isZero();
        assertThat(r.stats().get(LineClass.IGNORED)).isEqualTo(1);
    }

    @Test
    void stderrTraceWithThreads_initialTaskIdentified_attachedNoticeInsideCloneLine() throws IOException {
        Result r = TestSupport.read(TestSupport.resource("captures/mt/stderr-f.txt"));
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        assertThat(r.events()).noneMatch(e -> e.pid() == 0);
        Event clone = r.events().stream().filter(e -> e.call() instanceof Call.Clone).findFirst().orElseThrow();
        assertThat(clone.pid()).isEqualTo(6641);
        assertThat(clone.ret()).isEqualTo(6642);
        assertThat(((Call.Clone) clone.call()).isThread()).isTrue();
        // the clone3 line was cut by "strace: Process 6642 attached": joined, completed on line 39
        assertThat(clone.source().line()).isEqualTo(39);
        // thread events belong to the process
        assertThat(r.events()).filteredOn(e -> e.tid() == 6642).allMatch(e -> e.pid() == 6641);
        // the forked child is its own process, the killed one exits with 128+9
        assertThat(r.events()).anyMatch(e -> e.pid() == 6645 && e.call() instanceof Call.Mmap);
        assertThat(r.events()).anyMatch(e -> e.pid() == 6646 && e.call() instanceof Call.Exit x && x.status() == 137 && x.group());
        // the last unprefixed lines (after the threads are gone) are the main task's
        Event last = r.events().get(r.events().size() - 1);
        assertThat(last.tid()).isEqualTo(6641);
        assertThat(last.call()).isEqualTo(new Call.Exit(false, 0));
    }

    @Test
    void bracketPidPrefix() throws IOException {
        Event e = only(p("[pid  6642] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f684b2cf000\n"));
        assertThat(e.tid()).isEqualTo(6642);
        assertThat(((Call.Mmap) e.call()).file()).isNull();
    }

    @Test
    void unfinishedAndResumedPairs_resumedHalfCarriesArguments() throws IOException {
        Result r = p("""
                6650  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>
                6651  rt_sigprocmask(SIG_SETMASK, [],  <unfinished ...>
                6651  <... rt_sigprocmask resumed>NULL, 8) = 0
                6650  <... mmap resumed>)         = 0x7f684b2cf000
                6652  mprotect(0x7f684b2cf000, 4096, PROT_READ <unfinished ...>
                6652  <... mprotect resumed>, 0) = 0
                """);
        assertThat(r.events()).hasSize(2);
        Event m = r.events().get(0);
        assertThat(m.ret()).isEqualTo(0x7f684b2cf000L);
        assertThat(m.source().line()).isEqualTo(4);
        assertThat(r.stats().get(LineClass.PAIRED)).isEqualTo(6);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
    }

    @Test
    void orphansAreCounted() throws IOException {
        Result r = p("7  <... mmap resumed>) = 0x1000\n7  munmap(0x1000, 4096 <unfinished ...>\n");
        assertThat(r.events()).isEmpty();
        assertThat(r.stats().get(LineClass.ORPHANED)).isEqualTo(2);
    }

    @Test
    void failedCallsAndUnknownReturns() throws IOException {
        Event e = only(p("6677  21:21:12 mmap(NULL, 1125899906842624, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)\n"));
        assertThat(e.errno()).isEqualTo(12);
        assertThat(e.succeeded()).isFalse();
        Event x = only(p("6726  exit_group(0)                   = ?\n"));
        assertThat(x.retKnown()).isFalse();
        assertThat(x.call()).isEqualTo(new Call.Exit(true, 0));
    }

    @Test
    void signalsAndExitLines() throws IOException {
        Result r = p("""
                100   --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---
                100   +++ exited with 3 +++
                101   +++ killed by SIGKILL +++
                102   +++ killed by SIGSEGV (core dumped) +++
                """);
        assertThat(r.events()).extracting(Event::call).containsExactly(new Call.Exit(false, 3), new Call.Exit(true, 137), new Call.Exit(true, 139));
        assertThat(r.stats().get(LineClass.IGNORED)).isEqualTo(1);
    }

    @Test
    void straceZeroX1ceIsMseal() throws IOException {
        Event e = only(p("13864 11:36:21.639850 syscall_0x1ce(0x200000002000, 0x2000, 0, 0xffffffff, 0, 0) = 0 <0.000013>\n"));
        assertThat(e.call()).isEqualTo(new Call.Mseal(0x200000002000L, 0x2000, 0));
    }

    @Test
    void xRawAndXVerbose() throws IOException {
        Event raw = only(p("3190  1795346975.192 mmap(NULL, 4096, 0x3, 0x100022, -1, 0) = 0x200000000000\n"));
        assertThat(((Call.Mmap) raw.call()).flags()).isEqualTo(0x100022);
        Event verbose = only(p("6695  mmap(NULL, 8192, 0x3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0) = 0x7f32de9ba000\n"));
        assertThat(((Call.Mmap) verbose.call()).prot()).isEqualTo(3);
        Event unknownAdvice = only(p("1  madvise(0x200000000000, 8192, 0x66 /* MADV_??? */) = 0\n"));
        assertThat(((Call.Madvise) unknownAdvice.call()).advice()).isEqualTo(0x66);
    }

    @Test
    void instructionPointerSyscallNumberAndCommPrefixes() throws IOException {
        Event e = only(p("6704<mt> [   9] [00007fc0d46d8ca3] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fc0d46ae000\n"));
        assertThat(e.tid()).isEqualTo(6704);
        assertThat(e.ret()).isEqualTo(0x7fc0d46ae000L);
    }

    @Test
    void stackFramesOfDashK() throws IOException {
        Result r = TestSupport.read(TestSupport.resource("captures/mt/k-head.txt"));
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        Event mmap = r.events().stream().filter(e -> e.call() instanceof Call.Mmap).findFirst().orElseThrow();
        assertThat(mmap.stack()).isNotEmpty();
        assertThat(mmap.stack().get(0)).contains("ld-linux-x86-64.so.2(");
    }

    @Test
    void structureNotSubstrings_buffersWithMarkers() throws IOException {
        Result r = p("""
                6650  write(1, "+++ exited with 0 +++ <... mmap resumed> lseek(", 47) = 47
                6650  write(1, "--- SIG\\" <unfinished ...>) = 3</x>", 5) = 5
                6650  brk(NULL) = 0x1000
                """);
        assertThat(r.events()).hasSize(1);
        assertThat(r.stats().get(LineClass.IGNORED)).isEqualTo(2);
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
    }

    @Test
    void deletedOutsideTheBrackets_andMemfdIdentity() throws IOException {
        Result r = p("""
                6722  memfd_create("ingtest", MFD_CLOEXEC) = 5</memfd:ingtest>(deleted)
                6722  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 5</memfd:ingtest>(deleted), 0) = 0x7f0000000000
                """);
        Call.Mmap m = (Call.Mmap) only(r).call();
        assertThat(m.file().path()).isEqualTo("/memfd:ingtest (deleted)");
        assertThat(m.file().fromPathOnly()).isFalse();
        assertThat(r.stats().fdTableComplete()).isTrue();
    }

    @Test
    void fdTable_twoOpensAreTwoFiles_dupIsTheSame_forkCopies() throws IOException {
        Result r = TestSupport.read(TestSupport.resource("traces/file_two_opens_and_dup/strace-f/trace.cut.txt"));
        List<Call.Mmap> maps = r.events().stream().filter(e -> e.call() instanceof Call.Mmap).map(e -> (Call.Mmap) e.call()).toList();
        assertThat(maps).hasSize(5);
        long fd3 = maps.get(0).file().id(), fd4 = maps.get(1).file().id();
        assertThat(fd3).isNotEqualTo(fd4);
        assertThat(maps.get(2).file().id()).isEqualTo(fd4);
        assertThat(maps.get(3).file().id()).isEqualTo(fd3);
        assertThat(maps.get(4).file().id()).isEqualTo(fd3); // fd 5 = dup(3)
        assertThat(maps.get(0).file().path()).isEqualTo("/tmp/vmareplay-data/data.bin");
        assertThat(r.stats().fdTableComplete()).isTrue();
    }

    @Test
    void fdTable_pathOnlyFallbackForFdsOpenedBeforeTheTrace() throws IOException {
        Result r = p("""
                9  mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 7</usr/lib/libc.so.6>, 0) = 0x1000
                9  mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 8</usr/lib/libc.so.6>, 0) = 0x2000
                9  openat(AT_FDCWD</>, "/usr/lib/libc.so.6", O_RDONLY|O_CLOEXEC) = 10</usr/lib/libc.so.6>
                9  mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 10</usr/lib/libc.so.6>, 0) = 0x3000
                """);
        List<Call.Mmap> m = r.events().stream().map(e -> (Call.Mmap) e.call()).toList();
        assertThat(m.get(0).file().id()).isEqualTo(m.get(1).file().id());
        assertThat(m.get(0).file().fromPathOnly()).isTrue();
        assertThat(m.get(2).file().id()).isNotEqualTo(m.get(0).file().id());
        assertThat(m.get(2).file().fromPathOnly()).isFalse();
        assertThat(r.stats().fdTableComplete()).isFalse();
    }

    @Test
    void fdTable_closeOnExecAndClose() throws IOException {
        Result r = p("""
                9  openat(AT_FDCWD, "/a", O_RDONLY|O_CLOEXEC) = 3
                9  openat(AT_FDCWD, "/b", O_RDONLY) = 4
                9  execve("/bin/true", ["true"], 0x7ffe /* 1 var */) = 0
                9  mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 4, 0) = 0x1000
                9  mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = 0x2000
                """);
        List<Call.Mmap> m = r.events().stream().filter(e -> e.call() instanceof Call.Mmap).map(e -> (Call.Mmap) e.call()).toList();
        assertThat(m.get(0).file().path()).isEqualTo("/b");
        assertThat(m.get(0).file().fromPathOnly()).isFalse();
        assertThat(m.get(1).file().fromPathOnly()).isTrue(); // fd 3 was closed on exec
    }

    @Test
    void processCallsAndVmaNames() throws IOException {
        Result r = p("""
                6663  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7fb8ed362a10) = 6664
                6663  vfork() = 6665
                6663  prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7fac5c07e000, 4096, "x") = -1 EINVAL (Invalid argument)
                6663  mremap(0x7f0000000000, 8192, 16384, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f1000000000) = 0x7f1000000000
                6663  mlock2(0x1000, 4096, MLOCK_ONFAULT) = 0
                6663  pkey_mprotect(0x1000, 4096, PROT_READ, 1) = 0
                6663  process_madvise(3<pid:77>, [{iov_base=0x1000, iov_len=4096}, {iov_base=0x3000, iov_len=8192}], 2, MADV_COLD, 0) = 12288
                """);
        assertThat(r.events()).extracting(Event::call).containsExactly(
                new Call.Clone("clone", 0x1200000L | 17),
                new Call.Clone("vfork", 0x4000 | 0x100 | 17),
                new Call.SetVmaName(0x7fac5c07e000L, 4096, "x"),
                new Call.Mremap(0x7f0000000000L, 8192, 16384, 3, 0x7f1000000000L),
                new Call.Mlock(0x1000, 4096, 1, true),
                new Call.Mprotect(0x1000, 4096, 1, 1),
                new Call.Madvise(0x1000, 4096, 20, 77),
                new Call.Madvise(0x3000, 8192, 20, 77));
        assertThat(r.events().get(0).pid()).isEqualTo(6663);
    }

    @Test
    void ffFilesMergedByTime_pidFromTheName() throws IOException {
        Path ff = TestSupport.resource("captures/mt/ff");
        List<String> files;
        try (var s = Files.list(ff)) {
            files = s.map(Path::toString).sorted().toList();
        }
        Result r = TestSupport.read(files, TraceFormat.AUTO, IngestOptions.defaults());
        assertThat(r.stats().get(LineClass.MALFORMED)).isZero();
        Map<Integer, Long> byTid = r.events().stream().collect(Collectors.groupingBy(Event::tid, TreeMap::new, Collectors.counting()));
        assertThat(byTid.keySet()).containsExactly(6659, 6660, 6661, 6662, 6663, 6664);
        // threads belong to 6659, the forked children are processes of their own
        assertThat(r.events()).filteredOn(e -> e.tid() == 6660).allMatch(e -> e.pid() == 6659);
        assertThat(r.events()).filteredOn(e -> e.tid() == 6663).allMatch(e -> e.pid() == 6663);
        for (int i = 1; i < r.events().size(); i++) {
            assertThat(r.events().get(i).tsNs()).isGreaterThanOrEqualTo(r.events().get(i - 1).tsNs());
            assertThat(r.events().get(i).seq()).isEqualTo(i);
        }
    }

    @Test
    void everyCaptureVariantParsesCleanlyAndAgreesOnCounts() throws IOException {
        Map<String, Long> ref = null;
        for (String v : List.of("o-f.txt", "stderr-f.txt", "r.txt", "t.txt", "ns.txt", "xv.txt", "iny.txt", "yy.txt")) {
            Result r = TestSupport.read(TestSupport.resource("captures/mt/" + v));
            assertThat(r.stats().examples()).as(v).isEmpty();
            Map<String, Long> counts = r.events().stream().collect(Collectors.groupingBy(Event::syscall, TreeMap::new, Collectors.counting()));
            if (ref == null) ref = counts;
            else assertThat(counts).as(v).isEqualTo(ref);
        }
        assertThat(ref).containsEntry("mseal", 1L).containsEntry("prctl", 1L).containsEntry("clone3", 3L);
    }

    @Test
    void malformedLinesAreCountedWithFileAndLine_strictThrows() throws IOException {
        String text = "1  brk(NULL) = 0x1000\n1  mmap(NULL, 4096, PROT_BOGUS, MAP_PRIVATE, -1, 0) = 0x2000\nthis is not strace\n1  brk(NULL) = 0x1000\n";
        Result r = p(text);
        assertThat(r.events()).hasSize(2);
        assertThat(r.stats().get(LineClass.MALFORMED)).isEqualTo(2);
        assertThat(r.stats().examples().get(0).line()).isEqualTo(2);
        assertThat(r.stats().examples().get(0).file()).endsWith("trace.txt");
        Path f = TestSupport.write(dir, "strict.txt", text);
        assertThatThrownBy(() -> TestSupport.read(List.of(f.toString()), TraceFormat.STRACE, IngestOptions.strictMode()))
                .isInstanceOf(MalformedTraceException.class)
                .hasMessageContaining("strict.txt")
                .hasMessageContaining("line 2")
                .satisfies(t -> assertThat(((MalformedTraceException) t).line()).isEqualTo(2));
    }

    @Test
    void nonUtf8_truncatedLastLine_giganticLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("1  write(1, \"".getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0x80});
        b.writeBytes("\", 3) = 3\n".getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes("1  write(1, \"".getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes("x".repeat(3 << 20).getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes("\", 3) = 3\n".getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes("1  brk(NULL) = 0x1000\n1  mmap(NULL, 4096, PROT_READ, MAP_PRI".getBytes(StandardCharsets.ISO_8859_1));
        Path f = dir.resolve("weird.txt");
        Files.write(f, b.toByteArray());
        Result r = TestSupport.read(List.of(f.toString()), TraceFormat.STRACE, new IngestOptions(false, 1 << 20, true));
        assertThat(r.events()).hasSize(1);
        assertThat(r.stats().get(LineClass.IGNORED)).isEqualTo(1);
        assertThat(r.stats().get(LineClass.MALFORMED)).isEqualTo(2); // the cut giant line, the truncated last line
        assertThat(r.stats().totalLines()).isEqualTo(4);
    }
}
