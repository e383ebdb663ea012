package dev.vmareplay.replay;

import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.engine.Errno;
import dev.vmareplay.replay.engine.Mm;
import dev.vmareplay.replay.engine.Mman;
import dev.vmareplay.replay.outcome.DivergenceCause;

/**
 * An mremap the trace shows without its result: perf trace 6.1 sometimes prints the entry half
 * ({@code mremap(addr: …, old_len: …, new_len: …, flags: MAYMOVE) ...}) and never the
 * {@code [continued]} line (seen on a perl program growing hashes, with no LOST line). What the
 * kernel did follows from mm/mremap.c and from what the trace shows next:
 * <ul>
 * <li>MREMAP_FIXED / MREMAP_DONTUNMAP: the mapping went to new_addr (mremap_to());</li>
 * <li>a shrink or the same size: in place (shrink_vma());</li>
 * <li>growth: in place when the VMA can grow (vrm_can_expand_in_place(): the range after it is
 *     free); otherwise, with MREMAP_MAYMOVE, moved to where get_unmapped_area() found room. That
 *     address is in no line of the trace until a later call names the moved mapping: a successful
 *     call at an address the model has nothing at, over exactly the new length (a program growing
 *     a buffer mremaps it again there, one freeing it munmaps it). The move is applied then, as an
 *     MREMAP_FIXED move to that address.</li>
 * </ul>
 * Every such call is counted as a {@link DivergenceCause#RESULT_ONLY} divergence that says what
 * was inferred from what; one whose destination nothing names is reported as such, never left
 * out silently.
 */
final class EntryOnlyMremap {

    /** A moved mremap whose destination is still to be learnt, and the event it was. */
    record Waiting(Call.Mremap call, long seq) {}

    private final Replayer.AddressSpace space;
    private final Mm mm;
    private final Replayer replayer;

    EntryOnlyMremap(Replayer.AddressSpace space, Replayer replayer) {
        this.space = space;
        this.mm = space.mm;
        this.replayer = replayer;
    }

    /** The mremap of event e, whose result the trace does not have. */
    void arrived(Event e, Call.Mremap m) {
        unresolved(replayer, space, e.seq());
        long oldLen = pageAlign(m.oldLen()), newLen = pageAlign(m.newLen());
        if ((m.flags() & (Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) != 0) {
            int err = mm.mremap(m.oldAddr(), m.oldLen(), m.newLen(), m.flags(), m.newAddr());
            report(e.seq(), m, "MREMAP_FIXED names where it went: moved to 0x" + Long.toHexString(m.newAddr()), err);
            return;
        }
        int err = mm.mremap(m.oldAddr(), m.oldLen(), m.newLen(), m.flags(), m.oldAddr());
        if (Long.compareUnsigned(newLen, oldLen) <= 0) {
            report(e.seq(), m, "a shrink is done in place", err);
            return;
        }
        if (err == 0) {
            report(e.seq(), m, "the range after it was free, so the kernel grew it in place", 0);
            return;
        }
        if (err == Errno.ENOMEM && (m.flags() & Mman.MREMAP_MAYMOVE) != 0) {
            space.entryOnlyMremap = new Waiting(m, e.seq()); // the next call naming it says where
            return;
        }
        report(e.seq(), m, "left as it was", err);
    }

    /**
     * Before a call of the trace that succeeded over [addr, addr+len): when a moved mremap
     * waits, the model has nothing at addr and the call covers exactly the moved length, the
     * mapping is there now. Returns whether it moved it.
     */
    boolean resolveAt(Event e, long addr, long len) {
        Waiting w = space.entryOnlyMremap;
        if (w == null || !e.succeeded() || mm.find(addr) != null || pageAlign(len) != pageAlign(w.call().newLen())) return false;
        space.entryOnlyMremap = null;
        Call.Mremap m = w.call();
        int err = mm.mremap(m.oldAddr(), m.oldLen(), m.newLen(), m.flags() | Mman.MREMAP_FIXED, addr);
        report(w.seq(), m, String.format("the VMA could not grow in place, so the kernel moved it; %s at event %d names it at 0x%x",
                e.syscall(), e.seq(), addr), err);
        return err == 0;
    }

    /** A waiting mremap that no call named before seq (another one came, the image ended): reported, not applied. */
    static void unresolved(Replayer replayer, Replayer.AddressSpace space, long seq) {
        Waiting w = space.entryOnlyMremap;
        if (w == null) return;
        space.entryOnlyMremap = null;
        Call.Mremap m = w.call();
        replayer.divergence(w.seq(), space.pid, DivergenceCause.RESULT_ONLY, String.format(
                "mremap(0x%x, %d, %d) printed without its result could not grow in place, so the kernel moved it; "
                        + "no call up to event %d names where: left at 0x%x", m.oldAddr(), m.oldLen(), m.newLen(), seq, m.oldAddr()));
    }

    private void report(long seq, Call.Mremap m, String how, int err) {
        replayer.divergence(seq, space.pid, DivergenceCause.RESULT_ONLY, String.format(
                "mremap(0x%x, %d, %d) printed without its result: %s%s", m.oldAddr(), m.oldLen(), m.newLen(), how,
                err == 0 ? "" : " (the model says " + Errno.name(err) + ")"));
    }

    private static long pageAlign(long v) {
        return (v + Mm.PAGE_SIZE - 1) & ~(Mm.PAGE_SIZE - 1);
    }
}
