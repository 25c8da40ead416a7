import { Register } from '../register.js';

const GPR64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'];
const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const GPR8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'];

function buildNames(): Map<string, Register> {
  const m = new Map<string, Register>();
  for (let n = 0; n < 16; n++) {
    const hi = n >= 8;
    m.set(hi ? `r${n}` : (GPR64[n] as string), (Register.RAX + n) as Register);
    m.set(hi ? `r${n}d` : (GPR32[n] as string), (Register.EAX + n) as Register);
    m.set(hi ? `r${n}w` : (GPR16[n] as string), (Register.AX + n) as Register);
    m.set(hi ? `r${n}b` : (GPR8[n] as string), (Register.AL + n) as Register);
    if (hi) m.set(`r${n}l`, (Register.AL + n) as Register);
    m.set(`cr${n}`, (Register.CR0 + n) as Register);
    m.set(`db${n}`, (Register.DR0 + n) as Register);
    m.set(`dr${n}`, (Register.DR0 + n) as Register);
  }
  const high = ['ah', 'ch', 'dh', 'bh'];
  for (let i = 0; i < high.length; i++) m.set(high[i] as string, (Register.AH + i) as Register);
  const segs = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
  for (let i = 0; i < segs.length; i++) m.set(segs[i] as string, (Register.ES + i) as Register);
  m.set('rip', Register.RIP);
  m.set('eip', Register.EIP);
  for (let n = 0; n < 32; n++) {
    m.set(`xmm${n}`, (Register.XMM0 + n) as Register);
    m.set(`ymm${n}`, (Register.YMM0 + n) as Register);
    m.set(`zmm${n}`, (Register.ZMM0 + n) as Register);
  }
  for (let n = 0; n < 8; n++) {
    m.set(`k${n}`, (Register.K0 + n) as Register);
    m.set(`mm${n}`, (Register.MM0 + n) as Register);
    m.set(`st${n}`, (Register.ST0 + n) as Register);
  }
  m.set('st', Register.ST0);
  return m;
}

const NAMES = buildNames();
const BY_REGISTER = new Map<Register, string>();
for (const [name, reg] of NAMES)
  if (!BY_REGISTER.has(reg) && !/^(db\d|r\d+l|st)$/.test(name)) BY_REGISTER.set(reg, name);

/** The register `%name` names (case-insensitive), or undefined. */
export function registerByName(name: string): Register | undefined {
  return NAMES.get(name.toLowerCase());
}

/** The AT&T name of a register, without `%`. */
export function registerName(reg: Register): string {
  return BY_REGISTER.get(reg) ?? `reg${reg as number}`;
}

export function isSegment(reg: Register): boolean {
  return reg >= Register.ES && reg <= Register.GS;
}
