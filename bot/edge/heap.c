/* heap — see heap.h. */
#define _GNU_SOURCE
#include "heap.h"
#include "log.h"
#include "util.h"

#include <malloc.h>
#include <time.h>

void heap_setup(void)
{
	/* One malloc arena for all threads: the load's compile helper and the
	 * reload thread each had one of their own, 3.2 MB resident for good
	 * after a load (smaps); the loop allocates alone, so nothing waits. */
	mallopt(M_ARENA_MAX, 1);
	/* Blocks from 128 KB up get their own mapping, given back when freed.
	 * Left to itself glibc raises this threshold to the largest mapped
	 * block freed so far (the needle index's 1.6 MB build buffer, at the
	 * load), and the heap's trim threshold to twice that; every large
	 * temporary buffer after it came from the heap and its pages stayed
	 * resident: peak RSS of the 10 000-question backlog 51.2 -> 49.6 MB
	 * (tests/bench/mem_e2e.py). Setting it fixes it at the default. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

void heap_release(const char *what)
{
	/* A load leaves its temporaries (the needle reader's memo, the
	 * unpacked needles, the expanded pattern text: ~5 MB at its peak)
	 * freed between the compiled code it keeps, so the heap's free holes
	 * stay resident: 19.6 MB of heap for 8.5 MB in use after the start's
	 * load. glibc returns only a free top by itself; malloc_trim(0) also
	 * gives back the whole pages of free chunks inside the heap
	 * (MADV_DONTNEED), once per load. */
	struct timespec c0, c1;
	double t0 = now_seconds();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	malloc_trim(0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	log_debug("heap_released", KV("after", what), KV("ms", (now_seconds() - t0) * 1e3),
		  KV("cpu_ms", (double)(c1.tv_sec - c0.tv_sec) * 1e3 +
				       (double)(c1.tv_nsec - c0.tv_nsec) / 1e6));
}
