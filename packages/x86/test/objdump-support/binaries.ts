// Shared by the objdump differential tests (AT&T and Intel): the C programs they build, the
// binaries they compare, and the helpers for reading objdump's listing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SOURCE = '#include <stdio.h>\nint main(int argc, char **argv) { printf("hello, %s! argc=%d\\n", "world", argc); return 3; }\n';

export function have(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Vector and floating-point loops, so the compiler emits SSE/AVX2/FMA/AVX-512 code of its own. */
export const KERNELS = `#include <stdio.h>
#include <math.h>
#include <string.h>
double a[1024], b[1024]; float f[1024], g[1024]; int ia[1024], ib[1024]; long la[1024]; unsigned char cb[1024];
__attribute__((noinline)) void k1(int n){ for(int i=0;i<n;i++){ a[i]=a[i]*b[i]+sqrt(b[i]); f[i]=f[i]*g[i]+g[i]/3.0f; } }
__attribute__((noinline)) void k2(int n){ for(int i=0;i<n;i++){ ia[i]=ia[i]*ib[i]+(ia[i]>>3); la[i]+=ia[i]; cb[i]=cb[i]>100?cb[i]-3:cb[i]+1; } }
__attribute__((noinline)) double k3(int n){ double s=0; for(int i=0;i<n;i++){ s+=(double)ia[i]/(la[i]+1)+floor(a[i])+(float)b[i]; } return s; }
__attribute__((noinline)) long k4(long x){ return __builtin_popcountl(x)+__builtin_clzl(x|1)+__builtin_ctzl(x|1)+(x>>7|x<<57); }
int main(int c, char **v){ k1(c*100); k2(c*100); printf("%f %ld %s\\n", k3(c*50), k4(c), strerror(c)); long double ld=c; ld=ld*3.1L; printf("%Lf\\n", ld); return 0; }
`;


/**
 * The binaries both tests build: name, compiler, flags, source file. Static ones, and
 * dynamically linked ones whose `<sym@plt>` names come from the PLT (lazy `.plt`, IBT's
 * `.plt.sec`, `.plt.got`) and the dynamic relocations, and a shared object.
 */
export const BUILDS = [
  ['hello-musl', 'musl-gcc', ['-static', '-O2'], 'hello.c'],
  ['hello-glibc', 'gcc', ['-static', '-O2'], 'hello.c'],
  ['kernels-musl-v4', 'musl-gcc', ['-static', '-O3', '-march=x86-64-v4'], 'kernels.c'],
  ['kernels-glibc-v3', 'gcc', ['-static', '-O3', '-march=x86-64-v3'], 'kernels.c'],
  ['hello-glibc-dynamic', 'gcc', ['-O2'], 'hello.c'],
  ['kernels-glibc-ibt-plt', 'gcc', ['-O2', '-fcf-protection=full', '-Wl,-z,ibtplt'], 'kernels.c'],
  ['kernels-glibc-shared-v4', 'gcc', ['-O3', '-march=x86-64-v4', '-shared', '-fPIC'], 'kernels.c'],
] as const;

/**
 * Large binaries of the host, compared when present: Debian's busybox-static (a stripped
 * static executable) and the C library itself (a shared object named only by `.dynsym`,
 * with versioned names, `*ABS*+0x...@plt` entries and hand-written AVX2/AVX-512 code).
 */
export const HOST_BINARIES = [
  ['busybox', '/usr/bin/busybox', 'static /usr/bin/busybox', isStaticElf],
  ['libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', isElf],
] as const;

/** The file exists and is an ELF file. */
export function isElf(file: string): boolean {
  return existsSync(file) && readFileSync(file).readUInt32BE(0) === 0x7f454c46;
}

export const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
export const addressOf = (l: string): string => (l.split(':')[0] ?? '').trim();
export const isInsnLine = (l: string): boolean => /^ +[0-9a-f]+:\t/.test(l);

/** Known differences in `file` (next to the tests): lines `address | reason` under `[binary]` headers. */
export function knownDifferences(file: string): Map<string, Set<string>> {
  const text = readFileSync(join(import.meta.dirname, '..', file), 'utf8');
  const out = new Map<string, Set<string>>();
  let current = '';
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(l);
    if (m) {
      current = m[1] ?? '';
      out.set(current, new Set());
      continue;
    }
    out.get(current)?.add((l.split('|')[0] ?? '').trim());
  }
  return out;
}

/** objdump -d's instruction lines (raw bytes off, one line per instruction). */
export function objdumpLines(file: string, extra: readonly string[] = []): string[] {
  return execFileSync('objdump', ['-d', '--no-show-raw-insn', '-w', ...extra, file], { maxBuffer: 1 << 30 })
    .toString()
    .split('\n')
    .filter(isInsnLine);
}

/** An ELF64 file without PT_INTERP (statically linked). */
export function isStaticElf(file: string): boolean {
  if (!existsSync(file)) return false;
  const b = readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) return false;
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * 56) === 3) return false;
  return true;
}
