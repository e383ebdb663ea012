#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
static void *worker(void *a) {
  for (int i = 0; i < 20; i++) {
    void *p = mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
    mprotect(p, 4096, PROT_READ);
    madvise(p, 8192, MADV_DONTNEED);
    munmap(p, 8192);
  }
  return 0;
}
int main(int argc, char **argv) {
  pthread_t t[3];
  for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, worker, 0);
  int fd = open("/etc/passwd", O_RDONLY);
  int fd2 = dup(fd);
  void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd2, 0);
  int mf = memfd_create("ingtest", MFD_CLOEXEC);
  ftruncate(mf, 8192);
  void *mm = mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, mf, 0);
  prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, m, 4096, "x");
  char buf[64]; strcpy(buf, "+++ exited with 0 +++ <... mmap resumed> lseek(");
  write(1, buf, strlen(buf)); write(1, "\n", 1);
  void *r = mremap(mm, 8192, 16384, MREMAP_MAYMOVE);
  mlock(r, 4096); munlock(r, 4096);
  syscall(462, r, 4096, 0);
  pid_t c = fork();
  if (c == 0) { void *q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0); munmap(q, 4096); execl("/bin/true", "true", NULL); _exit(1); }
  waitpid(c, 0, 0);
  pid_t k = fork();
  if (k == 0) { pause(); _exit(0); }
  usleep(10000); kill(k, 9); waitpid(k, 0, 0);
  for (int i = 0; i < 3; i++) pthread_join(t[i], 0);
  void *big = mmap(NULL, 1UL<<50, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  return 0;
}
