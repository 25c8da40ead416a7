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
        if (s.mem && (variant === 1 || s.regSize === 0)) {
          ops.push('0x10(%rax,%rdx,4)');
          break;
        }
        if (s.regSize === 0) return undefined;
        const k = (variant + regCount++) % 2;
        if (s.cls === RegClass.Gpr) {
          ops.push((GPR[s.regSize] as readonly [string, string])[k] as string);
          sizedByRegister = true;
        } else if (s.cls === RegClass.Xmm) ops.push(k ? '%xmm10' : '%xmm3');
        else if (s.cls === RegClass.Ymm) ops.push(k ? '%ymm10' : '%ymm3');
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
      (s) => s.kind === SpecKind.RegMem && s.mem && s.cls !== RegClass.Xmm && s.cls !== RegClass.Mmx,
    )
  ) {
    name += SUFFIX[f.osize] ?? '';
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
    for (const variant of [0, 1]) {
      const line = lineFor(f, variant);
      if (line !== undefined) out.add(line);
    }
  }
  return [...out];
}
