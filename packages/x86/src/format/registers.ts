import { Register } from '../register.js';

const NAMES: string[] = new Array<string>(Register.Count).fill('?');
{
  const gpr64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'];
  const gpr32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
  const gpr16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
  const gpr8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'];
  for (let i = 0; i < 16; i++) {
    NAMES[Register.RAX + i] = i < 8 ? (gpr64[i] as string) : `r${i}`;
    NAMES[Register.EAX + i] = i < 8 ? (gpr32[i] as string) : `r${i}d`;
    NAMES[Register.AX + i] = i < 8 ? (gpr16[i] as string) : `r${i}w`;
    NAMES[Register.AL + i] = i < 8 ? (gpr8[i] as string) : `r${i}b`;
    NAMES[Register.CR0 + i] = `cr${i}`;
    NAMES[Register.DR0 + i] = `db${i}`;
  }
  ['ah', 'ch', 'dh', 'bh'].forEach((n, i) => { NAMES[Register.AH + i] = n; });
  ['es', 'cs', 'ss', 'ds', 'fs', 'gs'].forEach((n, i) => { NAMES[Register.ES + i] = n; });
  NAMES[Register.RIP] = 'rip';
  NAMES[Register.EIP] = 'eip';
  for (let i = 0; i < 32; i++) {
    NAMES[Register.XMM0 + i] = `xmm${i}`;
    NAMES[Register.YMM0 + i] = `ymm${i}`;
    NAMES[Register.ZMM0 + i] = `zmm${i}`;
  }
  for (let i = 0; i < 8; i++) {
    NAMES[Register.K0 + i] = `k${i}`;
    NAMES[Register.MM0 + i] = `mm${i}`;
    NAMES[Register.ST0 + i] = i === 0 ? 'st' : `st(${i})`;
  }
  NAMES[Register.TR] = 'tr';
}

/** Register name as GNU tools spell it, without the `%` (`rax`, `r8d`, `db7`, `st(1)`). */
export function registerName(reg: number): string {
  return NAMES[reg] ?? '?';
}
