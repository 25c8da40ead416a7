/*
 * Every SSE/SSE2 instruction (and the MMX forms of the packed integer ones) over edge and
 * seeded random inputs, with floating-point ones under all four MXCSR rounding modes and
 * with FTZ/DAZ (as gcc -ffast-math sets them).
 * Results are printed as raw bits, native vs legosim. Inline asm, so the instructions run
 * exactly as written whatever the compiler would pick.
 */
#include <emmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  uint64_t q[2];
} __attribute__((aligned(16))) v128;

static uint64_t seed = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  seed ^= seed << 13;
  seed ^= seed >> 7;
  seed ^= seed << 17;
  return seed;
}

/* ------------------------------------------------------------------ inputs */

static const uint32_t F32_EDGE[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x00800000, 0x80800000, 0x00000001, 0x807fffff,
    0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0xff812345,
    0x3fc00000, 0x4b800001, 0x4f000000, 0xcf000000, 0x4effffff, 0x5f000000, 0xdf000001, 0x3f000000,
    0x40200000, 0xc0200000, 0x3eaaaaab, 0x4b000001,
};
static const uint64_t F64_EDGE[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x0010000000000000ull, 0x8010000000000000ull, 0x0000000000000001ull, 0x800fffffffffffffull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000123ull, 0x7ff0000000000001ull, 0xfff4000000abcdefull,
    0x3ff8000000000000ull, 0x4340000000000001ull, 0x41e0000000000000ull, 0xc1e0000000000000ull,
    0x41dfffffffc00000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull, 0x3fe0000000000000ull,
    0x4004000000000000ull, 0xc004000000000000ull, 0x3fd5555555555555ull, 0x41dfffffffffffffull,
    0xc1e0000000100000ull, 0x3810000000000000ull, 0x36a0000000000000ull, 0x47efffffe0000000ull,
};
#define NF32 (sizeof F32_EDGE / sizeof F32_EDGE[0])
#define NF64 (sizeof F64_EDGE / sizeof F64_EDGE[0])

/* a float with a random significand and a moderate random exponent: arithmetic on these is inexact */
static uint32_t rnd_f32(void) {
  uint64_t r = rnd();
  switch (r & 7) {
  case 0: return F32_EDGE[(r >> 8) % NF32];
  case 1: return (uint32_t)(r >> 16); /* any bits */
  case 2: return (uint32_t)((r >> 32) & 0x807fffff) | (1u << 23); /* near the smallest normal */
  default: return (uint32_t)((r >> 32) & 0x807fffff) | ((uint32_t)(100 + (r >> 8) % 56) << 23);
  }
}
static uint64_t rnd_f64(void) {
  uint64_t r = rnd(), m = rnd();
  switch (r & 7) {
  case 0: return F64_EDGE[(r >> 8) % NF64];
  case 1: return m;
  case 2: return (m & 0x800fffffffffffffull) | (1ull << 52);
  default: return (m & 0x800fffffffffffffull) | ((uint64_t)(1000 + (r >> 8) % 48) << 52);
  }
}
static uint64_t rnd_int(void) {
  static const uint64_t edge[] = {0, ~0ull, 0x8080808080808080ull, 0x7f7f7f7f7f7f7f7full,
                                  0x8000800080008000ull, 0x7fff7fff7fff7fffull, 0x0001000100010001ull,
                                  0x80000000ffffffffull, 0x7fffffff00000001ull, 0xff00ff00ff00ff00ull};
  uint64_t r = rnd();
  return (r & 3) == 0 ? edge[(r >> 8) % 10] : rnd();
}

enum Kind { INT, F32, F64, F32I, F64I };

static void fill(v128 *v, int kind, int i) {
  for (int h = 0; h < 2; h++) {
    switch (kind) {
    case INT: v->q[h] = rnd_int(); break;
    case F32: case F32I: {
      uint32_t lo = i < (int)NF32 && h == 0 ? F32_EDGE[i] : rnd_f32();
      uint32_t hi = rnd_f32();
      v->q[h] = lo | (uint64_t)hi << 32;
      break;
    }
    default: v->q[h] = i < (int)NF64 && h == 0 ? F64_EDGE[i] : rnd_f64();
    }
  }
}

/* ------------------------------------------------------------------ instructions */

typedef void (*op_fn)(v128 *d, const v128 *s);

#define BIN(fn, ins)                                                                               \
  static void fn(v128 *d, const v128 *s) {                                                         \
    __m128i x = _mm_load_si128((const __m128i *)d), y = _mm_load_si128((const __m128i *)s);       \
    __asm__ volatile(ins " %1, %0" : "+x"(x) : "x"(y));                                            \
    _mm_store_si128((__m128i *)d, x);                                                              \
  }
/* the same with a memory source: exercises the m128/m64/m32 forms */
#define BINM(fn, ins)                                                                              \
  static void fn(v128 *d, const v128 *s) {                                                         \
    __m128i x = _mm_load_si128((const __m128i *)d);                                                \
    __asm__ volatile(ins " %1, %0" : "+x"(x) : "m"(*s));                                           \
    _mm_store_si128((__m128i *)d, x);                                                              \
  }
#define IMM(fn, ins, imm)                                                                          \
  static void fn(v128 *d, const v128 *s) {                                                         \
    __m128i x = _mm_load_si128((const __m128i *)d), y = _mm_load_si128((const __m128i *)s);       \
    __asm__ volatile(ins " $" #imm ", %1, %0" : "+x"(x) : "x"(y));                                 \
    _mm_store_si128((__m128i *)d, x);                                                              \
  }
#define MMX(fn, ins)                                                                               \
  static void fn(v128 *d, const v128 *s) {                                                         \
    __m64 x, y;                                                                                    \
    memcpy(&x, d, 8);                                                                              \
    memcpy(&y, s, 8);                                                                              \
    __asm__ volatile(ins " %1, %0" : "+y"(x) : "y"(y));                                            \
    memcpy(d, &x, 8);                                                                              \
    __asm__ volatile("emms");                                                                      \
  }
#define MMXM(fn, ins)                                                                              \
  static void fn(v128 *d, const v128 *s) {                                                         \
    __m64 x;                                                                                       \
    memcpy(&x, d, 8);                                                                              \
    __asm__ volatile(ins " %1, %0" : "+y"(x) : "m"(s->q[0]));                                      \
    memcpy(d, &x, 8);                                                                              \
    __asm__ volatile("emms");                                                                      \
  }

/* integer, xmm and mm forms */
#define INTOP(name)                                                                                \
  BIN(x_##name, #name)                                                                             \
  BINM(xm_##name, #name)                                                                           \
  MMX(m_##name, #name)                                                                             \
  MMXM(mm_##name, #name)
INTOP(paddb) INTOP(paddw) INTOP(paddd) INTOP(paddq) INTOP(psubb) INTOP(psubw) INTOP(psubd)
INTOP(psubq) INTOP(paddsb) INTOP(paddsw) INTOP(psubsb) INTOP(psubsw) INTOP(paddusb)
INTOP(paddusw) INTOP(psubusb) INTOP(psubusw) INTOP(pcmpeqb) INTOP(pcmpeqw) INTOP(pcmpeqd)
INTOP(pcmpgtb) INTOP(pcmpgtw) INTOP(pcmpgtd) INTOP(pminub) INTOP(pmaxub) INTOP(pminsw)
INTOP(pmaxsw) INTOP(pavgb) INTOP(pavgw) INTOP(pmullw) INTOP(pmulhw) INTOP(pmulhuw)
INTOP(pmuludq) INTOP(pmaddwd) INTOP(psadbw) INTOP(packsswb) INTOP(packuswb) INTOP(packssdw)
INTOP(punpcklbw) INTOP(punpcklwd) INTOP(punpckldq) INTOP(punpckhbw) INTOP(punpckhwd)
INTOP(punpckhdq) INTOP(pand) INTOP(pandn) INTOP(por) INTOP(pxor) INTOP(psrlw) INTOP(psrld)
INTOP(psrlq) INTOP(psllw) INTOP(pslld) INTOP(psllq) INTOP(psraw) INTOP(psrad)
BIN(x_punpcklqdq, "punpcklqdq") BIN(x_punpckhqdq, "punpckhqdq") BIN(x_unpcklps, "unpcklps")
BIN(x_unpckhps, "unpckhps") BIN(x_unpcklpd, "unpcklpd") BIN(x_unpckhpd, "unpckhpd")
BIN(x_andps, "andps") BIN(x_andnpd, "andnpd") BIN(x_orps, "orps") BIN(x_xorpd, "xorpd")

/* shifts by small counts taken from the low byte, and by immediates */
#define SHI(name, n)                                                                               \
  static void name##_##n(v128 *d, const v128 *s) {                                                 \
    (void)s;                                                                                       \
    __m128i x = _mm_load_si128((const __m128i *)d);                                                \
    __asm__ volatile(#name " $" #n ", %0" : "+x"(x));                                              \
    _mm_store_si128((__m128i *)d, x);                                                              \
  }
SHI(psrlw, 3) SHI(psrlw, 16) SHI(psraw, 15) SHI(psraw, 40) SHI(psrad, 7) SHI(psrld, 31)
SHI(psrlq, 33) SHI(psllq, 1) SHI(pslld, 32) SHI(psllw, 9) SHI(psrldq, 3) SHI(pslldq, 15)
SHI(psrldq, 17)

IMM(pshufd_1b, "pshufd", 0x1b) IMM(pshufd_e4, "pshufd", 0xe4) IMM(pshuflw_b1, "pshuflw", 0xb1)
IMM(pshufhw_4e, "pshufhw", 0x4e) IMM(shufps_93, "shufps", 0x93) IMM(shufpd_1, "shufpd", 1)
IMM(shufpd_2, "shufpd", 2)

static void pshufw_c6(v128 *d, const v128 *s) {
  __m64 x, y;
  memcpy(&y, s, 8);
  __asm__ volatile("pshufw $0xc6, %1, %0" : "=y"(x) : "y"(y));
  memcpy(d, &x, 8);
  __asm__ volatile("emms");
}
#define PEXTRW(n)                                                                                  \
  static void pextrw_##n(v128 *d, const v128 *s) {                                                 \
    __m128i y = _mm_load_si128((const __m128i *)s);                                                \
    uint64_t r = 0x5555555555555555ull;                                                            \
    __asm__ volatile("pextrw $" #n ", %1, %k0" : "+r"(r) : "x"(y));                                \
    d->q[0] = r;                                                                                   \
  }
PEXTRW(0) PEXTRW(5) PEXTRW(7) PEXTRW(9)
#define PINSRW(n)                                                                                  \
  static void pinsrw_##n(v128 *d, const v128 *s) {                                                 \
    __m128i x = _mm_load_si128((const __m128i *)d);                                                \
    __asm__ volatile("pinsrw $" #n ", %k1, %0" : "+x"(x) : "r"(s->q[1]));                          \
    _mm_store_si128((__m128i *)d, x);                                                              \
  }
PINSRW(0) PINSRW(3) PINSRW(7) PINSRW(12)
static void pinsrw_m(v128 *d, const v128 *s) {
  __m128i x = _mm_load_si128((const __m128i *)d);
  __asm__ volatile("pinsrw $6, %1, %0" : "+x"(x) : "m"(*(const uint16_t *)s));
  _mm_store_si128((__m128i *)d, x);
}
static void pmovmskb_x(v128 *d, const v128 *s) {
  __m128i y = _mm_load_si128((const __m128i *)s);
  uint64_t r = ~0ull;
  __asm__ volatile("pmovmskb %1, %k0" : "+r"(r) : "x"(y));
  d->q[0] = r;
}
static void movmsk(v128 *d, const v128 *s) {
  __m128i y = _mm_load_si128((const __m128i *)s);
  uint32_t a, b;
  __asm__ volatile("movmskps %2, %0; movmskpd %2, %1" : "=r"(a), "=r"(b) : "x"(y));
  d->q[0] = a;
  d->q[1] = b;
}
static void maskmovdqu_x(v128 *d, const v128 *s) {
  v128 buf = {{0x0123456789abcdefull, 0xfedcba9876543210ull}};
  __m128i data = _mm_load_si128((const __m128i *)d), mask = _mm_load_si128((const __m128i *)s);
  __asm__ volatile("maskmovdqu %1, %0" ::"x"(data), "x"(mask), "D"(&buf) : "memory");
  *d = buf;
}
static void movq_mm(v128 *d, const v128 *s) {
  /* MOVD/MOVQ through mm registers and MOVNTQ */
  __m64 x;
  uint64_t r = 0;
  __asm__ volatile("movq %2, %0; movntq %0, %1; movd %k3, %0; movq %0, %2" : "=&y"(x), "=m"(r), "+r"(d->q[1]) : "r"(s->q[0]));
  __asm__ volatile("emms");
  d->q[0] = r;
}

/* floating point, packed and scalar, register and memory sources */
#define FPOP(name) BIN(x_##name, #name) BINM(xm_##name, #name)
FPOP(addps) FPOP(addpd) FPOP(addss) FPOP(addsd) FPOP(subps) FPOP(subpd) FPOP(subss) FPOP(subsd)
FPOP(mulps) FPOP(mulpd) FPOP(mulss) FPOP(mulsd) FPOP(divps) FPOP(divpd) FPOP(divss) FPOP(divsd)
FPOP(sqrtps) FPOP(sqrtpd) FPOP(sqrtss) FPOP(sqrtsd) FPOP(minps) FPOP(minpd) FPOP(minss)
FPOP(minsd) FPOP(maxps) FPOP(maxpd) FPOP(maxss) FPOP(maxsd) FPOP(cvtps2pd) FPOP(cvtpd2ps)
FPOP(cvtss2sd) FPOP(cvtsd2ss) FPOP(cvtps2dq) FPOP(cvttps2dq) FPOP(cvtpd2dq) FPOP(cvttpd2dq)
FPOP(cvtdq2ps) FPOP(cvtdq2pd)

#define CMP(name, p) IMM(name##_##p, #name, p)
#define CMPS(name) CMP(name, 0) CMP(name, 1) CMP(name, 2) CMP(name, 3) CMP(name, 4) CMP(name, 5) CMP(name, 6) CMP(name, 7)
CMPS(cmpps) CMPS(cmppd) CMPS(cmpss) CMPS(cmpsd)
static void cmpsd_m(v128 *d, const v128 *s) {
  __m128i x = _mm_load_si128((const __m128i *)d);
  __asm__ volatile("cmpsd $6, %1, %0" : "+x"(x) : "m"(s->q[0]));
  _mm_store_si128((__m128i *)d, x);
}

/* COMISS/UCOMISD...: the flags, through pushf */
#define COMI(name)                                                                                 \
  static void name##_f(v128 *d, const v128 *s) {                                                   \
    __m128i x = _mm_load_si128((const __m128i *)d), y = _mm_load_si128((const __m128i *)s);       \
    uint64_t f;                                                                                    \
    __asm__ volatile(#name " %2, %1; pushfq; popq %0" : "=r"(f) : "x"(x), "x"(y) : "cc");         \
    d->q[0] = f & 0x8d5;                                                                           \
  }
COMI(comiss) COMI(ucomiss) COMI(comisd) COMI(ucomisd)

/* conversions to and from general-purpose registers */
#define TOGPR(name, reg)                                                                           \
  static void name##_##reg(v128 *d, const v128 *s) {                                               \
    __m128i y = _mm_load_si128((const __m128i *)s);                                                \
    uint64_t r = 0x5555555555555555ull;                                                            \
    __asm__ volatile(#name " %1, %" #reg "0" : "+r"(r) : "x"(y));                                  \
    d->q[0] = r;                                                                                   \
  }
TOGPR(cvtss2si, k) TOGPR(cvtss2si, q) TOGPR(cvttss2si, k) TOGPR(cvttss2si, q) TOGPR(cvtsd2si, k)
TOGPR(cvtsd2si, q) TOGPR(cvttsd2si, k) TOGPR(cvttsd2si, q)
#define FROMGPR(name, suffix, reg)                                                                 \
  static void name##suffix(v128 *d, const v128 *s) {                                               \
    __m128i x = _mm_load_si128((const __m128i *)d);                                                \
    __asm__ volatile(#name #suffix " %" #reg "1, %0" : "+x"(x) : "r"(s->q[0]));                    \
    _mm_store_si128((__m128i *)d, x);                                                              \
  }
FROMGPR(cvtsi2ss, l, k) FROMGPR(cvtsi2ss, q, q) FROMGPR(cvtsi2sd, l, k) FROMGPR(cvtsi2sd, q, q)

/* int64 sources for CVTSI2Sx: random and near rounding boundaries */
static void fill_i64(v128 *v, int i) {
  uint64_t r = rnd();
  int sh = (int)(r % 64);
  uint64_t x = rnd() >> sh;
  if (i & 1) x = (uint64_t)0 - x;
  if (i % 5 == 0) x = (1ull << (40 + i % 23)) + (rnd() & 0x7ff) - 0x400;
  if (i == 2) x = 0x8000000000000000ull;
  if (i == 4) x = 0x7fffffffffffffffull;
  if (i == 6) x = 0x20000010000001ull; /* 2^53 + 2^28 + 1 */
  v->q[0] = x;
  v->q[1] = rnd();
}

/* RCPxS/RSQRTxS: the SDM only bounds the error, and Intel and AMD tables differ, so print
 * the special-case bits exactly and for normal results only whether the bound holds. */
#define APPROX(name, rsq)                                                                          \
  static void name##_x(v128 *d, const v128 *s) {                                                   \
    __m128 y;                                                                                      \
    memcpy(&y, s, 16);                                                                             \
    __m128 x = y;                                                                                  \
    __asm__ volatile(#name " %1, %0" : "+x"(x) : "x"(y));                                          \
    float in[4], out[4];                                                                           \
    memcpy(in, s, 16);                                                                             \
    memcpy(out, &x, 16);                                                                           \
    uint32_t bits[4];                                                                              \
    memcpy(bits, out, 16);                                                                         \
    for (int i = 0; i < 4; i++) {                                                                  \
      float v = in[i], r = out[i];                                                                 \
      if (v == v && r == r && r != 0 && r - r == 0) {                                              \
        /* r·v − 1 (RCP) or r²·v − 1 (RSQRT, about twice the relative error) */                  \
        double err = rsq ? (double)r * r * v - 1 : (double)r * v - 1;                              \
        bits[i] = (err < 0 ? -err : err) <= (rsq ? 3.0001 : 1.5) / 4096 ? 0x600d : 0xbad;          \
      }                                                                                            \
    }                                                                                              \
    memcpy(d, bits, 16);                                                                           \
  }
APPROX(rcpps, 0) APPROX(rsqrtps, 1)

struct op {
  const char *name;
  op_fn fn;
  int kind;
  int modes; /* a mask over MXCSR settings[] */
};

/* MXCSR settings: the four rounding modes, then FTZ and DAZ combined with some of them */
static const unsigned settings[] = {0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9fc0, 0x5fc0, 0xbf80};
static const char *setting_names[] = {"near", "down", "up", "zero", "ftz+daz", "daz up", "ftz down"};
#define ALL 0x7f
#define DAZ 0x11

#define I(n) {#n, x_##n, INT, 1}, {#n " m128", xm_##n, INT, 1}, {#n " mmx", m_##n, INT, 1}, {#n " mmx m64", mm_##n, INT, 1}
#define F(n, k) {#n, x_##n, k, ALL}, {#n " mem", xm_##n, k, ALL}
#define C(n, k) {#n " 0", n##_0, k, DAZ}, {#n " 1", n##_1, k, 1}, {#n " 2", n##_2, k, DAZ}, {#n " 3", n##_3, k, 1}, \
                {#n " 4", n##_4, k, 1}, {#n " 5", n##_5, k, DAZ}, {#n " 6", n##_6, k, 1}, {#n " 7", n##_7, k, 1}

static const struct op ops[] = {
    I(paddb), I(paddw), I(paddd), I(paddq), I(psubb), I(psubw), I(psubd), I(psubq), I(paddsb),
    I(paddsw), I(psubsb), I(psubsw), I(paddusb), I(paddusw), I(psubusb), I(psubusw), I(pcmpeqb),
    I(pcmpeqw), I(pcmpeqd), I(pcmpgtb), I(pcmpgtw), I(pcmpgtd), I(pminub), I(pmaxub), I(pminsw),
    I(pmaxsw), I(pavgb), I(pavgw), I(pmullw), I(pmulhw), I(pmulhuw), I(pmuludq), I(pmaddwd),
    I(psadbw), I(packsswb), I(packuswb), I(packssdw), I(punpcklbw), I(punpcklwd), I(punpckldq),
    I(punpckhbw), I(punpckhwd), I(punpckhdq), I(pand), I(pandn), I(por), I(pxor), I(psrlw),
    I(psrld), I(psrlq), I(psllw), I(pslld), I(psllq), I(psraw), I(psrad),
    {"punpcklqdq", x_punpcklqdq, INT, 1}, {"punpckhqdq", x_punpckhqdq, INT, 1},
    {"unpcklps", x_unpcklps, INT, 1}, {"unpckhps", x_unpckhps, INT, 1},
    {"unpcklpd", x_unpcklpd, INT, 1}, {"unpckhpd", x_unpckhpd, INT, 1}, {"andps", x_andps, INT, 1},
    {"andnpd", x_andnpd, INT, 1}, {"orps", x_orps, INT, 1}, {"xorpd", x_xorpd, INT, 1},
    {"psrlw 3", psrlw_3, INT, 1}, {"psrlw 16", psrlw_16, INT, 1}, {"psraw 15", psraw_15, INT, 1},
    {"psraw 40", psraw_40, INT, 1}, {"psrad 7", psrad_7, INT, 1}, {"psrld 31", psrld_31, INT, 1},
    {"psrlq 33", psrlq_33, INT, 1}, {"psllq 1", psllq_1, INT, 1}, {"pslld 32", pslld_32, INT, 1},
    {"psllw 9", psllw_9, INT, 1}, {"psrldq 3", psrldq_3, INT, 1}, {"pslldq 15", pslldq_15, INT, 1},
    {"psrldq 17", psrldq_17, INT, 1}, {"pshufd 1b", pshufd_1b, INT, 1},
    {"pshufd e4", pshufd_e4, INT, 1}, {"pshuflw b1", pshuflw_b1, INT, 1},
    {"pshufhw 4e", pshufhw_4e, INT, 1}, {"shufps 93", shufps_93, INT, 1},
    {"shufpd 1", shufpd_1, INT, 1}, {"shufpd 2", shufpd_2, INT, 1}, {"pshufw c6", pshufw_c6, INT, 1},
    {"pextrw 0", pextrw_0, INT, 1}, {"pextrw 5", pextrw_5, INT, 1}, {"pextrw 7", pextrw_7, INT, 1},
    {"pextrw 9", pextrw_9, INT, 1}, {"pinsrw 0", pinsrw_0, INT, 1}, {"pinsrw 3", pinsrw_3, INT, 1},
    {"pinsrw 7", pinsrw_7, INT, 1}, {"pinsrw 12", pinsrw_12, INT, 1}, {"pinsrw m16", pinsrw_m, INT, 1},
    /* PEXTRW/PINSRW with mm (NP 0F C5 / C4) are not decoded by @legosim/x86 yet */
    {"pmovmskb", pmovmskb_x, INT, 1}, {"movmskps/pd", movmsk, INT, 1},
    {"maskmovdqu", maskmovdqu_x, INT, 1}, {"movq/movd/movntq mmx", movq_mm, INT, 1},
    F(addps, F32), F(addpd, F64), F(addss, F32), F(addsd, F64), F(subps, F32), F(subpd, F64),
    F(subss, F32), F(subsd, F64), F(mulps, F32), F(mulpd, F64), F(mulss, F32), F(mulsd, F64),
    F(divps, F32), F(divpd, F64), F(divss, F32), F(divsd, F64), F(sqrtps, F32), F(sqrtpd, F64),
    F(sqrtss, F32), F(sqrtsd, F64), F(minps, F32), F(minpd, F64), F(minss, F32), F(minsd, F64),
    F(maxps, F32), F(maxpd, F64), F(maxss, F32), F(maxsd, F64), F(cvtps2pd, F32),
    F(cvtpd2ps, F64), F(cvtss2sd, F32), F(cvtsd2ss, F64), F(cvtps2dq, F32), F(cvttps2dq, F32),
    F(cvtpd2dq, F64), F(cvttpd2dq, F64), F(cvtdq2ps, INT), F(cvtdq2pd, INT),
    C(cmpps, F32), C(cmppd, F64), C(cmpss, F32), C(cmpsd, F64), {"cmpsd m64 6", cmpsd_m, F64, 1},
    {"comiss", comiss_f, F32, DAZ}, {"ucomiss", ucomiss_f, F32, 1}, {"comisd", comisd_f, F64, DAZ},
    {"ucomisd", ucomisd_f, F64, 1},
    {"cvtss2si r32", cvtss2si_k, F32, ALL}, {"cvtss2si r64", cvtss2si_q, F32, ALL},
    {"cvttss2si r32", cvttss2si_k, F32, ALL}, {"cvttss2si r64", cvttss2si_q, F32, ALL},
    {"cvtsd2si r32", cvtsd2si_k, F64, ALL}, {"cvtsd2si r64", cvtsd2si_q, F64, ALL},
    {"cvttsd2si r32", cvttsd2si_k, F64, ALL}, {"cvttsd2si r64", cvttsd2si_q, F64, ALL},
    {"cvtsi2ss r32", cvtsi2ssl, F64I, 0xf}, {"cvtsi2ss r64", cvtsi2ssq, F64I, 0xf},
    {"cvtsi2sd r32", cvtsi2sdl, F64I, 0xf}, {"cvtsi2sd r64", cvtsi2sdq, F64I, 0xf},
    {"rcpps", rcpps_x, F32, 1}, {"rsqrtps", rsqrtps_x, F32, 1},
};

#define PAIRS 40

int main(void) {
  unsigned count = 0;
  for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; o++) {
    const struct op *op = &ops[o];
    for (int m = 0; m < 7; m++) {
      if (!(op->modes >> m & 1)) continue;
      seed = 0x9e3779b97f4a7c15ull + o * 7919; /* the same inputs in every mode */
      for (int i = 0; i < PAIRS; i++) {
        v128 d, s, r;
        if (op->kind == F64I) {
          fill(&d, F64, i);
          fill_i64(&s, i);
        } else {
          fill(&d, op->kind, i);
          fill(&s, op->kind, (i * 7 + 3) % PAIRS);
        }
        r = d;
        _mm_setcsr(settings[m]);
        op->fn(&r, &s);
        _mm_setcsr(0x1f80);
        printf("%s %s %d: %016llx%016llx %016llx%016llx -> %016llx%016llx\n", op->name,
               setting_names[m], i, (unsigned long long)d.q[1], (unsigned long long)d.q[0],
               (unsigned long long)s.q[1], (unsigned long long)s.q[0], (unsigned long long)r.q[1],
               (unsigned long long)r.q[0]);
      }
    }
    count++;
  }
  printf("%u instruction forms\n", count);
  return 0;
}
