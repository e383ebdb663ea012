package dev.vmareplay.replay.readers;

import java.util.Locale;

/**
 * The writer cases whose steps the model knows, each tied to the merge_events kind the replay
 * stores for it ({@link #kind()}; null when the replay does not count it as one event).
 */
public enum ReaderCase {
    EXISTING_BOTH("existing_both", "Merge with change to EXISTING VMA: merge both"),
    EXISTING_LEFT_FULL("existing_left_full", "Merge with change to EXISTING VMA: merge left full"),
    EXISTING_LEFT_PARTIAL("existing_left_partial", "Merge with change to EXISTING VMA: merge left partial"),
    EXISTING_RIGHT_FULL("existing_right_full", "Merge with change to EXISTING VMA: merge right full"),
    EXISTING_RIGHT_PARTIAL("existing_right_partial", "Merge with change to EXISTING VMA: merge right partial"),
    NEW_BOTH("new_both", "Merge due to introduction of proposed NEW VMA: merge both"),
    NEW_LEFT("new_left", "Merge due to introduction of proposed NEW VMA: merge left"),
    NEW_RIGHT("new_right", "Merge due to introduction of proposed NEW VMA: merge right"),
    NEW_NONE("new_none", "New VMA, no merge (__mmap_new_vma)"),
    EXPAND_BRK("expand", "Expand only: brk() growing the heap (vma_merge_new_range, just_expand)"),
    EXPAND_STACK(null, "Expand then shrink: stack relocation at exec (relocate_vma_down)"),
    SPLIT_NEW_BELOW("split", "Split VMA, new below"),
    SPLIT_NEW_ABOVE("split", "Split VMA, new above"),
    SHRINK("shrink", "Shrink (vma_shrink)"),
    MUNMAP("remove", "munmap() of a whole VMA (do_vmi_align_munmap)"),
    MREMAP_MOVE_DOWN("mremap_move", "mremap() move to a lower address (move_vma)"),
    MREMAP_MOVE_UP("mremap_move", "mremap() move to a higher address (move_vma)");

    private final String kind;
    private final String title;

    ReaderCase(String kind, String title) {
        this.kind = kind;
        this.title = title;
    }

    /** The merge_events kind (or "mremap_move") this case's operations are counted under. */
    public String kind() {
        return kind;
    }

    public String title() {
        return title;
    }

    /** Snake case, as the CLI and the database spell it: {@code split_new_below}. */
    public String storageName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
