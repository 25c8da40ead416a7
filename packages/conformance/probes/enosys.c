/* Raw syscalls the libc would not make: an unknown number and getpid, with their results. */
#include <stdio.h>

static long raw_syscall(long nr) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
  return ret;
}

int main(void) {
  printf("syscall(500) = %ld\n", raw_syscall(500));
  printf("syscall(100000) = %ld\n", raw_syscall(100000));
  printf("getpid() > 0: %d\n", raw_syscall(39) > 0);
  return 0;
}
