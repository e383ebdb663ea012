package dev.vmareplay.cli.record;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import java.util.concurrent.TimeUnit;

/**
 * The snapshot library ({@code vmareplay-snap.c}, shipped in the jar): compiled with gcc at
 * first use into a cache directory ({@code $VMAREPLAY_CACHE}, else {@code $XDG_CACHE_HOME/vmareplay},
 * else {@code ~/.cache/vmareplay}), named by the hash of its source so a new version rebuilds.
 * {@code VMAREPLAY_SNAP_LIB} names a library built elsewhere (for machines without gcc).
 */
public final class SnapLibrary {

    public static final String SOURCE = "vmareplay-snap.c";

    private SnapLibrary() { }

    public static String source() throws IOException {
        try (InputStream in = SnapLibrary.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new IOException("resource " + SOURCE + " missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The built library, building it when needed. */
    public static Path ensure() throws RecordProblem {
        String given = System.getenv("VMAREPLAY_SNAP_LIB");
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given).toAbsolutePath();
            if (!Files.isRegularFile(p)) throw new RecordProblem("VMAREPLAY_SNAP_LIB=" + given + ": no such file");
            return checkPreloadable(p);
        }
        String src;
        try {
            src = source();
        } catch (IOException e) {
            throw new RecordProblem("cannot read the snapshot library's source: " + e.getMessage());
        }
        String hash = sha256(src).substring(0, 16);
        Path dir = cacheDir();
        Path lib = dir.resolve("libvmareplay-snap-" + hash + ".so");
        if (Files.isRegularFile(lib)) return checkPreloadable(lib);
        Path gcc = Host.which("gcc");
        if (gcc == null) gcc = Host.which("cc");
        if (gcc == null) {
            throw new RecordProblem("gcc is not installed: it builds the small snapshot library at first use "
                    + "(install gcc, or set VMAREPLAY_SNAP_LIB to a library built with "
                    + "'gcc -shared -fPIC -O2 -o libvmareplay-snap.so vmareplay-snap.c'; the source is in the jar)");
        }
        try {
            Files.createDirectories(dir);
            Path c = Files.createTempFile(dir, "snap-", ".c");
            Path tmp = Files.createTempFile(dir, "snap-", ".so.tmp");
            Files.writeString(c, src);
            Path log = Files.createTempFile(dir, "snap-", ".log");
            Process p = new ProcessBuilder(gcc.toString(), "-shared", "-fPIC", "-O2", "-o", tmp.toString(), c.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            String out = Files.readString(log);
            Files.deleteIfExists(c);
            Files.deleteIfExists(log);
            if (!done || p.exitValue() != 0) {
                if (!done) p.destroyForcibly();
                Files.deleteIfExists(tmp);
                throw new RecordProblem("gcc could not build the snapshot library: " + out.strip());
            }
            try {
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING);
            }
            return checkPreloadable(lib);
        } catch (IOException e) {
            throw new RecordProblem("cannot build the snapshot library in " + dir + ": " + e.getMessage()
                    + " (set VMAREPLAY_CACHE to a writable directory)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordProblem("interrupted while building the snapshot library");
        }
    }

    static Path cacheDir() {
        String v = System.getenv("VMAREPLAY_CACHE");
        if (v != null && !v.isBlank()) return Path.of(v).toAbsolutePath();
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "vmareplay").toAbsolutePath();
        return Path.of(System.getProperty("user.home"), ".cache", "vmareplay").toAbsolutePath();
    }

    /** LD_PRELOAD splits on spaces and colons: a path with them cannot be preloaded. */
    private static Path checkPreloadable(Path lib) throws RecordProblem {
        String s = lib.toString();
        if (s.contains(" ") || s.contains(":") || s.contains("\t")) {
            throw new RecordProblem("the snapshot library's path " + s + " contains a space or colon, which LD_PRELOAD cannot "
                    + "hold: set VMAREPLAY_CACHE to a plain directory");
        }
        return lib;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The snapshot files a recording leaves (PID.N.start.smaps, ...), for clearing a directory before reuse. */
    public static boolean isSnapshotFile(String name) {
        return name.matches("\\d+\\.(\\d+\\.)?(start|end)\\.s?maps") || name.equals("command.txt");
    }

    /** Deletes the snapshot files of an earlier recording in {@code dir} (nothing else). */
    public static int clear(Path dir) throws IOException {
        int n = 0;
        if (!Files.isDirectory(dir)) return 0;
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p) && isSnapshotFile(p.getFileName().toString())) {
                    Files.delete(p);
                    n++;
                }
            }
        }
        return n;
    }

}
