package dev.vmareplay.cli;

import dev.vmareplay.replay.ReplayOptions;
import dev.vmareplay.replay.SnapshotDir;
import dev.vmareplay.replay.engine.FaultPolicy;
import dev.vmareplay.replay.engine.KernelVersion;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The model a command replays with ({@code replay}, {@code verify}, {@code record --verify}):
 * {@code --kernel} and {@code --fault-policy}, shared as a picocli {@code @Mixin}. picocli
 * converts the values, so a kernel that is not modelled is a usage error (exit 2) listing the
 * ones that are.
 */
class ModelOptions {

    @Option(names = "--kernel", paramLabel = "VERSION", defaultValue = "6.18", converter = KernelConverter.class,
            completionCandidates = KernelConverter.Names.class,
            description = "Kernel behaviour to model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    KernelVersion kernel;

    @Option(names = "--fault-policy", paramLabel = "P", converter = PolicyConverter.class,
            completionCandidates = PolicyConverter.Names.class, description = "How to decide whether memory was written (has an anon_vma) when the trace cannot show it: ${COMPLETION-CANDIDATES}. Default: observed-only when the trace has page-fault events (perf trace -F), else write-before-protect.")
    FaultPolicy faultPolicy;

    /** The model given in code (tests; commands get theirs from picocli). */
    static ModelOptions defaults() {
        ModelOptions m = new ModelOptions();
        m.kernel = KernelVersion.V6_18;
        return m;
    }

    /**
     * How to replay {@code inputs}: this model, seeded as {@code seeds} says (null: no seeds),
     * re-seeded at snapshot markers from {@code snapshots} (null: none).
     */
    ReplayOptions replayOptions(TraceInputs inputs, SeedOptions seeds, boolean checkInvariants, SnapshotDir snapshots) {
        FaultPolicy policy = faultPolicy != null ? faultPolicy
                : inputs.hasFaultEvents() ? FaultPolicy.OBSERVED_ONLY : null;
        Path first = seeds == null ? null : seeds.first();
        Map<Integer, Path> byPid = seeds == null ? Map.of() : seeds.byPid();
        return new ReplayOptions(kernel, first, byPid, policy, checkInvariants, snapshots);
    }

    /** The policy a replay used, as the user would type it (null in the options: the engine's default). */
    static String policyName(ReplayOptions options) {
        return OptionValue.name(options.faultPolicy() == null ? FaultPolicy.WRITE_BEFORE_PROTECT : options.faultPolicy());
    }

    /** 6.1, 6.12, 6.18 (also 6.18.44, v6.12). */
    static final class KernelConverter implements CommandLine.ITypeConverter<KernelVersion> {
        @Override
        public KernelVersion convert(String value) {
            try {
                return KernelVersion.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }

        static final class Names extends java.util.ArrayList<String> {
            Names() {
                for (KernelVersion k : KernelVersion.values()) add(k.toString());
            }
        }
    }

    /** observed-only, write-before-protect, assume-written. */
    static final class PolicyConverter implements CommandLine.ITypeConverter<FaultPolicy> {
        @Override
        public FaultPolicy convert(String value) {
            try {
                return FaultPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw OptionValue.notOneOf(value, new Names());
            }
        }

        static final class Names extends OptionValue.Names {
            Names() {
                super(FaultPolicy.values());
            }
        }
    }
}
