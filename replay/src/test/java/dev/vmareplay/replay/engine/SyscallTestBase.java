package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.EngineTestSupport.Recorder;
import org.junit.jupiter.api.BeforeEach;

import static dev.vmareplay.replay.engine.EngineTestSupport.w;
import static dev.vmareplay.replay.engine.Mman.*;

/**
 * The fixture of the per-family system call tests (one test class per engine class, named after
 * its kernel file): a 6.18 address space under the observed-only fault policy, recording every
 * event.
 */
abstract class SyscallTestBase {
    static final int RW = PROT_READ | PROT_WRITE;
    static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

    Recorder rec;
    Mm mm;

    @BeforeEach
    void setUp() {
        rec = new Recorder();
        mm = new Mm(KernelVersion.V6_18, FaultPolicy.OBSERVED_ONLY, rec);
    }

    String smaps(long page) {
        return VmFlags.toSmaps(mm.find(w(page)).flags()).trim();
    }
}
