package dev.vmareplay.replay.outcome;

/**
 * A task or address space came to exist (seeded, cloned, forked, exec'd).
 *
 * @param mmId      identifies its address space (threads and vfork children share one)
 * @param parentPid 0 when unknown
 * @param exe       the executable when known, else null
 */
public record ProcessInfo(int pid, long mmId, int parentPid, String exe) { }
