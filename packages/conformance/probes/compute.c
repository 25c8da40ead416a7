/* The compute benchmark: integer hashing and a sieve, no syscalls in the loop. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char sieve[1 << 20];

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 20;
  uint64_t h = 1469598103934665603ull;
  long primes = 0;
  for (long r = 0; r < rounds; r++) {
    memset(sieve, 1, sizeof sieve);
    for (long i = 2; i * i < (long)sizeof sieve; i++)
      if (sieve[i])
        for (long j = i * i; j < (long)sizeof sieve; j += i) sieve[j] = 0;
    for (long i = 2; i < (long)sizeof sieve; i++)
      if (sieve[i]) {
        primes++;
        h = (h ^ (uint64_t)i) * 1099511628211ull;
      }
  }
  printf("%ld primes, hash %016llx\n", primes, (unsigned long long)h);
  return 0;
}
