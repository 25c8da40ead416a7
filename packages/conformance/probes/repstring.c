/*
 * REP MOVS and REP STOS of every element size, forward and backward, within a page, across
 * page boundaries, with the destination overlapping the source at every distance around the
 * element size, and running into a page that faults (the SIGSEGV handler prints RCX, RSI and
 * RDI: where the instruction stopped). After each case the buffer's checksum and the final
 * registers are printed, so one wrong byte or count shows. The host CPU is the oracle.
 */
#define _GNU_SOURCE /* REG_RCX and the other ucontext register names */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define PAGE 4096
#define PAGES 4 /* read-write; the page after them is PROT_NONE */

static unsigned char *buf;
static sigjmp_buf env;
static volatile long fault_regs[3];

/* 32-bit FNV-1a over the buffer's words: cheap enough to run after each of a thousand cases */
static uint32_t checksum(void) {
  const uint32_t *w = (const uint32_t *)buf;
  uint32_t sum = 2166136261u;
  for (size_t i = 0; i < PAGES * PAGE / 4; i++) sum = (sum ^ w[i]) * 16777619u;
  return sum;
}

/* bytes that look random (a murmur3 finaliser of the word index), so any copy changes the sum */
static void fill(void) {
  uint32_t *w = (uint32_t *)buf;
  for (uint32_t i = 0; i < PAGES * PAGE / 4; i++) {
    uint32_t x = (i + 1) * 0x9e3779b1u;
    x ^= x >> 15;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    w[i] = x;
  }
}

static void on_segv(int sig, siginfo_t *info, void *ucv) {
  (void)sig;
  (void)info;
  ucontext_t *uc = ucv;
  fault_regs[0] = uc->uc_mcontext.gregs[REG_RCX];
  fault_regs[1] = uc->uc_mcontext.gregs[REG_RSI] - (long)buf;
  fault_regs[2] = uc->uc_mcontext.gregs[REG_RDI] - (long)buf;
  siglongjmp(env, 1);
}

/* rep movs/stos of element `size`, backward when `down`: the registers after it in out[] */
static void rep_op(int stos, int size, int down, unsigned char *d, const unsigned char *s, long n, long out[3]) {
  uint64_t v = 0x8877665544332211ull;
  if (down) __asm__ volatile("std");
  if (stos) {
    switch (size) {
    case 1: __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(v) : "memory"); break;
    case 2: __asm__ volatile("rep stosw" : "+D"(d), "+c"(n) : "a"(v) : "memory"); break;
    case 4: __asm__ volatile("rep stosl" : "+D"(d), "+c"(n) : "a"(v) : "memory"); break;
    default: __asm__ volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(v) : "memory"); break;
    }
  } else {
    switch (size) {
    case 1: __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory"); break;
    case 2: __asm__ volatile("rep movsw" : "+D"(d), "+S"(s), "+c"(n) : : "memory"); break;
    case 4: __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(n) : : "memory"); break;
    default: __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(n) : : "memory"); break;
    }
  }
  if (down) __asm__ volatile("cld");
  out[0] = n;
  out[1] = (long)(s - buf);
  out[2] = (long)(d - buf);
}

static void one(const char *what, int stos, int size, int down, long soff, long doff, long n) {
  long out[3] = {0, 0, 0};
  fill();
  if (sigsetjmp(env, 1) == 0) {
    rep_op(stos, size, down, buf + doff, buf + soff, n, out);
    printf("%s%d%s src %ld dst %ld n %ld: rcx %ld rsi %ld rdi %ld sum %08x\n", what, size, down ? " down" : "", soff,
           doff, n, out[0], stos ? soff : out[1], out[2], checksum());
  } else {
    __asm__ volatile("cld");
    printf("%s%d%s src %ld dst %ld n %ld: SIGSEGV with rcx %ld rsi %ld rdi %ld sum %08x\n", what, size,
           down ? " down" : "", soff, doff, n, fault_regs[0], stos ? soff : fault_regs[1], fault_regs[2],
           checksum());
  }
}

/* Code written with REP MOVSB, run, then overwritten the same way and run again: the second
   call must see the new bytes (the page's decoded instructions are stale after the copy). */
static void code_copy(void) {
  static const unsigned char ret1[] = {0xb8, 1, 0, 0, 0, 0xc3}; /* mov $1, %eax; ret */
  static const unsigned char ret2[] = {0xb8, 2, 0, 0, 0, 0xc3}; /* mov $2, %eax; ret */
  unsigned char *code = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) {
    printf("code: mmap failed\n");
    return;
  }
  /* as a JIT does: fill the page, then make it executable */
  memset(code, 0xcc, PAGE);
  if (mprotect(code, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) {
    printf("code: mprotect failed\n");
    return;
  }
  int (*fn)(void) = (int (*)(void))(void *)(code + 64);
  for (int round = 0; round < 4; round++) {
    unsigned char *d = code + 64;
    const unsigned char *s = round % 2 == 0 ? ret1 : ret2;
    long n = sizeof ret1;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    int sum = 0;
    for (int i = 0; i < 1000; i++) sum += fn(); /* hot enough to be translated */
    printf("code round %d: %d\n", round, sum);
  }
}

int main(void) {
  buf = mmap(NULL, (PAGES + 1) * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buf == MAP_FAILED || mprotect(buf + PAGES * PAGE, PAGE, PROT_NONE) != 0) {
    printf("mmap/mprotect failed\n");
    return 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, NULL);

  static const long moves[][2] = {
      {0, 8192},   {4093, 8190}, {8190, 4093}, {100, 9000}, /* apart, within and across pages */
      {100, 101},  {100, 102},   {100, 103},   {100, 104},  /* destination 1..8 bytes after the source */
      {100, 105},  {100, 107},   {100, 108},   {100, 116},  /* (the copy replicates a pattern) */
      {4090, 4091}, {4094, 4098}, {200, 100},  {300, 299},  /* across a page; destination first */
      {500, 500},  {4096, 0},
  };
  static const long counts[] = {0, 1, 3, 17, 300, 1000, 5000};
  for (int size = 1; size <= 8; size *= 2) {
    for (unsigned m = 0; m < sizeof moves / sizeof moves[0]; m++) {
      for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        long n = counts[c];
        long soff = moves[m][0], doff = moves[m][1];
        long end = (soff > doff ? soff : doff) + n * size;
        if (end <= PAGES * PAGE) one("movs", 0, size, 0, soff, doff, n);
        /* backward: the element at the offsets is the first one moved */
        if (soff >= n * size && doff >= n * size) one("movs", 0, size, 1, soff, doff, n);
      }
    }
    static const long stores[] = {0, 1, 4093, 4095, 8191, 12000};
    for (unsigned t = 0; t < sizeof stores / sizeof stores[0]; t++) {
      for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        long n = counts[c], doff = stores[t];
        if (doff + n * size <= PAGES * PAGE) one("stos", 1, size, 0, 0, doff, n);
        if (doff >= n * size) one("stos", 1, size, 1, 0, doff, n);
      }
    }
    /* into the PROT_NONE page: the destination, the source, and a store */
    one("movs", 0, size, 0, 1000, PAGES * PAGE - 300, 600 / size);
    one("movs", 0, size, 0, PAGES * PAGE - 301, 1000, 900 / size);
    one("stos", 1, size, 0, 0, PAGES * PAGE - 5001, 9000 / size);
  }
  code_copy();
  return 0;
}
