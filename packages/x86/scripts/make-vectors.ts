/**
 * Builds test/vectors/rows.txt: one or two encodings per instruction-table row, with the
 * text GNU objdump prints for them. objdump is the oracle here, the table is not: a row
 * whose encoding objdump reads differently (other length, `(bad)`) is reported, not written.
 *
 * Run: pnpm --filter @legosim/x86 vectors   (needs binutils' objdump)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MandatoryPrefix, OpClass, OpMap, OsMode, RowFlag } from '../src/operand.js';
import { TABLE } from '../src/table/index.js';
import { type ParsedRow, parseRow } from '../src/table/parse.js';
import { codeNamesOf } from './generator.js';

/** One encoding of a row: memory form (mod=1, [rax+disp8]) or register form (mod=3). */
function encode(r: ParsedRow, memForm: boolean): number[] {
  const out: number[] = [];
  const legacyPfx = r.pfx === MandatoryPrefix.P66 ? 0x66 : r.pfx === MandatoryPrefix.PF3 ? 0xf3 : r.pfx === MandatoryPrefix.PF2 ? 0xf2 : 0;
  const needW = r.w === 2 || (r.osz === 64 && r.osMode === OsMode.Default32);
  const hasSreg = r.operands.some((o) => o.cls === OpClass.Sreg);
  const reg = r.modrmReg >= 0 ? r.modrmReg : hasSreg ? 3 : 2;
  let modrm = -1;
  if (r.hasModrm) {
    if (r.fixedModrm >= 0) modrm = r.fixedModrm;
    else if (r.modKind === 2 && r.modrmReg >= 0 && r.operands.some((o) => o.cls === OpClass.St)) modrm = 0xc0 | (reg << 3) | 1;
    else if (memForm) modrm = 0x40 | (reg << 3) | 0;
    else modrm = 0xc0 | (reg << 3) | 3;
  }
  if (r.isVex || r.isEvex) {
    const pp = r.pfx === MandatoryPrefix.P66 ? 1 : r.pfx === MandatoryPrefix.PF3 ? 2 : r.pfx === MandatoryPrefix.PF2 ? 3 : 0;
    const mm = r.isVex ? r.map - OpMap.Vex0F + 1 : r.map - OpMap.Evex0F + 1;
    const hasV = r.operands.some((o) => o.enc === 3);
    const vvvv = hasV ? 5 : 0; // register 5 in vvvv when used, else 1111b (encoded inverted)
    const w = r.w === 2 ? 1 : 0;
    const l = Math.max(0, r.vl);
    if (r.isVex) {
      out.push(0xc4, 0xe0 | mm, (w << 7) | ((~vvvv & 15) << 3) | (l << 2) | pp);
    } else {
      const aaa = (r.flags & RowFlag.EvexK) !== 0 ? 1 : 0;
      out.push(0x62, 0xf0 | mm, (w << 7) | ((~vvvv & 15) << 3) | 4 | pp, (l << 5) | 8 | aaa);
    }
    out.push(r.opcode);
  } else {
    if (r.osz === 16 && r.pfx !== MandatoryPrefix.P66) out.push(0x66);
    if (r.asz === 4) out.push(0x67);
    if (legacyPfx) out.push(legacyPfx);
    if (needW) out.push(0x48);
    if (r.map === OpMap.M0F) out.push(0x0f);
    else if (r.map === OpMap.M0F38) out.push(0x0f, 0x38);
    else if (r.map === OpMap.M0F3A) out.push(0x0f, 0x3a);
    out.push(r.opcode + (r.plusR ? 1 : 0));
  }
  if (modrm >= 0) {
    if ((r.flags & RowFlag.Vsib) !== 0) {
      // VSIB: rm=100 and a SIB with a vector index: 0x10(%rax,%xmm1,4)
      out.push((modrm & ~7) | 4, 0x88, 0x10);
    } else {
      out.push(modrm);
      if ((modrm & 0xc0) === 0x40) out.push(0x10);
    }
  }
  for (const size of r.immSizes) {
    const sx = (r.flags & RowFlag.SignExtImm) !== 0;
    if (size === 1) out.push(sx ? 0xf0 : 0x12);
    else if (size === 2) out.push(0x34, 0x12);
    else if (size === 4) out.push(0x78, 0x56, 0x34, 0x12);
    else out.push(0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01);
  }
  return out;
}

function objdumpText(bytes: number[], dir: string): { text: string; length: number } {
  const file = join(dir, 'v.bin');
  writeFileSync(file, Uint8Array.from(bytes));
  const out = execFileSync('objdump', ['-D', '-b', 'binary', '-mi386:x86-64', '-w', file]).toString();
  const lines = out.split('\n').filter((l) => /^ +[0-9a-f]+:\t/.test(l));
  const first = lines[0]?.split('\t') ?? [];
  const raw = (first[1] ?? '').trim().split(/\s+/).filter((x) => x !== '');
  return { text: (first[2] ?? '').trim(), length: raw.length };
}

const hex = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join(' ');
const dir = mkdtempSync(join(tmpdir(), 'x86-vectors-'));
const lines: string[] = [
  '# Test vectors for @legosim/x86, one instruction per line: `bytes | AT&T text | Code`.',
  '# Bytes are decoded at address 0 in 64-bit mode; the text is what GNU objdump 2.40 prints',
  '# (objdump -D -b binary -mi386:x86-64), written by scripts/make-vectors.ts, plus hand-written',
  '# lines in extra.txt. Language-neutral: any decoder port can replay them.',
];
const skipped: string[] = [];
const parsed = TABLE.map(parseRow);
const names = codeNamesOf(parsed);
parsed.forEach((r, i) => {
  const forms = r.modKind === 0 && r.hasModrm && r.fixedModrm < 0 ? [true, false] : [r.modKind !== 2];
  for (const mem of forms) {
    const bytes = encode(r, mem);
    const od = objdumpText(bytes, dir);
    if (od.length !== bytes.length || od.text.startsWith('(bad)') || od.text.startsWith('.byte')) {
      skipped.push(`${r.row.op} | ${r.row.ins}: ${hex(bytes)} -> objdump ${od.length} bytes '${od.text}'`);
      continue;
    }
    lines.push(`${hex(bytes)} | ${od.text.replace(/\s+/g, ' ')} | ${names[i]}`);
  }
});
rmSync(dir, { recursive: true });
const outFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'vectors', 'rows.txt');
writeFileSync(outFile, `${lines.join('\n')}\n`);
console.log(`wrote ${lines.length - 4} vectors to ${outFile}`);
if (skipped.length) console.log(`objdump disagrees with ${skipped.length} row encodings:\n${skipped.join('\n')}`);
