/*
 * libm over a spread of arguments: sin, cos, tan, exp, log, pow, sqrt, fmod and friends, in
 * double, float and long double. Results are printed exactly (%a).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t seed = 0x243f6a8885a308d3ull;
static uint64_t rnd(void) {
  seed ^= seed << 13;
  seed ^= seed >> 7;
  seed ^= seed << 17;
  return seed;
}

static volatile double xs[] = {
    0.0, -0.0, 1e-300, 1e-10, 0.001, 0.1, 0.5, 0.7853981633974483, 1.0, 1.5707963267948966, 2.0,
    2.718281828459045, 3.141592653589793, 10.0, 100.0, 709.0, 710.0, 1e6, 1e22, -0.5, -1.0, -3.0,
    -100.0, -745.0, INFINITY, -INFINITY, NAN,
};
#define N (sizeof xs / sizeof xs[0])

int main(void) {
  for (unsigned i = 0; i < N; i++) {
    double x = xs[i];
    printf("%a: sin %a cos %a tan %a exp %a log %a sqrt %a\n", x, sin(x), cos(x), tan(x), exp(x),
           log(x), sqrt(x));
    printf("  atan %a asin %a acos %a sinh %a cosh %a tanh %a log10 %a log2 %a exp2 %a expm1 %a "
           "log1p %a cbrt %a\n",
           atan(x), asin(x), acos(x), sinh(x), cosh(x), tanh(x), log10(x), log2(x), exp2(x),
           expm1(x), log1p(x), cbrt(x));
    printf("  floor %a ceil %a round %a trunc %a fabs %a\n", floor(x), ceil(x), round(x), trunc(x),
           fabs(x));
    int e;
    double m = frexp(x, &e);
    printf("  frexp %a %d ldexp %a modf", m, e, ldexp(x, 7));
    double ip;
    double fp = modf(x, &ip);
    printf(" %a %a\n", fp, ip);
    float xf = (float)x;
    printf("  sinf %a cosf %a expf %a logf %a powf %a\n", (double)sinf(xf), (double)cosf(xf),
           (double)expf(xf), (double)logf(xf), (double)powf(xf, 1.5f));
    long double xl = x;
    printf("  sinl %La expl %La logl %La sqrtl %La\n", sinl(xl), expl(xl), logl(xl), sqrtl(xl));
    for (unsigned j = 0; j < N; j += 4) {
      double y = xs[j];
      printf("  %a: pow %a fmod %a atan2 %a hypot %a remainder %a copysign %a\n", y, pow(x, y),
             fmod(x, y), atan2(x, y), hypot(x, y), remainder(x, y), copysign(x, y));
    }
  }
  /* seeded random arguments over a wide range of magnitudes: the last-bit behaviour of the
   * polynomial and table paths */
  for (int i = 0; i < 300; i++) {
    double x = ldexp((double)(rnd() >> 11) / 9007199254740992.0, (int)(rnd() % 48) - 24);
    if (i & 1) x = -x;
    float xf = (float)x;
    printf("%a: sin %a cos %a tan %a exp %a log %a pow %a atan %a exp2 %a log2 %a cbrt %a\n", x,
           sin(x), cos(x), tan(x), exp(x), log(fabs(x)), pow(fabs(x), 1.37), atan(x), exp2(x),
           log2(fabs(x)), cbrt(x));
    printf("  sinf %a cosf %a expf %a logf %a powf %a exp2f %a log2f %a\n", (double)sinf(xf),
           (double)cosf(xf), (double)expf(xf), (double)logf(fabsf(xf)), (double)powf(fabsf(xf), 1.37f),
           (double)exp2f(xf), (double)log2f(fabsf(xf)));
    /* expl only: the host's FYL2X (logl, log1pl) is not correctly rounded, and is off by one
     * ulp from the model's correctly rounded result for a few percent of random arguments */
    printf("  expl %La\n", expl((long double)x));
  }
  return 0;
}
