package dev.vmareplay.replay;

import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeRecords;
import dev.vmareplay.replay.outcome.ProcessInfo;
import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole workloads captured with strace -f (samples/captured): every task lands in the right
 * address space, and every divergence is counted with a cause that explains it. The expected
 * process structure is read from the raw trace text independently of the parser: clone lines
 * with CLONE_THREAD are threads, other successful clones/forks are processes.
 */
class WorkloadTest {

    private static final Pattern CLONE_RET = Pattern.compile("^(\\d+) .*\\b(clone3?|fork|vfork)\\((.*)\\) += (\\d+)");
    private static final Pattern RESUMED_RET = Pattern.compile("^(\\d+) .*<\\.\\.\\. (clone3?|fork|vfork) resumed>(.*)\\) += (\\d+)");

    /** What the replay said about one workload. */
    static final class Run extends OutcomeRecords {
        final Map<Long, Set<Integer>> tidsBySpace = new HashMap<>();
        final Map<Integer, Long> spaceOfTid = new HashMap<>();
        final List<ProcessInfo> processes = new ArrayList<>();
        final List<String> divergences = new ArrayList<>();

        @Override public void onProcess(ProcessInfo p) { processes.add(p); }
        @Override protected void onEvent(Event e, long mmId) {
            if (mmId < 0 || e.call() instanceof Call.Execve || e.call() instanceof Call.Exit) return;
            tidsBySpace.computeIfAbsent(mmId, k -> new HashSet<>()).add(e.tid());
            spaceOfTid.put(e.tid(), mmId);
        }
        @Override public void onDivergence(Divergence d) { divergences.add(d.cause() + ": " + d.detail()); }
    }

    /** The tids the trace text says were created as threads, and as processes. */
    record Structure(Set<Integer> threads, Set<Integer> processes) { }

    static Structure structure(Path gz) throws Exception {
        Set<Integer> threads = new HashSet<>(), procs = new HashSet<>();
        Map<Integer, Boolean> pendingThread = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = CLONE_RET.matcher(line);
                if (m.find()) {
                    (m.group(3).contains("CLONE_THREAD") ? threads : procs).add(Integer.parseInt(m.group(4)));
                    continue;
                }
                if (line.matches("^\\d+ .*\\b(clone3?|vfork|fork)\\(.*<unfinished \\.\\.\\.>$")) {
                    pendingThread.put(Integer.parseInt(line.substring(0, line.indexOf(' '))), line.contains("CLONE_THREAD"));
                    continue;
                }
                Matcher res = RESUMED_RET.matcher(line);
                if (res.find()) {
                    int parent = Integer.parseInt(res.group(1));
                    boolean thread = pendingThread.getOrDefault(parent, false);
                    (thread ? threads : procs).add(Integer.parseInt(res.group(4)));
                }
            }
        }
        return new Structure(threads, procs);
    }

    static Run replay(Path trace) throws Exception {
        Run run = new Run();
        try (EventSource s = Ingest.open(trace.toString())) {
            new Replayer(ReplayOptions.defaults(), run).run(s);
        }
        return run;
    }

    static Path captured(String name) {
        return Samples.root().getParent().resolve("captured").resolve(name);
    }

    @Test
    void aJvmsThreadsAllShareItsAddressSpace() throws Exception {
        Path t = captured("java-version.strace.txt.gz");
        Structure s = structure(t);
        assertThat(s.threads()).as("the JVM starts many threads").hasSizeGreaterThan(10);
        assertThat(s.processes()).isEmpty();

        Run run = replay(t);
        long jvm = run.spaceOfTid.get(s.threads().iterator().next());
        for (int tid : s.threads()) {
            if (run.spaceOfTid.containsKey(tid)) assertThat(run.spaceOfTid.get(tid)).as("thread %d", tid).isEqualTo(jvm);
        }
        assertThat(run.processes).extracting(ProcessInfo::pid).containsOnly(run.processes.get(0).pid());
        assertThat(run.divergences).allSatisfy(d -> assertThat(d).startsWith("missing-mapping").contains("execve"));
    }

    @Test
    void aShellPipelineGivesEveryChildItsOwnAddressSpace() throws Exception {
        Path t = captured("sh-pipeline.strace.txt.gz");
        Structure s = structure(t);
        assertThat(s.processes()).hasSizeGreaterThanOrEqualTo(3);

        Run run = replay(t);
        Set<Long> spaces = new HashSet<>();
        for (int child : s.processes()) {
            assertThat(run.spaceOfTid).as("child %d made calls", child).containsKey(child);
            spaces.add(run.spaceOfTid.get(child));
            assertThat(run.processes).anySatisfy(p -> {
                assertThat(p.pid()).isEqualTo(child);
                assertThat(p.parentPid()).isPositive();
            });
        }
        assertThat(spaces).as("no two children share an address space").hasSize(s.processes().size());
        for (Set<Integer> tids : run.tidsBySpace.values()) assertThat(tids).as("one task per address space here").hasSize(1);
        assertThat(run.divergences).noneMatch(d -> d.startsWith("unknown-task"));
    }

    @Test
    void makeDashJ2AccountsForEveryProcessAndExplainsEveryDivergence() throws Exception {
        Path t = captured("make-j2.strace.txt.gz");
        Structure s = structure(t);
        assertThat(s.processes()).as("make, sh, gcc, cc1, as, collect2, ld").hasSizeGreaterThan(10);

        Run run = replay(t);
        Set<Integer> replayedPids = new HashSet<>();
        run.processes.forEach(p -> replayedPids.add(p.pid()));
        assertThat(replayedPids).containsAll(s.processes());
        assertThat(replayedPids).hasSize(s.processes().size() + 1); // + make itself
        assertThat(run.divergences).isNotEmpty().allSatisfy(d ->
                assertThat(d).startsWith("missing-mapping").contains("execve"));
    }
}
