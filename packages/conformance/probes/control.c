/*
 * Control flow the compiler and libc generate: setjmp/longjmp (from nested calls and back
 * into loops), deep recursion, switch jump tables, function pointers, varargs with integers,
 * doubles and long doubles mixed (the register save area and the overflow area), qsort with
 * a callback, and vsnprintf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf env;
static volatile int depth_reached;

static void dive(int n) {
  volatile char pad[64];
  pad[0] = (char)n;
  depth_reached = n + pad[0] - (char)n;
  if (n == 0) longjmp(env, 42);
  dive(n - 1);
}

static unsigned long ackermann(unsigned long m, unsigned long n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

static long recurse(long n) { return n == 0 ? 0 : n + recurse(n - 1); }

static const char *jump(int k) {
  switch (k) {
  case 0: return "zero";
  case 1: return "one";
  case 2: return "two";
  case 3: return "three";
  case 4: return "four";
  case 5: return "five";
  case 6: return "six";
  case 7: return "seven";
  case 8: return "eight";
  case 9: return "nine";
  case 10: return "ten";
  case 11: return "eleven";
  case 13: return "thirteen";
  case 17: return "seventeen";
  default: return "other";
  }
}

static double sum_mixed(int count, ...) {
  va_list ap;
  va_start(ap, count);
  double total = 0;
  for (int i = 0; i < count; i++) {
    switch (i % 4) {
    case 0: total += va_arg(ap, int); break;
    case 1: total += va_arg(ap, double); break;
    case 2: total += (double)va_arg(ap, long double); break;
    case 3: total += (double)va_arg(ap, long long); break;
    }
  }
  va_end(ap);
  return total;
}

static int format(char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  return r;
}

static int cmp(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

static long twice(long x) { return 2 * x; }
static long square(long x) { return x * x; }
static long (*const ops[])(long) = {twice, square};

int main(void) {
  int r = setjmp(env);
  if (r == 0) {
    dive(1000);
    puts("not reached");
  } else {
    printf("longjmp returned %d from depth %d\n", r, depth_reached);
  }
  volatile int loops = 0;
  jmp_buf again;
  if (setjmp(again) < 5) {
    loops++;
    if (loops < 5) longjmp(again, loops);
  }
  printf("setjmp loop ran %d times\n", loops);
  printf("ackermann(2, 300) = %lu, ackermann(3, 5) = %lu\n", ackermann(2, 300), ackermann(3, 5));
  printf("recurse(100000) = %ld\n", recurse(100000));
  for (int k = -1; k < 20; k++) printf("%d:%s ", k, jump(k));
  putchar('\n');
  printf("varargs %.17g %.17g\n", sum_mixed(8, 1, 2.5, 3.25L, 4LL, 5, 6.125, 7.0L, -8LL),
         sum_mixed(13, 1, 1e300, 1e-300L, 1LL << 62, -1, -1e300, 2.0L, 3LL, 4, 0.5, 0.25L, 9LL, 10));
  char buf[256];
  int n = format(buf, sizeof buf, "%d|%5.2f|%-6s|%x|%Lg|%lld|%c|%%|%10.3e|%s", -42, 3.14159, "ab",
                 0xbeef, 1.5L, -1234567890123LL, 'z', 6.02e23, "end");
  printf("%d [%s]\n", n, buf);
  n = format(buf, 8, "%s", "truncated output");
  printf("%d [%s]\n", n, buf);
  long arr[200];
  unsigned long x = 12345;
  for (int i = 0; i < 200; i++) {
    x = x * 6364136223846793005ul + 1442695040888963407ul;
    arr[i] = (long)(x >> 20) - (1l << 42);
  }
  qsort(arr, 200, sizeof arr[0], cmp);
  long acc = 0;
  for (int i = 0; i < 200; i++) acc = acc * 31 + arr[i];
  printf("qsort %ld %ld %ld\n", arr[0], arr[199], acc);
  long v = 3;
  for (int i = 0; i < 10; i++) v = ops[i % 2](v) % 1000003;
  printf("function pointers %ld\n", v);
  return 7;
}
