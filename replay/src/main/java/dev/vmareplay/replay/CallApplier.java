package dev.vmareplay.replay;

import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.engine.Errno;
import dev.vmareplay.replay.engine.MemPolicy;
import dev.vmareplay.replay.engine.Mm;
import dev.vmareplay.replay.engine.Mman;
import dev.vmareplay.replay.engine.Vma;
import dev.vmareplay.replay.engine.VmaFile;
import dev.vmareplay.replay.outcome.DivergenceCause;

/**
 * Applies one mmap-family call of the trace to an address space, and holds the model to
 * what the trace says the kernel returned ("trust the trace", DESIGN.md):
 * <ul>
 *   <li>mmap, mremap and shmat land where the trace says they landed;</li>
 *   <li>a call that succeeded in the trace but that the model refuses because part of its
 *       range is not mapped in the model is reconciled: the missing mapping is created
 *       (without counting it as a merge case), the call is applied again, and a
 *       {@link DivergenceCause#MISSING_MAPPING} is recorded;</li>
 *   <li>a call that failed in the trace is applied only when the kernel applies such calls
 *       partially (mprotect, madvise, mlock... change the VMAs before a hole); the errnos
 *       are compared and any disagreement is recorded.</li>
 * </ul>
 */
final class CallApplier {

    private final Replayer.AddressSpace space;
    private final Mm mm;
    private final Replayer replayer;
    private Event event;

    CallApplier(Replayer.AddressSpace space, Replayer replayer) {
        this.space = space;
        this.mm = space.mm;
        this.replayer = replayer;
    }

    void apply(Event e) {
        this.event = e;
        Call c = e.call();
        if (!e.retKnown() && c instanceof Call.Mseal m) {
            // perf trace's sys_exit_mseal tracepoint carries no return value: the model's answer stands
            mm.mseal(m.addr(), m.len(), m.flags());
            return;
        }
        if (!e.retKnown() && c instanceof Call.Mremap m) {
            // perf printed the entry half and never the result: inferred from the layout and the calls after it
            new EntryOnlyMremap(space, replayer).arrived(e, m);
            return;
        }
        if (!e.retKnown()) {
            unknownResult(c);
            return;
        }
        if (c instanceof Call.Mmap m) {
            mmap(m);
        } else if (c instanceof Call.Munmap m) {
            ranged(m.addr(), m.len(), layoutDecided(c), false);
        } else if (c instanceof Call.Mprotect m) {
            ranged(m.addr(), m.len(), layoutDecided(c), true);
        } else if (c instanceof Call.Madvise m) {
            // process_madvise of another process does not touch this address space
            if (m.targetPid() == 0) ranged(m.addr(), m.len(), layoutDecided(c), true);
        } else if (c instanceof Call.Mlock m) {
            ranged(m.addr(), m.len(), layoutDecided(c), true);
        } else if (c instanceof Call.Munlock m) {
            ranged(m.addr(), m.len(), layoutDecided(c), true);
        } else if (c instanceof Call.Mlockall m) {
            compare(mm.mlockall(m.flags()));
        } else if (c instanceof Call.Munlockall) {
            compare(mm.munlockall());
        } else if (c instanceof Call.Mseal m) {
            ranged(m.addr(), m.len(), () -> mm.mseal(m.addr(), m.len(), m.flags()), true);
        } else if (c instanceof Call.SetVmaName m) {
            if (mm.anonVmaNameSupported() && showsNoAnonVmaNames(e, m)) replayer.kernelWithoutAnonVmaNames();
            ranged(m.addr(), m.len(), () -> mm.setAnonName(m.addr(), m.len(), m.vmaName()), true);
        } else if (c instanceof Call.Mbind m) {
            ranged(m.addr(), m.len(), () -> mm.mbind(m.addr(), m.len(), new MemPolicy(m.mode(), 0, m.nodemask())), true);
        } else if (c instanceof Call.UffdRegister m) {
            ranged(m.addr(), m.len(), () -> mm.uffdRegister(m.addr(), m.len(),
                    m.register() ? m.mode() : 0, m.register() ? m.ctx() : 0), true);
        } else if (c instanceof Call.Mremap m) {
            mremap(m);
        } else if (c instanceof Call.Brk b) {
            brk(b);
        } else if (c instanceof Call.RemapFilePages r) {
            remapFilePages(r);
        } else if (c instanceof Call.Shmat s && e.succeeded()) {
            shmat(s);
        } else if (c instanceof Call.ResultOnly r) {
            resultOnly(r);
        }
    }

    /**
     * munmap, mprotect, madvise, mlock and munlock of this address space: what they do (and
     * return) follows from the layout and their arguments. Null for any other call.
     */
    private Op layoutDecided(Call c) {
        if (c instanceof Call.Munmap m) return () -> mm.munmap(m.addr(), m.len());
        if (c instanceof Call.Mprotect m) return () -> m.pkey() < 0
                ? mm.mprotect(m.addr(), m.len(), m.prot())
                : mm.pkeyMprotect(m.addr(), m.len(), m.prot(), m.pkey());
        if (c instanceof Call.Madvise m && m.targetPid() == 0) return () -> mm.madvise(m.addr(), m.len(), m.advice());
        if (c instanceof Call.Mlock m) return () -> m.two() ? mm.mlock2(m.addr(), m.len(), m.flags()) : mm.mlock(m.addr(), m.len());
        if (c instanceof Call.Munlock m) return () -> mm.munlock(m.addr(), m.len());
        return null;
    }

    /**
     * A call whose result the trace does not have: perf printed its entry half only (strace's
     * {@code = ?} is the same to the replay). One the layout decides is applied with the model's
     * answer; any other (an mmap the kernel placed, a brk) has nothing in the trace to apply,
     * and is left out. Either way a reconciled-half divergence says which.
     */
    private void unknownResult(Call c) {
        if (c instanceof Call.Madvise m && m.targetPid() != 0) return; // another process's address space
        Op op = layoutDecided(c);
        if (op == null) {
            replayer.divergence(event.seq(), space.pid, DivergenceCause.RESULT_ONLY,
                    event.syscall() + " printed without its result: nothing in the trace says what it did: left out");
            return;
        }
        int err = op.run();
        replayer.divergence(event.seq(), space.pid, DivergenceCause.RESULT_ONLY, event.syscall()
                + " printed without its result: the layout decides it: applied, the model says " + (err == 0 ? "0" : Errno.name(err)));
    }

    /**
     * A call perf printed only the result half of. A successful mmap's result is where the new
     * mapping starts; a mapping placed by get_unmapped_area() (top-down, the only kind whose
     * address perf's result alone gives) ends where the gap ends, at the next VMA. So the mapping
     * is taken to fill [ret, next VMA), read-only and private (what a result-only mmap has been in
     * every trace seen: a locale file), and counted as reconciled. Any other result-only call is
     * counted and left out.
     */
    private void resultOnly(Call.ResultOnly r) {
        if (r.syscall().equals("mmap") && event.succeeded()) {
            long addr = event.ret();
            Vma next = mm.findVma(addr);
            long end = next == null ? addr + Mm.PAGE_SIZE : next.start();
            if (next != null && Long.compareUnsigned(next.start(), addr) <= 0) {
                replayer.divergence(event.seq(), space.pid, DivergenceCause.RESULT_ONLY,
                        "mmap = 0x" + Long.toHexString(addr) + " printed without its arguments, over a VMA the model has there: left out");
                return;
            }
            if (Long.compareUnsigned(end - addr, 1L << 20) > 0) end = addr + Mm.PAGE_SIZE;
            VmaFile file = replayer.files().forRef(new dev.vmareplay.ingest.event.FileRef(-2L - event.seq(), "", true));
            int err = mm.mmap(addr, end - addr, Mman.PROT_READ, Mman.MAP_PRIVATE, file, 0);
            replayer.divergence(event.seq(), space.pid, DivergenceCause.RESULT_ONLY, "mmap = 0x" + Long.toHexString(addr)
                    + " printed without its arguments: inferred a private read-only file mapping 0x" + Long.toHexString(addr)
                    + "-0x" + Long.toHexString(end) + " (the gap up to the next VMA)" + (err != 0 ? "; the model says " + Errno.name(err) : ""));
            return;
        }
        replayer.divergence(event.seq(), space.pid, DivergenceCause.RESULT_ONLY,
                r.syscall() + " printed without its arguments (= " + (event.succeeded() ? "0x" + Long.toHexString(event.ret()) : Errno.name(event.errno())) + "): left out");
    }

    /**
     * EINVAL on an aligned range: the traced kernel was built without CONFIG_ANON_VMA_NAME
     * (prctl_set_vma() in kernel/sys.c returns EINVAL first), a property of the machine, so
     * every address space of the replay follows it from here.
     */
    static boolean showsNoAnonVmaNames(Event e, Call.SetVmaName m) {
        return e.errno() == Errno.EINVAL && (m.addr() & (Mm.PAGE_SIZE - 1)) == 0;
    }

    // ---- mmap -------------------------------------------------------------------------

    /** The file a successful mmap maps, null for anonymous memory: the run's identity of it ({@link FileIdentities}). */
    static VmaFile mappedFile(Call.Mmap m, FileIdentities files) {
        if ((m.flags() & Mman.MAP_ANONYMOUS) != 0) return null;
        VmaFile file = files.forRef(m.file());
        // a file mapping whose file the trace cannot name (perf formats print no paths)
        return file != null ? file : files.forRef(new dev.vmareplay.ingest.event.FileRef(-1L - m.fd(), "", true));
    }

    private void mmap(Call.Mmap m) {
        if (!event.succeeded()) return; // a failed mmap changes nothing the model can know of
        long addr = event.ret();
        VmaFile file = mappedFile(m, replayer.files());
        boolean openSeen = m.file() != null && !m.file().fromPathOnly(); // then FileRef.readOnly says it exactly
        if (file != null && !openSeen && (m.flags() & Mman.MAP_TYPE) != Mman.MAP_PRIVATE && (m.prot() & Mman.PROT_WRITE) == 0) {
            // A shared read-only mapping: the trace does not say how the fd was opened, and
            // read-only opens are by far the common case (locale archives, caches, fonts). A file
            // not open for writing loses VM_SHARED and VM_MAYWRITE (smaps: no "sh", no "mw").
            file = new VmaFile(file.id(), file.path(), file.dev(), file.inode(), true, false,
                    file.hasCloseHook(), file.shmem(), file.anonShmem());
        }
        int flags = m.flags();
        int err = mm.mmap(addr, m.len(), m.prot(), flags, file, m.offset());
        if (err == Errno.EEXIST) {
            // the kernel found the range free; the model still had VMAs there (an unmap the
            // trace does not show): drop them and map again
            replayer.divergence(event.seq(), space.pid, DivergenceCause.STALE_MAPPING,
                    "mmap at 0x" + Long.toHexString(addr) + " over VMAs the model still had there");
            mm.munmap(addr, pageAlign(m.len()));
            err = mm.mmap(addr, m.len(), m.prot(), flags, file, m.offset());
        }
        if (err != 0) {
            replayer.divergence(event.seq(), space.pid, DivergenceCause.MODEL_REFUSED,
                    "mmap succeeded in the trace; the model says " + Errno.name(err));
        }
    }

    // ---- calls over a range -----------------------------------------------------------

    private interface Op {
        int run();
    }

    /**
     * Applies a call over [addr, addr+len). When the trace says it succeeded and the model
     * answers ENOMEM/EFAULT for unmapped parts, those parts are created and the call is
     * applied again.
     */
    private void ranged(long addr, long len, Op op, boolean partialOnFailure) {
        if (event.errno() == Errno.EPERM) inferSeal(addr, len);
        if (!event.succeeded() && !partialOnFailure) {
            return; // a failed munmap leaves the layout as it was (but for a head split, not modelled)
        }
        if (space.entryOnlyMremap != null) new EntryOnlyMremap(space, replayer).resolveAt(event, addr, len);
        int err = op.run();
        if (event.succeeded() && (err == Errno.ENOMEM || err == Errno.EFAULT) && fillHoles(addr, len)) {
            err = op.run();
        }
        compare(err);
    }

    /** Compares the model's answer with the trace's, recording any disagreement. */
    private void compare(int modelErrno) {
        int traced = event.errno();
        if (modelErrno == traced) return;
        if (traced == 0) {
            replayer.divergence(event.seq(), space.pid, DivergenceCause.MODEL_REFUSED,
                    event.syscall() + " succeeded in the trace; the model says " + Errno.name(modelErrno));
        } else if (modelErrno == 0) {
            replayer.divergence(event.seq(), space.pid, DivergenceCause.MODEL_ACCEPTED,
                    event.syscall() + " failed in the trace with " + Errno.name(traced) + "; the model succeeded");
        } else {
            replayer.divergence(event.seq(), space.pid, DivergenceCause.ERRNO_DIFFERS,
                    event.syscall() + " failed with " + Errno.name(traced) + " in the trace, " + Errno.name(modelErrno) + " in the model");
        }
    }

    /**
     * Maps every hole of [addr, addr+len) as private anonymous read-write memory, the most
     * common thing a program changes without the trace showing where it came from.
     * Returns false when there was no hole (the refusal had another cause).
     */
    private boolean fillHoles(long addr, long len) {
        long start = addr & ~(Mm.PAGE_SIZE - 1);
        long end = pageAlign(addr + len);
        if (Long.compareUnsigned(end, start) <= 0) return false;
        // find the holes first, then map them: inserting while iterating the tree's range view
        // threw ConcurrentModificationException (a hole followed by two or more VMAs)
        java.util.List<long[]> holes = new java.util.ArrayList<>();
        long cursor = start;
        for (Vma v : mm.vmas(start, end)) {
            if (Long.compareUnsigned(v.start(), cursor) > 0) holes.add(new long[] {cursor, v.start()});
            if (Long.compareUnsigned(v.end(), cursor) > 0) cursor = v.end();
        }
        if (Long.compareUnsigned(cursor, end) < 0) holes.add(new long[] {cursor, end});
        boolean filled = false;
        for (long[] h : holes) filled |= seedHole(h[0], h[1]);
        return filled;
    }

    private boolean seedHole(long start, long end) {
        if (mm.seed(start, end).insert() == null) return false; // nothing a VMA could be created on
        String why = space.execd && !space.seeded
                ? " (most likely mapped by the kernel during execve: the executable, the loader or the stack; a snapshot taken after exec seeds them)"
                : space.seeded ? "" : " (mapped before the trace started; --seed-maps with a snapshot seeds it)";
        replayer.divergence(event.seq(), space.pid, DivergenceCause.MISSING_MAPPING, String.format(
                "%s succeeded on [0x%x, 0x%x) which the model had not mapped: created as anonymous rw-p%s",
                event.syscall(), start, end, why));
        return true;
    }

    /**
     * munmap, mprotect and mremap fail with EPERM only on sealed VMAs (6.10+). When the trace
     * shows such a failure and the model has an unsealed VMA there, an mseal happened that the
     * trace does not show (perf trace 6.1 drops mseal, syscall 462, silently): seal the range
     * in the model, as the kernel had it.
     */
    private void inferSeal(long addr, long len) {
        if (!(event.call() instanceof Call.Munmap || event.call() instanceof Call.Mprotect || event.call() instanceof Call.Mremap)) {
            return;
        }
        long start = addr & ~(Mm.PAGE_SIZE - 1);
        long end = pageAlign(addr + len);
        // A VMA of the range that is sealed already explains the EPERM: mprotect_fixup() and the
        // munmap path check each VMA (6.11+, mm/mprotect.c, mm/vma.c), and the VMAs before the
        // sealed one keep what the call did to them; the model does the same.
        if (anySealed(start, end)) return;
        if (event.call() instanceof Call.Mremap m && (m.flags() & (Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) != 0
                && anySealed(m.newAddr() & ~(Mm.PAGE_SIZE - 1), pageAlign(m.newAddr() + m.newLen()))) {
            return; // a sealed MREMAP_FIXED destination (its munmap fails): the source stays as it was
        }
        int err = mm.mseal(start, end - start, 0);
        replayer.divergence(event.seq(), space.pid, DivergenceCause.INFERRED_SEAL, String.format(
                "%s failed with EPERM on [0x%x, 0x%x): sealed by an mseal the trace does not show%s",
                event.syscall(), start, end, err == 0 ? "" : " (the model could not seal it: " + Errno.name(err) + ")"));
    }

    private boolean anySealed(long start, long end) {
        for (Vma v : mm.vmas(start, end)) {
            if ((v.flags() & dev.vmareplay.replay.engine.VmFlags.VM_SEALED) != 0) return true;
        }
        return false;
    }

    // ---- mremap, brk, the rest --------------------------------------------------------

    private void mremap(Call.Mremap m) {
        if (event.errno() == Errno.EPERM) inferSeal(m.oldAddr(), m.oldLen());
        if (!event.succeeded()) return; // failed mremaps may unmap the FIXED destination; rare, not modelled
        long newAddr = event.ret();
        if (space.entryOnlyMremap != null) new EntryOnlyMremap(space, replayer).resolveAt(event, m.oldAddr(), m.oldLen());
        int err = mm.mremap(m.oldAddr(), m.oldLen(), m.newLen(), m.flags(), newAddr);
        if (err == Errno.EFAULT && fillHoles(m.oldAddr(), Math.max(1, m.oldLen()))) {
            err = mm.mremap(m.oldAddr(), m.oldLen(), m.newLen(), m.flags(), newAddr);
        }
        compare(err);
    }

    private void brk(Call.Brk b) {
        long traced = event.ret();
        if (mm.brkValue() == 0 && mm.startBrk() == 0) {
            // no heap known yet (no [heap] in the seed, or a fresh exec): the first answer tells
            // where the break is; brk(0) is how every program starts
            if (b.addr() != 0 && b.addr() == traced) {
                replayer.divergence(event.seq(), space.pid, DivergenceCause.BRK_UNKNOWN,
                        "brk moved to 0x" + Long.toHexString(traced) + " before the trace showed where the heap starts");
            }
            mm.setBrkArea(traced, traced);
            return;
        }
        long model = mm.brk(b.addr());
        if (model != traced) {
            replayer.divergence(event.seq(), space.pid, model == b.addr() ? DivergenceCause.MODEL_ACCEPTED : DivergenceCause.MODEL_REFUSED,
                    String.format("brk(0x%x) returned 0x%x in the trace, 0x%x in the model", b.addr(), traced, model));
        }
    }

    /** remap_file_pages is emulated by the kernel as a MAP_SHARED|MAP_FIXED mmap of the same file. */
    private void remapFilePages(Call.RemapFilePages r) {
        if (!event.succeeded()) return;
        Vma v = mm.find(r.addr());
        if (v == null || v.file() == null) {
            compare(Errno.EINVAL);
            return;
        }
        int prot = (int) (v.flags() & 7);
        compare(mm.mmap(r.addr(), r.size(), prot, Mman.MAP_SHARED | Mman.MAP_FIXED, v.file(), r.pgoff() << Mm.PAGE_SHIFT));
    }

    private void shmat(Call.Shmat s) {
        // the segment's size comes from shmget, which replay does not follow
        replayer.divergence(event.seq(), space.pid, DivergenceCause.MODEL_REFUSED,
                "shmat of segment " + s.shmid() + ": the segment size is not in the trace; not modelled");
    }

    private static long pageAlign(long v) {
        return (v + Mm.PAGE_SIZE - 1) & ~(Mm.PAGE_SIZE - 1);
    }
}
