package dev.vmareplay.replay.outcome;

/**
 * A VMA as users see it, in {@code /proc/PID/maps} (and smaps) terms: the one form a VMA
 * takes from the engine to the database ({@code final_vmas}, {@code peak_vmas}) and to the
 * snapshot comparison. Every text field is rendered once, by the replay from the engine's
 * maps renderer (fs/proc/task_mmu.c's job); consumers never re-derive it from {@code flags}.
 *
 * @param start      first byte (unsigned 64-bit)
 * @param end        one past the last byte (unsigned 64-bit)
 * @param flags      the kernel's vm_flags bits (VM_READ = 0x1, ...)
 * @param perms      maps' permission column, {@code rw-p}
 * @param pgoff      vm_pgoff, in pages (also for anonymous memory)
 * @param file       the name column: a path, a bracketed name ({@code [heap]},
 *                   {@code [anon:x]}), or null when maps prints none
 * @param dev        {@code major:minor} as maps prints it
 * @param inode      the inode maps prints, 0 for anonymous memory
 * @param mapsOffset the offset column in bytes: pgoff &lt;&lt; PAGE_SHIFT for a file, 0 otherwise
 * @param vmFlags    smaps' VmFlags mnemonics ({@code rd wr mr mw me ac})
 */
public record VmaLayout(long start, long end, long flags, String perms, long pgoff, String file, String dev, long inode,
                        long mapsOffset, String vmFlags) { }
