package dev.vmareplay.replay.engine;

import java.util.Random;
import java.util.Set;

import static dev.vmareplay.replay.engine.Mman.*;

/**
 * Drives an {@link Mm} with operation sequences whose arguments are chosen to hurt: lengths
 * that wrap, zero and negative lengths, unaligned addresses, the top of the 64-bit space,
 * TASK_SIZE edges, unknown flag bits, raw random longs. Shared by the seeded JUnit test
 * ({@link HostileOperationsTest}) and the Jazzer target ({@link EngineFuzzTest}).
 *
 * <p>After every operation: it did not throw, it returned one of the errno values the
 * kernel can return, the state-independent argument checks the kernel makes first gave
 * the kernel's answer (below), and {@link Mm#checkInvariants()} holds.
 *
 * <p>State-independent kernel answers checked (Linux 6.18):
 * <ul>
 *   <li>munmap: unaligned start, zero length, or a range past TASK_SIZE / wrapping: EINVAL
 *       (do_vmi_munmap)</li>
 *   <li>mprotect / pkey_mprotect: unaligned start: EINVAL; zero length: 0; a length whose
 *       page-aligned end wraps: ENOMEM (do_mprotect_pkey)</li>
 *   <li>madvise: unaligned start: EINVAL; a page-aligned length that wraps: EINVAL</li>
 *   <li>mseal: unaligned start or non-zero flags: EINVAL (do_mseal)</li>
 *   <li>mremap: unaligned old address, unknown flags, MREMAP_FIXED without MREMAP_MAYMOVE,
 *       zero new length: EINVAL</li>
 *   <li>mmap: zero length: EINVAL; unaligned offset: EINVAL; a length that page-aligns to 0:
 *       ENOMEM</li>
 * </ul>
 */
final class HostileOps {

    /** Where the choices come from: a seeded Random or Jazzer's FuzzedDataProvider. */
    interface Choices {
        int pick(int n);

        long anyLong();

        boolean exhausted();
    }

    static Choices of(Random r) {
        return new Choices() {
            @Override public int pick(int n) { return r.nextInt(n); }
            @Override public long anyLong() { return r.nextLong(); }
            @Override public boolean exhausted() { return false; }
        };
    }

    static final long P = Mm.PAGE_SIZE;
    static final long BASE = 0x7f0000000000L;
    static final long TASK = Mm.DEFAULT_TASK_SIZE;
    static final Set<Integer> ERRNOS = Set.of(Errno.OK, Errno.EPERM, Errno.EBADF, Errno.EAGAIN, Errno.ENOMEM, Errno.EACCES,
            Errno.EFAULT, Errno.EEXIST, Errno.ENODEV, Errno.EINVAL, Errno.ENOSYS, Errno.EOVERFLOW, Errno.EOPNOTSUPP);
    static final VmaFile[] FILES = {
        VmaFile.readOnly(1, "/lib/one.so"), VmaFile.regular(2, "/data/two"),
        VmaFile.regular(3, "/dev/drv").withCloseHook(true),
        new VmaFile(4, "/memfd:x (deleted)", "00:01", 4, true, true, false, true, false),
    };
    static final int[] ADVICE = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE,
        MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
        MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ,
        MADV_POPULATE_WRITE, MADV_DONTNEED_LOCKED, MADV_COLLAPSE, MADV_HWPOISON, MADV_SOFT_OFFLINE, MADV_GUARD_INSTALL,
        MADV_GUARD_REMOVE, 5, 26, 99, 104, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};

    private final Choices c;
    private final KernelVersion version;
    Mm mm;
    /** the operation last run, for failure messages */
    String last = "";
    int steps;

    HostileOps(Choices c, KernelVersion version, FaultPolicy policy) {
        this.c = c;
        this.version = version;
        this.mm = new Mm(version, policy, null);
        if (c.pick(4) == 0) mm.setBrkArea(0x555555554000L, 0x555555554000L);
        if (c.pick(8) == 0) mm.setMaxMapCount(8 + c.pick(32));
    }

    long addr() {
        switch (c.pick(12)) {
            case 0: return 0;
            case 1: return BASE + c.pick(64) * P + (c.pick(3) == 0 ? 1 + c.pick((int) P - 1) : 0);
            case 2: return 0xffffffffff600000L;
            case 3: return -P;
            case 4: return -1L;
            case 5: return TASK - c.pick(4) * P;
            case 6: return TASK + c.pick(4) * P;
            case 7: return Long.MAX_VALUE - c.pick(2) * (P - 1);
            case 8: return Long.MIN_VALUE;
            case 9: return c.anyLong();
            default: return BASE + c.pick(64) * P;
        }
    }

    long len() {
        switch (c.pick(14)) {
            case 0: return 0;
            case 1: return -P * (1 + c.pick(4));
            case 2: return -1L;
            case 3: return Long.MAX_VALUE;
            case 4: return Long.MIN_VALUE;
            case 5: return TASK;
            case 6: return P - 1;
            case 7: return P * c.pick(64) + 1;
            case 8: return c.anyLong();
            case 9: return 1L << (12 + c.pick(52));
            default: return P * (1 + c.pick(16));
        }
    }

    int prot() {
        switch (c.pick(6)) {
            case 0: return (int) c.anyLong();
            case 1: return PROT_GROWSDOWN | c.pick(8);
            case 2: return PROT_GROWSUP | PROT_GROWSDOWN;
            default: return c.pick(8);
        }
    }

    int mapFlags() {
        int type = new int[] {MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_DROPPABLE, 0, 7}[c.pick(6)];
        int f = type;
        if (c.pick(2) == 0) f |= MAP_FIXED;
        if (c.pick(2) == 0) f |= MAP_ANONYMOUS;
        if (c.pick(6) == 0) f |= MAP_FIXED_NOREPLACE;
        if (c.pick(6) == 0) f |= MAP_GROWSDOWN;
        if (c.pick(6) == 0) f |= MAP_NORESERVE;
        if (c.pick(8) == 0) f |= MAP_LOCKED;
        if (c.pick(8) == 0) f |= MAP_HUGETLB;
        if (c.pick(8) == 0) f |= MAP_SYNC;
        if (c.pick(10) == 0) f |= (int) c.anyLong();
        return f;
    }

    /** One random operation; throws AssertionError (with the operation) when a check fails. */
    void step() {
        steps++;
        int op = c.pick(22);
        long a = addr(), l = len();
        int r;
        switch (op) {
            case 0, 1, 2: {
                int prot = prot(), flags = mapFlags();
                VmaFile f = c.pick(3) == 0 ? null : FILES[c.pick(FILES.length)];
                long off = c.pick(4) == 0 ? c.anyLong() : P * c.pick(32) + (c.pick(6) == 0 ? 1 : 0);
                last = String.format("mmap(%#x, %#x, %#x, %#x, %s, %#x)", a, l, prot, flags, f, off);
                r = mm.mmap(a, l, prot, flags, f, off);
                if (l == 0) expect(r, Errno.EINVAL);
                else if ((off & (P - 1)) != 0) expect(r, Errno.EINVAL);
                else if ((flags & MAP_ANONYMOUS) != 0 && ((l + P - 1) & -P) == 0) expect(r, Errno.ENOMEM);
                break;
            }
            case 3, 4: {
                last = String.format("munmap(%#x, %#x)", a, l);
                r = mm.munmap(a, l);
                if ((a & (P - 1)) != 0 || Long.compareUnsigned(a, TASK) > 0 || Long.compareUnsigned(l, TASK - a) > 0
                        || ((l + P - 1) & -P) == 0) {
                    expect(r, Errno.EINVAL);
                }
                break;
            }
            case 5, 6: {
                int prot = prot();
                boolean pkey = c.pick(4) == 0;
                int key = pkey ? c.pick(20) - 2 : -1;
                last = pkey ? String.format("pkey_mprotect(%#x, %#x, %#x, %d)", a, l, prot, key)
                        : String.format("mprotect(%#x, %#x, %#x)", a, l, prot);
                r = pkey ? mm.pkeyMprotect(a, l, prot, key) : mm.mprotect(a, l, prot);
                boolean badProt = (prot & (PROT_GROWSDOWN | PROT_GROWSUP)) == (PROT_GROWSDOWN | PROT_GROWSUP);
                boolean badKey = pkey && (key < -1 || key > 15);
                if (!badProt && !badKey) {
                    if ((a & (P - 1)) != 0) expect(r, Errno.EINVAL);
                    else if (l == 0) expect(r, Errno.OK);
                    else if (Long.compareUnsigned(a + ((l + P - 1) & -P), a) <= 0) expect(r, Errno.ENOMEM);
                }
                break;
            }
            case 7, 8: {
                int adv = ADVICE[c.pick(ADVICE.length)];
                last = String.format("madvise(%#x, %#x, %d)", a, l, adv);
                r = mm.madvise(a, l, adv);
                break;
            }
            case 9: {
                last = String.format("mlock(%#x, %#x)", a, l);
                r = c.pick(2) == 0 ? mm.mlock(a, l) : mm.mlock2(a, l, c.pick(3));
                break;
            }
            case 10: {
                last = String.format("munlock(%#x, %#x)", a, l);
                r = mm.munlock(a, l);
                break;
            }
            case 11: {
                int f = c.pick(3) == 0 ? (int) c.anyLong() : c.pick(8);
                last = "mlockall(" + f + ")";
                r = mm.mlockall(f);
                if (c.pick(2) == 0) {
                    last = "munlockall()";
                    r = mm.munlockall();
                }
                break;
            }
            case 12: {
                long flags = c.pick(4) == 0 ? c.anyLong() : 0;
                last = String.format("mseal(%#x, %#x, %#x)", a, l, flags);
                r = mm.mseal(a, l, flags);
                if (version == KernelVersion.V6_18 && (flags != 0 || (a & (P - 1)) != 0)) expect(r, Errno.EINVAL);
                break;
            }
            case 13, 14: {
                long nl = len();
                int flags = c.pick(5) == 0 ? (int) c.anyLong() : c.pick(8);
                long na = addr();
                last = String.format("mremap(%#x, %#x, %#x, %#x, %#x)", a, l, nl, flags, na);
                r = mm.mremap(a, l, nl, flags, na);
                if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0
                        || ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0)
                        || (a & (P - 1)) != 0) {
                    expect(r, Errno.EINVAL);
                }
                break;
            }
            case 15: {
                long nb = c.pick(3) == 0 ? a : 0x555555554000L + c.pick(64) * P + (c.pick(4) == 0 ? 7 : 0);
                last = String.format("brk(%#x)", nb);
                mm.brk(nb);
                r = 0;
                break;
            }
            case 16: {
                String name = c.pick(4) == 0 ? null : new String[] {"heap", "a b", "\u00e9\u0000", "", "x".repeat(100)}[c.pick(5)];
                last = String.format("prctl(PR_SET_VMA_ANON_NAME, %#x, %#x, %s)", a, l, name);
                r = mm.setAnonName(a, l, name);
                break;
            }
            case 17: {
                last = String.format("fault(%#x)", a);
                r = mm.fault(a, c.pick(2) == 0);
                break;
            }
            case 18: {
                MemPolicy p = new MemPolicy(c.pick(8) - 1, c.pick(3) == 0 ? (int) c.anyLong() : 0, c.anyLong());
                last = String.format("mbind(%#x, %#x, %s)", a, l, p);
                r = mm.mbind(a, l, p);
                break;
            }
            case 19: {
                last = String.format("uffd_register(%#x, %#x)", a, l);
                r = mm.uffdRegister(a, l, c.pick(8), 1 + c.pick(3));
                break;
            }
            case 20: {
                last = "fork()";
                Mm child = mm.fork();
                child.checkInvariants();
                if (c.pick(2) == 0) mm = child;
                r = 0;
                break;
            }
            default: {
                last = String.format("munmap-all");
                r = mm.munmap(BASE, 64 * P);
                break;
            }
        }
        if (!ERRNOS.contains(r)) throw new AssertionError(last + " returned " + r + ", not an errno the kernel returns");
        try {
            mm.checkInvariants();
        } catch (IllegalStateException e) {
            throw new AssertionError("after step " + steps + " " + last + ": " + e.getMessage(), e);
        }
    }

    private void expect(int got, int want) {
        if (got != want) {
            throw new AssertionError(last + " returned " + Errno.name(got) + ", the kernel returns " + Errno.name(want));
        }
    }
}
