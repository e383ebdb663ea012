package dev.vmareplay.replay.engine;

import java.util.Random;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random operation sequences against a page-by-page oracle. After every operation:
 * <ul>
 *   <li>the errno matches what the oracle's page-level semantics predict;</li>
 *   <li>every page of the window has the attributes the oracle says (mapped, access bits,
 *       lock / dontfork / dontdump / read-ahead / seal / shared / noreserve bits, file identity,
 *       linear page index);</li>
 *   <li>the tree is sorted, non-overlapping, aligned, non-empty, and its counts are consistent;</li>
 *   <li>no boundary touched by the operation separates two VMAs the kernel would have merged:
 *       an adjacency of mergeable VMAs is legitimate only where the operation does not merge
 *       (munmap and mremap remnants, DONTUNMAP's source, brk's right side, faults, guard
 *       install) or where neither neighbour changed.</li>
 * </ul>
 * Every failure message carries the seed and the step, so a run is reproducible.
 */
class RandomOperationsPropertyTest {
    static final long P = Mm.PAGE_SIZE;
    static final long BASE = 0x100000000L;
    static final int N = 48;
    static final long CMP_MASK = VM_ACCESS_FLAGS | VM_LOCKED | VM_DONTCOPY | VM_DONTDUMP | VM_SEQ_READ | VM_RAND_READ
        | VM_SEALED | VM_SHARED | VM_MAYSHARE | VM_NORESERVE;

    /** One page of the oracle. */
    static final class Page {
        boolean mapped;
        long flags;
        long fileId;
        long index;

        Page copy() {
            Page p = new Page();
            p.mapped = mapped;
            p.flags = flags;
            p.fileId = fileId;
            p.index = index;
            return p;
        }

        boolean same(Page o) {
            return mapped == o.mapped && (!mapped || (flags == o.flags && fileId == o.fileId && index == o.index));
        }

        @Override
        public String toString() {
            return mapped ? String.format("{%s f%d i%x}", VmFlags.toSmaps(flags), fileId, index) : "{hole}";
        }
    }

    static final VmaFile F1 = VmaFile.readOnly(1, "/data/one");
    static final VmaFile F2 = VmaFile.readOnly(2, "/data/two");

    @Test
    void random_sequences_match_the_page_oracle_on_6_18() {
        runMany(KernelVersion.V6_18, FaultPolicy.WRITE_BEFORE_PROTECT, 0x5eed_6180L, 300, 120);
    }

    @Test
    void random_sequences_match_the_page_oracle_with_observed_faults() {
        runMany(KernelVersion.V6_18, FaultPolicy.OBSERVED_ONLY, 0x0b5e_77edL, 200, 120);
    }

    @Test
    void random_sequences_match_the_page_oracle_when_everything_is_assumed_written() {
        runMany(KernelVersion.V6_18, FaultPolicy.ASSUME_WRITTEN, 0xa55_0e5L, 200, 120);
    }

    @Test
    void random_sequences_match_the_page_oracle_on_6_12_and_6_1() {
        runMany(KernelVersion.V6_12, FaultPolicy.OBSERVED_ONLY, 0x612L, 150, 100);
        runMany(KernelVersion.V6_1, FaultPolicy.OBSERVED_ONLY, 0x601L, 150, 100);
    }

    /**
     * Runs {@code runs} sequences of {@code steps} operations. -Dvmareplay.engine.propertyScale=N
     * multiplies the runs and -Dvmareplay.engine.propertySeed=S perturbs the master seed, for longer
     * soak runs.
     */
    private void runMany(KernelVersion v, FaultPolicy policy, long masterSeed, int runs, int steps) {
        Random master = new Random(masterSeed ^ Long.getLong("vmareplay.engine.propertySeed", 0L));
        int total = runs * Integer.getInteger("vmareplay.engine.propertyScale", 1);
        for (int r = 0; r < total; r++) {
            long seed = master.nextLong();
            new Run(v, policy, seed).go(steps);
        }
    }

    static final class Run {
        final KernelVersion version;
        final FaultPolicy policy;
        final long seed;
        final Random rnd;
        final Mm mm;
        final Page[] oracle = new Page[N];
        int step;
        String op = "";
        /** Pages whose flags changed in place without a merge attempt (DONTUNMAP's source). */
        final java.util.BitSet exempt = new java.util.BitSet(N);
        /** Whether each page's VMA had an anon_vma before the operation. */
        final boolean[] anonBefore = new boolean[N];

        Run(KernelVersion version, FaultPolicy policy, long seed) {
            this.version = version;
            this.policy = policy;
            this.seed = seed;
            this.rnd = new Random(seed);
            this.mm = new Mm(version, policy, VmaObserver.NONE);
            for (int i = 0; i < N; i++) {
                oracle[i] = new Page();
            }
        }

        String beforeLayout = "";

        String where() {
            return String.format("kernel %s policy %s seed %d (0x%x) step %d op %s%nlayout before:%n%slayout after:%n%s",
                version, policy, seed, seed, step, op, beforeLayout, mm);
        }

        static long a(int page) {
            return BASE + page * P;
        }

        void go(int steps) {
            for (step = 0; step < steps; step++) {
                Page[] before = snapshot();
                beforeLayout = mm.toString();
                exempt.clear();
                for (int i = 0; i < N; i++) {
                    Vma v = mm.find(a(i));
                    anonBefore[i] = v != null && v.hasAnonVma();
                }
                int[] range = oneStep();
                try {
                    mm.checkInvariants();
                } catch (IllegalStateException e) {
                    fail(e.getMessage() + "\n" + where());
                }
                comparePages();
                if (range != null) {
                    checkMaximallyMerged(before, range[0], range[1]);
                }
            }
        }

        Page[] snapshot() {
            Page[] s = new Page[N];
            for (int i = 0; i < N; i++) {
                s[i] = oracle[i].copy();
            }
            return s;
        }

        void comparePages() {
            for (int i = 0; i < N; i++) {
                Vma v = mm.find(a(i));
                Page want = oracle[i];
                Page got = new Page();
                if (v != null) {
                    got.mapped = true;
                    got.flags = v.flags() & CMP_MASK;
                    got.fileId = v.file() == null ? 0 : v.file().anonShmem() ? -1 : v.file().id();
                    got.index = v.pgoff() + ((a(i) - v.start()) >>> Mm.PAGE_SHIFT);
                }
                if (!want.same(got)) {
                    fail("page " + i + ": oracle " + want + " engine " + got + "\n" + where());
                }
            }
        }

        /**
         * Mergeability as the kernel would judge two adjacent VMAs (no close hooks, no fork
         * children, no special mappings in these runs).
         */
        boolean kernelWouldMerge(Vma l, Vma r) {
            long ignore = version.stickyFlags() ? VM_STICKY : VM_SOFTDIRTY;
            if (((l.flags() ^ r.flags()) & ~ignore) != 0 || !VmaFile.same(l.file(), r.file())
                || l.pgoff() + l.pages() != r.pgoff() || (l.flags() & VM_SPECIAL) != 0) {
                return false;
            }
            if (version.atLeast(6, 16)) {
                return l.anonVma() == null || r.anonVma() == null || l.anonVma() == r.anonVma();
            }
            return l.anonVma() == r.anonVma();
        }

        void checkMaximallyMerged(Page[] before, int from, int to) {
            for (Vma l = mm.findVma(a(Math.max(0, from - 1))); l != null; l = mm.next(l)) {
                Vma r = mm.next(l);
                if (r == null || r.start() != l.end() || Long.compareUnsigned(l.end(), a(Math.min(N, to + 1))) > 0) {
                    if (r == null || Long.compareUnsigned(r.start(), a(Math.min(N, to + 1))) > 0) {
                        break;
                    }
                    continue;
                }
                int lp = (int) ((l.end() - BASE) / P) - 1;
                int rp = lp + 1;
                if (lp < 0 || rp >= N) {
                    continue;
                }
                boolean changed = (!before[lp].same(oracle[lp]) && !exempt.get(lp))
                    || (!before[rp].same(oracle[rp]) && !exempt.get(rp));
                // Before 6.16 the anon_vma rule is asymmetric: population after the merge decision
                // (mlock, MAP_LOCKED) can make two VMAs look mergeable that were not at decision time.
                boolean anonChanged = anonBefore[lp] != l.hasAnonVma() || anonBefore[rp] != r.hasAnonVma();
                if (!version.atLeast(6, 16) && anonChanged) {
                    continue;
                }
                if (changed && kernelWouldMerge(l, r)) {
                    fail("adjacent mergeable VMAs left behind: " + l + " | " + r + "\n" + where());
                }
            }
        }

        int page() {
            return rnd.nextInt(N);
        }

        boolean anySealed(int from, int to) {
            for (int i = from; i < to; i++) {
                if (oracle[i].mapped && (oracle[i].flags & VM_SEALED) != 0) {
                    return true;
                }
            }
            return false;
        }

        void expect(int got, int want) {
            if (got != want) {
                fail("errno " + Errno.name(got) + ", oracle expects " + Errno.name(want) + "\n" + where());
            }
        }

        /** Performs one random operation; returns the page range whose boundaries must be merged, or null. */
        int[] oneStep() {
            int kind = rnd.nextInt(100);
            int s = page();
            int len = 1 + rnd.nextInt(Math.min(12, N - s));
            int e = s + len;
            if (kind < 22) {
                return doMmap(s, e);
            } else if (kind < 32) {
                op = "munmap " + s + "-" + e;
                boolean sealed = anySealed(s, e);
                expect(mm.munmap(a(s), len * P), sealed ? Errno.EPERM : 0);
                if (!sealed) {
                    for (int i = s; i < e; i++) {
                        oracle[i] = new Page();
                    }
                }
                return null;
            } else if (kind < 52) {
                int[] prots = {PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE};
                int prot = prots[rnd.nextInt(3)];
                op = "mprotect " + s + "-" + e + " prot " + prot;
                int want = 0;
                if (!oracle[s].mapped) {
                    want = Errno.ENOMEM;
                } else {
                    for (int i = s; i < e; i++) {
                        if (!oracle[i].mapped) {
                            want = Errno.ENOMEM;
                            break;
                        }
                        if ((oracle[i].flags & VM_SEALED) != 0) {
                            want = Errno.EPERM;
                            break;
                        }
                        if (oracle[i].fileId > 0 && (prot & PROT_WRITE) != 0) {
                            // private read-only file mapping: MAYWRITE is set (COW), allowed
                        }
                        oracle[i].flags = (oracle[i].flags & ~VM_ACCESS_FLAGS) | protBits(prot);
                    }
                }
                expect(mm.mprotect(a(s), len * P, prot), want);
                return new int[] {s, e};
            } else if (kind < 67) {
                int[] advs = {MADV_DONTFORK, MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP, MADV_SEQUENTIAL, MADV_RANDOM, MADV_NORMAL};
                int adv = advs[rnd.nextInt(advs.length)];
                op = "madvise " + s + "-" + e + " advice " + adv;
                int want = 0;
                boolean any = false;
                for (int i = s; i < e; i++) {
                    if (!oracle[i].mapped) {
                        want = Errno.ENOMEM;
                        continue;
                    }
                    any = true;
                    if (adv == MADV_DONTFORK && (oracle[i].flags & VM_SEALED) != 0 && oracle[i].fileId == 0
                        && (oracle[i].flags & VM_WRITE) == 0) {
                        want = Errno.EPERM;
                        break;
                    }
                    oracle[i].flags = advise(oracle[i].flags, adv);
                }
                if (!any && want == 0) {
                    want = Errno.ENOMEM;
                }
                int got = mm.madvise(a(s), len * P, adv);
                if (want == Errno.EPERM) {
                    // pages after the sealed VMA's start were not visited: rebuild from the engine is
                    // not allowed, so the oracle stops exactly like the kernel: at the sealed page
                    expect(got, want);
                } else {
                    expect(got, want);
                }
                return new int[] {s, e};
            } else if (kind < 75) {
                boolean lock = rnd.nextBoolean();
                op = (lock ? "mlock " : "munlock ") + s + "-" + e;
                int want = 0;
                if (!oracle[s].mapped) {
                    want = Errno.ENOMEM;
                } else {
                    for (int i = s; i < e; i++) {
                        if (!oracle[i].mapped) {
                            want = Errno.ENOMEM;
                            break;
                        }
                        oracle[i].flags = lock ? oracle[i].flags | VM_LOCKED : oracle[i].flags & ~VM_LOCKED;
                    }
                }
                expect(lock ? mm.mlock(a(s), len * P) : mm.munlock(a(s), len * P), want);
                return new int[] {s, e};
            } else if (kind < 83) {
                op = "fault " + s;
                boolean writable = oracle[s].mapped && (oracle[s].flags & VM_WRITE) != 0;
                expect(mm.fault(a(s), true), writable ? 0 : Errno.EFAULT);
                return null;
            } else if (kind < 95) {
                return doMremap();
            } else if (version.atLeast(6, 10)) {
                op = "mseal " + s + "-" + e;
                boolean hole = false;
                for (int i = s; i < e; i++) {
                    hole |= !oracle[i].mapped;
                }
                expect(mm.mseal(a(s), len * P, 0), hole ? Errno.ENOMEM : 0);
                if (!hole) {
                    for (int i = s; i < e; i++) {
                        oracle[i].flags |= VM_SEALED;
                    }
                }
                return hole ? null : new int[] {s, e};
            } else {
                op = "mseal (6.1: ENOSYS)";
                expect(mm.mseal(a(s), len * P, 0), Errno.ENOSYS);
                return null;
            }
        }

        static long protBits(int prot) {
            long f = 0;
            if ((prot & PROT_READ) != 0) {
                f |= VM_READ;
            }
            if ((prot & PROT_WRITE) != 0) {
                f |= VM_WRITE;
            }
            return f;
        }

        static long advise(long f, int adv) {
            switch (adv) {
                case MADV_DONTFORK: return f | VM_DONTCOPY;
                case MADV_DOFORK: return f & ~VM_DONTCOPY;
                case MADV_DONTDUMP: return f | VM_DONTDUMP;
                case MADV_DODUMP: return f & ~VM_DONTDUMP;
                case MADV_SEQUENTIAL: return (f & ~VM_RAND_READ) | VM_SEQ_READ;
                case MADV_RANDOM: return (f & ~VM_SEQ_READ) | VM_RAND_READ;
                default: return f & ~(VM_SEQ_READ | VM_RAND_READ);
            }
        }

        int[] doMmap(int s, int e) {
            int choice = rnd.nextInt(10);
            int prot = rnd.nextInt(4) == 0 ? PROT_READ : PROT_READ | PROT_WRITE;
            boolean noreserve = rnd.nextInt(5) == 0;
            VmaFile file = choice < 2 ? F1 : choice < 3 ? F2 : null;
            boolean shared = choice == 3;
            int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | (file == null ? MAP_ANONYMOUS : 0) | MAP_FIXED
                | (noreserve ? MAP_NORESERVE : 0);
            // file offsets follow the address most of the time, so that neighbours can merge
            long off = file == null ? 0 : (rnd.nextInt(4) == 0 ? rnd.nextInt(8) : s) * P;
            if (file != null) {
                prot = PROT_READ;
            }
            op = "mmap " + s + "-" + e + " prot " + prot + " flags 0x" + Integer.toHexString(flags) + " file "
                + (file == null ? "-" : file.path()) + " off " + off;
            boolean sealed = anySealed(s, e);
            expect(mm.mmap(a(s), (e - s) * P, prot, flags, file, off), sealed ? Errno.EPERM : 0);
            if (sealed) {
                return null;
            }
            for (int i = s; i < e; i++) {
                Page p = new Page();
                p.mapped = true;
                p.flags = protBits(prot) | (shared ? VM_SHARED | VM_MAYSHARE : 0)
                    | (noreserve ? VM_NORESERVE : 0);
                p.fileId = file != null ? file.id() : shared ? -1 : 0;
                p.index = file != null ? off / P + (i - s) : shared ? i - s : (a(s) >>> Mm.PAGE_SHIFT) + (i - s);
                oracle[i] = p;
            }
            return shared ? null : new int[] {s, e};
        }

        int[] doMremap() {
            int s = page();
            Vma v = mm.find(a(s));
            if (v == null || (v.flags() & VM_SEALED) != 0 || v.file() != null && v.file().anonShmem()) {
                op = "mremap (skipped)";
                return null;
            }
            int vs = (int) ((v.start() - BASE) / P);
            int ve = (int) Math.min(N, (v.end() - BASE) / P);
            if (vs < 0) {
                return null;
            }
            int kind = rnd.nextInt(3);
            if (kind == 0) {
                // shrink in place: unmap the tail
                int len = ve - s;
                int newLen = rnd.nextInt(len) + 1;
                op = "mremap shrink " + s + " " + len + "->" + newLen;
                expect(mm.mremap(a(s), len * P, newLen * P, 0, a(s)), 0);
                for (int i = s + newLen; i < s + len; i++) {
                    oracle[i] = new Page();
                }
                return null;
            } else if (kind == 1) {
                // grow in place when the pages above are free
                int len = ve - s;
                int extra = 1 + rnd.nextInt(4);
                if (ve + extra > N || (v.end() - BASE) / P > N) {
                    return null;
                }
                for (int i = ve; i < ve + extra; i++) {
                    if (oracle[i].mapped) {
                        op = "mremap grow (skipped)";
                        return null;
                    }
                }
                op = "mremap grow " + s + " " + len + "->" + (len + extra);
                expect(mm.mremap(a(s), len * P, (len + extra) * P, 0, a(s)), 0);
                for (int i = ve; i < ve + extra; i++) {
                    Page p = oracle[ve - 1].copy();
                    p.index = oracle[ve - 1].index + (i - ve + 1);
                    oracle[i] = p;
                }
                return new int[] {vs, ve + extra};
            } else {
                // MREMAP_FIXED move of [s, ve) to a non-overlapping destination, optionally DONTUNMAP
                int len = ve - s;
                int d = page();
                if (d + len > N || (d < ve && s < d + len) || anySealed(d, d + len)) {
                    op = "mremap move (skipped)";
                    return null;
                }
                boolean dontunmap = rnd.nextInt(4) == 0 && v.file() == null && (v.flags() & VM_SHARED) == 0;
                boolean keepIndex = v.file() != null || v.hasAnonVma()
                    || (policy == FaultPolicy.ASSUME_WRITTEN && (v.flags() & VM_WRITE) != 0 && (v.flags() & VM_MAYSHARE) == 0);
                op = "mremap move " + s + "+" + len + " -> " + d + (dontunmap ? " DONTUNMAP" : "");
                int flags = MREMAP_MAYMOVE | MREMAP_FIXED | (dontunmap ? MREMAP_DONTUNMAP : 0);
                Page[] src = new Page[len];
                for (int i = 0; i < len; i++) {
                    src[i] = oracle[s + i].copy();
                }
                expect(mm.mremap(a(s), len * P, len * P, flags, a(d)), 0);
                for (int i = d; i < d + len; i++) {
                    oracle[i] = new Page();
                }
                if (!dontunmap) {
                    for (int i = s; i < s + len; i++) {
                        oracle[i] = new Page();
                    }
                }
                for (int i = 0; i < len; i++) {
                    Page p = src[i];
                    if (!keepIndex) {
                        p.index = (a(d) >>> Mm.PAGE_SHIFT) + i;
                    }
                    oracle[d + i] = p;
                }
                if (dontunmap) {
                    // the source VMA stays mapped (not split) and loses its lock bits; when the copy
                    // merged into the source itself, that is the merged VMA
                    Vma srcVma = mm.find(a(s));
                    int fs = (int) Math.max(0, (srcVma.start() - BASE) / P);
                    int fe = (int) Math.min(N, (srcVma.end() - BASE) / P);
                    for (int i = fs; i < fe; i++) {
                        oracle[i].flags &= ~VM_LOCKED;
                        if (i < d || i >= d + len) {
                            exempt.set(i);
                        }
                    }
                }
                return new int[] {d, d + len};
            }
        }
    }
}
