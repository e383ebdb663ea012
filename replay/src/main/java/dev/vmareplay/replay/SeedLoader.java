package dev.vmareplay.replay;

import dev.vmareplay.replay.engine.Mm;
import dev.vmareplay.replay.engine.Seed;
import dev.vmareplay.replay.engine.Vma;
import dev.vmareplay.replay.engine.VmFlags;
import dev.vmareplay.replay.maps.MapsEntry;

import java.util.List;

/**
 * Builds an address space from a {@code /proc/PID/maps} or {@code smaps} snapshot.
 * smaps gives the exact vm_flags (VmFlags) and whether a VMA has an anon_vma (Anonymous
 * &gt; 0); from a plain maps file the flags are derived from the permissions the way mmap
 * would have set them, and no VMA is taken to have an anon_vma.
 */
final class SeedLoader {

    private SeedLoader() { }

    static void load(Mm mm, List<MapsEntry> entries, FileIdentities files) {
        for (MapsEntry e : entries) {
            Seed s = mm.seed(e.start(), e.end()).flags(flagsOf(e));
            String name = e.path();
            switch (name) {
                case "[vdso]" -> s.special(Vma.Special.VDSO, name);
                case "[vvar]" -> s.special(Vma.Special.VVAR, name);
                case "[vvar_vclock]" -> s.special(Vma.Special.VVAR_VCLOCK, name);
                case "[vsyscall]" -> s.special(Vma.Special.VSYSCALL, name);
                case "[uprobes]" -> s.special(Vma.Special.UPROBES, name);
                case "[heap]" -> {
                    s.label(name);
                    // the heap ends at the break: brk() continues from here
                    mm.setBrkArea(e.start(), e.end());
                }
                case "[stack]" -> {
                    s.label(name);
                    mm.setStartStack(e.end() - Mm.PAGE_SIZE);
                }
                default -> {
                    if (name.startsWith("[anon:") && name.endsWith("]")) {
                        s.anonName(name.substring(6, name.length() - 1));
                    } else if (e.isFile()) { // no bracketed name above is a file: identifyFiles relies on it
                        s.file(files.forSeed(e)).pgoff(e.offset() >>> Mm.PAGE_SHIFT);
                    } else if (!name.isEmpty()) {
                        s.label(name);
                    }
                }
            }
            if (e.anonymousKb() > 0) s.anonVma(true);
            s.insert();
        }
    }

    /**
     * The file identities {@link #load} gives these entries' files, without a model: a replay
     * that follows an address space another part models still lends them to the others
     * ({@link ReplayPart}). {@code load} asks for exactly these, in this order.
     */
    static void identifyFiles(List<MapsEntry> entries, FileIdentities files) {
        for (MapsEntry e : entries) {
            if (e.isFile()) files.forSeed(e);
        }
    }

    /** vm_flags of a snapshot line: exact from smaps, else what mmap would have given. */
    static long flagsOf(MapsEntry e) {
        if (e.vmFlags() != null) return VmFlags.fromSmaps(e.vmFlags());
        long f = VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC;
        if (e.readable()) f |= VmFlags.VM_READ;
        if (e.writable()) f |= VmFlags.VM_WRITE;
        if (e.executable()) f |= VmFlags.VM_EXEC;
        if (e.mayShare()) {
            f |= VmFlags.VM_MAYSHARE;
            if (e.writable()) f |= VmFlags.VM_SHARED;
        } else if (e.writable()) {
            f |= VmFlags.VM_ACCOUNT; // private writable memory is accounted
        }
        if (e.path().equals("[stack]")) f |= VmFlags.VM_GROWSDOWN;
        return f;
    }
}
