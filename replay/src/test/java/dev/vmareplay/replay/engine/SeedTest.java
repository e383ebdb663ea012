package dev.vmareplay.replay.engine;

import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@link Mm#seed}: VMAs seeded from a snapshot, and the maps lines {@link TaskMmu} prints for them. Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class SeedTest extends SyscallTestBase {
    @Test
    void seeding_keeps_exact_attributes_and_rejects_overlaps() {
        VmaFile lib = new VmaFile(9, "/usr/lib/libc.so.6", "fe:00", 339380, true, false, false, false, false);
        Vma v = mm.seed(w(0), w(4)).flags(VmFlags.fromSmaps("rd ex mr mw me")).pgoff(0x28).file(lib).insert();
        assertThat(v).isNotNull();
        assertThat(mm.seed(w(2), w(6)).insert()).isNull();
        assertThat(mm.seed(w(6), w(6)).insert()).isNull();
        assertThat(TaskMmu.line(mm, v)).isEqualTo(
            "200000000000-200000004000 r-xp 00028000 fe:00 339380                     /usr/lib/libc.so.6");
        Vma hi = mm.seed(0xffffffffff600000L, 0xffffffffff601000L).flags(VM_EXEC).special(Vma.Special.VSYSCALL, "[vsyscall]").insert();
        assertThat(hi).isNotNull();
        assertThat(mm.find(0xffffffffff600abcL)).isSameAs(hi);
        assertThat(mm.find(w(1))).isSameAs(v);
        mm.checkInvariants();
    }

    @Test
    void seeded_anon_pages_share_a_neighbours_anon_vma_only_when_the_kernel_would_have() {
        Vma a = mm.seed(w(0), w(2)).flags(VmFlags.fromSmaps("rd wr mr mw me ac")).anonVma(true).insert();
        Vma b = mm.seed(w(2), w(4)).flags(VmFlags.fromSmaps("rd mr mw me ac")).anonVma(true).insert();
        Vma c = mm.seed(w(4), w(6)).flags(VmFlags.fromSmaps("rd mr mw me ac")).anonVma(true).insert();
        assertThat(b.anonVma()).as("differs only in protection: shared").isSameAs(a.anonVma());
        assertThat(c.anonVma()).as("identical to b: had they shared one they would have merged").isNotSameAs(b.anonVma());
    }

    @Test
    void special_mappings_never_merge_or_split() {
        mm.seed(w(0), w(2)).flags(VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYEXEC).special(Vma.Special.VDSO, "[vdso]").insert();
        assertThat(mm.mprotect(w(1), PAGE, PROT_READ)).isEqualTo(Errno.EINVAL);
        assertThat(mm.munmap(w(1), PAGE)).isEqualTo(Errno.EINVAL);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(TaskMmu.name(mm, mm.find(w(0)))).isEqualTo("[vdso]");
    }
}
