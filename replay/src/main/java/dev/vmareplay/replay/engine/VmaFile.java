package dev.vmareplay.replay.engine;

/**
 * The identity of one open file description ({@code struct file}) as far as merging is concerned.
 * Two mappings can merge only when they map the same {@code struct file}: same {@link #id},
 * not merely the same inode (two open() calls give two ids; dup() shares one).
 *
 * @param id           identity of the open file description; equal ids mean the same
 *                     {@code struct file}
 * @param path         what /proc/PID/maps prints as the path (may end in " (deleted)")
 * @param dev          the maps device column ("fd:01"), or "00:00" when unknown
 * @param inode        the inode number, 0 when unknown
 * @param readable     opened with read access (FMODE_READ)
 * @param writable     opened with write access (FMODE_WRITE); a MAP_SHARED mapping of a file not
 *                     open for writing loses VM_SHARED and VM_MAYWRITE
 * @param hasCloseHook the file's vm_ops has a {@code ->close} (drivers); regular files and shmem
 *                     have none
 * @param shmem        backed by shmem (memfd, /dev/shm, the per-call file of MAP_SHARED|MAP_ANONYMOUS):
 *                     such anonymous shmem may be named with PR_SET_VMA_ANON_NAME
 * @param anonShmem    the file created by shmem_zero_setup for one MAP_SHARED|MAP_ANONYMOUS call
 */
public record VmaFile(long id, String path, String dev, long inode, boolean readable, boolean writable,
                      boolean hasCloseHook, boolean shmem, boolean anonShmem) {

    /** A regular file opened read-write, no close hook. */
    public static VmaFile regular(long id, String path) {
        return new VmaFile(id, path, "00:00", 0, true, true, false, false, false);
    }

    /** A regular file opened read-only, no close hook. */
    public static VmaFile readOnly(long id, String path) {
        return new VmaFile(id, path, "00:00", 0, true, false, false, false, false);
    }

    /** This description with another close-hook behaviour (for driver-like files in tests). */
    public VmaFile withCloseHook(boolean close) {
        return new VmaFile(id, path, dev, inode, readable, writable, close, shmem, anonShmem);
    }

    /** Same {@code struct file}: the merge test of is_mergeable_vma (pointer identity). */
    public static boolean same(VmaFile a, VmaFile b) {
        return a == b || (a != null && b != null && a.id == b.id);
    }
}
