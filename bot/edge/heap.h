/* heap — the running bot's malloc policy (glibc), set once at start, and
 * giving back to the kernel the pages a knowledge-base load left free.
 * Nothing else in the bot calls mallopt or malloc_trim. Measured with
 * tests/bench/mem_e2e.py; the figures are in docs/benchmarks.md, "Where
 * the peak RSS goes". */
#ifndef CANCELBOT_HEAP_H
#define CANCELBOT_HEAP_H

/* Before any thread starts. */
void heap_setup(void);
/* Once the start's knowledge base is loaded, before the first poll: gives
 * back the free pages inside the heap. `what` names the moment in the debug
 * log. Not after a reload: it holds the malloc lock for ~55 ms of CPU, which
 * the loop would wait out between two replies, and the next reload's load
 * fills the holes the replaced knowledge base left. */
void heap_release(const char *what);

#endif
