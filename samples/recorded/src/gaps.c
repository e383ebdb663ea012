/* The engine gaps of issue 14, each on the real kernel, one after the other:
 *   1. mremap(old, 0, new_len, MAYMOVE|FIXED, new) of a MAP_SHARED mapping: a second mapping
 *      of the same object at new, the old one left in place;
 *   2. prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, ...) (EINVAL without CONFIG_ANON_VMA_NAME);
 *   3. MAP_DROPPABLE (map type 0x08 in place of MAP_PRIVATE, 6.11+): VmFlags wf dd dp;
 *   4. mseal: an mprotect over a range holding a sealed VMA fails whole with EPERM (nothing
 *      changes); an mremap whose MREMAP_FIXED destination is sealed fails with EPERM and leaves
 *      the source as it was. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

int main(void) {
    long p = sysconf(_SC_PAGESIZE);
    /* 1 */
    char *s = mmap(NULL, 4 * p, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    s[0] = 1;
    char *hole = mmap(NULL, 8 * p, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 8 * p);
    char *twin = mremap(s, 0, 4 * p, MREMAP_MAYMOVE | MREMAP_FIXED, hole + 2 * p);
    printf("shared twin %p of %p: %d\n", (void *) twin, (void *) s, twin == MAP_FAILED ? -1 : twin[0]);
    /* 2 */
    char *n = mmap(NULL, 2 * p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int r = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long) n, p, (unsigned long) "vmareplay");
    printf("prctl anon name: %d\n", r);
    /* 3 */
    char *d = mmap(NULL, 3 * p, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
    if (d != MAP_FAILED) d[0] = 1;
    printf("droppable %p\n", (void *) d);
    /* 4 */
    char *m = mmap(NULL, 6 * p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[0] = 1;
    long sr = syscall(462, m + 2 * p, 2 * p, 0);          /* seal the middle third */
    int pr = mprotect(m, 6 * p, PROT_READ);                /* fails whole: EPERM */
    char *src = mmap(NULL, 2 * p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    src[0] = 2;
    char *mv = mremap(src, 2 * p, 2 * p, MREMAP_MAYMOVE | MREMAP_FIXED, m + 2 * p); /* EPERM */
    printf("mseal %ld mprotect %d mremap %p\n", sr, pr, (void *) mv);
    return 0;
}
