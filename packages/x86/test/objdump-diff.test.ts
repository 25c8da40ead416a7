import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listElf } from '../src/format/index.js';

/**
 * Differential test against GNU objdump: every instruction of real static binaries, built
 * here from C source, must have objdump's address, length and text (whitespace-normalised),
 * except the differences listed with reasons in objdump-differences.txt.
 */
const SOURCE = '#include <stdio.h>\nint main(int argc, char **argv) { printf("hello, %s! argc=%d\\n", "world", argc); return 3; }\n';

function have(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Vector and floating-point loops, so the compiler emits SSE/AVX2/FMA/AVX-512 code of its own. */
const KERNELS = `#include <stdio.h>
#include <math.h>
#include <string.h>
double a[1024], b[1024]; float f[1024], g[1024]; int ia[1024], ib[1024]; long la[1024]; unsigned char cb[1024];
__attribute__((noinline)) void k1(int n){ for(int i=0;i<n;i++){ a[i]=a[i]*b[i]+sqrt(b[i]); f[i]=f[i]*g[i]+g[i]/3.0f; } }
__attribute__((noinline)) void k2(int n){ for(int i=0;i<n;i++){ ia[i]=ia[i]*ib[i]+(ia[i]>>3); la[i]+=ia[i]; cb[i]=cb[i]>100?cb[i]-3:cb[i]+1; } }
__attribute__((noinline)) double k3(int n){ double s=0; for(int i=0;i<n;i++){ s+=(double)ia[i]/(la[i]+1)+floor(a[i])+(float)b[i]; } return s; }
__attribute__((noinline)) long k4(long x){ return __builtin_popcountl(x)+__builtin_clzl(x|1)+__builtin_ctzl(x|1)+(x>>7|x<<57); }
int main(int c, char **v){ k1(c*100); k2(c*100); printf("%f %ld %s\\n", k3(c*50), k4(c), strerror(c)); long double ld=c; ld=ld*3.1L; printf("%Lf\\n", ld); return 0; }
`;

const dir = mkdtempSync(join(tmpdir(), 'x86-objdump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'hello.c'), SOURCE);
writeFileSync(join(dir, 'kernels.c'), KERNELS);

/** Known differences: lines `address | reason` (per binary section headers `[name]`). */
function knownDifferences(): Map<string, Set<string>> {
  const text = readFileSync(join(__dirname, 'objdump-differences.txt'), 'utf8');
  const out = new Map<string, Set<string>>();
  let current = '';
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(l);
    if (m) { current = m[1] ?? ''; out.set(current, new Set()); continue; }
    out.get(current)?.add((l.split('|')[0] ?? '').trim());
  }
  return out;
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

function compare(name: string, file: string): void {
  const bytes = new Uint8Array(readFileSync(file));
  const mine = listElf(bytes);
  const od = execFileSync('objdump', ['-d', '--no-show-raw-insn', '-w', file], { maxBuffer: 1 << 30 })
    .toString().split('\n').filter((l) => /^ +[0-9a-f]+:\t/.test(l));
  const allowed = knownDifferences().get(name) ?? new Set<string>();
  const mineByAddr = new Map(mine.map((l) => [(l.split(':')[0] ?? '').trim(), l]));
  const odAddrs = new Set(od.map((l) => (l.split(':')[0] ?? '').trim()));
  const diffs: string[] = [];
  for (const l of od) {
    const a = (l.split(':')[0] ?? '').trim();
    if (allowed.has(a)) continue;
    const x = mineByAddr.get(a);
    if (x === undefined) diffs.push(`missing ${l}`);
    else if (norm(x) !== norm(l)) diffs.push(`objdump: ${norm(l)}\n   ours: ${norm(x)}`);
  }
  // Same instruction boundaries: no address of ours that objdump does not have.
  for (const a of mineByAddr.keys()) if (!odAddrs.has(a) && !allowed.has(a)) diffs.push(`extra instruction at ${a}`);
  expect(diffs.slice(0, 50)).toEqual([]);
  expect(mine.length).toBeGreaterThan(1000);
}

describe('objdump differential', () => {
  const objdump = have('objdump');
  const builds = [
    ['hello-musl', 'musl-gcc', ['-static', '-O2'], 'hello.c'],
    ['hello-glibc', 'gcc', ['-static', '-O2'], 'hello.c'],
    ['kernels-musl-v4', 'musl-gcc', ['-static', '-O3', '-march=x86-64-v4'], 'kernels.c'],
    ['kernels-glibc-v3', 'gcc', ['-static', '-O3', '-march=x86-64-v3'], 'kernels.c'],
  ] as const;
  for (const [name, cc, flags, src] of builds) {
    const ok = objdump && have(cc);
    it.skipIf(!ok)(`${name}: every instruction matches objdump -d${ok ? '' : ` (skipped: ${cc} or objdump missing)`}`, () => {
      const out = join(dir, name);
      execFileSync(cc, [...flags, '-o', out, join(dir, src), '-lm']);
      compare(name, out);
    }, 60_000);
  }

  // A large stripped static binary from the host, when there is one (Debian's busybox-static).
  const busybox = '/usr/bin/busybox';
  const hasBusybox = objdump && existsSync(busybox) && isStaticElf(busybox);
  it.skipIf(!hasBusybox)(`busybox: every instruction matches objdump -d${hasBusybox ? '' : ' (skipped: no static /usr/bin/busybox)'}`, () => {
    compare('busybox', busybox);
  }, 60_000);
});

/** An ELF64 file without PT_INTERP (statically linked). */
function isStaticElf(file: string): boolean {
  const b = readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) return false;
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * 56) === 3) return false;
  return true;
}
