import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DecodeStatus, Decoder, Instruction } from '../src/index.js';
import { formatIntel, listElf } from '../src/format/index.js';
import { addressOf, BUILDS, HOST_BINARIES, have, isInsnLine, KERNELS, knownDifferences, norm, objdumpLines, SOURCE } from './objdump-support/binaries.js';

/**
 * The Intel-syntax formatter against GNU objdump -M intel (binutils 2.40): every instruction
 * of the binaries built here from C, of the host's busybox and libc.so.6, and of every table-row test
 * vector; plus fixed cases that need no objdump.
 */
const dir = mkdtempSync(join(tmpdir(), 'x86-intel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'hello.c'), SOURCE);
writeFileSync(join(dir, 'kernels.c'), KERNELS);



function objdumpIntel(file: string, extra: readonly string[] = []): string[] {
  return objdumpLines(file, ['-M', 'intel', ...extra]);
}

/** Every line of ours against objdump's: same addresses (so the same lengths), text equal on >= 99.9% of lines. */
function compare(name: string, file: string): void {
  const mine = listElf(new Uint8Array(readFileSync(file)), { syntax: 'intel' });
  const od = objdumpIntel(file);
  const allowed = knownDifferences('objdump-intel-differences.txt').get(name) ?? new Set<string>();
  expect(mine.map(addressOf)).toEqual(od.map(addressOf));
  const diffs: string[] = [];
  let equal = 0;
  od.forEach((l, i) => {
    const x = mine[i] ?? '';
    if (norm(x) === norm(l)) equal++;
    else if (!allowed.has(addressOf(l))) diffs.push(`objdump: ${norm(l)}\n   ours: ${norm(x)}`);
  });
  expect(diffs.slice(0, 50)).toEqual([]);
  expect(equal / od.length).toBeGreaterThanOrEqual(0.999);
  expect(od.length).toBeGreaterThan(50);
}

describe('objdump -M intel differential', () => {
  const objdump = have('objdump');
  for (const [name, cc, flags, src] of BUILDS) {
    const ok = objdump && have(cc);
    it.skipIf(!ok)(`${name}: every instruction matches objdump -d -M intel${ok ? '' : ` (skipped: ${cc} or objdump missing)`}`, () => {
      const out = join(dir, name);
      execFileSync(cc, [...flags, '-o', out, join(dir, src), '-lm']);
      compare(name, out);
    }, 60_000);
  }

  for (const [name, file, what, usable] of HOST_BINARIES) {
    const ok = objdump && usable(file);
    it.skipIf(!ok)(`${name}: every instruction matches objdump -d -M intel${ok ? '' : ` (skipped: no ${what})`}`, () => {
      compare(name, file);
    }, 120_000);
  }

  // One instance of every table row (test/vectors), decoded as one stream at the addresses objdump gives them.
  it.skipIf(!objdump)('every table-row vector matches objdump -M intel', () => {
    const bytes: number[] = [];
    for (const f of ['rows.txt', 'extra.txt']) {
      for (const raw of readFileSync(join(__dirname, 'vectors', f), 'utf8').split('\n')) {
        const l = raw.trim();
        if (l === '' || l.startsWith('#')) continue;
        for (const x of (l.split('|')[0] ?? '').trim().split(/\s+/)) bytes.push(Number.parseInt(x, 16));
      }
    }
    const blob = Uint8Array.from(bytes);
    const file = join(dir, 'rows.bin');
    writeFileSync(file, blob);
    const od = execFileSync('objdump', ['-D', '-b', 'binary', '-m', 'i386:x86-64', '-M', 'intel', '--no-show-raw-insn', '-w', file], { maxBuffer: 1 << 28 })
      .toString().split('\n').filter(isInsnLine);
    const dec = new Decoder();
    const ins = new Instruction();
    const mine: string[] = [];
    for (let off = 0; off < blob.length;) {
      const st = dec.decode(blob, off, blob.length - off, off, ins);
      mine.push(`${off.toString(16).padStart(4)}:\t${st === DecodeStatus.Ok ? formatIntel(ins) : '(bad)'}`);
      off += st === DecodeStatus.Ok ? ins.length : 1;
    }
    expect(mine.length).toBeGreaterThan(3000);
    const diffs: string[] = [];
    od.forEach((l, i) => { if (norm(l) !== norm(mine[i] ?? '')) diffs.push(`objdump: ${norm(l)}\n   ours: ${norm(mine[i] ?? '')}`); });
    expect(diffs.slice(0, 50)).toEqual([]);
    expect(mine.length).toBe(od.length);
  }, 60_000);

  // --start-address / --stop-address, including a stop that cuts an instruction (objdump prints `.byte`).
  it.skipIf(!(objdump && have('gcc')))('start, stop and sections select what objdump selects', () => {
    const file = join(dir, 'hello-range');
    execFileSync('gcc', ['-static', '-O2', '-o', file, join(dir, 'hello.c')]);
    const bytes = new Uint8Array(readFileSync(file));
    const all = listElf(bytes, { syntax: 'intel', sections: ['.text'] });
    const first = Number.parseInt(addressOf(all[100] ?? ''), 16);
    const ranges: [number, number][] = [[first, first + 0x80], [first + 1, first + 0x41], [first + 3, first + 0x203]];
    for (const [start, stop] of ranges) {
      const od = objdumpIntel(file, ['-j', '.text', `--start-address=0x${start.toString(16)}`, `--stop-address=0x${stop.toString(16)}`]);
      const mine = listElf(bytes, { syntax: 'intel', sections: ['.text'], start, stop });
      expect(mine.map(norm)).toEqual(od.map(norm));
      expect(mine.length).toBeGreaterThan(5);
    }
    expect(listElf(bytes, { sections: ['.nope'] })).toEqual([]);
  }, 60_000);
});

describe('formatIntel without objdump', () => {
  // Lines objdump 2.40 printed (`objdump -D -b binary -m i386:x86-64 -M intel`) for these bytes at address 0.
  const cases: [string, string][] = [
    ['de e9', 'fsubp st(1),st'],
    ['dc e9', 'fsub st(1),st'],
    ['d9 c0', 'fld st(0)'],
    ['d1 e0', 'shl eax,1'],
    ['c8 10 00 01', 'enter 0x10,0x1'],
    ['ec', 'in al,dx'],
    ['d7', 'xlat BYTE PTR ds:[rbx]'],
    ['48 a5', 'movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]'],
    ['f3 ab', 'rep stos DWORD PTR es:[rdi],eax'],
    ['ae', 'scas al,BYTE PTR es:[rdi]'],
    ['3e ac', 'lods al,BYTE PTR ds:[rsi]'],
    ['64 aa', 'fs stos BYTE PTR es:[rdi],al'],
    ['64 a4', 'movs BYTE PTR es:[rdi],BYTE PTR fs:[rsi]'],
    ['6e', 'outs dx,BYTE PTR ds:[rsi]'],
    ['48 98', 'cdqe'],
    ['48 0f be c0', 'movsx rax,al'],
    ['48 63 c0', 'movsxd rax,eax'],
    ['ff 18', 'call FWORD PTR [rax]'],
    ['48 ff 18', 'rex.W call FWORD PTR [rax]'],
    ['0f 01 10', 'lgdt [rax]'],
    ['db 28', 'fld TBYTE PTR [rax]'],
    ['f2 0f 2a 00', 'cvtsi2sd xmm0,DWORD PTR [rax]'],
    ['48 a1 11 22 33 44 55 66 77 88', 'movabs rax,ds:0x8877665544332211'],
    ['67 a0 11 22 33 44', 'addr32 mov al,ds:0x44332211'],
    ['8b 04 25 00 00 00 00', 'mov eax,DWORD PTR ds:0x0'],
    ['64 48 8b 04 25 28 00 00 00', 'mov rax,QWORD PTR fs:0x28'],
    ['48 8d 05 f9 ff ff ff', 'lea rax,[rip+0xfffffffffffffff9]        # 0x0'],
    ['66 2e 0f 1f 84 00 00 00 00 00', 'cs nop WORD PTR [rax+rax*1+0x0]'],
    ['48 8b 04 c5 f8 ff ff ff', 'mov rax,QWORD PTR [rax*8-0x8]'],
    ['0f 21 f8', 'mov rax,dr7'],
    ['66 6a 01', 'pushw 0x1'],
    ['2e 74 00', 'cs je 0x3'],
    ['48 0f c7 08', 'cmpxchg16b OWORD PTR [rax]'],
    ['0f 2b 07', 'movntps XMMWORD PTR [rdi],xmm0'],
    ['62 f1 7c 58 58 40 01', 'vaddps zmm0,zmm0,DWORD BCST [rax+0x4]'],
    ['62 f1 7c 18 2e c1', 'vucomiss xmm0,xmm1{sae}'],
    ['62 f1 7f 28 7f 07', 'vmovdqu8 YMMWORD PTR [rdi],ymm0'],
    ['62 e1 fe 29 6f 06', 'vmovdqu64 ymm16{k1},YMMWORD PTR [rsi]'],
    ['c4 e2 d1 90 54 88 10', 'vpgatherdq xmm2,QWORD PTR [rax+xmm1*4+0x10],xmm5'],
    ['0f 60 50 10', 'punpcklbw mm2,DWORD PTR [rax+0x10]'],
    ['0f 01 c8', 'monitor'],
    ['f2 0f c2 c1 01', 'cmpltsd xmm0,xmm1'],
  ];
  it.each(cases)('%s -> %s', (hex, text) => {
    const bytes = Uint8Array.from(hex.split(' ').map((x) => Number.parseInt(x, 16)));
    const ins = new Instruction();
    expect(new Decoder().decode(bytes, 0, bytes.length, 0, ins)).toBe(DecodeStatus.Ok);
    expect(ins.length).toBe(bytes.length);
    expect(norm(formatIntel(ins))).toBe(norm(text));
  });
});
