/* The syscall benchmark: N getppid() round trips through the full entry path (default 200000). */
#include <stdio.h>
#include <stdlib.h>

static long raw_getppid(void) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(110L) : "rcx", "r11", "memory");
  return ret;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000, sum = 0;
  for (long i = 0; i < n; i++) sum += raw_getppid();
  printf("%ld getppid calls, sum %ld\n", n, sum);
  return 0;
}
