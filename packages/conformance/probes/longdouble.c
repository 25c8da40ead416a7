/*
 * long double (x87, 80-bit extended precision) arithmetic, conversions, rounding modes and
 * printf, native vs legosim. Values are printed exactly with %La and as decimals.
 */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>

static volatile long double vals[] = {
    0.0L, -0.0L, 1.0L, -1.0L, 0.1L, 1.0L / 3, 2.0L / 3, 3.14159265358979323846264338327950288L,
    1e308L, 1e-308L, 1e4000L, 1e-4000L, LDBL_MAX, LDBL_MIN, LDBL_EPSILON, 123456789012345678.0L,
    -9.87654321e-20L, 0.5L, 1.5L, 2.5L, -2.5L, 4503599627370497.5L, 18446744073709551615.0L,
};
#define N (sizeof vals / sizeof vals[0])

int main(void) {
  static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
  static const char *names[] = {"nearest", "down", "up", "zero"};
  for (unsigned m = 0; m < 4; m++) {
    fesetround(modes[m]);
    printf("mode %s\n", names[m]);
    for (unsigned i = 0; i < N; i++) {
      long double a = vals[i];
      for (unsigned j = 0; j < N; j += 2) {
        long double b = vals[j];
        printf("%La %La: + %La - %La * %La / %La\n", a, b, a + b, a - b, a * b, b != 0 ? a / b : 0.0L);
      }
      printf("%La: sqrt %La rint %La lrint %ld (double)%a (float)%a (long long)%lld\n", a, sqrtl(a < 0 ? -a : a), rintl(a),
             fabsl(a) < 1e18L ? lrintl(a) : 0L, (double)a, (float)a, fabsl(a) < 9e18L ? (long long)a : 0LL);
    }
  }
  fesetround(FE_TONEAREST);
  for (unsigned i = 0; i < N; i++) {
    long double a = vals[i];
    printf("%.25Lg %Lf %Le %.3Lf fmod %La cmp %d %d\n", a, a, a, a, vals[2] != 0 ? fmodl(a, 3.0L) : 0.0L, a < vals[4], a == vals[i]);
  }
  long double acc = 1;
  for (int k = 1; k <= 30; k++) acc *= k;
  printf("30! = %.30Lg\n", acc);
  printf("%Lg %Lg %Lg\n", (long double)INFINITY, -(long double)INFINITY, (long double)NAN);
  return 0;
}
