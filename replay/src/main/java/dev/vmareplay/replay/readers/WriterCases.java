package dev.vmareplay.replay.readers;

import dev.vmareplay.replay.readers.Observable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The writer's steps of every case, as mm/vma.c of 6.18 takes them (read in torvalds/linux,
 * the 7.0-era text docs/kernel-vma.md names, whose merge/split/munmap paths match 6.18): the caller holds
 * mmap_lock for writing; vma_merge_existing_range() and vma_expand() write-lock every VMA they
 * will touch before touching any; commit_merge() sets the ranges, then makes one maple-tree
 * store; vma_complete() detaches and frees what the merge removed. Pages: prev [0,2),
 * middle [2,4), next [4,6) unless a case says otherwise; a VMA "tail" lies after a real gap,
 * as every address space has one (the stack, [vdso]).
 */
public final class WriterCases {
    private WriterCases() { }

    private static final Area TAIL = new Area("tail", 8, 9);

    /** Every case, in the order of the seed thread, then the ones it does not cover. */
    public static List<WriterCase> all() {
        List<WriterCase> out = new ArrayList<>();
        for (ReaderCase c : ReaderCase.values()) {
            out.add(of(c));
        }
        return out;
    }

    /** The case {@code c}. */
    public static WriterCase of(ReaderCase c) {
        return switch (c) {
            case EXISTING_BOTH -> existing(c, """
                                  start    end
                                     |<-->|
                                   |--****--|
                                   pp mm nn
                                prev middle next
                               extend delete delete
                            """,
                    List.of(a("prev", 0, 2), a("middle", 2, 4), a("next", 4, 6), TAIL),
                    steps()
                            .startWrite("middle").startWrite("next").startWrite("prev")
                            .set("prev", 0, 6, "commit_merge: vma_set_range(prev)")
                            .store(0, 6, "prev", "commit_merge: vma_iter_store_overwrite")
                            .detach("middle").free("middle").detach("next").free("next").unlock(),
                    claim("prev might be seen twice but no gaps should be observed", Observable.DUPLICATE));
            case EXISTING_LEFT_FULL -> existing(c, """
                                  start  end
                                     |<-->|
                                   |--****
                                   pp mm
                                prev middle
                               extend delete
                            """,
                    List.of(a("prev", 0, 2), a("middle", 2, 4), TAIL),
                    steps().startWrite("middle").startWrite("prev")
                            .set("prev", 0, 4, "commit_merge: vma_set_range(prev)")
                            .store(0, 4, "prev", "commit_merge: vma_iter_store_overwrite")
                            .detach("middle").free("middle").unlock(),
                    claim("Worst case we report prev twice - once before the merge, once after the merge",
                            Observable.DUPLICATE));
            case EXISTING_LEFT_PARTIAL -> existing(c, """
                                  start end
                                     |<>|
                                   |--*mm
                                   pp middle
                                prev   partial
                               extend  overwrite
                            """,
                    List.of(a("prev", 0, 2), a("middle", 2, 4), TAIL),
                    steps().startWrite("middle").startWrite("prev")
                            .set("prev", 0, 3, "commit_merge: vma_set_range(prev)")
                            .set("middle", 3, 4, "commit_merge: vmg_adjust_set_range(middle)")
                            .store(0, 3, "prev", "commit_merge: vma_iter_store_overwrite")
                            .unlock(),
                    claim("We might report prev twice here and this might cause us to retry if we see a"
                                    + " temporary gap between old prev and new middle vma. But retry should handle this",
                            Observable.DUPLICATE, Observable.RETRY, Observable.TRANSIENT_GAP));
            case EXISTING_RIGHT_FULL -> existing(c, """
                                 start end
                                     |<>|
                                     ****--|
                                     mm nn
                                  middle next
                                  delete extend
                            """,
                    List.of(a("middle", 2, 4), a("next", 4, 6), TAIL),
                    steps().startWrite("middle").startWrite("next")
                            .set("next", 2, 6, "commit_merge: vma_set_range(next)")
                            .store(2, 6, "next", "commit_merge: vma_iter_store_overwrite")
                            .detach("middle").free("middle").unlock(),
                    claim("Worst case we report middle twice", Observable.DUPLICATE));
            case EXISTING_RIGHT_PARTIAL -> existing(c, """
                                  start end
                                      |<>|
                                   mm*--|
                                  middle next
                                  shrink extend
                            """,
                    List.of(a("middle", 2, 4), a("next", 4, 6), TAIL),
                    steps().startWrite("middle").startWrite("next")
                            .set("middle", 2, 3, "commit_merge: vma_set_range(middle)")
                            .set("next", 3, 6, "commit_merge: vmg_adjust_set_range(next)")
                            .store(3, 6, "next", "commit_merge: vma_iter_store_overwrite")
                            .unlock(),
                    claim("Worse case we retry and report middle twice", Observable.RETRY, Observable.DUPLICATE));
            case NEW_BOTH -> existing(c, """
                                 start  end
                                     |<>|
                                   |--..--|
                                   pp    nn
                                 prev (proposed) next
                                extend          delete
                            """,
                    List.of(a("prev", 0, 2), a("next", 4, 6), TAIL),
                    steps().startWrite("prev", "vma_expand").startWrite("next", "vma_expand (remove_next)")
                            .set("prev", 0, 6, "commit_merge: vma_set_range(prev)")
                            .store(0, 6, "prev", "commit_merge: vma_iter_store_overwrite")
                            .detach("next").free("next").unlock(),
                    claim("Worst case we report prev twice after retry", Observable.DUPLICATE, Observable.RETRY));
            case NEW_LEFT -> existing(c, """
                                 start  end
                                     |<>|
                                   |--..
                                   pp
                                 prev (proposed)
                                extend
                            """,
                    List.of(a("prev", 0, 2), TAIL),
                    steps().startWrite("prev", "vma_expand")
                            .set("prev", 0, 4, "commit_merge: vma_set_range(prev)")
                            .store(0, 4, "prev", "commit_merge: vma_iter_store_overwrite")
                            .unlock(),
                    claim("Worst case we report prev twice", Observable.DUPLICATE));
            case NEW_RIGHT -> existing(c, """
                                 start  end
                                     |<>|
                                       ..--|
                                         nn
                                 (proposed) next
                                           extend
                            """,
                    List.of(a("next", 4, 6), TAIL),
                    steps().startWrite("next", "vma_expand")
                            .set("next", 2, 6, "commit_merge: vma_set_range(next)")
                            .store(2, 6, "next", "commit_merge: vma_iter_store_overwrite")
                            .unlock(),
                    claim("This will show either a legit gap + original next or the extended next with no gap."
                            + " Both ways we are fine"));
            case NEW_NONE -> existing(c, """
                                 start  end
                                     |<>|
                                   |--..
                                   pp new
                            """,
                    List.of(a("prev", 0, 2), TAIL),
                    steps().alloc("new", 3, 5, "__mmap_new_vma: vm_area_alloc, vma_set_range")
                            .startWrite("new", "__mmap_new_vma")
                            .store(3, 5, "new", "__mmap_new_vma: vma_iter_store_new").unlock(),
                    null);
            case EXPAND_BRK -> existing(c, """
                                 brk  new brk
                                   |<>|
                                 |--.
                                 heap
                                extend
                            """,
                    List.of(a("heap", 0, 2), TAIL),
                    steps().startWrite("heap", "vma_expand")
                            .set("heap", 0, 3, "commit_merge: vma_set_range(heap)")
                            .store(0, 3, "heap", "commit_merge: vma_iter_store_overwrite")
                            .unlock(),
                    claim("(merge left, which brk() and stack relocation use) Worst case we report prev twice",
                            Observable.DUPLICATE));
            case EXPAND_STACK -> existing(c, """
                              new_start    old_start
                                 |<-------->|
                                 ......stack|
                                 extend down, then shrink the top
                            """,
                    List.of(a("head", 0, 1), a("stack", 4, 6), TAIL),
                    steps().startWrite("stack", "relocate_vma_down: vma_expand")
                            .set("stack", 1, 6, "commit_merge: vma_set_range(stack)")
                            .store(1, 6, "stack", "commit_merge: vma_iter_store_overwrite")
                            .store(3, 6, null, "vma_shrink: vma_iter_clear")
                            .set("stack", 1, 3, "vma_shrink: vma_set_range(stack)")
                            .unlock(),
                    claim("(merge left, which brk() and stack relocation use) Worst case we report prev twice",
                            Observable.DUPLICATE));
            case SPLIT_NEW_BELOW -> existing(c, """
                                     addr
                                 |-----.-----|
                                 | new .     |
                                 |-----.-----|
                                      vma
                            """,
                    List.of(a("vma", 0, 4), TAIL),
                    steps().alloc("new", 0, 2, "__split_vma: vm_area_dup, new->vm_end = addr")
                            .startWrite("vma", "__split_vma").startWrite("new", "__split_vma")
                            .set("vma", 2, 4, "__split_vma: vma->vm_start = addr")
                            .store(0, 2, "new", "vma_complete: vma_iter_store_new(new)").unlock(),
                    claim("We will either report before-split view or after-split view"));
            case SPLIT_NEW_ABOVE -> existing(c, """
                                     addr
                                 |-----.-----|
                                 |     . new |
                                 |-----.-----|
                                      vma
                            """,
                    List.of(a("vma", 0, 4), TAIL),
                    steps().alloc("new", 2, 4, "__split_vma: vm_area_dup, new->vm_start = addr")
                            .startWrite("vma", "__split_vma").startWrite("new", "__split_vma")
                            .set("vma", 0, 2, "__split_vma: vma->vm_end = addr")
                            .store(2, 4, "new", "vma_complete: vma_iter_store_new(new)").unlock(),
                    claim("We will either report before-split view or after-split view"));
            case SHRINK -> existing(c, """
                                       end  old end
                                   |----|...|
                                    vma  cleared
                            """,
                    List.of(a("vma", 0, 4), TAIL),
                    steps().startWrite("vma", "vma_shrink")
                            .store(2, 4, null, "vma_shrink: vma_iter_clear")
                            .set("vma", 0, 2, "vma_shrink: vma_set_range(vma)").unlock(),
                    null);
            case MUNMAP -> existing(c, """
                                  start end
                                     |<>|
                                   |--xx--|
                                  prev middle next
                                      unmap
                            """,
                    List.of(a("prev", 0, 2), a("middle", 2, 4), a("next", 4, 6), TAIL),
                    steps().startWrite("middle", "vms_gather_munmap_vmas")
                            .detach("middle", "vms_gather_munmap_vmas: vma_mark_detached")
                            .store(2, 4, null, "do_vmi_align_munmap: vma_iter_clear_gfp")
                            .downgrade()
                            .free("middle", "vms_complete_munmap_vmas: remove_vma")
                            .unlock("vms_complete_munmap_vmas: mmap_read_unlock"),
                    null);
            case MREMAP_MOVE_DOWN -> moved(c, """
                                  new_addr      old_addr
                                     |<>|          |<>|
                                 h   ....   m      vv     t
                                     new  <------  vma
                            """,
                    List.of(a("head", 0, 1), a("mid", 5, 6), a("vma", 7, 9), a("tail", 11, 12)), 2);
            case MREMAP_MOVE_UP -> moved(c, """
                                  old_addr      new_addr
                                     |<>|          |<>|
                                 h   vv     m      ....   t
                                     vma  ------>  new
                            """,
                    List.of(a("head", 0, 1), a("vma", 2, 4), a("mid", 5, 6), a("tail", 11, 12)), 7);
        };
    }

    private static WriterCase moved(ReaderCase c, String diagram, List<Area> before, int newAddr) {
        Area src = before.stream().filter(x -> x.name().equals("vma")).findFirst().orElseThrow();
        List<WriterStep> s = steps()
                .alloc("new", newAddr, newAddr + (src.end() - src.start()), "copy_vma: vm_area_dup, vma_set_range")
                .startWrite("new", "copy_vma: vma_link")
                .store(newAddr, newAddr + (src.end() - src.start()), "new", "vma_link: vma_iter_store_new")
                .startWrite("vma", "do_vmi_munmap: vms_gather_munmap_vmas")
                .detach("vma", "vms_gather_munmap_vmas: vma_mark_detached")
                .store(src.start(), src.end(), null, "do_vmi_align_munmap: vma_iter_clear_gfp")
                .free("vma", "vms_complete_munmap_vmas: remove_vma")
                .unlock("mremap: mmap_write_unlock").list;
        return new WriterCase(c, diagram, before, s, null, Map.of("new", "vma"));
    }

    private static WriterCase existing(ReaderCase c, String diagram, List<Area> before, Steps steps, SeedClaim claim) {
        return new WriterCase(c, diagram, before, steps.list, claim, Map.of());
    }

    private static Area a(String name, int start, int end) {
        return new Area(name, start, end);
    }

    private static SeedClaim claim(String words, Observable... mayShow) {
        EnumSet<Observable> s = EnumSet.noneOf(Observable.class);
        s.addAll(List.of(mayShow));
        return new SeedClaim(s, words);
    }

    private static Steps steps() {
        Steps s = new Steps();
        s.list.add(new WriterStep.MmapWriteLock("the syscall: mmap_write_lock_killable"));
        return s;
    }

    /** A step list in the order it is written, beginning with the syscall's mmap_write_lock. */
    static final class Steps {
        final List<WriterStep> list = new ArrayList<>();

        Steps startWrite(String vma) {
            return startWrite(vma, "vma_merge_existing_range");
        }

        Steps startWrite(String vma, String src) {
            list.add(new WriterStep.VmaStartWrite(vma, src));
            return this;
        }

        Steps set(String vma, int start, int end, String src) {
            list.add(new WriterStep.SetRange(vma, start, end, src));
            return this;
        }

        Steps store(int start, int end, String vma, String src) {
            list.add(new WriterStep.TreeStore(start, end, vma, src));
            return this;
        }

        Steps detach(String vma) {
            return detach(vma, "vma_complete: vma_mark_detached");
        }

        Steps detach(String vma, String src) {
            list.add(new WriterStep.Detach(vma, src));
            return this;
        }

        Steps free(String vma) {
            return free(vma, "vma_complete: vm_area_free");
        }

        Steps free(String vma, String src) {
            list.add(new WriterStep.Free(vma, src));
            return this;
        }

        Steps alloc(String vma, int start, int end, String src) {
            list.add(new WriterStep.Alloc(vma, start, end, src));
            return this;
        }

        Steps downgrade() {
            list.add(new WriterStep.MmapWriteDowngrade("vms_complete_munmap_vmas: mmap_write_downgrade"));
            return this;
        }

        Steps unlock() {
            return unlock("the syscall: mmap_write_unlock");
        }

        Steps unlock(String src) {
            list.add(new WriterStep.MmapUnlock(src));
            return this;
        }
    }
}
