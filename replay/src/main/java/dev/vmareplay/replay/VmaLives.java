package dev.vmareplay.replay;

import dev.vmareplay.replay.engine.Vma;
import dev.vmareplay.replay.engine.VmaEvent;
import dev.vmareplay.replay.outcome.OutcomeBatch;
import dev.vmareplay.replay.outcome.VmaLife;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows every VMA of one address space from the event that created it, through the splits
 * it underwent and the merges it absorbed, to the event that removed it, so that "where did
 * these 40 000 VMAs come from" is one query. Holds one record per live VMA: memory follows
 * the address space, not the trace.
 *
 * <p>The engine reports a VMA entering the tree just before the event that explains it (the
 * new piece of a SPLIT, the VMA of a NEW_NONE), and a VMA leaving it just before the merge or
 * REMOVE that deleted it; this class pairs them.
 */
final class VmaLives {

    private static final class Open {
        final long vmaId, start, end, createdSeq, parentVma;
        final String createdBy;
        int splits, merges;

        Open(long vmaId, long start, long end, long createdSeq, String createdBy, long parentVma) {
            this.vmaId = vmaId;
            this.start = start;
            this.end = end;
            this.createdSeq = createdSeq;
            this.createdBy = createdBy;
            this.parentVma = parentVma;
        }
    }

    private final long mmId;
    private final OutcomeBatch.Builder out;
    private final Map<Long, Open> live = new HashMap<>();
    private final List<Vma> linked = new ArrayList<>();
    private final List<Vma> unlinked = new ArrayList<>();

    VmaLives(long mmId, OutcomeBatch.Builder out) {
        this.mmId = mmId;
        this.out = out;
    }

    void linked(Vma v) {
        linked.add(v);
    }

    void unlinked(Vma v) {
        unlinked.add(v);
    }

    /** A VMA that exists without an event of its own: seeded, or copied by fork. */
    void born(Vma v, long seq, String how) {
        live.put(v.id(), new Open(v.id(), v.start(), v.end(), seq, how, 0));
    }

    /** Pairs the pending links/unlinks with the engine event that explains them. */
    void event(VmaEvent e, long seq, String syscall) {
        switch (e.kind()) {
            case SPLIT -> {
                Open parent = live.get(e.vma());
                if (parent != null) parent.splits++;
                for (Vma v : linked) live.put(v.id(), new Open(v.id(), v.start(), v.end(), seq, "split", e.vma()));
                linked.clear();
            }
            case NEW_NONE -> {
                for (Vma v : linked) live.put(v.id(), new Open(v.id(), v.start(), v.end(), seq, syscall, 0));
                linked.clear();
            }
            case REMOVE -> {
                for (Vma v : unlinked) end(v.id(), seq, syscall, 0);
                unlinked.clear();
            }
            case NEW_LEFT, NEW_RIGHT, NEW_BOTH, EXISTING_LEFT_FULL, EXISTING_LEFT_PARTIAL, EXISTING_RIGHT_FULL,
                 EXISTING_RIGHT_PARTIAL, EXISTING_BOTH -> {
                Open target = live.get(e.vma());
                if (target != null) target.merges++;
                for (Vma v : unlinked) end(v.id(), seq, "merge", e.vma());
                unlinked.clear();
            }
            default -> { }
        }
    }

    /** After each trace event: links and unlinks no engine event explained (reconciliation). */
    void settle(long seq, String syscall) {
        for (Vma v : linked) live.put(v.id(), new Open(v.id(), v.start(), v.end(), seq, "reconciled:" + syscall, 0));
        for (Vma v : unlinked) end(v.id(), seq, syscall, 0);
        linked.clear();
        unlinked.clear();
    }

    /** Links made while seeding the address space from a snapshot. */
    void seeded() {
        for (Vma v : linked) born(v, -1, "seed");
        linked.clear();
    }

    /**
     * The address space ends (how = exit or execve), or the trace ends with it still mapped
     * (how = null: its VMAs are reported as alive, removed at no event).
     */
    void close(long seq, String how) {
        settle(seq, how == null ? "end" : how);
        List<Long> ids = new ArrayList<>(live.keySet());
        ids.sort(null);
        for (long id : ids) end(id, how == null ? -1 : seq, how, 0);
    }

    private void end(long vmaId, long seq, String how, long into) {
        Open o = live.remove(vmaId);
        if (o == null) return;
        out.life(new VmaLife(mmId, o.vmaId, o.start, o.end, o.createdSeq, o.createdBy, o.parentVma,
                o.splits, o.merges, seq, how, into));
    }
}
