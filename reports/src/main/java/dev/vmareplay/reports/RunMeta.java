package dev.vmareplay.reports;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What describes one run before it starts: stored in the {@code runs} table.
 *
 * @param toolVersion vmareplay's version (for instance {@code 0.1.0})
 * @param kernel      the modelled kernel version ({@code 6.18}, {@code 6.1})
 * @param inputs      the trace inputs as the user named them ({@code -} for standard input)
 * @param options     the options that shaped the run (name to value, in the order given),
 *                    stored as a JSON object text
 * @param startedAt   when the run started (UTC)
 */
public record RunMeta(String toolVersion, String kernel, List<String> inputs, Map<String, String> options,
                      Instant startedAt) {

    public RunMeta {
        Objects.requireNonNull(toolVersion, "toolVersion");
        Objects.requireNonNull(kernel, "kernel");
        inputs = List.copyOf(inputs);
        options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        if (startedAt == null) startedAt = Instant.now();
    }

    /** A run starting now with no options. */
    public RunMeta(String toolVersion, String kernel, List<String> inputs) {
        this(toolVersion, kernel, inputs, Map.of(), Instant.now());
    }

    /** The options as a JSON object text. */
    public String optionsJson() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            Json.string(sb, e.getKey());
            sb.append(':');
            if (e.getValue() == null) sb.append("null"); else Json.string(sb, e.getValue());
        }
        return sb.append('}').toString();
    }
}
