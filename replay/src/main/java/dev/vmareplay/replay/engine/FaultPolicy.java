package dev.vmareplay.replay.engine;

/**
 * How the engine decides whether a private VMA has an anon_vma (has been written to) when the
 * trace shows no page faults. strace never shows faults, yet anon_vma state decides merges
 * (is_mergeable_anon_vma() in mm/vma.c), VM_ACCOUNT on mprotect RW-&gt;R, and the pgoff an mremap'd VMA gets.
 *
 * <p>Whatever the policy, some state is <em>observed</em>: a VMA seeded from smaps (Anonymous
 * &gt; 0), a {@link Mm#fault} event, the population done by mlock / MAP_LOCKED / MAP_POPULATE /
 * MADV_POPULATE_WRITE / MADV_GUARD_INSTALL, a VMA created during the current call (it cannot have
 * been written yet). Everything else is <em>assumed</em>, and every merge decision whose outcome
 * would have differed under the opposite assumption reports {@code assumed=true}.
 */
public enum FaultPolicy {
    /**
     * The trace carries page-fault events (perf trace -F): only observed faults create anon_vmas.
     * No decision is reported as assumed but one resting on an anon_vma the seed assumed shared
     * by two neighbours (a snapshot cannot show sharing, and no fault does).
     */
    OBSERVED_ONLY,
    /**
     * The default for traces without faults. A VMA is assumed untouched, except that a private
     * writable VMA that mprotect makes read-only or executable is assumed to have been written
     * first (programs make memory read-only after filling it: RELRO, JIT code, sealed tables).
     * That keeps VM_ACCOUNT on it like the kernel does for faulted memory. Memory made PROT_NONE
     * is assumed untouched: guard pages of thread stacks and uncommitted reservations.
     */
    WRITE_BEFORE_PROTECT,
    /**
     * Pessimistic: every private writable VMA is assumed written before any later call looks at
     * it (its anon_vma is materialised lazily, reusing a compatible neighbour's like
     * find_mergeable_anon_vma). Reproduces programs that touch all their memory.
     */
    ASSUME_WRITTEN
}
