package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import dev.vmareplay.replay.engine.VmaEvent.RefusalReason;

import static dev.vmareplay.replay.engine.Addr.ugt;
import static dev.vmareplay.replay.engine.Addr.ult;
import static dev.vmareplay.replay.engine.VmFlags.*;

/**
 * The primitives of mm/vma.c (6.18.y) over one {@link Mm}: new-range and existing-range merges,
 * split, expand, shrink, the all-or-nothing commit, copy_vma, vma_merge_extend and munmap
 * gathering. Method names follow the kernel's; every primitive reports one {@link VmaEvent}.
 *
 * <p>Notation in the diagrams: one character per page, {@code P} prev, {@code M} middle (the VMA
 * being modified), {@code N} next, {@code *} the range being added or changed.
 *
 * <p>The kernel's preconditions (the ASSUMPTIONS blocks of mm/vma.c and its VM_WARN_ON /
 * VM_WARN_ON_VMG / VM_BUG_ON / WARN_ON checks) are Java {@code assert}s at the matching place,
 * each quoting the kernel's condition in its message, so that a broken precondition fails the
 * tests (surefire runs with {@code -ea}) instead of corrupting the model silently. The kernel's
 * checks on the vma iterator's position ({@code vmg->vmi}) have no counterpart: a
 * {@link VmaMergeState} carries no iterator, the primitives look their neighbours up in the tree.
 */
public final class VmaEngine {
    private final Mm mm;

    VmaEngine(Mm mm) {
        this.mm = mm;
    }

    // ------------------------------------------------------------------ mergeability

    private long ignoreMergeMask() {
        // 6.18.y: VM_IGNORE_MERGE = VM_STICKY = VM_SOFTDIRTY | VM_MAYBE_GUARD; before: VM_SOFTDIRTY
        return mm.version.stickyFlags() ? VM_STICKY : VM_SOFTDIRTY;
    }

    /**
     * is_mergeable_vma(): the attribute test against neighbour n. Returns null when mergeable,
     * else the first failing rule in the kernel's order (policy, flags, file, uffd, name).
     */
    private RefusalReason isMergeableVma(VmaMergeState g, Vma n) {
        if (!MemPolicy.equal(g.policy, n.policy)) {
            return RefusalReason.POLICY;
        }
        long ignore = ignoreMergeMask();
        long diff = (n.flags ^ g.flags) & ~ignore;
        if (g.assumedFlagMask != 0) {
            long alt = (n.flags ^ (g.flags ^ g.assumedFlagMask)) & ~ignore;
            if ((diff == 0) != (alt == 0)) {
                g.assumed = true;
            }
        }
        if (diff != 0) {
            return (diff & VM_SEALED) != 0 ? RefusalReason.SEALED : RefusalReason.FLAGS;
        }
        if (!VmaFile.same(n.file, g.file)) {
            return RefusalReason.FILE;
        }
        if (n.uffdCtx != g.uffdCtx) {
            return RefusalReason.UFFD;
        }
        if (!java.util.Objects.equals(n.anonName, g.anonName)) {
            return RefusalReason.NAME;
        }
        // 6.1-6.11: "if (vma->vm_ops && vma->vm_ops->close) return false;"
        if (mm.version.closeHookNeverMerges() && n.hasCloseHook()) {
            return RefusalReason.CLOSE;
        }
        return null;
    }

    /** Pure anon_vma compatibility, for one hypothesis of the participants' state. */
    private boolean anonCompatible(AnonVma tgtAnon, int tgtChain, AnonVma srcAnon, int srcChain, int copiedChain,
                                   boolean copiedHasAnon) {
        if (mm.version.anonRuleForkChild()) {
            // 6.16+ is_mergeable_anon_vma()
            if (tgtAnon == null && srcAnon != null) {
                // Case 1 - we will dup_anon_vma() from src into tgt.
                if (srcChain > 1) {
                    return false;
                }
                return !(copiedHasAnon && copiedChain > 1);
            }
            if (tgtAnon != null && srcAnon == null) {
                // Case 2 - we will simply use tgt's anon_vma.
                return tgtChain <= 1;
            }
            // Case 3 - the anon_vma's are already shared.
            return srcAnon == tgtAnon;
        }
        // 6.1-6.15: is_mergeable_anon_vma(anon_vma1, anon_vma2, vma=tgt):
        // "(!anon_vma1 || !anon_vma2) && (!vma || list_is_singular(&vma->anon_vma_chain))"
        if ((srcAnon == null || tgtAnon == null) && tgtChain == 1) {
            return true;
        }
        return srcAnon == tgtAnon;
    }

    private static final AnonVma HYPOTHETICAL = new AnonVma();

    /**
     * is_mergeable_anon_vma() for target tgt; also decides whether the answer rested on an
     * assumption, by re-asking with each uncertain participant's state flipped.
     */
    private boolean isMergeableAnonVma(VmaMergeState g, Vma tgt) {
        // "We _can_ have !src, vmg->anon_vma via copy_vma()" - but an existing range's proposal
        // carries middle's own anon_vma
        assert g.middle == null || g.anonVma == g.middle.anonVma
            : "VM_WARN_ON(src && src_anon != src->anon_vma): " + g.middle + " / " + g.anonVma;
        Vma src = g.middle != null ? g.middle : g.copiedFrom;
        int srcChain = g.middle != null ? g.middle.anonChain : 0;
        Vma cf = g.copiedFrom;
        boolean ok = anonCompatible(tgt.anonVma, tgt.anonChain, g.anonVma, srcChain,
            cf != null ? cf.anonChain : 0, cf != null && cf.anonVma != null);
        boolean tgtUnsure = Memory.uncertain(mm, tgt);
        boolean srcUnsure = src != null && Memory.uncertain(mm, src);
        // every combination of flipped uncertain states (no anon_vma <-> a distinct one)
        for (int h = 1; h < 4 && !g.assumed; h++) {
            boolean flipTgt = (h & 1) != 0;
            boolean flipSrc = (h & 2) != 0;
            if ((flipTgt && !tgtUnsure) || (flipSrc && !srcUnsure)) {
                continue;
            }
            AnonVma ta = flipTgt ? (tgt.anonVma == null ? HYPOTHETICAL : null) : tgt.anonVma;
            int tc = flipTgt ? (ta == null ? 0 : 1) : tgt.anonChain;
            AnonVma sa = g.anonVma;
            int sc = srcChain;
            int cc = cf != null ? cf.anonChain : 0;
            boolean cHas = cf != null && cf.anonVma != null;
            if (flipSrc) {
                sa = src.anonVma == null ? new AnonVma() : null;
                sc = g.middle != null ? (sa == null ? 0 : 1) : 0;
                cc = sa == null ? 0 : 1;
                cHas = cf != null && sa != null;
            }
            g.assumed |= anonCompatible(ta, tc, sa, sc, cc, cHas) != ok;
        }
        return ok;
    }

    /**
     * can_vma_merge_after() for prev; reason or null. "We assume that vma is not removed as part
     * of the merge": prev is the target. Precondition (can_vma_merge_left() checks it before
     * calling): prev ends where the range starts.
     */
    private RefusalReason canVmaMergeAfter(VmaMergeState g) {
        Vma prev = g.prev;
        assert prev != null && prev.end == g.start : "can_vma_merge_after() without an adjacent prev: " + prev;
        RefusalReason r = isMergeableVma(g, prev);
        if (r != null) {
            return r;
        }
        if (!isMergeableAnonVma(g, prev)) {
            return RefusalReason.ANON_VMA;
        }
        if (g.pgoffAssumed) {
            g.assumed = true;
        }
        if (prev.pgoff + prev.pages() != g.pgoff) {
            return RefusalReason.PGOFF;
        }
        g.seedShareAssumed |= seedShareAssumed(prev, g.middle != null ? g.middle : g.copiedFrom);
        return null;
    }

    /**
     * can_vma_merge_before() for next; reason or null. "We assume the vma may be removed as part
     * of the merge." Precondition (can_vma_merge_right() checks it before calling): next starts
     * where the range ends.
     */
    private RefusalReason canVmaMergeBefore(VmaMergeState g) {
        Vma next = g.next;
        assert next != null && next.start == g.end : "can_vma_merge_before() without an adjacent next: " + next;
        RefusalReason r = isMergeableVma(g, next);
        if (r != null) {
            return r;
        }
        if (!isMergeableAnonVma(g, next)) {
            return RefusalReason.ANON_VMA;
        }
        if (g.pgoffAssumed) {
            g.assumed = true;
        }
        if (next.pgoff != g.pgoff + ((g.end - g.start) >>> Mm.PAGE_SHIFT)) {
            return RefusalReason.PGOFF;
        }
        g.seedShareAssumed |= seedShareAssumed(next, g.middle != null ? g.middle : g.copiedFrom);
        return null;
    }

    /** can_vma_merge_left(): null when prev absorbs the range, else why not (NONE: not adjacent). */
    private RefusalReason canVmaMergeLeft(VmaMergeState g) {
        if (g.prev == null || g.prev.end != g.start) {
            return NOT_ADJACENT;
        }
        Memory.materialize(mm, g.prev);
        return canVmaMergeAfter(g);
    }

    /**
     * can_vma_merge_right(): null when next can absorb the range. When the left merge is also
     * possible, prev and next must have compatible anon_vmas with EACH OTHER: at least one has
     * none, or they are the same.
     */
    private RefusalReason canVmaMergeRight(VmaMergeState g, boolean canMergeLeft) {
        Vma next = g.next;
        if (next == null || g.end != next.start) {
            return NOT_ADJACENT;
        }
        Memory.materialize(mm, next);
        RefusalReason r = canVmaMergeBefore(g);
        if (r != null) {
            return r;
        }
        if (!canMergeLeft) {
            return null;
        }
        Vma prev = g.prev;
        boolean ok = prev.anonVma == null || next.anonVma == null || prev.anonVma == next.anonVma;
        boolean prevUnsure = Memory.uncertain(mm, prev);
        boolean nextUnsure = Memory.uncertain(mm, next);
        for (int h = 1; h < 4 && !g.assumed; h++) {
            boolean flipPrev = (h & 1) != 0;
            boolean flipNext = (h & 2) != 0;
            if ((flipPrev && !prevUnsure) || (flipNext && !nextUnsure)) {
                continue;
            }
            AnonVma pa = flipPrev ? (prev.anonVma == null ? HYPOTHETICAL : null) : prev.anonVma;
            AnonVma na = flipNext ? (next.anonVma == null ? new AnonVma() : null) : next.anonVma;
            g.assumed |= pairOk(pa, na) != ok;
        }
        if (ok) {
            g.seedShareAssumed |= seedShareAssumed(prev, next);
        }
        return ok ? null : RefusalReason.ANON_VMA;
    }

    /**
     * Whether a and b are anon_vma-compatible only because seeding assumed they share one: they
     * hold the same anon_vma, seeding gave it to neighbours a snapshot showed apart, and they
     * come from different seeded VMAs (pieces of one seeded VMA share it for certain). With two
     * distinct anon_vmas, is_mergeable_anon_vma() would have refused the merge.
     */
    private static boolean seedShareAssumed(Vma a, Vma b) {
        return a != null && b != null && a.anonVma != null && a.anonVma == b.anonVma && a.anonVma.seedShared
            && a.seedOrigin != b.seedOrigin;
    }

    private static boolean pairOk(AnonVma a, AnonVma b) {
        return a == null || b == null || a == b;
    }

    /** Marker: the neighbour is absent or not adjacent, so no merge was geometrically possible. */
    private static final RefusalReason NOT_ADJACENT = null;

    /** can_merge_remove_vma(): only VMAs without a close hook may be deleted by a merge. */
    private static boolean canMergeRemoveVma(Vma v) {
        return !v.hasCloseHook();
    }

    private void refused(VmaMergeState g, RefusalReason reason) {
        mm.emit(Kind.REFUSED, reason, g.start, g.end, 0, g, null);
    }

    // ------------------------------------------------------------------ new range

    /**
     * vma_merge_new_range(): try to merge the new range [g.start, g.end) with g.prev and/or g.next
     * (both supplied by the caller, as the VMAs around the gap).
     *
     * <pre>
     * NEW-BOTH    PPP***NNN  -&gt;  PPPPPPPPP   prev extended, next deleted
     * NEW-LEFT    PPP***     -&gt;  PPPPPP      prev extended
     * NEW-RIGHT      ***NNN  -&gt;     NNNNNN   next extended backwards, next.pgoff = proposal's
     * </pre>
     *
     * <p>ASSUMPTIONS (the kernel's, asserted): [g.start, g.end) is empty (what it overlapped has
     * been unmapped already); g.prev is the VMA before the gap and g.next the VMA after it (none
     * in expand-only mode, which never merges right); no middle and no target yet. The kernel's
     * "vmi must point at or before the gap" has no counterpart (no iterator in the vmg).
     *
     * @return the expanded VMA, or null (state NOMERGE, or ERROR_NOMEM when preallocation failed;
     *         nothing has been modified in either case)
     */
    public Vma vmaMergeNewRange(VmaMergeState g) {
        Vma prev = g.prev;
        Vma next = g.next;
        long end = g.end;
        assert g.middle == null : "VM_WARN_ON_VMG(vmg->middle): " + g.middle;
        assert g.target == null : "VM_WARN_ON_VMG(vmg->target): " + g.target;
        assert ult(g.start, g.end) : "an empty new range";
        assert mm.tree.findIntersecting(g.start, g.end) == null
            : "the new range is not empty: " + mm.tree.findIntersecting(g.start, g.end);
        assert prev == mm.tree.prevOf(g.start) : "vmg->prev is not the VMA before the gap: " + prev;
        assert next == (g.justExpand ? null : mm.tree.findVma(g.start)) && (next == null || !ult(next.start, end))
            : "vmg->next is not the VMA after the gap: " + next;
        g.state = VmaMergeState.State.NOMERGE;

        boolean prevAdj = prev != null && prev.end == g.start;
        boolean nextAdj = !g.justExpand && next != null && next.start == g.end;
        // Special VMAs are unmergeable, also if no prev/next.
        if ((g.flags & VM_SPECIAL) != 0 || (prev == null && next == null)) {
            if ((g.flags & VM_SPECIAL) != 0 && (prevAdj || nextAdj)) {
                refused(g, RefusalReason.SPECIAL);
            }
            return null;
        }

        RefusalReason leftWhy = prevAdj ? canVmaMergeLeft(g) : NOT_ADJACENT;
        boolean canMergeLeft = prevAdj && leftWhy == null;
        RefusalReason rightWhy = nextAdj ? canVmaMergeRight(g, canMergeLeft) : NOT_ADJACENT;
        boolean canMergeRight = nextAdj && rightWhy == null;
        if (prevAdj && !canMergeLeft) {
            refused(g, leftWhy);
        }
        if (nextAdj && !canMergeRight) {
            refused(g, rightWhy);
        }

        // If we can merge with the next VMA, adjust vmg accordingly.
        if (canMergeRight) {
            g.end = next.end;
            g.target = next;
        }
        boolean both = canMergeLeft && canMergeRight;
        // If we can merge with the previous VMA, adjust vmg accordingly.
        if (canMergeLeft) {
            g.start = prev.start;
            g.target = prev;
            g.pgoff = prev.pgoff;
            // If this merge would result in removal of the next VMA but we are not permitted
            // to do so, reduce the operation to merging prev and vma.
            if (canMergeRight && !canMergeRemoveVma(next)) {
                g.end = end;
                both = false;
                mm.emit(Kind.REFUSED, RefusalReason.CLOSE, end, next.end, 0, g, null);
            }
        }
        if (g.target == null) {
            return null;
        }
        // Now try to expand adjacent VMA(s). This takes care of removing the following VMA if we
        // have VMAs on both sides.
        if (vmaExpandInternal(g) != 0) {
            return null;
        }
        g.state = VmaMergeState.State.SUCCESS;
        g.kind = both ? Kind.NEW_BOTH : canMergeLeft ? Kind.NEW_LEFT : Kind.NEW_RIGHT;
        mm.emit(g.kind, null, g.target.start, g.target.end, legacyCase(g.kind), g, g.target);
        return g.target;
    }

    static int legacyCase(Kind k) {
        switch (k) {
            case NEW_BOTH: return 1;
            case NEW_LEFT: return 2;
            case NEW_RIGHT: return 3;
            case EXISTING_RIGHT_PARTIAL: return 4;
            case EXISTING_LEFT_PARTIAL: return 5;
            case EXISTING_BOTH: return 6;
            case EXISTING_LEFT_FULL: return 7;
            case EXISTING_RIGHT_FULL: return 8;
            default: return 0;
        }
    }

    // ------------------------------------------------------------------ existing range

    /**
     * vma_merge_existing_range(): the attributes of [g.start, g.end) inside g.middle are changing
     * to the proposal's; merge that range with prev and/or next if they match.
     *
     * <pre>
     * EXISTING-BOTH          PPP****NNN -&gt; PPPPPPPPPP  (middle, next deleted)
     * EXISTING-LEFT-FULL     PPP****NNN -&gt; PPPPPPPNNN  (middle deleted)
     * EXISTING-LEFT-PARTIAL  PPP**MMM   -&gt; PPPPPMMM    (middle shrinks from below)
     * EXISTING-RIGHT-FULL    PPP****NNN -&gt; PPPNNNNNNN  (middle deleted)
     * EXISTING-RIGHT-PARTIAL   MMM**NNN -&gt;   MMMNNNNN  (middle shrinks from above)
     * </pre>
     *
     * The caller supplies prev (middle itself when start is inside middle); next is found here.
     * A range strictly inside middle never merges. The caller applies the new attribute to the
     * returned VMA.
     *
     * <p>ASSUMPTIONS (the kernel's, asserted): the caller assigned the VMA being modified to
     * g.middle and set g.prev (middle itself when start is offset into middle, else the VMA
     * before middle, if any); it did not set g.next; [start, end) is non-empty and lies in middle;
     * this is not mremap's copy (no copied_from). "vmi must be positioned within middle" has no
     * counterpart (no iterator in the vmg).
     *
     * @return the merged VMA (prev or next), or null (NOMERGE, or ERROR_NOMEM with nothing changed)
     */
    public Vma vmaMergeExistingRange(VmaMergeState g) {
        Vma middle = g.middle;
        Vma prev = g.prev;
        long start = g.start;
        long end = g.end;
        assert middle != null : "VM_WARN_ON_VMG(!middle): we are modifying a VMA, so the caller must specify it";
        assert g.next == null : "VM_WARN_ON_VMG(vmg->next): we set this, the caller does not";
        assert prev == null || ult(prev.start, start) : "VM_WARN_ON_VMG(prev && start <= prev->vm_start): " + prev;
        assert ult(start, end) : "VM_WARN_ON_VMG(start >= end)";
        // If middle == prev, then we are offset into a VMA. Otherwise, if we are not, we must
        // span a portion of the VMA.
        assert (middle == prev || start == middle.start) && !ugt(end, middle.end)
            : "VM_WARN_ON_VMG(middle != prev && start != middle->vm_start || end > middle->vm_end): " + middle
            + " prev " + prev + " [" + Long.toHexString(start) + ", " + Long.toHexString(end) + ")";
        assert g.copiedFrom == null : "VM_WARN_ON_VMG(vmg->copied_from): an existing merge is never mremap's";
        boolean leftSide = start == middle.start;
        boolean rightSide = end == middle.end;
        g.state = VmaMergeState.State.NOMERGE;
        long sticky = mm.version.stickyFlags() ? g.flags & VM_STICKY : 0;

        boolean prevAdj = leftSide && prev != null && prev != middle && prev.end == start;
        Vma next = rightSide ? mm.tree.next(middle) : null;
        boolean nextAdj = next != null && next.start == end;

        // If a special mapping or if the range being modified is neither at the furthermost left
        // or right side of the VMA, then we have no chance of merging and should abort.
        if ((g.flags & VM_SPECIAL) != 0 || (!leftSide && !rightSide)) {
            if ((g.flags & VM_SPECIAL) != 0 && (prevAdj || nextAdj)) {
                refused(g, RefusalReason.SPECIAL);
            }
            return null;
        }
        // the proposal's anon_vma is always middle's (it may have been materialised just now)
        Memory.materialize(mm, middle);
        g.anonVma = middle.anonVma;

        RefusalReason leftWhy = prevAdj ? canVmaMergeLeft(g) : NOT_ADJACENT;
        boolean mergeLeft = prevAdj && leftWhy == null;
        boolean mergeRight = false;
        RefusalReason rightWhy = NOT_ADJACENT;
        if (rightSide) {
            g.next = next;
            if (nextAdj) {
                rightWhy = canVmaMergeRight(g, mergeLeft);
                mergeRight = rightWhy == null;
            }
        }
        if (prevAdj && !mergeLeft) {
            refused(g, leftWhy);
        }
        if (nextAdj && !mergeRight) {
            refused(g, rightWhy);
        }
        if (!mergeLeft && !mergeRight) {
            return null;
        }

        boolean mergeBoth = mergeLeft && mergeRight;
        // If we span the entire VMA, a merge implies it will be deleted.
        g.removeMiddle = leftSide && rightSide;
        // If we need to remove middle in its entirety but are unable to do so, we have no
        // sensible recourse but to abort the merge.
        if (g.removeMiddle && !canMergeRemoveVma(middle)) {
            refused(g, RefusalReason.CLOSE);
            g.removeMiddle = false;
            return null;
        }
        // If we merge both VMAs, then next is also deleted.
        g.removeNext = mergeBoth;
        // If we cannot delete next, then we can reduce the operation to merging prev and middle
        // (thereby deleting middle).
        if (g.removeNext && !canMergeRemoveVma(next)) {
            mm.emit(Kind.REFUSED, RefusalReason.CLOSE, start, end, 0, g, null);
            g.removeNext = false;
            mergeRight = false;
            mergeBoth = false;
        }
        if (mergeRight) {
            g.target = next;
            sticky |= next.flags & (mm.version.stickyFlags() ? VM_STICKY : 0);
        }
        if (mergeLeft) {
            g.target = prev;
            sticky |= prev.flags & (mm.version.stickyFlags() ? VM_STICKY : 0);
        }

        Vma anonDupDst = null;
        Vma anonDupSrc = null;
        Kind kind;
        if (mergeBoth) {
            /*
             * |<-------------------->|
             * |-------********-------|
             *   prev   middle   next
             *  extend  delete  delete
             */
            g.start = prev.start;
            g.end = next.end;
            g.pgoff = prev.pgoff;
            // If prev has no anon_vma, which of next or middle has the one we must duplicate.
            anonDupDst = prev;
            anonDupSrc = next.anonVma != null ? next : middle;
            kind = Kind.EXISTING_BOTH;
        } else if (mergeLeft) {
            /*
             * |<------------>|      OR
             * |<----------------->|
             * |-------*************
             *   prev     middle
             *  extend shrink/delete
             */
            g.start = prev.start;
            g.pgoff = prev.pgoff;
            if (!g.removeMiddle) {
                g.adjustMiddleStart = true;
            }
            anonDupDst = prev;
            anonDupSrc = middle;
            kind = g.removeMiddle ? Kind.EXISTING_LEFT_FULL : Kind.EXISTING_LEFT_PARTIAL;
        } else {
            /*
             *     |<------------->| OR
             * |<----------------->|
             * *************-------|
             *    middle     next
             * shrink/delete extend
             */
            assert mergeRight : "VM_WARN_ON_VMG(!merge_right)";
            // If we are offset into a VMA, then prev must be middle.
            assert !(ugt(g.start, middle.start) && prev != null && middle != prev)
                : "VM_WARN_ON_VMG(vmg->start > middle->vm_start && prev && middle != prev)";
            long pglen = (g.end - g.start) >>> Mm.PAGE_SHIFT;
            if (g.removeMiddle) {
                g.end = next.end;
                g.pgoff = next.pgoff - pglen;
            } else {
                // We shrink middle and expand next.
                g.adjustNextStart = true;
                g.start = middle.start;
                g.end = start;
                g.pgoff = middle.pgoff;
            }
            anonDupDst = next;
            anonDupSrc = middle;
            kind = g.removeMiddle ? Kind.EXISTING_RIGHT_FULL : Kind.EXISTING_RIGHT_PARTIAL;
        }

        // dup_anon_vma() then commit_merge(); on failure the duplicate is unlinked again.
        AnonDup dup = dupAnonVma(anonDupDst, anonDupSrc);
        if (commitMerge(g) != 0) {
            dup.undo();
            // abort: no actual changes to VMAs have occurred
            if (!g.giveUpOnOom) {
                g.state = VmaMergeState.State.ERROR_NOMEM;
            }
            return null;
        }
        g.target.flags |= sticky;
        g.state = VmaMergeState.State.SUCCESS;
        g.kind = kind;
        mm.emit(kind, null, g.target.start, g.target.end, legacyCase(kind), g, g.target);
        return g.target;
    }

    /** The record of one dup_anon_vma(), so that an aborted merge can unlink it. */
    private static final class AnonDup {
        Vma dst;
        boolean prevAssumed;
        long prevEpoch;

        void undo() {
            if (dst != null) {
                dst.anonVma = null;
                dst.anonChain = 0;
                dst.anonAssumed = prevAssumed;
                dst.anonKnownEpoch = prevEpoch;
            }
        }
    }

    private static final AnonDup NO_DUP = new AnonDup();

    /**
     * dup_anon_vma(): if the destination has no anon_vma but the source does, the destination
     * gets the source's (anon_vma_clone copies the whole chain, fork-child-ness included).
     */
    private AnonDup dupAnonVma(Vma dst, Vma src) {
        if (src != null && src.anonVma != null && dst.anonVma == null) {
            AnonDup d = new AnonDup();
            d.dst = dst;
            d.prevAssumed = dst.anonAssumed;
            d.prevEpoch = dst.anonKnownEpoch;
            dst.anonVma = src.anonVma;
            dst.anonChain = src.anonChain;
            dst.anonAssumed = src.anonAssumed;
            return d;
        }
        return NO_DUP;
    }

    // ------------------------------------------------------------------ commit, expand, shrink

    /**
     * commit_merge(): apply the decided shape in one step. Preallocation is the only failure
     * point and happens before any VMA is touched (a test hook, {@link Mm#failPreallocations},
     * makes it fail).
     *
     * <p>init_multi_vma_prep()'s check, asserted: the VMA being altered and the one whose start
     * is adjusted do not have two different anon_vmas (dup_anon_vma() ran before). And
     * vma_complete()'s: when one VMA is removed, the altered VMA now reaches at least to its end.
     *
     * @return 0 or ENOMEM
     */
    int commitMerge(VmaMergeState g) {
        Vma vma = g.adjustNextStart ? g.middle : g.target;
        Vma adjust = g.adjustMiddleStart ? g.middle : g.adjustNextStart ? g.next : null;
        assert vma != null : "commit_merge() without a target";
        assert vma.anonVma == null || adjust == null || adjust.anonVma == null || vma.anonVma == adjust.anonVma
            : "VM_WARN_ON(vp->anon_vma && adjust && adjust->anon_vma && vp->anon_vma != adjust->anon_vma): "
            + vma + " / " + adjust;
        if (mm.preallocFails()) {
            return Errno.ENOMEM;
        }
        // removed VMAs leave the tree first, so that re-keyed starts never collide
        if (g.removeMiddle) {
            mm.unlink(g.middle);
        }
        if (g.removeNext) {
            mm.unlink(g.next);
        }
        if (g.adjustNextStart) {
            // We manipulate middle and adjust next, which is the target.
            long pgoff = adjust.pgoff - ((adjust.start - g.end) >>> Mm.PAGE_SHIFT);
            mm.setRange(g.middle, g.start, g.end, g.pgoff);
            mm.setRange(adjust, g.end, adjust.end, pgoff);
        } else {
            if (g.adjustMiddleStart) {
                long pgoff = adjust.pgoff + ((g.end - adjust.start) >>> Mm.PAGE_SHIFT);
                mm.setRange(adjust, g.end, adjust.end, pgoff);
            }
            mm.setRange(g.target, g.start, g.end, g.pgoff);
        }
        Vma removed = g.removeMiddle != g.removeNext ? (g.removeMiddle ? g.middle : g.next) : null;
        assert removed == null || !ult(vma.end, removed.end)
            : "WARN_ON_ONCE(vp->vma->vm_end < vp->remove->vm_end): " + vma + " / " + removed;
        // an unfaulted target absorbing uncertain neighbours becomes uncertain itself
        if (g.target.anonVma == null) {
            long e = g.target.anonKnownEpoch;
            if (g.removeMiddle || g.adjustMiddleStart || g.adjustNextStart) {
                e = Math.min(e, g.middle.anonKnownEpoch);
            }
            if (g.removeNext) {
                e = Math.min(e, g.next.anonKnownEpoch);
            }
            g.target.anonKnownEpoch = e;
        }
        return 0;
    }

    /**
     * vma_expand(): expand g.target to [g.start, g.end), removing g.next when it is a different
     * VMA and g.end == next.end. The caller checked mergeability. Emits an EXPAND event when
     * called on its own (a merge reports its own case instead).
     *
     * <p>ASSUMPTIONS (the kernel's, asserted): the caller set g.target and g.next; a next that is
     * removed may be removed (no close hook); a next that is not removed is not overlapped; the
     * operation only expands (target lies within [g.start, g.end)).
     *
     * @return 0 or ENOMEM (state ERROR_NOMEM, nothing changed)
     */
    public int vmaExpand(VmaMergeState g) {
        int r = vmaExpandInternal(g);
        if (r == 0) {
            mm.emit(Kind.EXPAND, null, g.target.start, g.target.end, 0, g, g.target);
        }
        return r;
    }

    private int vmaExpandInternal(VmaMergeState g) {
        Vma target = g.target;
        Vma next = g.next;
        assert target != null : "VM_WARN_ON_VMG(!target): we must have a target";
        boolean sticky = mm.version.stickyFlags();
        long stickyFlags = sticky ? (g.flags & VM_STICKY) | (target.flags & VM_STICKY) : 0;
        boolean removeNext = false;
        if (next != null && target != next && g.end == next.end) {
            if (sticky) {
                stickyFlags |= next.flags & VM_STICKY;
            }
            removeNext = true;
        }
        // This should have already been checked by this point.
        assert !removeNext || canMergeRemoveVma(next) : "VM_WARN_ON_VMG(remove_next && !can_merge_remove_vma(next))";
        // Not merging but overwriting any part of next is not handled.
        assert next == null || removeNext || next == target || !ugt(g.end, next.start)
            : "VM_WARN_ON_VMG(next && !remove_next && next != target && vmg->end > next->vm_start): " + next;
        // Only handles expanding.
        assert !ult(target.start, g.start) && !ugt(target.end, g.end)
            : "VM_WARN_ON_VMG(target->vm_start < vmg->start || target->vm_end > vmg->end): " + target;
        // If we are removing the next VMA or copying from a VMA (e.g. mremap()'ing), we must
        // propagate anon_vma state.
        AnonDup dup = NO_DUP;
        if (removeNext) {
            dup = dupAnonVma(target, next);
        }
        AnonDup dup2 = NO_DUP;
        if (g.copiedFrom != null && mm.version.anonRuleForkChild()) {
            dup2 = dupAnonVma(target, g.copiedFrom);
        }
        g.removeNext = removeNext;
        if (commitMerge(g) != 0) {
            dup.undo();
            dup2.undo();
            g.removeNext = false;
            if (!g.giveUpOnOom) {
                g.state = VmaMergeState.State.ERROR_NOMEM;
            }
            return Errno.ENOMEM;
        }
        target.flags |= stickyFlags;
        return 0;
    }

    /**
     * vma_shrink(): reduce vma to [start, end), which keeps one of its edges. Used by exec's stack
     * relocation only; no merge, no split.
     *
     * <p>The kernel WARNs when neither edge is kept (asserted here); without assertions the
     * model refuses with EINVAL rather than corrupt itself.
     *
     * @return 0, EINVAL (neither edge kept) or ENOMEM (preallocation)
     */
    public int vmaShrink(Vma vma, long start, long end, long pgoff) {
        assert vma.start == start || vma.end == end
            : "WARN_ON((vma->vm_start != start) && (vma->vm_end != end)): " + vma;
        if (vma.start != start && vma.end != end) {
            return Errno.EINVAL;
        }
        if (mm.preallocFails()) {
            return Errno.ENOMEM;
        }
        long os = vma.start;
        long oe = vma.end;
        mm.setRange(vma, start, end, pgoff);
        mm.emit(Kind.SHRINK, null, os, oe, 0, false, vma);
        return 0;
    }

    // ------------------------------------------------------------------ split

    /**
     * split_vma(): the checked variant: fails with ENOMEM when map_count &gt;= max_map_count.
     *
     * @see #splitVmaUnchecked
     */
    public int splitVma(Vma vma, long addr, boolean newBelow) {
        if (mm.mapCount() >= mm.maxMapCount) {
            return Errno.ENOMEM;
        }
        return splitVmaUnchecked(vma, addr, newBelow);
    }

    /**
     * __split_vma(): split vma at addr. {@code newBelow}: the new VMA is the lower part
     * [start, addr) and the original becomes [addr, end) with its pgoff advanced; otherwise the
     * new VMA is the upper part. Both halves share the anon_vma.
     *
     * <pre>
     * newBelow:  VVVVVV -&gt; NNNVVV      !newBelow: VVVVVV -&gt; VVVNNN
     * </pre>
     *
     * <p>The kernel WARNs when addr is not strictly inside vma (asserted here, with addr page
     * aligned); without assertions the model refuses such a split with EINVAL.
     *
     * @return 0, EINVAL (special mappings refuse, may_split) or ENOMEM (preallocation)
     */
    public int splitVmaUnchecked(Vma vma, long addr, boolean newBelow) {
        assert ult(vma.start, addr) : "WARN_ON(vma->vm_start >= addr): " + vma + " at " + Long.toHexString(addr);
        assert ult(addr, vma.end) : "WARN_ON(vma->vm_end <= addr): " + vma + " at " + Long.toHexString(addr);
        assert (addr & Mm.PAGE_MASK_LOW) == 0 : "split at an unaligned address " + Long.toHexString(addr);
        if (Long.compareUnsigned(addr, vma.start) <= 0 || Long.compareUnsigned(addr, vma.end) >= 0
            || (addr & Mm.PAGE_MASK_LOW) != 0) {
            return Errno.EINVAL;
        }
        if (vma.special != null) {
            return Errno.EINVAL; // special_mapping_split: "Forbid splitting special mappings"
        }
        if ((vma.flags & VM_HUGETLB) != 0 && (addr & (mm.hugePageSize - 1)) != 0) {
            return Errno.EINVAL; // hugetlb_vm_op_split
        }
        if (mm.preallocFails()) {
            return Errno.ENOMEM;
        }
        // ASSUME_WRITTEN: the assumed write happened before this call, so both halves share it
        Memory.materialize(mm, vma);
        long os = vma.start;
        long oe = vma.end;
        Vma n = vma.dup();
        if (newBelow) {
            n.end = addr;
            mm.setRange(vma, addr, vma.end, vma.pgoff + ((addr - os) >>> Mm.PAGE_SHIFT));
        } else {
            n.start = addr;
            n.pgoff += (addr - os) >>> Mm.PAGE_SHIFT;
            mm.setRange(vma, os, addr, vma.pgoff);
        }
        mm.link(n);
        mm.emit(Kind.SPLIT, null, os, oe, 0, false, vma);
        return 0;
    }

    // ------------------------------------------------------------------ modify

    /**
     * vma_modify(): try an existing-range merge; if none, split middle so that exactly
     * [g.start, g.end) remains in it. The caller then applies the new attribute to the result.
     *
     * @return the VMA now covering exactly [start, end) (possibly merged into a neighbour), or
     *         the errno (ENOMEM from a merge, or the split's error)
     */
    public VmaOrErr vmaModify(VmaMergeState g) {
        assert g.middle != null && Long.compareUnsigned(g.middle.start, g.start) <= 0
            && Long.compareUnsigned(g.end, g.middle.end) <= 0 && Long.compareUnsigned(g.start, g.end) < 0
            : "vma_modify of a range outside middle: " + g.middle + " [" + Long.toHexString(g.start) + ", "
            + Long.toHexString(g.end) + ")";
        Vma vma = g.middle;
        long start = g.start;
        long end = g.end;
        // First, try to merge.
        Vma merged = vmaMergeExistingRange(g);
        if (merged != null) {
            return VmaOrErr.of(merged);
        }
        if (g.nomem()) {
            return VmaOrErr.err(Errno.ENOMEM);
        }
        // Split can fail for reasons other than OOM, so if the user requests this it's probably
        // a mistake.
        assert !g.giveUpOnOom || (vma.start == start && vma.end == end)
            : "VM_WARN_ON(vmg->give_up_on_oom && (vma->vm_start != start || vma->vm_end != end))";
        // Split any preceding portion of the VMA.
        if (Long.compareUnsigned(vma.start, start) < 0) {
            int e = splitVma(vma, start, true);
            if (e != 0) {
                return VmaOrErr.err(e);
            }
        }
        // Split any trailing portion of the VMA.
        if (Long.compareUnsigned(vma.end, end) > 0) {
            int e = splitVma(vma, end, false);
            if (e != 0) {
                return VmaOrErr.err(e);
            }
        }
        return VmaOrErr.of(vma);
    }

    /**
     * vma_modify_flags(): modify the flags of [start, end) in vma to {@code newFlags}. The result's
     * {@link VmaOrErr#newFlags()} is what the caller sets: {@code newFlags}, or after a merge the
     * merged VMA's flags (sticky flags retained, 6.18's {@code vm_flags_ptr}).
     *
     * @param assumedMask bits of newFlags that rest on an assumption (reported as assumed when
     *                    the merge would go the other way without them)
     */
    public VmaOrErr vmaModifyFlags(Vma prev, Vma vma, long start, long end, long newFlags, long assumedMask) {
        VmaMergeState g = VmaMergeState.forExistingVma(prev, vma, start, end);
        g.flags = newFlags;
        g.assumedFlagMask = assumedMask;
        VmaOrErr ret = vmaModify(g);
        if (ret.isErr()) {
            return ret;
        }
        return VmaOrErr.of(ret.vma(), g.state == VmaMergeState.State.SUCCESS ? ret.vma().flags : newFlags);
    }

    /** vma_modify_name(). */
    public VmaOrErr vmaModifyName(Vma prev, Vma vma, long start, long end, String name) {
        VmaMergeState g = VmaMergeState.forExistingVma(prev, vma, start, end);
        g.anonName = name;
        return vmaModify(g);
    }

    /** vma_modify_policy(). */
    public VmaOrErr vmaModifyPolicy(Vma prev, Vma vma, long start, long end, MemPolicy policy) {
        VmaMergeState g = VmaMergeState.forExistingVma(prev, vma, start, end);
        g.policy = policy;
        return vmaModify(g);
    }

    /** vma_modify_flags_uffd(). */
    public VmaOrErr vmaModifyFlagsUffd(Vma prev, Vma vma, long start, long end, long flags, long uffdCtx,
                                       boolean giveUpOnOom) {
        VmaMergeState g = VmaMergeState.forExistingVma(prev, vma, start, end);
        g.flags = flags;
        g.uffdCtx = uffdCtx;
        g.giveUpOnOom = giveUpOnOom;
        return vmaModify(g);
    }

    // ------------------------------------------------------------------ mremap helpers

    /**
     * vma_merge_extend(): grow vma by delta bytes in place, as a new range [vma.end, vma.end+delta)
     * with prev = vma and vma's attributes. Reported as NEW_LEFT (or NEW_BOTH when the following
     * VMA is swallowed too).
     *
     * <p>Precondition (mremap's vma_expandable() checked it): delta is a positive number of
     * whole pages and [vma.end, vma.end + delta) is free; vma_merge_new_range() asserts the rest.
     *
     * @return vma (extended), or null (VM_SPECIAL, not mergeable, or ENOMEM)
     */
    public Vma vmaMergeExtend(Vma vma, long delta) {
        assert delta != 0 && (delta & Mm.PAGE_MASK_LOW) == 0 && ult(vma.end, vma.end + delta)
            : "vma_merge_extend() by " + Long.toHexString(delta);
        VmaMergeState g = VmaMergeState.forExistingVma(vma, vma, vma.end, vma.end + delta);
        g.middle = null;
        g.next = mm.tree.next(vma);
        g.pgoff = vma.pgoff + vma.pages();
        return vmaMergeNewRange(g);
    }

    /**
     * copy_vma(): make a copy of vma's [vma.start+?, ...) range at [addr, addr+len) with pgoff:
     * merge it into a neighbour at the destination if possible (new-range merge with every
     * attribute of the source, 6.18.y vma_merge_copied_range), else insert a duplicate.
     *
     * <p>If the source is anonymous and has no anon_vma, the pgoff becomes addr's page number, so
     * that unfaulted memory can merge where it lands.
     *
     * @return the VMA now holding the copy and the source (replaced when the source itself was
     *         merged into the new VMA, copy_vma's {@code *vmap}), or ENOMEM
     */
    public CopiedVma copyVma(Vma vma, long addr, long len, long pgoff) {
        Memory.materialize(mm, vma);
        boolean pgoffAssumed = false;
        boolean faultedInAnonVma = true;
        if (vma.isAnonymous() && vma.anonVma == null) {
            // If anonymous vma has not yet been faulted, update new pgoff to match new location,
            // to increase its chance of merging.
            pgoff = addr >>> Mm.PAGE_SHIFT;
            faultedInAnonVma = false;
            pgoffAssumed = Memory.uncertain(mm, vma);
        } else if (vma.isAnonymous() && Memory.uncertain(mm, vma)) {
            pgoffAssumed = true;
        }
        Vma prev = mm.tree.prevOf(addr);
        Vma next = mm.tree.findVma(addr);
        // the kernel returns NULL here, "should never get here": mremap unmapped the destination
        assert next == null || !ult(next.start, addr + len) : "copy_vma() onto a mapped range: " + next;
        VmaMergeState g = VmaMergeState.forExistingVma(prev, vma, addr, addr + len);
        g.pgoff = pgoff;
        g.next = next;
        g.pgoffAssumed = pgoffAssumed;
        // vma_merge_copied_range(): copied_from = middle, middle = NULL
        assert g.middle != null : "VM_WARN_ON_VMG(!vmg->middle): we must have a copied-from VMA";
        g.copiedFrom = vma;
        g.middle = null;
        Vma newVma = (prev != null || next != null) ? vmaMergeNewRange(g) : null;
        if (newVma != null) {
            // Source vma may have been merged into new_vma
            if (Long.compareUnsigned(newVma.start, vma.start) <= 0 && Long.compareUnsigned(newVma.end, vma.start) > 0) {
                // The only way we can get a vma_merge with self during an mremap is if the vma
                // hasn't been faulted in yet and we were allowed to reset the dst vma->vm_pgoff
                // to the destination address of the mremap to allow the merge to happen.
                assert !faultedInAnonVma : "VM_BUG_ON_VMA(faulted_in_anon_vma, new_vma): " + newVma;
                return new CopiedVma(newVma, newVma, 0);
            }
            return new CopiedVma(newVma, vma, 0);
        }
        if (g.nomem() || mm.preallocFails()) {
            return new CopiedVma(null, vma, Errno.ENOMEM);
        }
        newVma = vma.dup();
        newVma.start = addr;
        newVma.end = addr + len;
        newVma.pgoff = pgoff;
        mm.link(newVma);
        mm.emit(Kind.NEW_NONE, null, addr, addr + len, 0, g, newVma);
        return new CopiedVma(newVma, vma, 0);
    }

    /**
     * What copy_vma() returns: the VMA holding the copy (null with ENOMEM) and its
     * {@code *vmap}: the source, or the new VMA when the source was merged into it.
     */
    public record CopiedVma(Vma vma, Vma source, int error) { }
}
