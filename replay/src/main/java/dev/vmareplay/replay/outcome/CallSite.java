package dev.vmareplay.replay.outcome;

import java.util.List;

/**
 * The frame of an {@code strace -k} stack that made a call: the first one outside the C
 * library and the dynamic loader (whose frames are only the syscall wrappers), else the first.
 * Computed once, when the event enters an {@link OutcomeBatch}, so that storage stores it and
 * re-derives nothing about the trace.
 */
public final class CallSite {

    private CallSite() { }

    /** The calling frame, null for an empty stack. */
    public static String of(List<String> stack) {
        if (stack.isEmpty()) return null;
        for (String f : stack) {
            String t = strip(f);
            if (!t.contains("/libc.so") && !t.contains("/libc-") && !t.contains("/ld-linux") && !t.contains("/ld.so")) return t;
        }
        return strip(stack.get(0));
    }

    private static String strip(String frame) {
        String t = frame.trim();
        return t.startsWith(">") ? t.substring(1).trim() : t;
    }
}
