/*
 * The nested-interrupt scenario: write(2) from pages the program has mapped but never
 * touched. The kernel's copy_from_user meets an unmapped page, takes a page fault inside the
 * syscall, and do_page_fault (interrupts on again) zeroes the new page while the timer keeps
 * ticking. The registers the program holds across each call must come back unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* write(2) by hand, with values in callee-saved registers the kernel must give back intact */
static long write_keeping(int fd, const void *buf, long len, long *kept) {
  long ret;
  register long r12 __asm__("r12") = 0x1212121212121212;
  register long r13 __asm__("r13") = 0x1313131313131313;
  register long r14 __asm__("r14") = 0x1414141414141414;
  register long r15 __asm__("r15") = 0x1515151515151515;
  __asm__ volatile("syscall"
                   : "=a"(ret), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
                   : "a"(1L), "D"((long)fd), "S"(buf), "d"(len)
                   : "rcx", "r11", "memory");
  *kept = (r12 == 0x1212121212121212) + (r13 == 0x1313131313131313) + (r14 == 0x1414141414141414) + (r15 == 0x1515151515151515);
  return ret;
}

int main(int argc, char **argv) {
  int pages = argc > 1 ? atoi(argv[1]) : 16;
  char *buf = mmap(0, (size_t)pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buf == MAP_FAILED) return perror("mmap"), 1;
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0) return perror("open"), 1;
  long total = 0, kept = 0;
  for (int i = 0; i < pages; i++) {
    long k;
    total += write_keeping(fd, buf + (long)i * 4096, 4096, &k);
    kept += k;
  }
  /* the pages the kernel faulted in read as zeros */
  long nonzero = 0;
  for (long i = 0; i < (long)pages * 4096; i++) nonzero += buf[i] != 0;
  printf("wrote %ld bytes from %d untouched pages; %ld of %d callee-saved registers kept; %ld non-zero bytes\n", total, pages, kept, 4 * pages, nonzero);
  /* a buffer in no mapping at all: the copy's fault finds no VMA and the call fails with EFAULT */
  int p[2];
  if (pipe(p) != 0) return perror("pipe"), 1;
  long k;
  long bad = write_keeping(p[1], (const void *)0x10000, 16, &k);
  printf("write from 0x10000: %s; %ld of 4 callee-saved registers kept\n", bad < 0 ? strerror((int)-bad) : "no error", k);
  return 0;
}
