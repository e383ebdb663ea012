/*
 * vmareplay-snap: an LD_PRELOAD library that snapshots /proc/self/maps and /proc/self/smaps of
 * every dynamically linked process it is loaded into, for `vmareplay record`.
 *
 *   constructor (every library mapped and relocated, before main):
 *       lseek(-1, 424242001, SEEK_SET)        START marker in the trace
 *       $VMAREPLAY_SNAPDIR/PID.N.start.maps    N = 1 + START snapshots this pid already took
 *       $VMAREPLAY_SNAPDIR/PID.N.start.smaps       (a process that execs again takes N = 2, ...)
 *   destructor (exit()):
 *       lseek(-1, 424242002, SEEK_SET)        END marker
 *       $VMAREPLAY_SNAPDIR/PID.N.end.maps      N of this image's START snapshot; 0 in a forked
 *       $VMAREPLAY_SNAPDIR/PID.N.end.smaps         child that never exec'd (it inherited the image)
 *
 * Only raw system calls and a static buffer: no malloc, no stdio, no lazy binding of other
 * functions, so taking a snapshot never changes the address space it records. The marker is
 * lseek on fd -1 (fails with EBADF, changes nothing) because every trace format shows it.
 *
 * Built by vmareplay at first use with: gcc -shared -fPIC -O2 -o libvmareplay-snap.so vmareplay-snap.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MARK_START 424242001L
#define MARK_END   424242002L

extern char **environ;

static char buf[16384];
static char path[4096];
static long image_pid;   /* the pid whose constructor ran in this image */
static long image_n;     /* its START sequence number */

#if defined(__x86_64__)
static long raw(long n, long a, long b, long c, long d) {
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return ret; /* -errno on failure */
}
#else
static long raw(long n, long a, long b, long c, long d) {
    long r = syscall(n, a, b, c, d);
    return r == -1 ? -1 : r;
}
#endif

static const char *env(const char *name) {
    for (char **e = environ; e && *e; e++) {
        const char *s = *e, *n = name;
        while (*n && *s == *n) { s++; n++; }
        if (!*n && *s == '=') return s + 1;
    }
    return 0;
}

static char *put(char *p, char *end, const char *s) {
    while (*s && p < end) *p++ = *s++;
    return p;
}

static char *num(char *p, char *end, long v) {
    char t[24];
    int k = 0;
    if (v == 0) t[k++] = '0';
    while (v > 0 && k < 23) { t[k++] = (char) ('0' + v % 10); v /= 10; }
    while (k > 0 && p < end) *p++ = t[--k];
    return p;
}

static int name(const char *dir, long pid, long n, const char *kind, const char *ext) {
    char *p = path, *end = path + sizeof(path) - 1;
    p = put(p, end, dir); p = put(p, end, "/");
    p = num(p, end, pid); p = put(p, end, ".");
    p = num(p, end, n); p = put(p, end, ".");
    p = put(p, end, kind); p = put(p, end, ".");
    p = put(p, end, ext);
    if (p >= end) return -1;
    *p = 0;
    return 0;
}

static void copy(const char *src, long out) {
    long in = raw(SYS_openat, AT_FDCWD, (long) src, O_RDONLY | O_CLOEXEC, 0);
    if (in < 0) return;
    for (;;) {
        long r = raw(SYS_read, in, (long) buf, sizeof(buf), 0);
        if (r <= 0) break;
        long w = 0;
        while (w < r) {
            long k = raw(SYS_write, out, (long) (buf + w), r - w, 0);
            if (k <= 0) { r = -1; break; }
            w += k;
        }
        if (r < 0) break;
    }
    raw(SYS_close, in, 0, 0, 0);
}

static void snap(int end) {
    const char *dir = env("VMAREPLAY_SNAPDIR");
    if (!dir || !*dir) return;
    raw(SYS_lseek, -1, end ? MARK_END : MARK_START, SEEK_SET, 0);
    long pid = raw(SYS_getpid, 0, 0, 0, 0);
    const char *kind = end ? "end" : "start";
    long n, fd = -1;
    if (!end) {
        for (n = 1; n < 100000; n++) {
            if (name(dir, pid, n, kind, "maps") < 0) return;
            fd = raw(SYS_openat, AT_FDCWD, (long) path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd >= 0 || fd != -17 /* EEXIST */) break;
        }
        if (fd < 0) return;
        image_pid = pid;
        image_n = n;
    } else {
        n = pid == image_pid ? image_n : 0;
        if (name(dir, pid, n, kind, "maps") < 0) return;
        fd = raw(SYS_openat, AT_FDCWD, (long) path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) return;
    }
    copy("/proc/self/maps", fd);
    raw(SYS_close, fd, 0, 0, 0);
    if (name(dir, pid, n, kind, "smaps") < 0) return;
    fd = raw(SYS_openat, AT_FDCWD, (long) path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    copy("/proc/self/smaps", fd);
    raw(SYS_close, fd, 0, 0, 0);
}

__attribute__((constructor)) static void vmareplay_snap_start(void) { snap(0); }
__attribute__((destructor)) static void vmareplay_snap_end(void) { snap(1); }
