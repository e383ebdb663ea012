package dev.vmareplay.reports;

import dev.vmareplay.ingest.event.Call;

/**
 * The events table's columns of one call: its range, prot, flags, fd, offset and file where
 * the call has them, and the {@code args} text (a readable rendering of every argument the
 * parser kept). Computed on the storage thread, never on the engine thread; the text is
 * part of what users' queries see, so its format stays as it is (StoredRowsTest pins it).
 */
record EventColumns(boolean hasRange, long addr, long len, Integer prot, Long flags, Integer fd, Long offset,
                    String file, String args) {

    static EventColumns of(Call call) {
        if (call instanceof Call.Mmap m) {
            return new EventColumns(true, m.addr(), m.len(), m.prot(), (long) m.flags(), m.fd(), m.offset(),
                    m.file() == null ? null : m.file().path(),
                    "addr=" + hex(m.addr()) + " len=" + hex(m.len()) + " prot=0x" + Integer.toHexString(m.prot())
                            + " flags=0x" + Integer.toHexString(m.flags()) + " fd=" + m.fd() + " off=" + hex(m.offset())
                            + (m.file() == null ? "" : " file#" + m.file().id() + (m.file().path() == null ? "" : "=" + m.file().path())));
        }
        if (call instanceof Call.Munmap m) return range(m.addr(), m.len(), null, null, "");
        if (call instanceof Call.Mprotect m) return range(m.addr(), m.len(), m.prot(), null,
                " prot=0x" + Integer.toHexString(m.prot()) + (m.pkey() >= 0 ? " pkey=" + m.pkey() : ""));
        if (call instanceof Call.Madvise m) return range(m.addr(), m.len(), null, (long) m.advice(),
                " advice=" + m.advice() + (m.targetPid() != 0 ? " target=" + m.targetPid() : ""));
        if (call instanceof Call.Mlock m) return range(m.addr(), m.len(), null, (long) m.flags(), " flags=" + m.flags());
        if (call instanceof Call.Munlock m) return range(m.addr(), m.len(), null, null, "");
        if (call instanceof Call.Mlockall m) return other(null, (long) m.flags(), "flags=" + m.flags());
        if (call instanceof Call.Mremap m) return range(m.oldAddr(), m.oldLen(), null, (long) m.flags(),
                " new_len=" + hex(m.newLen()) + " flags=" + m.flags() + " new_addr=" + hex(m.newAddr()));
        if (call instanceof Call.Brk m) return new EventColumns(true, m.addr(), 0, null, null, null, null, null, "addr=" + hex(m.addr()));
        if (call instanceof Call.Mseal m) return range(m.addr(), m.len(), null, m.flags(), " flags=" + m.flags());
        if (call instanceof Call.SetVmaName m) return range(m.addr(), m.len(), null, null, " name=" + m.name());
        if (call instanceof Call.Mbind m) return range(m.addr(), m.len(), null, (long) m.mode(),
                " mode=" + m.mode() + " nodemask=0x" + Long.toHexString(m.nodemask()));
        if (call instanceof Call.RemapFilePages m) return new EventColumns(true, m.addr(), m.size(), m.prot(), (long) m.flags(),
                null, m.pgoff(), null, "addr=" + hex(m.addr()) + " size=" + hex(m.size()) + " pgoff=" + m.pgoff());
        if (call instanceof Call.Shmat m) return new EventColumns(true, m.addr(), 0, null, (long) m.flags(), null, null, null,
                "shmid=" + m.shmid() + " addr=" + hex(m.addr()) + " flags=" + m.flags());
        if (call instanceof Call.Shmdt m) return new EventColumns(true, m.addr(), 0, null, null, null, null, null, "addr=" + hex(m.addr()));
        if (call instanceof Call.Clone m) return other(null, m.flags(), "flags=0x" + Long.toHexString(m.flags()));
        if (call instanceof Call.Execve m) return new EventColumns(false, 0, 0, null, null, null, null, m.path(), "path=" + m.path());
        if (call instanceof Call.Exit m) return other(null, null, (m.group() ? "group " : "") + "status=" + m.status());
        if (call instanceof Call.PageFault m) return new EventColumns(true, m.addr(), 0, null, null, null, null, m.target(),
                "addr=" + hex(m.addr()) + " access=" + m.access().name().toLowerCase(java.util.Locale.ROOT));
        if (call instanceof Call.ResultOnly) return other(null, null, "arguments not in the trace (only the result half was printed)");
        if (call instanceof Call.MmapLock m) return new EventColumns(true, m.mm(), 0, null, null, null, null, null,
                "mm=" + hex(m.mm()) + (m.during() == null ? "" : " during=" + m.during()));
        if (call instanceof Call.UffdRegister m) return range(m.addr(), m.len(), null, m.mode(),
                (m.register() ? " register" : " unregister") + " mode=" + m.mode() + " ctx=" + m.ctx());
        return other(null, null, String.valueOf(call));
    }

    private static EventColumns range(long addr, long len, Integer prot, Long flags, String more) {
        return new EventColumns(true, addr, len, prot, flags, null, null, null, "addr=" + hex(addr) + " len=" + hex(len) + more);
    }

    private static EventColumns other(Integer prot, Long flags, String args) {
        return new EventColumns(false, 0, 0, prot, flags, null, null, null, args);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
