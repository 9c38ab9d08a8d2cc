/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An LD_PRELOAD shim for omacp-bench-daemon: counts the calls of fsync(),
 * fdatasync() and syncfs() of the process it is loaded into, in a file
 * named by $OMACP_BENCH_SYNC_COUNTER that the bench maps too (three
 * 64-bit counters, in that order). Without the variable it only passes
 * the calls on. Not installed; never part of omacpd. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

enum { COUNT_FSYNC, COUNT_FDATASYNC, COUNT_SYNCFS, N_COUNTS };

static uint64_t *counters;
static int counters_tried;

static uint64_t *
get_counters(void)
{
	const char *path;
	int fd;
	void *map;

	if (__atomic_load_n(&counters_tried, __ATOMIC_ACQUIRE))
		return counters;
	path = getenv("OMACP_BENCH_SYNC_COUNTER");
	if (path != NULL && (fd = open(path, O_RDWR | O_CLOEXEC)) >= 0) {
		map = mmap(NULL, N_COUNTS * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED,
		           fd, 0);
		close(fd);
		if (map != MAP_FAILED)
			counters = map;
	}
	__atomic_store_n(&counters_tried, 1, __ATOMIC_RELEASE);
	return counters;
}

static void
count(int which)
{
	uint64_t *c = get_counters();

	if (c != NULL)
		__atomic_fetch_add(&c[which], 1, __ATOMIC_RELAXED);
}

int
fsync(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int)) dlsym(RTLD_NEXT, "fsync");
	count(COUNT_FSYNC);
	return real(fd);
}

int
fdatasync(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int)) dlsym(RTLD_NEXT, "fdatasync");
	count(COUNT_FDATASYNC);
	return real(fd);
}

int
syncfs(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int)) dlsym(RTLD_NEXT, "syncfs");
	count(COUNT_SYNCFS);
	return real(fd);
}
