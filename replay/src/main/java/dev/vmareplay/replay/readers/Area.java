package dev.vmareplay.replay.readers;

/**
 * One VMA of the model, or one maple-tree entry: a name (prev, middle, next, vma, new, ...)
 * and a half-open range in pages, one page per character of the diagrams.
 *
 * @param name  the VMA's identity (a {@code struct vm_area_struct *} in the kernel)
 * @param start first page
 * @param end   first page after the VMA
 */
public record Area(String name, int start, int end) {

    public Area {
        assert start < end : name + " [" + start + "," + end + ")";
    }

    boolean contains(int page) {
        return start <= page && page < end;
    }

    @Override
    public String toString() {
        return name + "[" + start + "," + end + ")";
    }
}
