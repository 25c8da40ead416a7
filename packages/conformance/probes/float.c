/*
 * double and float (SSE2 scalar) arithmetic, conversions and rounding modes, printed exactly
 * (%a) and as decimals (%.17g, %f, %e, %g), native vs legosim.
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

static volatile double dv[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3, 2.0 / 3, 3.141592653589793, 1e308, 1e-308, 4.9e-324,
    DBL_MAX, DBL_MIN, DBL_EPSILON, 123456789012345678.0, -9.87654321e-20, 0.5, 1.5, 2.5, -2.5,
    4503599627370497.0, 9007199254740993.0, 2147483647.5, -2147483648.5, 9.2233720368547758e18,
    1e-320, -1e300,
};
#define ND (sizeof dv / sizeof dv[0])

static volatile float fv[] = {
    0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 1.0f / 3, 3.1415927f, 3.4e38f, 1.2e-38f, 1e-45f,
    FLT_MAX, FLT_MIN, FLT_EPSILON, 16777217.0f, -2.5f, 0.5f, 1.5f, 8388608.5f,
};
#define NF (sizeof fv / sizeof fv[0])

static void conversions(double a) {
  long long ll = (a > -9.2e18 && a < 9.2e18) ? (long long)a : 0;
  unsigned long long ull = (a >= 0 && a < 1.8e19) ? (unsigned long long)a : 0;
  int i = (a > -2.1e9 && a < 2.1e9) ? (int)a : 0;
  printf("  conv %a: (ll)%lld (ull)%llu (int)%d (float)%a lrint %ld rint %a nearbyint %a\n", a, ll,
         ull, i, (double)(float)a, (a > -9e18 && a < 9e18) ? lrint(a) : 0L, rint(a), nearbyint(a));
}

int main(void) {
  static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
  static const char *names[] = {"nearest", "down", "up", "zero"};
  for (unsigned m = 0; m < 4; m++) {
    fesetround(modes[m]);
    printf("mode %s (fegetround %d)\n", names[m], fegetround() == modes[m]);
    for (unsigned i = 0; i < ND; i++) {
      double a = dv[i];
      for (unsigned j = 0; j < ND; j += 3) {
        double b = dv[j];
        printf("%a %a: + %a - %a * %a / %a < %d == %d fma %a\n", a, b, a + b, a - b, a * b,
               b != 0 ? a / b : 0.0, a < b, a == b, fma(a, b, 1.0));
      }
      printf("%a: sqrt %a %.17g %f %e %g %.3f %10.4e %-12g|\n", a, sqrt(fabs(a)), a, a, a, a, a, a, a);
      conversions(a);
    }
    for (unsigned i = 0; i < NF; i++) {
      float a = fv[i];
      for (unsigned j = 0; j < NF; j += 2) {
        float b = fv[j];
        printf("%a %a: + %a - %a * %a / %a\n", (double)a, (double)b, (double)(a + b),
               (double)(a - b), (double)(a * b), (double)(b != 0 ? a / b : 0.0f));
      }
      printf("%a: sqrtf %a (double) %.9g (int)%d\n", (double)a, (double)sqrtf(fabsf(a)), (double)a,
             (a > -2e9f && a < 2e9f) ? (int)a : 0);
    }
    for (long long k = -3; k <= 3; k++) {
      long long big = (k << 53) + k;
      printf("(double)%lld = %a (float)%lld = %a (double)%llu = %a\n", big, (double)big, big,
             (double)(float)big, (unsigned long long)big, (double)(unsigned long long)big);
    }
  }
  fesetround(FE_TONEAREST);
  /* special values */
  double inf = INFINITY, nan = NAN;
  printf("inf %f %e %g -inf %f nan %f %d %d %d\n", inf, inf, inf, -inf, nan, isnan(nan), isinf(-inf),
         signbit(-0.0) != 0);
  printf("%a %a %a %a\n", inf - inf, 0.0 * inf, fmin(nan, 1.0), fmax(-0.0, 0.0));
  /* printf precision */
  for (int p = 0; p <= 20; p++) printf("%.*f %.*e %.*g\n", p, 2.0 / 3, p, 1e-5 / 3, p, 123456.789);
  return 0;
}
