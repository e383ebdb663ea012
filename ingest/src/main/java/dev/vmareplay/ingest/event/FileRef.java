package dev.vmareplay.ingest.event;

/**
 * The open file description an mmap maps, as the kernel's {@code struct file}: two opens
 * of one path are two different files; an fd and its dup are the same one.
 *
 * @param id    identity of the open file description, unique within one ingest run
 *              (allocated by the fd table); never reused for another description
 * @param path  the path when the trace shows it (strace -y, openat's argument), else null
 * @param fromPathOnly true when the fd table never saw the open and the identity was
 *              derived from the {@code -y} path alone (then one path = one file)
 * @param readOnly true when the trace showed the open and its access mode was O_RDONLY (the
 *              file has no FMODE_WRITE: a MAP_SHARED mapping of it gets neither VM_SHARED nor
 *              VM_MAYWRITE); false when it was opened for writing or the open is not known
 */
public record FileRef(long id, String path, boolean fromPathOnly, boolean readOnly) {

    public FileRef(long id, String path, boolean fromPathOnly) {
        this(id, path, fromPathOnly, false);
    }
}
