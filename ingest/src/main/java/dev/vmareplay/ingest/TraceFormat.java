package dev.vmareplay.ingest;

import java.util.Locale;

/** The trace formats ingest reads; {@link #AUTO} detects one from the first lines of each input. */
public enum TraceFormat {
    AUTO, STRACE, PERF_TRACE, PERF_SCRIPT, CSV;

    /** Accepts the enum names in any case, with '-' or '_': auto, strace, perf-trace, perf-script, csv. */
    public static TraceFormat parse(String s) {
        if (s == null) throw new IllegalArgumentException("trace format is null");
        String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        switch (n) {
            case "PERFTRACE": return PERF_TRACE;
            case "PERFSCRIPT": return PERF_SCRIPT;
            default:
        }
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown trace format '" + s + "' (expected auto, strace, perf-trace, perf-script or csv)");
        }
    }
}
