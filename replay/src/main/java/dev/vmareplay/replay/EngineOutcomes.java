package dev.vmareplay.replay;

import dev.vmareplay.replay.engine.VmaEvent;
import dev.vmareplay.replay.outcome.CaseKind;
import dev.vmareplay.replay.outcome.RefusalReason;

/**
 * The engine's own case kinds and refusal reasons (the engine imports only the JDK) mapped to
 * their outcome twins, by ordinal: one array load per change on the replay's hot path.
 * A twin is found by name when the class loads, so an engine constant without one fails
 * every replay at once (and {@code EngineOutcomesTest} names it).
 */
final class EngineOutcomes {

    private static final CaseKind[] KINDS = new CaseKind[VmaEvent.Kind.values().length];
    private static final RefusalReason[] REASONS = new RefusalReason[VmaEvent.RefusalReason.values().length];

    static {
        for (VmaEvent.Kind k : VmaEvent.Kind.values()) KINDS[k.ordinal()] = CaseKind.valueOf(k.name());
        for (VmaEvent.RefusalReason r : VmaEvent.RefusalReason.values()) REASONS[r.ordinal()] = RefusalReason.valueOf(r.name());
    }

    private EngineOutcomes() { }

    static CaseKind kind(VmaEvent.Kind k) {
        return KINDS[k.ordinal()];
    }

    /** Null for null (a change that was not refused). */
    static RefusalReason reason(VmaEvent.RefusalReason r) {
        return r == null ? null : REASONS[r.ordinal()];
    }
}
