package dev.vmareplay.replay.maps;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Compares a modelled layout with a kernel snapshot, VMA boundary by VMA boundary, the way
 * {@code verify} and the fidelity tool do:
 * <ul>
 *   <li>the kernel's special mappings ([vdso], [vvar], [vvar_vclock], [vsyscall]) are left
 *       out: no syscall creates them, and they never merge;</li>
 *   <li>the start of [stack] is not compared: the stack grows by faults no trace shows;</li>
 *   <li>paths are compared only where both sides name one (perf traces carry no paths);</li>
 *   <li>VmFlags are compared when both sides have them (an smaps snapshot and the model).</li>
 * </ul>
 * With {@code lenient}, adjacent entries that print identically are joined on both sides
 * first, as rr and CRIU compare layouts: the result then ignores the VMA splits that maps
 * text cannot show.
 */
public final class LayoutComparison {

    static final Set<String> SPECIAL = Set.of("[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]");

    /** One row of the side-by-side diff: either side may be null (missing there). */
    public record Row(MapsEntry expected, MapsEntry got, String problem) { }

    private final List<MapsEntry> expected;
    private final List<MapsEntry> got;
    private final List<Row> rows = new ArrayList<>();
    private int matched;

    private LayoutComparison(List<MapsEntry> expected, List<MapsEntry> got) {
        this.expected = expected;
        this.got = got;
    }

    public static LayoutComparison compare(List<MapsEntry> expected, List<MapsEntry> got, boolean lenient) {
        List<MapsEntry> e = normalise(expected, lenient);
        List<MapsEntry> g = normalise(got, lenient);
        LayoutComparison c = new LayoutComparison(e, g);
        c.run();
        return c;
    }

    public boolean equal() {
        return rows.isEmpty() && expected.size() == got.size();
    }

    public int expectedCount() { return expected.size(); }
    public int gotCount() { return got.size(); }
    public int matched() { return matched; }

    /** The differing rows in address order, each with the reason it differs. */
    public List<Row> differences() {
        return rows;
    }

    private void run() {
        // a merge walk over two address-ordered lists
        int i = 0, j = 0;
        while (i < expected.size() || j < got.size()) {
            MapsEntry a = i < expected.size() ? expected.get(i) : null;
            MapsEntry b = j < got.size() ? got.get(j) : null;
            if (a != null && b != null && key(a) == key(b)) {
                String p = mismatch(a, b);
                if (p == null) matched++;
                else rows.add(new Row(a, b, p));
                i++;
                j++;
            } else if (b == null || (a != null && Long.compareUnsigned(key(a), key(b)) < 0)) {
                rows.add(new Row(a, null, "only in the kernel's snapshot"));
                i++;
            } else {
                rows.add(new Row(null, b, "only in the replayed layout"));
                j++;
            }
        }
    }

    /** The position a row is matched on: its end (the [stack] start is not compared). */
    private static long key(MapsEntry e) {
        return e.end();
    }

    private static String mismatch(MapsEntry a, MapsEntry b) {
        boolean stack = a.path().equals("[stack]") || b.path().equals("[stack]");
        if (!stack && a.start() != b.start()) return "start differs";
        if (!a.perms().equals(b.perms())) return "permissions differ";
        if (a.offset() != b.offset()) return "offset differs";
        String pa = a.pathWithoutDeleted(), pb = b.pathWithoutDeleted();
        if (!pa.isEmpty() && !pb.isEmpty() && !pa.equals(pb)) return "name differs";
        if (a.vmFlags() != null && b.vmFlags() != null && !sameFlags(a.vmFlags(), b.vmFlags())) {
            return "VmFlags differ: " + a.vmFlags() + " vs " + b.vmFlags();
        }
        return null;
    }

    private static boolean sameFlags(String a, String b) {
        return Set.of(a.trim().split("\\s+")).equals(Set.of(b.trim().split("\\s+")));
    }

    static List<MapsEntry> normalise(List<MapsEntry> in, boolean lenient) {
        List<MapsEntry> out = new ArrayList<>(in.size());
        for (MapsEntry e : in) {
            if (SPECIAL.contains(e.path())) continue;
            if (lenient && !out.isEmpty()) {
                MapsEntry last = out.get(out.size() - 1);
                if (last.end() == e.start() && last.perms().equals(e.perms()) && Objects.equals(last.path(), e.path())
                        && last.dev().equals(e.dev()) && last.inode() == e.inode()
                        && (!e.isFile() || last.offset() + last.length() == e.offset())) {
                    out.set(out.size() - 1, new MapsEntry(last.start(), e.end(), last.perms(), last.offset(), last.dev(),
                            last.inode(), last.path(), null, -1));
                    continue;
                }
                // lenient comparison is of maps text only: VmFlags would differ across joined entries
                e = new MapsEntry(e.start(), e.end(), e.perms(), e.offset(), e.dev(), e.inode(), e.path(), null, -1);
            } else if (lenient) {
                e = new MapsEntry(e.start(), e.end(), e.perms(), e.offset(), e.dev(), e.inode(), e.path(), null, -1);
            }
            out.add(e);
        }
        return out;
    }
}
