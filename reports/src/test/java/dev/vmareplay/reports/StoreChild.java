package dev.vmareplay.reports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A child JVM for the tests that need a second process: {@code crash DB N} writes a run of
 * N events and prints HALFWAY half-way through (then keeps writing, and never finishes);
 * {@code hold DB} opens the database for writing, prints READY and holds it until its
 * standard input closes.
 */
public final class StoreChild {
    public static void main(String[] args) throws IOException {
        Path db = Path.of(args[1]);
        switch (args[0]) {
            case "crash" -> {
                RunStore store = RunStore.open(db);
                RunWriter w = store.beginRun(new RunMeta("child", "6.18", List.of("big.strace")));
                Synthetic s = new Synthetic(99, Integer.parseInt(args[2]));
                s.feed(w, () -> {
                    System.out.println("HALFWAY " + w.runId());
                    System.out.flush();
                });
                s.end(w);
                System.out.println("FED");
                System.out.flush();
                sleepForever();
            }
            case "hold" -> {
                try (RunStore store = RunStore.open(db)) {
                    System.out.println("READY");
                    System.out.flush();
                    while (System.in.read() >= 0) { }
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts {@code StoreChild} with this JVM's class path. */
    static Process start(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                StoreChild.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
