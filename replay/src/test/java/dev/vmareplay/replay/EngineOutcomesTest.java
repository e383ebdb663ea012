package dev.vmareplay.replay;

import dev.vmareplay.replay.engine.VmaEvent;
import dev.vmareplay.replay.outcome.CaseKind;
import dev.vmareplay.replay.outcome.RefusalReason;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Every engine case kind and refusal reason has its outcome twin, and nothing else does. */
class EngineOutcomesTest {

    @Test
    void everyEngineKindMapsToTheOutcomeKindOfTheSameName() {
        for (VmaEvent.Kind k : VmaEvent.Kind.values()) {
            assertThat(EngineOutcomes.kind(k).name()).as("twin of %s", k).isEqualTo(k.name());
            assertThat(EngineOutcomes.kind(k).storageName()).isEqualTo(k.storageName());
        }
        assertThat(Arrays.stream(CaseKind.values()).map(Enum::name))
                .containsExactly(Arrays.stream(VmaEvent.Kind.values()).map(Enum::name).toArray(String[]::new));
    }

    @Test
    void everyEngineRefusalReasonMapsToTheOutcomeReasonOfTheSameName() {
        for (VmaEvent.RefusalReason r : VmaEvent.RefusalReason.values()) {
            assertThat(EngineOutcomes.reason(r).name()).as("twin of %s", r).isEqualTo(r.name());
            assertThat(EngineOutcomes.reason(r).storageName()).isEqualTo(r.storageName());
        }
        assertThat(EngineOutcomes.reason(null)).isNull();
        assertThat(Arrays.stream(RefusalReason.values()).map(Enum::name))
                .containsExactly(Arrays.stream(VmaEvent.RefusalReason.values()).map(Enum::name).toArray(String[]::new));
    }
}
