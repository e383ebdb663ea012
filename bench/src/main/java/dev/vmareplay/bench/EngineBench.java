package dev.vmareplay.bench;

import dev.vmareplay.replay.engine.Mm;
import dev.vmareplay.replay.engine.Mman;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Per-operation cost of the engine's syscall operations on an address space of N VMAs.
 *
 * <p>The address space holds N private anonymous read-write VMAs of three pages each, one
 * page apart (the gaps keep them from merging). Every benchmark invocation is a pair of
 * operations that leaves the layout as it found it, at a position that walks the whole
 * address space (a stride co-prime with N), so the tree's size stays N:
 * <ul>
 *   <li>{@code mmapMergeThenMunmap}: mmap one page into the gap after VMA i, same flags:
 *       {@code new_both} merges three VMAs into one; then munmap that page: a split and a removal;</li>
 *   <li>{@code mprotectSplitThenMerge}: mprotect the middle page of VMA i to read-only (split
 *       into three), then back to read-write ({@code existing_both} merges them again);</li>
 *   <li>{@code munmapThenMmap}: munmap VMA i whole, then mmap it again ({@code new_none}).</li>
 * </ul>
 * Results are per invocation, i.e. per pair of operations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EngineBench {

    private static final long PAGE = Mm.PAGE_SIZE;
    private static final long BASE = 0x7f00_0000_0000L;
    private static final long STRIDE = 4 * PAGE; // 3 pages mapped + 1 page gap
    private static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    private static final int FLAGS = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED;

    @Param({"10", "1000", "100000"})
    public int vmas;

    private Mm mm;
    private int i;
    private int step;

    @Setup(Level.Trial)
    public void setUp() {
        mm = new Mm();
        mm.setMaxMapCount(Integer.MAX_VALUE); // vm.max_map_count raised, as for a 100 000-VMA process
        for (int k = 0; k < vmas; k++) {
            int err = mm.mmap(BASE + k * STRIDE, 3 * PAGE, RW, FLAGS, null, 0);
            if (err != 0) throw new IllegalStateException("setup mmap failed: " + err);
        }
        if (mm.mapCount() != vmas) throw new IllegalStateException("expected " + vmas + " VMAs, have " + mm.mapCount());
        step = vmas > 7 ? 7919 % vmas : 1;
        while (gcd(step, vmas) != 1) step++;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private long next() {
        i += step;
        if (i >= vmas) i -= vmas;
        return BASE + i * STRIDE;
    }

    @Benchmark
    public int mmapMergeThenMunmap() {
        long v = next();
        if (i == vmas - 1) v -= STRIDE; // the last VMA has no right neighbour: use the gap before it
        long gap = v + 3 * PAGE;
        int a = mm.mmap(gap, PAGE, RW, FLAGS, null, 0);
        int b = mm.munmap(gap, PAGE);
        return a + b;
    }

    @Benchmark
    public int mprotectSplitThenMerge() {
        long v = next();
        int a = mm.mprotect(v + PAGE, PAGE, Mman.PROT_READ);
        int b = mm.mprotect(v + PAGE, PAGE, RW);
        return a + b;
    }

    @Benchmark
    public int munmapThenMmap() {
        long v = next();
        int a = mm.munmap(v, 3 * PAGE);
        int b = mm.mmap(v, 3 * PAGE, RW, FLAGS, null, 0);
        return a + b;
    }

    /**
     * Checks that each benchmark keeps the layout (run by bench/engine before JMH); with
     * {@code --cpu}, instead measures each pair's thread CPU time (best of 5 rounds of 200 000
     * pairs after 2 warm-up rounds) at 1 000 and 100 000 VMAs: on a loaded machine CPU time is
     * steadier than JMH's wall time.
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--cpu")) {
            cpu();
            return;
        }
        for (int n : new int[] {10, 1000, 100_000}) {
            EngineBench b = new EngineBench();
            b.vmas = n;
            b.setUp();
            for (int k = 0; k < 3 * n; k++) {
                if (b.mmapMergeThenMunmap() != 0 || b.mprotectSplitThenMerge() != 0 || b.munmapThenMmap() != 0) {
                    throw new IllegalStateException("an operation failed");
                }
            }
            if (b.mm.mapCount() != n) throw new IllegalStateException("layout changed: " + b.mm.mapCount() + " VMAs, expected " + n);
            b.mm.checkInvariants();
        }
        System.out.println("engine benchmarks keep the layout: ok");
    }

    private static void cpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        String[] names = {"mmapMergeThenMunmap", "mprotectSplitThenMerge", "munmapThenMmap"};
        int pairs = 200_000;
        for (int op = 0; op < names.length; op++) {
            double[] best = new double[2];
            int[] sizes = {1000, 100_000};
            for (int si = 0; si < sizes.length; si++) {
                EngineBench b = new EngineBench();
                b.vmas = sizes[si];
                b.setUp();
                best[si] = Double.MAX_VALUE;
                for (int round = 0; round < 7; round++) {
                    long t0 = mx.getCurrentThreadCpuTime();
                    int sink = 0;
                    for (int k = 0; k < pairs; k++) {
                        sink += op == 0 ? b.mmapMergeThenMunmap() : op == 1 ? b.mprotectSplitThenMerge() : b.munmapThenMmap();
                    }
                    long t1 = mx.getCurrentThreadCpuTime();
                    if (sink != 0) throw new IllegalStateException("an operation failed");
                    if (round >= 2) best[si] = Math.min(best[si], (t1 - t0) / (double) pairs);
                }
            }
            System.out.printf("%-24s 1000: %6.0f ns  100000: %6.0f ns  ratio %.2f%n", names[op], best[0], best[1], best[1] / best[0]);
        }
    }
}
