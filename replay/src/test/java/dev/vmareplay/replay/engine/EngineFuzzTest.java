package dev.vmareplay.replay.engine;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer target: operation sequences with hostile arguments chosen by the fuzzer, through
 * {@link Mm}, with {@link Mm#checkInvariants()} after every operation (see {@link HostileOps}
 * for every check). A normal build runs the seed corpus in
 * {@code src/test/resources/dev/vmareplay/replay/engine/EngineFuzzTestInputs/operations/};
 * {@code JAZZER_FUZZ=1} fuzzes (cli/README-reliability.md).
 */
class EngineFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void operations(FuzzedDataProvider data) {
        KernelVersion v = KernelVersion.values()[data.consumeInt(0, KernelVersion.values().length - 1)];
        FaultPolicy p = FaultPolicy.values()[data.consumeInt(0, FaultPolicy.values().length - 1)];
        HostileOps.Choices c = new HostileOps.Choices() {
            @Override public int pick(int n) { return data.consumeInt(0, n - 1); }
            @Override public long anyLong() { return data.consumeLong(); }
            @Override public boolean exhausted() { return data.remainingBytes() == 0; }
        };
        HostileOps ops = new HostileOps(c, v, p);
        for (int i = 0; i < 200 && !c.exhausted(); i++) {
            try {
                ops.step();
            } catch (RuntimeException e) {
                throw new AssertionError("step " + i + ": " + ops.last + " threw " + e, e);
            }
        }
    }
}
