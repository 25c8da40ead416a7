// One or two AT&T source lines for every table form the assembler accepts, for the
// table-wide differential test against GNU as.
import { type Form, formsByMnemonic, RegClass, SpecKind } from '../../src/asm/forms.js';
import { TABLE } from '../../src/table/index.js';

const GPR: Record<number, readonly [string, string]> = {
  1: ['%cl', '%r9b'],
  2: ['%cx', '%r9w'],
  4: ['%ecx', '%r9d'],
  8: ['%rcx', '%r9'],
};
const SUFFIX: Record<number, string> = { 1: 'b', 2: 'w', 4: 'l', 8: 'q' };
const IMM: Record<number, string> = { 1: '$0x12', 2: '$0x1234', 4: '$0x12345678', 8: '$0x123456789abc' };

function lineFor(f: Form, variant: number): string | undefined {
  const row = TABLE[f.row];
  if (row === undefined) return undefined;
  const intelTokens = row.ins
    .replace(/^\S+\s*/, '')
    .replace(/\{[^}]*\}/g, '')
    .split(',')
    .map((x) => x.trim());
  const ops: string[] = [];
  const evex = f.evex !== undefined;
  if (variant === 2 && !f.specs.some((s) => s.bcst !== 0)) return undefined;
  let sizedByRegister = false;
  let regCount = 0;
  for (let i = 0; i < f.specs.length; i++) {
    const s = f.specs[i];
    if (s === undefined) return undefined;
    switch (s.kind) {
      case SpecKind.Fixed:
        ops.push(s.cls === RegClass.Xmm ? '%xmm0' : `%${(intelTokens[i] ?? '').toLowerCase()}`);
        sizedByRegister = true;
        break;
      case SpecKind.One:
        ops.push('$1');
        break;
      case SpecKind.Imm:
        ops.push(IMM[s.size] ?? '$0');
        break;
      case SpecKind.Rel:
        ops.push(s.size === 1 ? '1f' : 'ext_fn');
        break;
      case SpecKind.Moffs:
        ops.push('0x1122334455667788');
        break;
      case SpecKind.ImplicitMem:
        ops.push('');
        break;
      case SpecKind.RegMem: {
        if (s.mem && (variant >= 1 || s.regSize === 0)) {
          // variant 2: the embedded broadcast of an `m32bcst` operand; 0x40 tests disp8*N
          if (s.vsib !== 0) {
            // a gather/scatter address: a vector index of the row's width (%xmm25: EVEX only)
            const v = s.vsib === 16 ? 'xmm' : s.vsib === 32 ? 'ymm' : 'zmm';
            ops.push(`0x40(%rax,%${v}${evex && variant === 1 ? 25 : 1},4)`);
          } else if (variant === 2 && s.bcst !== 0) ops.push(`0x40(%rax,%rdx,4){1to${s.memSize / s.bcst}}`);
          else ops.push(evex ? '0x40(%rax,%rdx,4)' : '0x10(%rax,%rdx,4)');
          break;
        }
        if (s.regSize === 0) return undefined;
        const k = (variant + regCount++) % 2;
        if (s.cls === RegClass.Gpr) {
          ops.push((GPR[s.regSize] as readonly [string, string])[k] as string);
          sizedByRegister = true;
        }
        // EVEX forms get registers only EVEX can name, or GAS (and we) would pick the VEX twin
        else if (s.cls === RegClass.Xmm) ops.push(evex ? (k ? '%xmm26' : '%xmm19') : k ? '%xmm10' : '%xmm3');
        else if (s.cls === RegClass.Ymm) ops.push(evex ? (k ? '%ymm26' : '%ymm19') : k ? '%ymm10' : '%ymm3');
        else if (s.cls === RegClass.Zmm) ops.push(k ? '%zmm26' : '%zmm3');
        else if (s.cls === RegClass.K) ops.push(k ? '%k6' : '%k1');
        else if (s.cls === RegClass.St) ops.push(k ? '%st(5)' : '%st(3)');
        else if (s.cls === RegClass.Mmx) ops.push(k ? '%mm5' : '%mm2');
        else if (s.cls === RegClass.Seg) ops.push('%fs');
        else if (s.cls === RegClass.Cr) ops.push('%cr3');
        else if (s.cls === RegClass.Dr) ops.push('%dr1');
        else return undefined;
        break;
      }
    }
  }
  const implicit = f.specs.some((s) => s.kind === SpecKind.ImplicitMem);
  let name = row.att ? row.att.replace(/!$/, '') : f.mnemonic;
  if (/[\s?]/.test(name)) return undefined;
  if (name.endsWith('%')) name = name.slice(0, -1) + (SUFFIX[f.osize] ?? '');
  else if (
    !row.att &&
    !sizedByRegister &&
    f.osize > 0 &&
    f.specs.some(
      (s) =>
        s.kind === SpecKind.RegMem &&
        s.mem &&
        (s.cls === RegClass.Gpr || (s.cls === RegClass.None && s.vsib === 0)),
    )
  ) {
    name += SUFFIX[f.osize] ?? '';
  }
  // the destination's opmask (and on a register, zeroing): variant 0 merges, variant 1 zeroes
  if (f.evex?.mask === true && ops[0] !== undefined && ops[0] !== '') {
    const reg = ops[0].startsWith('%');
    ops[0] += variant === 1 && reg && f.evex.zeroing ? '{%k2}{z}' : '{%k2}';
  }
  const allImm = f.specs.length > 0 && f.specs.every((s) => s.kind === SpecKind.Imm);
  const att = implicit ? [] : allImm ? ops : [...ops].reverse();
  let line = `${name} ${att.filter((o) => o !== '').join(', ')}`.trim();
  if (f.specs.some((s) => s.kind === SpecKind.Rel && s.size === 1)) line += '; 1:';
  return line;
}

/** Distinct sample lines, in table order. */
export function tableLines(): string[] {
  const forms = new Set<Form>();
  for (const list of formsByMnemonic().values()) for (const f of list) forms.add(f);
  const out = new Set<string>();
  for (const f of [...forms].sort((a, b) => a.row - b.row)) {
    for (const variant of [0, 1, 2]) {
      const line = lineFor(f, variant);
      if (line !== undefined) out.add(line);
    }
  }
  return [...out];
}
