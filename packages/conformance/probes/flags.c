/*
 * Arithmetic flags over edge values at every width, read back with pushf: the host CPU
 * and legosim must print the same lines. Only flags the SDM defines for each instruction
 * are printed (the mask per operation).
 */
#include <stdint.h>
#include <stdio.h>

#define CF 0x001
#define PF 0x004
#define AF 0x010
#define ZF 0x040
#define SF 0x080
#define OF 0x800
#define ARITH (CF | PF | AF | ZF | SF | OF)
#define LOGIC (CF | PF | ZF | SF | OF)

static const uint64_t values[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull, 0x123456789abcdef0ull,
    0xfedcba9876543210ull, 0x5555555555555555ull,
};
#define N (sizeof values / sizeof values[0])

#define BINOP(name, insn, suffix, type, reg, mask)                                               \
  static void name(void) {                                                                       \
    for (unsigned i = 0; i < N; i++)                                                             \
      for (unsigned j = 0; j < N; j++) {                                                         \
        type a = (type)values[i], b = (type)values[j];                                           \
        uint64_t f;                                                                              \
        __asm__ volatile("clc\n\t" insn suffix " %2, %0\n\tpushf\n\tpop %1"                      \
                         : "+" reg(a), "=r"(f) : reg(b) : "cc");                                 \
        printf(#name " %llx %llx = %llx f=%03llx\n", (unsigned long long)(type)values[i],       \
               (unsigned long long)b, (unsigned long long)a, (unsigned long long)(f & (mask)));  \
      }                                                                                          \
  }

#define CARRYOP(name, insn, suffix, type, reg)                                                   \
  static void name(void) {                                                                       \
    for (unsigned c = 0; c < 2; c++)                                                             \
      for (unsigned i = 0; i < N; i++)                                                           \
        for (unsigned j = 0; j < N; j += 3) {                                                    \
          type a = (type)values[i], b = (type)values[j];                                         \
          uint64_t f;                                                                            \
          __asm__ volatile("cmp $1, %3\n\tcmc\n\t" insn suffix " %2, %0\n\tpushf\n\tpop %1"     \
                           : "+" reg(a), "=r"(f) : reg(b), "r"((uint64_t)c) : "cc");             \
          printf(#name " c%u %llx %llx = %llx f=%03llx\n", c, (unsigned long long)(type)values[i], \
                 (unsigned long long)b, (unsigned long long)a, (unsigned long long)(f & ARITH));  \
        }                                                                                        \
  }

#define UNOP(name, insn, suffix, type, reg, mask)                                                \
  static void name(void) {                                                                       \
    for (unsigned i = 0; i < N; i++) {                                                           \
      type a = (type)values[i];                                                                  \
      uint64_t f;                                                                                \
      __asm__ volatile("clc\n\t" insn suffix " %0\n\tpushf\n\tpop %1" : "+" reg(a), "=r"(f) : : "cc"); \
      printf(#name " %llx = %llx f=%03llx\n", (unsigned long long)(type)values[i],               \
             (unsigned long long)a, (unsigned long long)(f & (mask)));                           \
    }                                                                                            \
  }

/* shifts by 1 define OF; by other counts only CF, SF, ZF, PF */
#define SHIFT(name, insn, suffix, type, reg)                                                     \
  static void name(void) {                                                                       \
    for (unsigned i = 0; i < N; i++)                                                             \
      for (unsigned n = 0; n < 8 * sizeof(type); n += 1) {                                       \
        type a = (type)values[i];                                                                \
        uint64_t f;                                                                              \
        __asm__ volatile("clc\n\t" insn suffix " %%cl, %0\n\tpushf\n\tpop %1"                    \
                         : "+" reg(a), "=r"(f) : "c"((uint8_t)n) : "cc");                        \
        printf(#name " %llx %u = %llx f=%03llx\n", (unsigned long long)(type)values[i], n,      \
               (unsigned long long)a, (unsigned long long)(f & (n == 1 ? (CF | ZF | SF | PF | OF) : n ? (CF | ZF | SF | PF) : 0))); \
      }                                                                                          \
  }

BINOP(add64, "add", "q", uint64_t, "r", ARITH)
BINOP(add32, "add", "l", uint32_t, "r", ARITH)
BINOP(add16, "add", "w", uint16_t, "r", ARITH)
BINOP(add8, "add", "b", uint8_t, "q", ARITH)
BINOP(sub64, "sub", "q", uint64_t, "r", ARITH)
BINOP(sub32, "sub", "l", uint32_t, "r", ARITH)
BINOP(sub16, "sub", "w", uint16_t, "r", ARITH)
BINOP(sub8, "sub", "b", uint8_t, "q", ARITH)
BINOP(and64, "and", "q", uint64_t, "r", LOGIC)
BINOP(or32, "or", "l", uint32_t, "r", LOGIC)
BINOP(xor16, "xor", "w", uint16_t, "r", LOGIC)
BINOP(cmp64, "cmp", "q", uint64_t, "r", ARITH)
BINOP(cmp8, "cmp", "b", uint8_t, "q", ARITH)
BINOP(test32, "test", "l", uint32_t, "r", LOGIC)
BINOP(imul64, "imul", "q", uint64_t, "r", CF | OF)
BINOP(imul32, "imul", "l", uint32_t, "r", CF | OF)
BINOP(imul16, "imul", "w", uint16_t, "r", CF | OF)
CARRYOP(adc64, "adc", "q", uint64_t, "r")
CARRYOP(adc32, "adc", "l", uint32_t, "r")
CARRYOP(sbb64, "sbb", "q", uint64_t, "r")
CARRYOP(sbb8, "sbb", "b", uint8_t, "q")
UNOP(inc64, "inc", "q", uint64_t, "r", PF | AF | ZF | SF | OF | CF)
UNOP(dec32, "dec", "l", uint32_t, "r", PF | AF | ZF | SF | OF | CF)
UNOP(neg64, "neg", "q", uint64_t, "r", ARITH)
UNOP(neg8, "neg", "b", uint8_t, "q", ARITH)
UNOP(not16, "not", "w", uint16_t, "r", ARITH)
SHIFT(shl64, "shl", "q", uint64_t, "r")
SHIFT(shr32, "shr", "l", uint32_t, "r")
SHIFT(sar16, "sar", "w", uint16_t, "r")
SHIFT(sar64, "sar", "q", uint64_t, "r")
SHIFT(rol32, "rol", "l", uint32_t, "r")
SHIFT(ror64, "ror", "q", uint64_t, "r")

static void muldiv(void) {
  for (unsigned i = 0; i < N; i++)
    for (unsigned j = 0; j < N; j++) {
      uint64_t lo = values[i], hi, f;
      __asm__ volatile("mulq %3\n\tpushf\n\tpop %2" : "+a"(lo), "=d"(hi), "=r"(f) : "r"(values[j]) : "cc");
      printf("mul %llx %llx = %llx:%llx f=%03llx\n", (unsigned long long)values[i], (unsigned long long)values[j],
             (unsigned long long)hi, (unsigned long long)lo, (unsigned long long)(f & (CF | OF)));
      if (values[j] != 0) {
        uint64_t q = values[i], r = 0;
        __asm__ volatile("divq %2" : "+a"(q), "+d"(r) : "r"(values[j]) : "cc");
        printf("div %llx %llx = %llx r %llx\n", (unsigned long long)values[i], (unsigned long long)values[j],
               (unsigned long long)q, (unsigned long long)r);
        int64_t sq = (int64_t)values[i], sr = sq < 0 ? -1 : 0;
        if (!((int64_t)values[j] == -1 && sq == INT64_MIN)) {
          __asm__ volatile("idivq %2" : "+a"(sq), "+d"(sr) : "r"(values[j]) : "cc");
          printf("idiv %llx %llx = %llx r %llx\n", (unsigned long long)values[i], (unsigned long long)values[j],
                 (unsigned long long)sq, (unsigned long long)sr);
        }
      }
    }
}

static void bits(void) {
  for (unsigned i = 0; i < N; i++) {
    uint64_t v = values[i], r = 0xdead, f;
    __asm__ volatile("bsfq %2, %0\n\tpushf\n\tpop %1" : "+r"(r), "=r"(f) : "r"(v) : "cc");
    printf("bsf %llx = %llx zf=%llx\n", (unsigned long long)v, (unsigned long long)(v ? r : 0), (unsigned long long)(f & ZF));
    r = 0xdead;
    __asm__ volatile("bsrq %2, %0\n\tpushf\n\tpop %1" : "+r"(r), "=r"(f) : "r"(v) : "cc");
    printf("bsr %llx = %llx zf=%llx\n", (unsigned long long)v, (unsigned long long)(v ? r : 0), (unsigned long long)(f & ZF));
    printf("bswap %llx = %llx\n", (unsigned long long)v, (unsigned long long)__builtin_bswap64(v));
    for (unsigned n = 0; n < 64; n += 7) {
      uint64_t t = v;
      __asm__ volatile("btcq %2, %0\n\tpushf\n\tpop %1" : "+r"(t), "=r"(f) : "r"((uint64_t)n) : "cc");
      printf("btc %llx %u = %llx cf=%llx\n", (unsigned long long)v, n, (unsigned long long)t, (unsigned long long)(f & CF));
    }
  }
}

int main(void) {
  add64(); add32(); add16(); add8(); sub64(); sub32(); sub16(); sub8();
  and64(); or32(); xor16(); cmp64(); cmp8(); test32(); imul64(); imul32(); imul16();
  adc64(); adc32(); sbb64(); sbb8(); inc64(); dec32(); neg64(); neg8(); not16();
  shl64(); shr32(); sar16(); sar64(); rol32(); ror64();
  muldiv(); bits();
  return 0;
}
