package dev.vmareplay.replay.maps;

/**
 * One line of {@code /proc/PID/maps}, optionally enriched by its {@code smaps} block.
 *
 * <pre>
 * 7f2c1a000000-7f2c1a021000 rw-p 00000000 00:00 0          [heap]
 * start        end          perms offset dev   inode      path
 * </pre>
 *
 * @param start       first byte (unsigned 64-bit)
 * @param end         one past the last byte (unsigned 64-bit)
 * @param perms       the four permission characters, {@code rw-p}
 * @param offset      file offset in bytes (0 for anonymous memory)
 * @param dev         {@code major:minor} as printed
 * @param inode       inode number, 0 for anonymous memory
 * @param path        the name column (path, {@code [heap]}, {@code [anon:x]}, ...), "" when empty
 * @param vmFlags     smaps' VmFlags mnemonics ({@code rd wr mr mw me ac}), null from a plain maps file
 * @param anonymousKb smaps' {@code Anonymous:} in kB (pages that have an anon_vma behind them), -1 when unknown
 */
public record MapsEntry(long start, long end, String perms, long offset, String dev, long inode, String path,
                        String vmFlags, long anonymousKb) {

    public long length() {
        return end - start;
    }

    public boolean readable() { return perms.charAt(0) == 'r'; }
    public boolean writable() { return perms.charAt(1) == 'w'; }
    public boolean executable() { return perms.charAt(2) == 'x'; }
    /** 's' in maps comes from VM_MAYSHARE. */
    public boolean mayShare() { return perms.charAt(3) == 's'; }

    /** A path that names a file (not empty and not a bracketed kernel name). */
    public boolean isFile() {
        return !path.isEmpty() && path.charAt(0) != '[';
    }

    /** The path with a trailing {@code " (deleted)"} removed. */
    public String pathWithoutDeleted() {
        return path.endsWith(" (deleted)") ? path.substring(0, path.length() - 10) : path;
    }

    /** The line exactly as {@code /proc/PID/maps} prints it (name column padded to 73). */
    public String toMapsLine() {
        StringBuilder sb = new StringBuilder(96);
        sb.append(hex(start, 8)).append('-').append(hex(end, 8)).append(' ').append(perms).append(' ')
          .append(hex(offset, 8)).append(' ').append(dev).append(' ').append(Long.toUnsignedString(inode));
        if (!path.isEmpty()) {
            while (sb.length() < 73) sb.append(' ');
            sb.append(path);
        } else {
            sb.append(' ');
        }
        return sb.toString();
    }

    /** Zero-padded lower-case hex of an unsigned value, at least {@code width} digits. */
    public static String hex(long v, int width) {
        String s = Long.toHexString(v);
        if (s.length() >= width) return s;
        return "0".repeat(width - s.length()) + s;
    }
}
