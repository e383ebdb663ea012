/* Writes to MAP_PRIVATE file pages between mmaps: whether a private file VMA was written
 * (copy-on-write: an anon_vma) decides which of its neighbours it merges with.
 *
 *   A = file pages [0,2) at X, written      (COW: anon_vma a1)
 *   B = file pages [4,6) at X+4p, written   (COW: anon_vma a2)
 *   C = file pages [2,4) at X+2p            new_both is refused (a1 != a2): C merges with A only
 *   D = file pages [6,8) at X+6p, only read (no anon_vma): merges with B
 *   E = file pages [8,10) at X+8p, written after D's read: merges with B+D (one anon_vma)
 * Under strace the writes are invisible; under record --perf they are observed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/tmp/vmareplay-cowfile.bin";
    long p = sysconf(_SC_PAGESIZE);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 16 * p) != 0) { perror("file"); return 1; }
    /* reserve a hole of 16 pages, then free it: the mappings go there with MAP_FIXED_NOREPLACE */
    char *x = mmap(NULL, 16 * p, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(x, 16 * p);
    char *a = mmap(x, 2 * p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
    a[0] = 1; a[p] = 2;
    char *b = mmap(x + 4 * p, 2 * p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 4 * p);
    b[0] = 3;
    char *c = mmap(x + 2 * p, 2 * p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 2 * p);
    char *d = mmap(x + 6 * p, 2 * p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 6 * p);
    volatile char sink = d[0] + c[0];
    (void) sink;
    char *e = mmap(x + 8 * p, 2 * p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 8 * p);
    e[0] = 4;
    /* a read-only private mapping elsewhere, read: stays without anon_vma, so an mprotect
     * to writable and back merges it with its unwritten neighbour */
    char *r = mmap(x + 11 * p, 2 * p, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 11 * p);
    sink = r[0];
    mprotect(r, p, PROT_READ | PROT_WRITE);
    mprotect(r, p, PROT_READ);
    printf("cowfile: %p\n", (void *) x);
    close(fd);
    unlink(path);
    return 0;
}
