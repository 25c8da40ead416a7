/*
 * Self-modifying code, which x86 allows without any flush instruction: a store into code
 * is seen by the very next instruction fetched from there (SDM Vol. 3, 11.6).
 *
 * 1. A hot function in an RWX page (legosim has translated it into a block) stores into
 *    the immediate of its own next instruction: it must return the value just stored.
 * 2. A function's body is rewritten between calls (a different constant each time).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef unsigned (*fn_t)(unsigned, unsigned *);

int main(void) {
  unsigned char *page = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  /* mov %edi, (%rsi)    -- a store to wherever the caller points
   * mov $imm, %eax      -- imm32 at offset 3
   * ret
   * Called many times storing elsewhere (so it is hot), then once storing into its own
   * next instruction: that call must return the value it stored. */
  static const unsigned char store_then_run[] = {0x89, 0x3e, 0xb8, 0, 0, 0, 0, 0xc3};
  memcpy(page, store_then_run, sizeof store_then_run);
  fn_t f = (fn_t)page;
  unsigned sink = 0, current = 0, wrong = 0;
  unsigned long sum = 0;
  for (unsigned round = 1; round <= 50; round++) {
    for (int i = 0; i < 200; i++)
      if (f(i, &sink) != current) wrong++;
    current = round * 2654435761u;
    unsigned r = f(current, (unsigned *)(page + 3));
    sum += r;
    if (r != current) wrong++;
  }
  printf("store into the next instruction: %u wrong, sum %lu\n", wrong, sum);

  /* mov $imm, %eax ; ret  -- rewritten from C between calls */
  unsigned char *g_code = page + 64;
  unsigned (*g)(void) = (unsigned (*)(void))g_code;
  g_code[0] = 0xb8;
  g_code[5] = 0xc3;
  wrong = 0;
  sum = 0;
  for (unsigned i = 0; i < 2000; i++) {
    unsigned v = i * 7 + 3;
    memcpy(g_code + 1, &v, 4);
    unsigned r = g();
    sum += r;
    if (r != v) wrong++;
  }
  printf("rewritten between calls: %u wrong, sum %lu\n", wrong, sum);
  return 0;
}
