package dev.vmareplay.replay.engine;

/**
 * The kernel's {@code vm_flags} bits with their x86-64 values (include/linux/mm.h, 6.18), the
 * masks mm/vma.c uses, and the {@code VmFlags:} mnemonics of /proc/PID/smaps
 * (fs/proc/task_mmu.c {@code show_smap_vma_flags}).
 *
 * <p>High bits: {@code VM_HIGH_ARCH_BIT_0} is bit 32, so the x86 protection-key bits are 32-35,
 * {@code VM_SHADOW_STACK} is {@code VM_HIGH_ARCH_5} (37), {@code VM_ALLOW_ANY_UNCACHED}
 * {@code VM_HIGH_ARCH_7} (39), {@code VM_DROPPABLE} {@code VM_HIGH_ARCH_8} (40),
 * {@code VM_UFFD_MINOR} {@code VM_HIGH_ARCH_9} (41) and {@code VM_SEALED} {@code VM_HIGH_ARCH_10}
 * (42).
 */
public final class VmFlags {
    private VmFlags() { }

    public static final long VM_NONE = 0L;
    public static final long VM_READ = 0x1L;
    public static final long VM_WRITE = 0x2L;
    public static final long VM_EXEC = 0x4L;
    public static final long VM_SHARED = 0x8L;
    public static final long VM_MAYREAD = 0x10L;
    public static final long VM_MAYWRITE = 0x20L;
    public static final long VM_MAYEXEC = 0x40L;
    public static final long VM_MAYSHARE = 0x80L;
    public static final long VM_GROWSDOWN = 0x100L;
    public static final long VM_UFFD_MISSING = 0x200L;
    public static final long VM_PFNMAP = 0x400L;
    /** 6.18.44 (stable backport, as the captures in samples/ show: see package-info): set by MADV_GUARD_INSTALL on the whole VMA. */
    public static final long VM_MAYBE_GUARD = 0x800L;
    public static final long VM_UFFD_WP = 0x1000L;
    public static final long VM_LOCKED = 0x2000L;
    public static final long VM_IO = 0x4000L;
    public static final long VM_SEQ_READ = 0x8000L;
    public static final long VM_RAND_READ = 0x10000L;
    public static final long VM_DONTCOPY = 0x20000L;
    public static final long VM_DONTEXPAND = 0x40000L;
    public static final long VM_LOCKONFAULT = 0x80000L;
    public static final long VM_ACCOUNT = 0x100000L;
    public static final long VM_NORESERVE = 0x200000L;
    public static final long VM_HUGETLB = 0x400000L;
    public static final long VM_SYNC = 0x800000L;
    /** x86: VM_PAT. */
    public static final long VM_ARCH_1 = 0x1000000L;
    public static final long VM_WIPEONFORK = 0x2000000L;
    public static final long VM_DONTDUMP = 0x4000000L;
    public static final long VM_SOFTDIRTY = 0x8000000L;
    public static final long VM_MIXEDMAP = 0x10000000L;
    public static final long VM_HUGEPAGE = 0x20000000L;
    public static final long VM_NOHUGEPAGE = 0x40000000L;
    public static final long VM_MERGEABLE = 0x80000000L;
    public static final long VM_PKEY_BIT0 = 1L << 32;
    public static final long VM_PKEY_BIT1 = 1L << 33;
    public static final long VM_PKEY_BIT2 = 1L << 34;
    public static final long VM_PKEY_BIT3 = 1L << 35;
    public static final long VM_SHADOW_STACK = 1L << 37;
    public static final long VM_ALLOW_ANY_UNCACHED = 1L << 39;
    public static final long VM_DROPPABLE = 1L << 40;
    public static final long VM_UFFD_MINOR = 1L << 41;
    public static final long VM_SEALED = 1L << 42;

    /** x86 protection key bits (4 keys bits: pkeys 0..15). */
    public static final long VM_PKEY_MASK = VM_PKEY_BIT0 | VM_PKEY_BIT1 | VM_PKEY_BIT2 | VM_PKEY_BIT3;
    public static final long VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
    /** Any of these in the proposed flags forbids every merge (mm.h). */
    public static final long VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
    public static final long VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
    public static final long VM_UFFD_FLAGS = VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR;
    /** 6.18.y (mm/vma.c of the 6.18-based tree named in package-info): sticky flags survive merges. */
    public static final long VM_STICKY = VM_SOFTDIRTY | VM_MAYBE_GUARD;
    /** x86 VM_DATA_DEFAULT_FLAGS (without READ_IMPLIES_EXEC). */
    public static final long VM_DATA_DEFAULT_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    public static final long VM_STACK_FLAGS = VM_GROWSDOWN | VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT;

    private static final String[] MNEMONICS = new String[64];

    static {
        java.util.Arrays.fill(MNEMONICS, "??");
        put(VM_READ, "rd"); put(VM_WRITE, "wr"); put(VM_EXEC, "ex"); put(VM_SHARED, "sh");
        put(VM_MAYREAD, "mr"); put(VM_MAYWRITE, "mw"); put(VM_MAYEXEC, "me"); put(VM_MAYSHARE, "ms");
        put(VM_GROWSDOWN, "gd"); put(VM_PFNMAP, "pf"); put(VM_MAYBE_GUARD, "gu"); put(VM_LOCKED, "lo");
        put(VM_IO, "io"); put(VM_SEQ_READ, "sr"); put(VM_RAND_READ, "rr"); put(VM_DONTCOPY, "dc");
        put(VM_DONTEXPAND, "de"); put(VM_LOCKONFAULT, "lf"); put(VM_ACCOUNT, "ac"); put(VM_NORESERVE, "nr");
        put(VM_HUGETLB, "ht"); put(VM_SYNC, "sf"); put(VM_ARCH_1, "ar"); put(VM_WIPEONFORK, "wf");
        put(VM_DONTDUMP, "dd"); put(VM_SOFTDIRTY, "sd"); put(VM_MIXEDMAP, "mm"); put(VM_HUGEPAGE, "hg");
        put(VM_NOHUGEPAGE, "nh"); put(VM_MERGEABLE, "mg"); put(VM_UFFD_MISSING, "um"); put(VM_UFFD_WP, "uw");
        // protection keys come out via the ProtectionKey: line, not VmFlags
        put(VM_PKEY_BIT0, ""); put(VM_PKEY_BIT1, ""); put(VM_PKEY_BIT2, ""); put(VM_PKEY_BIT3, "");
        put(VM_SHADOW_STACK, "ss"); put(VM_DROPPABLE, "dp"); put(VM_UFFD_MINOR, "ui"); put(VM_SEALED, "sl");
    }

    private static void put(long bit, String m) {
        MNEMONICS[Long.numberOfTrailingZeros(bit)] = m;
    }

    /** smaps' VmFlags text for {@code flags}: mnemonics in bit order, each followed by a space. */
    public static String toSmaps(long flags) {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < 64; i++) {
            if ((flags & (1L << i)) != 0 && !MNEMONICS[i].isEmpty()) {
                sb.append(MNEMONICS[i]).append(' ');
            }
        }
        return sb.toString();
    }

    /**
     * Parses smaps' VmFlags mnemonics ("rd wr mr mw me ac") back into bits; unknown mnemonics
     * (and "??") are ignored.
     */
    public static long fromSmaps(String mnemonics) {
        long flags = 0;
        for (String m : mnemonics.trim().split("\\s+")) {
            if (m.isEmpty() || m.equals("??")) {
                continue;
            }
            for (int i = 0; i < 64; i++) {
                if (MNEMONICS[i].equals(m)) {
                    flags |= 1L << i;
                    break;
                }
            }
        }
        return flags;
    }

    /** The protection key encoded in {@code flags} (x86: bits 32..35). */
    public static int pkey(long flags) {
        return (int) ((flags & VM_PKEY_MASK) >>> 32);
    }

    /** {@code flags} with its protection key bits replaced by {@code pkey}. */
    public static long withPkey(long flags, int pkey) {
        return (flags & ~VM_PKEY_MASK) | (((long) pkey & 0xf) << 32);
    }
}
