/* Faults on purpose, chosen by argv[1]: the kernel must turn each into the right signal. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  printf("about to %s\n", what);
  fflush(stdout);
  if (!strcmp(what, "null")) *(volatile int *)0 = 1;
  if (!strcmp(what, "kernel")) (void)*(volatile long *)0xffff880000000000ul;
  if (!strcmp(what, "cli")) __asm__ volatile("cli");
  if (!strcmp(what, "swapgs")) __asm__ volatile("swapgs");
  if (!strcmp(what, "ud2")) __asm__ volatile("ud2");
  if (!strcmp(what, "int3")) __asm__ volatile("int3");
  if (!strcmp(what, "div0")) {
    int q, zero = 0;
    __asm__ volatile("cltd\n\tidivl %1" : "=a"(q) : "r"(zero), "a"(1) : "edx");
    printf("%d\n", q);
  }
  return 0;
}
