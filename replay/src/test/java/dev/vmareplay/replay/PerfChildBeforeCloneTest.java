package dev.vmareplay.replay;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.engine.FaultPolicy;
import dev.vmareplay.replay.engine.KernelVersion;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeListener;
import dev.vmareplay.replay.outcome.ProcessInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under perf, a child's first events can be printed before the clone that created it: held
 * until the clone is seen, so they land in the address space the clone gives the child. The
 * input is samples/recorded/python-threads (record --perf of four Python threads), lines
 * 2828-2860, reordered: thread 18895's first 21 lines (its clone3 half, its malloc arena: mmap
 * 128 MiB, two trimming munmaps, mprotect of the first 132 KiB) moved before its parent's
 * {@code clone3(...) = 18895}.
 */
class PerfChildBeforeCloneTest {
    @TempDir
    Path dir;

    static final String REORDERED = """
               364.462 (         ): python3/18882 mmap(len: 8392704, flags: PRIVATE|ANONYMOUS|STACK)                 ...
               364.473 (         ): python3/18882 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888109a80640, memcg_id: 3599, write: 1, success: 1)
               364.462 ( 0.040 ms): python3/18882  ... [continued]: mmap())                                             = 0x7f7beebbc000
               364.524 (         ): python3/18882 mprotect(start: 0x7f7beebbd000, len: 8388608, prot: READ|WRITE)    ...
               364.532 (         ): python3/18882 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888109a80640, memcg_id: 3599, write: 1, success: 1)
               364.524 ( 0.041 ms): python3/18882  ... [continued]: mprotect())                                         = 0
               364.595 (         ): python3/18882 exceptions:page_fault_user(address: 0x7f7bef3bcd58, ip: 140170274831724, error_code: 6)
               364.609 ( 0.000 ms): python3/18882 minfault [pthread_create@GLIBC_2.2.5+0x9ec] => //anon@0x7f7bef3bcd58 (d.)
               364.638 ( 0.009 ms): python3/18882 rt_sigprocmask(how: BLOCK, nset: 0x7f7bef81f178, oset: 0x7ffeacdec9a8, sigsetsize: 8) = 0
                     ? (         ): python3/18895  ... [continued]: clone3())                                           = 0
               365.210 (         ): python3/18895 exceptions:page_fault_user(address: 0x7f7bef3bbf78, ip: 140170275354858, error_code: 6)
               365.235 ( 0.000 ms): python3/18895 minfault [clone3+0x2a] => //anon@0x7f7bef3bbf78 (d.)
               365.244 ( 0.007 ms): python3/18895 rseq(rseq: 0x7f7bef3bcfe0, rseq_len: 32, sig: 1392848979)             = 0
               365.257 ( 0.006 ms): python3/18895 set_robust_list(head: 0x7f7bef3bc9a0, len: 24)                        = 0
               365.270 ( 0.006 ms): python3/18895 rt_sigprocmask(how: SETMASK, nset: 0x7f7bef3bcfb0, sigsetsize: 8)     = 0
               365.287 (         ): python3/18895 mmap(len: 134217728, flags: PRIVATE|ANONYMOUS|NORESERVE)           ...
               365.296 (         ): python3/18895 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888109a80640, memcg_id: 3599, write: 1, success: 1)
               365.287 ( 0.039 ms): python3/18895  ... [continued]: mmap())                                             = 0x7f7be6a00000
               365.332 (         ): python3/18895 munmap(addr: 0x7f7be6a00000, len: 23068672)                        ...
               365.339 (         ): python3/18895 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888109a80640, memcg_id: 3599, write: 1, success: 1)
               365.332 ( 0.040 ms): python3/18895  ... [continued]: munmap())                                           = 0
               365.379 (         ): python3/18895 munmap(addr: 0x7f7bec000000, len: 44040192)                        ...
               365.385 (         ): python3/18895 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888109a80640, memcg_id: 3599, write: 1, success: 1)
               365.379 ( 0.017 ms): python3/18895  ... [continued]: munmap())                                           = 0
               365.402 (         ): python3/18895 mprotect(start: 0x7f7be8000000, len: 135168, prot: READ|WRITE)     ...
               365.409 (         ): python3/18895 mmap_lock:mmap_lock_acquire_returned(mm: 0xffff888109a80640, memcg_id: 3599, write: 1, success: 1)
               365.402 ( 0.019 ms): python3/18895  ... [continued]: mprotect())                                         = 0
               365.428 (         ): python3/18895 exceptions:page_fault_user(address: 0x7f7be8000020, ip: 140170274878927, error_code: 6)
               365.441 ( 0.000 ms): python3/18895 minfault [alloc_new_heap+0xcf] => //anon@0x7f7be8000020 (d.)
               365.450 ( 0.007 ms): python3/18895 gettid()                                                              = 18895 (python3)
               364.668 ( 0.488 ms): python3/18882 clone3(uargs: 0x7ffeacdec8b0, size: 88)                               = 18895
               365.490 (         ): python3/18895 futex(uaddr: 0xa5b8f0, op: WAIT_BITSET|PRIVATE_FLAG, utime: 0x7f7bef3bbe40, val3: MATCH_ANY) ...
               367.795 ( 0.021 ms): python3/18882 rt_sigprocmask(how: SETMASK, nset: 0x7ffeacdec9a8, sigsetsize: 8)     = 0
            """;

    private final List<String> divergences = new ArrayList<>();
    private final List<Integer> processes = new ArrayList<>();

    private static String drop(String trace, String what) {
        return trace.lines().filter(l -> !l.contains(what)).collect(Collectors.joining("\n", "", "\n"));
    }

    private List<Event> events(String trace) throws Exception {
        List<Event> out = new ArrayList<>();
        try (EventSource s = Ingest.open("t", new java.io.ByteArrayInputStream(trace.getBytes()), TraceFormat.PERF_TRACE, IngestOptions.defaults())) {
            for (Event e; (e = s.next()) != null; ) out.add(e);
        }
        return out;
    }

    private Map<Integer, List<MapsEntry>> replay(String trace) throws Exception {
        Path t = dir.resolve("trace.txt");
        Files.writeString(t, trace);
        ReplayOptions options = new ReplayOptions(KernelVersion.V6_18, null, Map.of(), FaultPolicy.OBSERVED_ONLY, true);
        Replayer r = new Replayer(options, new OutcomeListener() {
            @Override public void onDivergence(Divergence d) { divergences.add(d.cause() + ": " + d.detail()); }
            @Override public void onProcess(ProcessInfo p) { processes.add(p.pid()); }
        });
        try (EventSource s = Ingest.open(List.of(t.toString()), TraceFormat.PERF_TRACE, IngestOptions.defaults())) {
            return r.run(s);
        }
    }

    private static int indexOf(List<Event> events, int tid, Class<? extends Call> kind) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).tid() == tid && kind.isInstance(events.get(i).call())) return i;
        }
        return -1;
    }

    private void assertTheThreadsArenaIsInItsProcess(Map<Integer, List<MapsEntry>> layouts) {
        assertThat(processes).containsExactly(18882);
        assertThat(layouts.keySet()).containsExactly(18882);
        assertThat(layouts.get(18882)).extracting(e -> Long.toHexString(e.start()) + "-" + Long.toHexString(e.end()) + " " + e.perms())
                .containsExactly(
                        "7f7be8000000-7f7be8021000 rw-p",   // the thread's arena: mprotect'ed head
                        "7f7be8021000-7f7bec000000 ---p",   // its reserved rest (64 MiB, trimmed to alignment)
                        "7f7beebbc000-7f7beebbd000 ---p",   // the thread's stack guard, mapped by the parent
                        "7f7beebbd000-7f7bef3bd000 rw-p");  // the thread's stack
        assertThat(divergences).noneMatch(d -> d.startsWith("unknown-task") || d.startsWith("mm-identity"));
    }

    @Test
    void withLockLinesTimeOrderPutsTheCloneFirst() throws Exception {
        // perf trace -e mmap_lock:... (record --perf): events in time order; the clone3 entered first
        List<Event> ev = events(REORDERED);
        assertThat(indexOf(ev, 18882, Call.Clone.class)).isLessThan(indexOf(ev, 18895, Call.Mmap.class));
        assertTheThreadsArenaIsInItsProcess(replay(REORDERED));
    }

    @Test
    void inFileOrderTheReplayHoldsTheChildsEventsUntilTheClone() throws Exception {
        // perf trace -F without the tracepoints: file order, so the thread's events come first
        // and the replay must hold them until the clone is seen
        String fileOrder = drop(drop(REORDERED, "mmap_lock:"), "exceptions:");
        List<Event> ev = events(fileOrder);
        assertThat(indexOf(ev, 18895, Call.Mmap.class)).isLessThan(indexOf(ev, 18882, Call.Clone.class));
        assertTheThreadsArenaIsInItsProcess(replay(fileOrder));
    }
}
