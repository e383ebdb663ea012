package dev.vmareplay.replay.readers;

/**
 * One step of a writer (an mmap-family syscall modifying the address space) that a lockless
 * /proc/PID/maps reader can tell apart from the steps around it. Each names the kernel
 * function that takes it, so a step list reads side by side with mm/vma.c.
 */
public sealed interface WriterStep {

    /** The kernel function this step happens in (mm/vma.c unless said otherwise). */
    String source();

    /** The step as the seed thread words its steps. */
    String describe();

    /** mmap_write_lock(): the syscall enters; mm_lock_seq becomes odd, so lockless speculation fails. */
    record MmapWriteLock(String source) implements WriterStep {
        public String describe() {
            return "mmap_write_lock";
        }
    }

    /** vma_start_write(): readers can no longer read-lock the VMA; waits for readers that hold it. */
    record VmaStartWrite(String vma, String source) implements WriterStep {
        public String describe() {
            return "vma_start_write(" + vma + ")";
        }
    }

    /**
     * A VMA's vm_start/vm_end change (vma_set_range()). Taken without the VMA's write lock
     * (a reordered writer of the tests), it is visible to a reader that holds the VMA
     * read-locked; {@link WriterState#unlockedUpdates()} records it.
     */
    record SetRange(String vma, int start, int end, String source) implements WriterStep {
        public String describe() {
            return "set " + vma + " range [" + start + "," + end + ")";
        }
    }

    /** A maple-tree store of {@code vma} over [start, end); null clears the range. */
    record TreeStore(int start, int end, String vma, String source) implements WriterStep {
        public String describe() {
            return vma == null
                    ? "clear [" + start + "," + end + ") in the maple tree"
                    : "store " + vma + " over [" + start + "," + end + ") in the maple tree";
        }
    }

    /** vma_mark_detached(): the VMA's refcount drops to 0; a reader's vma_start_read() then fails with -EAGAIN. */
    record Detach(String vma, String source) implements WriterStep {
        public String describe() {
            return "detach " + vma;
        }
    }

    /** vm_area_free(): the struct goes back to the SLAB_TYPESAFE_BY_RCU cache. */
    record Free(String vma, String source) implements WriterStep {
        public String describe() {
            return "free " + vma;
        }
    }

    /** vm_area_dup()/vm_area_alloc() and its range: a VMA no reader can reach yet. */
    record Alloc(String vma, int start, int end, String source) implements WriterStep {
        public String describe() {
            return "allocate " + vma + " [" + start + "," + end + ")";
        }
    }

    /** mmap_write_downgrade(): vma_end_write_all(), then the mmap lock is held for reading. */
    record MmapWriteDowngrade(String source) implements WriterStep {
        public String describe() {
            return "mmap_write_downgrade (all VMA write locks dropped)";
        }
    }

    /** mmap_write_unlock()/mmap_read_unlock(): vma_end_write_all(); the syscall is done. */
    record MmapUnlock(String source) implements WriterStep {
        public String describe() {
            return "mmap unlock (all VMA write locks dropped)";
        }
    }
}
