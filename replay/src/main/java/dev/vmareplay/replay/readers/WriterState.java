package dev.vmareplay.replay.readers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One immutable snapshot of the affected range as a lockless reader can see it: the maple
 * tree, each VMA's fields, which VMAs are write-locked, detached or freed, and the mmap lock.
 *
 * @param tree            the maple tree (what an RCU walk finds)
 * @param fields          vm_start/vm_end of every VMA the writer knows (attached or not)
 * @param writeLocked     VMAs with vm_lock_seq == mm_lock_seq (vma_start_write() until vma_end_write_all())
 * @param detached        VMAs with vm_refcnt == 0 (never attached yet, or vma_mark_detached())
 * @param freed           VMAs handed back to the cache (vm_area_free())
 * @param mmap            the writer's hold on the mmap lock
 * @param mmapSeq         mm_lock_seq: bumped at write lock and at unlock/downgrade (what
 *                        mmap_lock_speculate_try_begin()/_retry() compare)
 * @param unlockedUpdates VMAs whose range changed while not write-locked (a writer bug)
 */
public record WriterState(MapleTree tree, Map<String, Area> fields, Set<String> writeLocked, Set<String> detached,
                          Set<String> freed, Mmap mmap, int mmapSeq, Set<String> unlockedUpdates) {

    /** The writer's hold on mmap_lock. */
    public enum Mmap { UNLOCKED, WRITE, READ, DONE }

    public WriterState {
        fields = Map.copyOf(fields);
        writeLocked = Set.copyOf(writeLocked);
        detached = Set.copyOf(detached);
        freed = Set.copyOf(freed);
        unlockedUpdates = Set.copyOf(unlockedUpdates);
    }

    /** The state before the writer starts: every VMA attached at its tree range. */
    public static WriterState initial(List<Area> layout) {
        Map<String, Area> f = new LinkedHashMap<>();
        for (Area a : layout) {
            f.put(a.name(), a);
        }
        return new WriterState(new MapleTree(layout), f, Set.of(), Set.of(), Set.of(), Mmap.UNLOCKED, 0, Set.of());
    }

    /** Whether a reader that holds {@code readLocked} (or null) lets this step run now. */
    public boolean enabled(WriterStep step, String readLocked) {
        // __vma_enter_locked() waits until the readers of the VMA are gone; vma_mark_detached()
        // waits likewise for readers that raised the refcount
        if (step instanceof WriterStep.VmaStartWrite w) {
            return !w.vma().equals(readLocked);
        }
        if (step instanceof WriterStep.Detach d) {
            return !d.vma().equals(readLocked);
        }
        return true;
    }

    /** The state after {@code step}. */
    public WriterState apply(WriterStep step) {
        MapleTree t = tree;
        Map<String, Area> f = new LinkedHashMap<>(fields);
        Set<String> wl = new LinkedHashSet<>(writeLocked);
        Set<String> det = new LinkedHashSet<>(detached);
        Set<String> fr = new LinkedHashSet<>(freed);
        Set<String> unl = new LinkedHashSet<>(unlockedUpdates);
        Mmap m = mmap;
        int seq = mmapSeq;
        if (step instanceof WriterStep.MmapWriteLock) {
            m = Mmap.WRITE;
            seq++;
        } else if (step instanceof WriterStep.VmaStartWrite w) {
            wl.add(w.vma());
        } else if (step instanceof WriterStep.SetRange r) {
            if (!wl.contains(r.vma()) && !det.contains(r.vma())) {
                unl.add(r.vma());
            }
            f.put(r.vma(), new Area(r.vma(), r.start(), r.end()));
        } else if (step instanceof WriterStep.TreeStore st) {
            t = t.store(st.start(), st.end(), st.vma());
            if (st.vma() != null) {
                det.remove(st.vma()); // vma_iter_store_new() attaches a new VMA
            }
        } else if (step instanceof WriterStep.Detach d) {
            det.add(d.vma());
        } else if (step instanceof WriterStep.Free x) {
            fr.add(x.vma());
        } else if (step instanceof WriterStep.Alloc al) {
            f.put(al.vma(), new Area(al.vma(), al.start(), al.end()));
            det.add(al.vma());
        } else if (step instanceof WriterStep.MmapWriteDowngrade) {
            wl.clear();
            m = Mmap.READ;
            seq++;
        } else if (step instanceof WriterStep.MmapUnlock) {
            if (m == Mmap.WRITE) {
                seq++;
            }
            wl.clear();
            m = Mmap.DONE;
        }
        return new WriterState(t, f, wl, det, fr, m, seq, unl);
    }

    /** The layout /proc/PID/maps shows of this state when nothing races: tree entries with their VMA's fields. */
    public List<Area> layout() {
        List<Area> out = new ArrayList<>();
        for (Area e : tree.entries()) {
            Area last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.name().equals(e.name())) {
                continue;
            }
            out.add(fields.get(e.name()));
        }
        return out;
    }

    /** Whether every attached VMA's fields equal its tree range (true before and after a correct writer). */
    public boolean consistent() {
        for (Area e : tree.entries()) {
            if (!e.equals(fields.get(e.name()))) {
                return false;
            }
        }
        return true;
    }
}
