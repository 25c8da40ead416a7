/*
 * The string functions libcs hand-optimise (and glibc selects by CPUID): memcpy, memmove,
 * memset, memcmp, strlen, strcmp, strncmp, strchr, strrchr, memchr, strcpy, strstr, across
 * every alignment of source and destination and lengths around vector widths. Results are
 * folded into checksums printed per length, so a single wrong byte shows.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned char src[512], dst[512], ref[512];
static uint64_t sum;

static void fold(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) sum = sum * 1099511628211ull + b[i] + 1;
}

static int sign(int v) { return (v > 0) - (v < 0); }

int main(void) {
  for (int i = 0; i < 512; i++) src[i] = (unsigned char)(i * 131 + 7);
  static const size_t lens[] = {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200, 255, 256};
  for (unsigned li = 0; li < sizeof lens / sizeof lens[0]; li++) {
    size_t n = lens[li];
    sum = 0;
    for (int sa = 0; sa < 16; sa++) {
      for (int da = 0; da < 16; da += 3) {
        memset(dst, 0xAA, sizeof dst);
        memcpy(dst + da, src + sa, n);
        fold(dst, 300);
        memmove(dst + da + 5, dst + da, n);
        fold(dst, 300);
        memmove(dst + da, dst + da + 3, n);
        fold(dst, 300);
        memset(dst + da, sa, n);
        fold(dst, 300);
        memcpy(ref, src + sa, n);
        ref[n / 2] ^= (n > 0);
        sum += (uint64_t)(sign(memcmp(ref, src + sa, n)) + 1);
      }
      /* NUL-terminated strings starting at each alignment */
      char *s = (char *)dst + sa;
      memset(dst, 0, sizeof dst);
      for (size_t k = 0; k < n; k++) s[k] = (char)('a' + (k * 7 + sa) % 26);
      char t[512];
      strcpy(t, s);
      sum += strlen(s) * 3 + (uint64_t)(sign(strcmp(s, t)) + 1);
      if (n > 0) {
        t[n - 1] = (char)(t[n - 1] + 1);
        sum += (uint64_t)(sign(strcmp(s, t)) + 5) + (uint64_t)(sign(strncmp(s, t, n - 1)) + 9);
      }
      for (int c = 'a'; c <= 'z'; c += 5) {
        char *p = strchr(s, c), *q = strrchr(s, c);
        void *m = memchr(s, c, n);
        sum += (p ? (uint64_t)(p - s) + 1 : 0) * 17 + (q ? (uint64_t)(q - s) + 1 : 0) * 19 + (m ? (uint64_t)((char *)m - s) + 1 : 0);
      }
      sum += strchr(s, 0) == s + n;
      if (n >= 4) {
        char needle[5];
        memcpy(needle, s + n - 4, 4);
        needle[4] = 0;
        char *f = strstr(s, needle);
        sum += f ? (uint64_t)(f - s) : 999;
      }
    }
    printf("len %3zu: %016llx\n", n, (unsigned long long)sum);
  }
  return 0;
}
