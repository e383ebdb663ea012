/**
 * What a lockless /proc/PID/maps reader (6.17+) may show while a merge, split, munmap or mremap
 * runs: the writer's steps per case ({@link dev.vmareplay.replay.readers.WriterCases}), the
 * reader as a state machine ({@link dev.vmareplay.replay.readers.Reader}) and an exhaustive
 * exploration of their interleavings ({@link dev.vmareplay.replay.readers.Exploration}), checked
 * against the per-case claims of the seed thread ../shared/seeds/003_472f92fddc2b25e6.txt.
 *
 * <p>Sources read: mm/vma.c (commit_merge, vma_expand, vma_merge_existing_range,
 * vma_merge_new_range, __split_vma, vma_complete, vma_shrink, vms_gather_munmap_vmas,
 * do_vmi_align_munmap, vms_complete_munmap_vmas, copy_vma, vma_link, __mmap_new_vma) in
 * torvalds/linux at eeccf287a2a5 (7.0-era; these paths are unchanged from 6.18); mm/mmap_lock.c
 * (vma_start_read, __vma_start_write, vma_mark_detached, lock_next_vma,
 * lock_next_vma_under_mmap_lock) and fs/proc/task_mmu.c (lock_vma_range, get_next_vma,
 * proc_get_vma, m_start) as merged for 6.17 ("fs/proc/task_mmu: read proc/pid/maps under
 * per-vma lock", v8); lib/maple_tree.c mas_next_slot (a copy of it: on a dead node it re-walks
 * to the previous entry's last index, {@code save_point = mas->last}).
 *
 * <p>Where the seed and the source differ:
 * <ul>
 * <li>The seed lists the range and tree updates; the source also write-locks every VMA it will
 *     touch before touching any (vma_merge_existing_range, vma_expand, __split_vma). The seed
 *     says so once ("we hold exclusive mmap, vma + rmap write locks"); the steps here carry the
 *     vma_start_write() calls, because they are what sends a reader to the mmap_lock.</li>
 * <li>munmap (not in the seed) detaches the VMA before its range leaves the tree
 *     (vms_gather_munmap_vmas, then vma_iter_clear_gfp) and munmap() downgrades the mmap_lock
 *     before freeing, so a reader can meet a detached VMA that is no longer write-locked: the
 *     -EAGAIN retry of lock_next_vma().</li>
 * <li>The seed's "retry should handle this" assumes the gap re-check always runs. In
 *     lock_next_vma() it runs only when the mmap_lock was write-held at the lookup or changed
 *     since; the iterator, though, carries the position of the previous call, and a writer
 *     that runs whole between get_next_vma()'s unlock_vma() and the next lookup goes unseen.</li>
 * </ul>
 *
 * <p>What the model leaves out: the refcount overflow paths (-EAGAIN from the fallback), the
 * reuse of a freed VMA by another mm (SLAB_TYPESAFE_BY_RCU; a freed VMA here reads as
 * detached), and which maple-tree stores replace a node and which write in place: the check
 * runs under both ({@link dev.vmareplay.replay.readers.Reader.Iteration}).
 */
package dev.vmareplay.replay.readers;
