package dev.vmareplay.replay.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deliberately small strace -y replayer for the engine's own fidelity tests: it feeds the
 * mmap-family calls of one cut trace into an {@link Mm} and counts where the model's return value
 * differs from the kernel's. It is not the project's ingest (which lives in module ingest); it
 * understands just enough of strace -f -tt -T -y output for the captured samples.
 */
final class MiniStraceReplay {
    private static final Pattern LINE = Pattern.compile("^(\\d+)\\s+\\S+\\s+([a-z_0-9]+)\\((.*)\\)\\s+=\\s+(\\S+)(.*)$");

    final Mm mm;
    final Map<Integer, VmaFile> fds = new HashMap<>();
    final Map<String, String[]> devIno = new HashMap<>();
    final List<String> divergences = new ArrayList<>();
    private long fileIds = 1_000_000;
    private boolean brkSeen;
    boolean brkNullSeeded;

    MiniStraceReplay(Mm mm) {
        this.mm = mm;
    }

    /** Learns dev/inode of paths from a maps snapshot (so that printed lines can be compared). */
    void learnDevIno(Path maps) throws IOException {
        for (String l : Files.readAllLines(maps)) {
            String[] f = l.trim().split("\\s+", 6);
            if (f.length == 6 && f[5].startsWith("/")) {
                devIno.put(f[5], new String[] {f[3], f[4]});
            }
        }
    }

    void replay(Path trace) throws IOException {
        for (String line : Files.readAllLines(trace)) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String name = m.group(2);
            List<String> args = splitArgs(m.group(3));
            String ret = m.group(4);
            String rest = m.group(5);
            try {
                call(name, args, ret, rest, line);
            } catch (RuntimeException e) {
                divergences.add("cannot replay: " + line + " (" + e + ")");
            }
        }
    }

    private void call(String name, List<String> a, String ret, String rest, String line) {
        boolean failed = ret.equals("-1");
        String errno = failed ? rest.trim().split("\\s+")[0] : "OK";
        switch (name) {
            case "openat": {
                if (!failed) {
                    int fd = Integer.parseInt(ret.substring(0, ret.indexOf('<')));
                    String path = ret.substring(ret.indexOf('<') + 1, ret.lastIndexOf('>'));
                    String fl = a.get(2);
                    boolean rd = !fl.contains("O_WRONLY");
                    boolean wr = fl.contains("O_WRONLY") || fl.contains("O_RDWR");
                    fds.put(fd, file(path, rd, wr, false));
                }
                return;
            }
            case "memfd_create": {
                int fd = Integer.parseInt(ret.substring(0, ret.indexOf('<')));
                String path = ret.substring(ret.indexOf('<') + 1, ret.lastIndexOf('>'));
                fds.put(fd, file(path + " (deleted)", true, true, true));
                return;
            }
            case "dup": case "dup2": case "dup3": case "fcntl": {
                if (!failed && (name.startsWith("dup") || a.get(1).startsWith("F_DUPFD"))) {
                    int fd = Integer.parseInt(ret.replaceAll("<.*", ""));
                    fds.put(fd, fds.get(fdOf(a.get(0))));
                }
                return;
            }
            case "close":
                fds.remove(fdOf(a.get(0)));
                return;
            case "mmap": {
                long len = num(a.get(1));
                int prot = bits(a.get(2));
                int flags = bits(a.get(3));
                int fd = fdOf(a.get(4));
                long off = num(a.get(5));
                long addr = failed ? num(a.get(0)) : num(ret);
                int r = mm.mmap(addr, len, prot, flags, fd >= 0 ? fds.get(fd) : null, off);
                check(line, errno, r);
                return;
            }
            case "munmap":
                check(line, errno, mm.munmap(num(a.get(0)), num(a.get(1))));
                return;
            case "mprotect":
                check(line, errno, mm.mprotect(num(a.get(0)), num(a.get(1)), bits(a.get(2))));
                return;
            case "pkey_mprotect":
                check(line, errno, mm.pkeyMprotect(num(a.get(0)), num(a.get(1)), bits(a.get(2)), (int) num(a.get(3))));
                return;
            case "madvise":
                check(line, errno, mm.madvise(num(a.get(0)), num(a.get(1)), bits(a.get(2))));
                return;
            case "mlock":
                check(line, errno, mm.mlock(num(a.get(0)), num(a.get(1))));
                return;
            case "munlock":
                check(line, errno, mm.munlock(num(a.get(0)), num(a.get(1))));
                return;
            case "mlock2":
                check(line, errno, mm.mlock2(num(a.get(0)), num(a.get(1)), bits(a.get(2))));
                return;
            case "mlockall":
                check(line, errno, mm.mlockall(bits(a.get(0))));
                return;
            case "munlockall":
                check(line, errno, mm.munlockall());
                return;
            case "syscall_0x1ce":
                check(line, errno, mm.mseal(num(a.get(0)), num(a.get(1)), num(a.get(2))));
                return;
            case "mremap": {
                long newAddr = failed ? num(a.get(0)) : num(ret);
                check(line, errno, mm.mremap(num(a.get(0)), num(a.get(1)), num(a.get(2)), bits(a.get(3)), newAddr));
                return;
            }
            case "brk": {
                long want = num(ret);
                if (!brkSeen && a.get(0).equals("NULL")) {
                    brkSeen = true;
                    if (mm.startBrk() == 0) {
                        mm.setBrkArea(want, want);
                        brkNullSeeded = true;
                        return;
                    }
                }
                brkSeen = true;
                long got = mm.brk(a.get(0).equals("NULL") ? 0 : num(a.get(0)));
                if (got != want) {
                    divergences.add(String.format("brk returned %x, kernel %x: %s", got, want, line));
                }
                return;
            }
            default:
        }
    }

    private VmaFile file(String path, boolean rd, boolean wr, boolean shmem) {
        String[] di = devIno.getOrDefault(path, new String[] {"00:00", "0"});
        return new VmaFile(fileIds++, path, di[0], Long.parseLong(di[1]), rd, wr, false, shmem, false);
    }

    private void check(String line, String errno, int r) {
        if (!Errno.name(r).equals(errno)) {
            divergences.add("model " + Errno.name(r) + ", kernel " + errno + ": " + line);
        }
    }

    static int fdOf(String s) {
        String t = s.trim();
        int lt = t.indexOf('<');
        return Integer.parseInt(lt >= 0 ? t.substring(0, lt) : t);
    }

    static long num(String s) {
        String t = s.trim();
        if (t.equals("NULL")) {
            return 0;
        }
        int lt = t.indexOf('<');
        if (lt >= 0) {
            t = t.substring(0, lt);
        }
        return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
    }

    private static final Map<String, Integer> NAMES = new HashMap<>();

    static {
        String[][] n = {
            {"PROT_NONE", "0"}, {"PROT_READ", "1"}, {"PROT_WRITE", "2"}, {"PROT_EXEC", "4"},
            {"MAP_SHARED", "1"}, {"MAP_PRIVATE", "2"}, {"MAP_SHARED_VALIDATE", "3"}, {"MAP_DROPPABLE", "8"},
            {"MAP_FIXED", "16"}, {"MAP_ANONYMOUS", "32"}, {"MAP_GROWSDOWN", "256"}, {"MAP_DENYWRITE", "2048"},
            {"MAP_EXECUTABLE", "4096"}, {"MAP_LOCKED", "8192"}, {"MAP_NORESERVE", "16384"}, {"MAP_POPULATE", "32768"},
            {"MAP_NONBLOCK", "65536"}, {"MAP_STACK", "131072"}, {"MAP_HUGETLB", "262144"},
            {"MAP_FIXED_NOREPLACE", "1048576"},
            {"MADV_NORMAL", "0"}, {"MADV_RANDOM", "1"}, {"MADV_SEQUENTIAL", "2"}, {"MADV_WILLNEED", "3"},
            {"MADV_DONTNEED", "4"}, {"MADV_FREE", "8"}, {"MADV_REMOVE", "9"}, {"MADV_DONTFORK", "10"},
            {"MADV_DOFORK", "11"}, {"MADV_MERGEABLE", "12"}, {"MADV_UNMERGEABLE", "13"}, {"MADV_HUGEPAGE", "14"},
            {"MADV_NOHUGEPAGE", "15"}, {"MADV_DONTDUMP", "16"}, {"MADV_DODUMP", "17"}, {"MADV_WIPEONFORK", "18"},
            {"MADV_KEEPONFORK", "19"}, {"MADV_COLD", "20"}, {"MADV_PAGEOUT", "21"}, {"MADV_POPULATE_READ", "22"},
            {"MADV_POPULATE_WRITE", "23"}, {"MADV_DONTNEED_LOCKED", "24"}, {"MADV_COLLAPSE", "25"},
            {"MREMAP_MAYMOVE", "1"}, {"MREMAP_FIXED", "2"}, {"MREMAP_DONTUNMAP", "4"},
            {"MCL_CURRENT", "1"}, {"MCL_FUTURE", "2"}, {"MCL_ONFAULT", "4"}, {"MLOCK_ONFAULT", "1"}};
        for (String[] e : n) {
            NAMES.put(e[0], Integer.parseInt(e[1]));
        }
    }

    static int bits(String s) {
        String t = s.replaceAll("/\\*.*\\*/", "").trim();
        int v = 0;
        for (String p : t.split("\\|")) {
            p = p.trim();
            if (p.isEmpty()) {
                continue;
            }
            Integer n = NAMES.get(p);
            if (n != null) {
                v |= n;
            } else if (p.startsWith("0x")) {
                v |= (int) Long.parseLong(p.substring(2), 16);
            } else {
                v |= Integer.parseInt(p);
            }
        }
        return v;
    }

    /** Splits an argument list at top-level commas (outside quotes, braces, brackets, angle brackets). */
    static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quote = false;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote) {
                cur.append(c);
                if (c == '\\' && i + 1 < s.length()) {
                    cur.append(s.charAt(++i));
                } else if (c == '"') {
                    quote = false;
                }
                continue;
            }
            if (c == '"') {
                quote = true;
            } else if (c == '{' || c == '[' || c == '(' || c == '<') {
                depth++;
            } else if (c == '}' || c == ']' || c == ')' || c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(cur.toString().trim());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        if (cur.length() > 0) {
            out.add(cur.toString().trim());
        }
        return out;
    }
}
