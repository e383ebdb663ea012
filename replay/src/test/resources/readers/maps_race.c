/*
 * maps_race.c - does a concurrent /proc/self/maps reader ever skip a VMA
 * during an existing-range mprotect merge on the real (6.17+, lockless) kernel?
 *
 * Build:  gcc -O2 -pthread -o maps_race maps_race.c
 * Run:    ./maps_race SHAPE SECONDS PIN MODE
 *           SHAPE  : both | left_full | left_partial | right_full | right_partial
 *           PIN    : split (writer CPU0, reader CPU1) | same (both on CPU0)
 *           MODE   : big   (one read() of up to 64 KiB from offset 0; seq_file
 *                           fills at most one page, and the region's lines are
 *                           the first lines, so they are in that one buffer and
 *                           were produced by one m_start..m_stop pass)
 *                    mid   (one read() of 512 bytes: the region's lines and a
 *                           few more, one m_start..m_stop pass; ~5x more passes)
 *                    small (control: read() 64 bytes at a time, so every
 *                           read that needs new records starts over in m_start)
 *
 * A 4-page anonymous region is mapped with MAP_FIXED_NOREPLACE at 0x10000000
 * (below the PIE binary, heap and libraries: its lines are the first lines of
 * /proc/self/maps), written so it has an anon_vma, and cut into VMAs with
 * different protections (A | B B | C or A | B | C C, see setup()).  A writer
 * thread loops mprotect() of (part of) B to the protection of A and/or C and
 * back: an existing-range merge (prev and/or next expand over the middle)
 * followed by the split back.  setup() checks in /proc/self/maps that both
 * layouts really have the expected VMA boundaries (the merge happens).
 *
 * The reader parses only the lines of one pass (big: one read() buffer) and
 * checks that [base, base+4 pages) - mapped in every layout - is covered
 * without a hole ("gap": a line starts above the previous line's end inside
 * the region; the finding under test predicts prev with its OLD end followed
 * directly by next) and that no line starts below the previous line's end
 * ("overlap": an address shown twice).  It counts passes, gaps, overlaps and
 * passes where the region was not complete, and saves the first offending
 * buffers verbatim to maps_race.<shape>.gap<n>.txt / .other<n>.txt.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PG 4096UL
#define NPAGES 4
#define BASE 0x10000000UL
#define BUFSZ (64 * 1024)

static char *base;
static const char *shape;
static int merge_prot, split_prot; /* prot given to the toggled range */
static unsigned long tog_off, tog_len; /* toggled range, in pages */
static atomic_int stop;
static atomic_ulong writer_iters;
static unsigned long passes, gaps, overlaps, incomplete, saved_gap, saved_other;
static int small_mode;
static size_t readsz = BUFSZ;

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (pthread_setaffinity_np(pthread_self(), sizeof(s), &s))
		perror("affinity");
}

static void prot(unsigned long off, unsigned long n, int p)
{
	if (mprotect(base + off * PG, n * PG, p)) {
		perror("mprotect");
		exit(1);
	}
}

/* boundaries of the region as /proc/self/maps shows them, e.g. "0,1,3,4" */
static void layout(char *out)
{
	static char buf[BUFSZ];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	out[0] = 0;
	for (char *l = buf; *l; ) {
		unsigned long s, e;
		char *nl = strchr(l, '\n');
		if (sscanf(l, "%lx-%lx", &s, &e) == 2 && e > BASE && s < BASE + NPAGES * PG)
			sprintf(out + strlen(out), "%s%lu-%lu", out[0] ? "," : "",
				(s - BASE) / PG, (e - BASE) / PG);
		if (!nl) break;
		l = nl + 1;
	}
}

static void setup(void)
{
	int A, B, C, nA = 1, nB = 2;
	char l1[256], l2[256];

	base = mmap((void *)BASE, NPAGES * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (base != (void *)BASE) { perror("mmap"); exit(1); }
	memset(base, 1, NPAGES * PG); /* anon_vma + pages */

	if (!strcmp(shape, "both")) {
		A = PROT_READ | PROT_WRITE; B = PROT_READ; C = A;
		tog_off = 1; tog_len = 2; merge_prot = A;
	} else if (!strcmp(shape, "left_full")) {
		A = PROT_READ | PROT_WRITE; B = PROT_READ; C = PROT_NONE;
		tog_off = 1; tog_len = 2; merge_prot = A;
	} else if (!strcmp(shape, "left_partial")) {
		A = PROT_READ | PROT_WRITE; B = PROT_READ; C = PROT_NONE;
		tog_off = 1; tog_len = 1; merge_prot = A;
	} else if (!strcmp(shape, "right_full")) {
		A = PROT_NONE; B = PROT_READ; C = PROT_READ | PROT_WRITE;
		tog_off = 1; tog_len = 2; merge_prot = C;
	} else if (!strcmp(shape, "right_partial")) {
		A = PROT_NONE; B = PROT_READ; C = PROT_READ | PROT_WRITE;
		tog_off = 2; tog_len = 1; merge_prot = C;
	} else { fprintf(stderr, "bad shape\n"); exit(2); }
	split_prot = B;
	prot(0, nA, A);
	prot(nA, nB, B);
	prot(nA + nB, NPAGES - nA - nB, C);
	layout(l1);
	prot(tog_off, tog_len, merge_prot);
	layout(l2);
	prot(tog_off, tog_len, split_prot);
	printf("shape %s: split layout [%s] merged layout [%s] (pages from 0x%lx)\n",
	       shape, l1, l2, BASE);
	if (!strcmp(l1, l2)) { fprintf(stderr, "no merge happened\n"); exit(1); }
}

static void *writer(void *arg)
{
	int cpu = *(int *)arg;
	pin(cpu);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		prot(tog_off, tog_len, merge_prot);
		prot(tog_off, tog_len, split_prot);
		atomic_fetch_add_explicit(&writer_iters, 1, memory_order_relaxed);
	}
	return NULL;
}

/* 0 ok, else bit 1 gap, bit 2 overlap, bit 4 incomplete */
static int check(const char *buf)
{
	unsigned long expect = BASE, prev_end = 0, end = BASE + NPAGES * PG;
	int r = 0;
	for (const char *l = buf; *l; ) {
		unsigned long s, e;
		const char *nl = strchr(l, '\n');
		if (!nl) break; /* partial last line */
		if (sscanf(l, "%lx-%lx", &s, &e) == 2) {
			if (prev_end && s < prev_end) r |= 2;
			prev_end = e;
			if (e > BASE && s < end) {
				if (s > expect) r |= 1;
				if (e > expect) expect = e;
			}
		}
		l = nl + 1;
	}
	if (expect < end) r |= 4;
	return r;
}

static void save(const char *buf, int r)
{
	char name[128];
	unsigned long *cnt = (r & 1) ? &saved_gap : &saved_other;
	if (*cnt >= ((r & 1) ? 5 : 2)) return;
	snprintf(name, sizeof(name), "maps_race.%s.%s%lu.txt", shape,
		 (r & 1) ? "gap" : "other", (*cnt)++);
	FILE *f = fopen(name, "w");
	if (!f) return;
	fprintf(f, "# result bits %d (1 gap, 2 overlap, 4 incomplete)\n%s", r, buf);
	fclose(f);
}

static void *reader(void *arg)
{
	int cpu = *(int *)arg;
	static char buf[BUFSZ + 1];
	int fd = open("/proc/self/maps", O_RDONLY);
	pin(cpu);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		ssize_t n, tot = 0;
		if (lseek(fd, 0, SEEK_SET) != 0) { perror("lseek"); exit(1); }
		if (!small_mode) {
			n = read(fd, buf, readsz);
			if (n <= 0) { perror("read"); exit(1); }
			tot = n;
		} else {
			/* read until the region's end address has been passed */
			for (;;) {
				n = read(fd, buf + tot, 64);
				if (n <= 0) break;
				tot += n;
				buf[tot] = 0;
				if (tot > 2048 || check(buf) == 0) break;
			}
		}
		buf[tot] = 0;
		passes++;
		int r = check(buf);
		if (r & 1) gaps++;
		if (r & 2) overlaps++;
		if (r & 4) incomplete++;
		if (r) save(buf, r);
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s SHAPE SECONDS split|same big|mid|small\n", argv[0]);
		return 2;
	}
	shape = argv[1];
	int secs = atoi(argv[2]);
	int wcpu = 0, rcpu = strcmp(argv[3], "same") ? 1 : 0;
	small_mode = !strcmp(argv[4], "small");
	if (!strcmp(argv[4], "mid"))
		readsz = 512;
	setup();
	pthread_t w, r;
	pthread_create(&w, NULL, writer, &wcpu);
	pthread_create(&r, NULL, reader, &rcpu);
	sleep(secs);
	atomic_store(&stop, 1);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	printf("shape %s pin %s mode %s secs %d: writer merge+split iterations %lu, "
	       "reader passes %lu, gaps %lu, overlaps %lu, incomplete %lu\n",
	       shape, argv[3], argv[4], secs, (unsigned long)writer_iters, passes,
	       gaps, overlaps, incomplete);
	return 0;
}
