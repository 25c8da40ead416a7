/*
 * Four threads computing at once, for a machine of several CPUs (`--cpus 4`). Every line it
 * prints is deterministic natively and under legosim, whatever the number of CPUs:
 *
 *  - The threads start, then spin (with sched_yield) until the main thread says go, so on
 *    four CPUs they are all on a CPU while the main thread maps, touches and unmaps memory:
 *    the munmap must shoot the mapping's TLB entries down on the CPUs running them.
 *  - Each thread then runs a xorshift loop (argv[1] rounds, default 200000) and a shared
 *    counter under a mutex; main joins them and prints the results.
 *  - sched_setaffinity pins the main thread to the last CPU and checks getcpu agrees.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define THREADS 4

static atomic_int started, go;
static unsigned long rounds = 200000;
static uint64_t results[THREADS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long shared;

static uint64_t xorshift(uint64_t seed, unsigned long n) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (unsigned long i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

static void *worker(void *arg) {
  long id = (long)arg;
  atomic_fetch_add(&started, 1);
  while (!atomic_load(&go)) sched_yield();
  results[id] = xorshift((uint64_t)id + 1, rounds);
  for (int i = 0; i < 1000; i++) {
    pthread_mutex_lock(&lock);
    shared += id + 1;
    pthread_mutex_unlock(&lock);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1) rounds = strtoul(argv[1], 0, 10);
  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], 0, worker, (void *)i);
  while (atomic_load(&started) < THREADS) sched_yield();

  /* memory the threads' address space had, gone while they run */
  size_t len = 1 << 16;
  unsigned char *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 1;
  memset(p, 0x5a, len);
  unsigned sum = 0;
  for (size_t i = 0; i < len; i += 4096) sum += p[i];
  munmap(p, len);
  printf("mapped, touched and unmapped: %u\n", sum);
  atomic_store(&go, 1);

  for (int i = 0; i < THREADS; i++) pthread_join(t[i], 0);
  for (int i = 0; i < THREADS; i++) printf("thread %d: %016llx\n", i, (unsigned long long)results[i]);
  printf("shared counter: %ld\n", shared);

  /* pinned to the last CPU there is, the main thread runs there */
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 2;
  int last = -1;
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &set)) last = c;
  CPU_ZERO(&set);
  CPU_SET(last, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) return 3;
  sched_yield();
  printf("pinned to the last CPU: %s\n", sched_getcpu() == last ? "yes" : "no");
  CPU_ZERO(&set);
  printf("empty mask refused: %s\n", sched_setaffinity(0, sizeof set, &set) != 0 ? "yes" : "no");
  return 0;
}
