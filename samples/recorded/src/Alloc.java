import java.util.ArrayList;
import java.util.List;

/** Allocates and frees a few hundred MB under G1: the heap grows, shrinks, regions commit and uncommit. */
public class Alloc {
    public static void main(String[] args) {
        long total = 0;
        for (int round = 0; round < 3; round++) {
            List<byte[]> keep = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] b = new byte[1 << 20];
                b[i % b.length] = (byte) i;
                keep.add(b);
            }
            total += keep.size();
            keep = null;
            System.gc();
        }
        System.out.println("allocated MB: " + total);
    }
}
