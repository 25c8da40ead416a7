import { type Instruction, Mnemonic as M, OpKind, Register } from '@legosim/x86';
import type { Cpu } from '../cpu.js';
import { FlagOp } from '../flags.js';
import { addSized, out, SIZE_MASK, subSized } from './arith.js';
import type { Define } from './define.js';
import { moveSystemRegister } from './system.js';

/** Data movement, conditional moves and the small conversions (SDM MOV, MOVZX, MOVSX(D), LEA, XCHG, ...). */

/** Operand `n` is a segment, control or debug register: moving it is a system operation. */
export function isSystemReg(ins: Instruction, n: number): boolean {
  return ins.opKind[n] === OpKind.Register && ins.opReg[n]! >= Register.ES && ins.opReg[n]! < Register.XMM0;
}

function mov(cpu: Cpu, ins: Instruction): void {
  if (isSystemReg(ins, 0) || isSystemReg(ins, 1)) {
    moveSystemRegister(cpu, ins);
    return;
  }
  const v = cpu.readOp(ins, 1);
  cpu.writeOp(ins, 0, v, cpu.vhi);
}

function movzx(cpu: Cpu, ins: Instruction): void {
  const v = cpu.readOp(ins, 1);
  cpu.writeOp(ins, 0, ins.opSize[1] === 1 ? v & 0xff : v & 0xffff, 0);
}

function movsx(cpu: Cpu, ins: Instruction): void {
  let v = cpu.readOp(ins, 1);
  const from = ins.opSize[1]!;
  if (from === 1) v = (v << 24) >> 24;
  else if (from === 2) v = (v << 16) >> 16;
  else v |= 0;
  const to = ins.opSize[0]!;
  cpu.writeOp(ins, 0, to === 2 ? v & 0xffff : v, v >> 31);
}

function lea(cpu: Cpu, ins: Instruction): void {
  const v = cpu.lea(ins);
  cpu.writeOp(ins, 0, v, cpu.vhi);
}

function xchg(cpu: Cpu, ins: Instruction): void {
  const a = cpu.readOp(ins, 0);
  const aHi = cpu.vhi;
  const b = cpu.readOp(ins, 1);
  const bHi = cpu.vhi;
  // xchg %eax,%eax (90 without REX.B) is NOP and must not clear the upper half
  if (ins.opKind[0] === OpKind.Register && ins.opKind[1] === OpKind.Register && ins.opReg[0] === ins.opReg[1]) return;
  cpu.writeOp(ins, 1, a, aHi);
  cpu.writeOp(ins, 0, b, bHi);
}

/** The accumulator (AL, AX, EAX, RAX) by operand size. */
export const ACCUMULATOR: readonly number[] = [0, Register.AL, Register.AX, 0, Register.EAX, 0, 0, 0, Register.RAX];

function cmpxchg(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  const acc = ACCUMULATOR[size]!;
  const mask = SIZE_MASK[size]!;
  const d = cpu.readOp(ins, 0) & mask;
  const dHi = cpu.vhi;
  const a = cpu.readReg(acc) & mask;
  const aHi = cpu.vhi;
  const r = subSized(size, a, aHi, d, dHi);
  const rHi = out.hi;
  if (a === d && (size !== 8 || aHi === dHi)) {
    const s = cpu.readOp(ins, 1);
    cpu.writeOp(ins, 0, s, cpu.vhi);
  } else {
    // the destination is written back with its own value (a locked cycle always writes)
    cpu.writeOp(ins, 0, d, dHi);
    cpu.writeReg(acc, d, dHi);
  }
  cpu.flags.set(FlagOp.Sub, size, a, aHi, d, dHi, r, rHi);
}

function cmpxchg16b(cpu: Cpu, ins: Instruction): void {
  const la = cpu.ea(ins);
  const m0 = cpu.read64(la);
  const m0Hi = cpu.vhi;
  const m1 = cpu.read64(la + 8);
  const m1Hi = cpu.vhi;
  const lo = cpu.lo;
  const hi = cpu.hi;
  const equal = m0 === lo[0] && m0Hi === hi[0] && m1 === lo[2] && m1Hi === hi[2];
  if (equal) {
    cpu.write64(la, lo[3]!, hi[3]!);
    cpu.write64(la + 8, lo[1]!, hi[1]!);
  } else {
    cpu.write64(la, m0, m0Hi);
    cpu.write64(la + 8, m1, m1Hi);
    lo[0] = m0;
    hi[0] = m0Hi;
    lo[2] = m1;
    hi[2] = m1Hi;
  }
  const zf = 0x40;
  cpu.setStatusFlags(equal ? cpu.getRflags() | zf : cpu.getRflags() & ~zf);
}

function xadd(cpu: Cpu, ins: Instruction): void {
  const size = ins.opSize[0]!;
  const mask = SIZE_MASK[size]!;
  const d = cpu.readOp(ins, 0) & mask;
  const dHi = cpu.vhi;
  const s = cpu.readOp(ins, 1) & mask;
  const sHi = cpu.vhi;
  const r = addSized(size, d, dHi, s, sHi);
  const rHi = out.hi;
  cpu.writeOp(ins, 1, d, dHi);
  cpu.writeOp(ins, 0, r, rHi);
  cpu.flags.set(FlagOp.Add, size, d, dHi, s, sHi, r, rHi);
}

function push(cpu: Cpu, ins: Instruction): void {
  const v = cpu.readOp(ins, 0);
  const vHi = cpu.vhi;
  if (ins.operandSize === 2) {
    const sp = cpu.gpr(4) - 2;
    cpu.write16(sp, v);
    cpu.setGpr(4, sp);
    return;
  }
  // a segment register or a 32-bit immediate is zero- or sign-extended to 64 bits
  const size = ins.opSize[0]!;
  if (size === 8) cpu.push64(v, vHi);
  else if (ins.opKind[0] === OpKind.Immediate) cpu.push64(v, v >> 31);
  else cpu.push64(v & (size === 2 ? 0xffff : -1), 0);
}

function pop(cpu: Cpu, ins: Instruction): void {
  if (ins.operandSize === 2) {
    const sp = cpu.gpr(4);
    const v = cpu.read16(sp);
    cpu.setGpr(4, sp + 2);
    cpu.writeOp(ins, 0, v, 0);
    return;
  }
  const v = cpu.pop64();
  const vHi = cpu.vhi;
  if (ins.opKind[0] === OpKind.Register && ins.opReg[0]! >= Register.ES && ins.opReg[0]! <= Register.GS) {
    cpu.sreg[ins.opReg[0]! - Register.ES] = v & 0xffff;
    return;
  }
  cpu.writeOp(ins, 0, v, vHi);
}

function leave(cpu: Cpu): void {
  cpu.lo[4] = cpu.lo[5]!;
  cpu.hi[4] = cpu.hi[5]!;
  const v = cpu.pop64();
  cpu.lo[5] = v;
  cpu.hi[5] = cpu.vhi;
}

function cbw(cpu: Cpu): void {
  cpu.lo[0] = (cpu.lo[0]! & ~0xffff) | (((cpu.lo[0]! << 24) >> 24) & 0xffff);
}
function cwde(cpu: Cpu): void {
  cpu.lo[0] = (cpu.lo[0]! << 16) >> 16;
  cpu.hi[0] = 0;
}
function cdqe(cpu: Cpu): void {
  cpu.hi[0] = cpu.lo[0]! >> 31;
}
function cwd(cpu: Cpu): void {
  cpu.lo[2] = (cpu.lo[2]! & ~0xffff) | ((cpu.lo[0]! << 16) >> 31 & 0xffff);
}
function cdq(cpu: Cpu): void {
  cpu.lo[2] = cpu.lo[0]! >> 31;
  cpu.hi[2] = 0;
}
function cqo(cpu: Cpu): void {
  const s = cpu.hi[0]! >> 31;
  cpu.lo[2] = s;
  cpu.hi[2] = s;
}

function cmov(cc: number) {
  return (cpu: Cpu, ins: Instruction): void => {
    const v = cpu.readOp(ins, 1);
    const vHi = cpu.vhi;
    if (cpu.condition(cc)) cpu.writeOp(ins, 0, v, vHi);
    else if (ins.opSize[0] === 4) cpu.hi[ins.opReg[0]! - Register.EAX] = 0; // 32-bit CMOVcc always zero-extends
  };
}

function setcc(cc: number) {
  return (cpu: Cpu, ins: Instruction): void => {
    cpu.writeOp(ins, 0, cpu.condition(cc) ? 1 : 0, 0);
  };
}

function nop(): void {}

/** The sixteen condition codes in encoding order, with the mnemonics the table uses for each. */
export const CONDITIONS: readonly (readonly [jcc: number, cmov: number, set: number])[] = [
  [M.Jo, M.Cmovo, M.Seto],
  [M.Jno, M.Cmovno, M.Setno],
  [M.Jb, M.Cmovb, M.Setb],
  [M.Jae, M.Cmovae, M.Setae],
  [M.Je, M.Cmove, M.Sete],
  [M.Jne, M.Cmovne, M.Setne],
  [M.Jbe, M.Cmovbe, M.Setbe],
  [M.Ja, M.Cmova, M.Seta],
  [M.Js, M.Cmovs, M.Sets],
  [M.Jns, M.Cmovns, M.Setns],
  [M.Jp, M.Cmovp, M.Setp],
  [M.Jnp, M.Cmovnp, M.Setnp],
  [M.Jl, M.Cmovl, M.Setl],
  [M.Jge, M.Cmovge, M.Setge],
  [M.Jle, M.Cmovle, M.Setle],
  [M.Jg, M.Cmovg, M.Setg],
];

export function installData(def: Define): void {
  def(M.Mov, mov);
  def(M.Movzx, movzx);
  def(M.Movsx, movsx);
  def(M.Movsxd, movsx);
  def(M.Lea, lea);
  def(M.Xchg, xchg);
  def(M.Cmpxchg, cmpxchg);
  def(M.Cmpxchg16b, cmpxchg16b);
  def(M.Xadd, xadd);
  def(M.Push, push);
  def(M.Pop, pop);
  def(M.Leave, leave);
  def(M.Cbw, cbw);
  def(M.Cwde, cwde);
  def(M.Cdqe, cdqe);
  def(M.Cwd, cwd);
  def(M.Cdq, cdq);
  def(M.Cqo, cqo);
  def(M.Nop, nop);
  def(M.Endbr64, nop);
  def(M.Pause, nop);
  def(M.Lfence, nop);
  def(M.Mfence, nop);
  def(M.Sfence, nop);
  def(M.Prefetcht0, nop);
  def(M.Prefetcht1, nop);
  def(M.Prefetcht2, nop);
  def(M.Prefetchnta, nop);
  def(M.Prefetchw, nop);
  for (const [cc, [, cm, set]] of CONDITIONS.entries()) {
    def(cm, cmov(cc));
    def(set, setcc(cc));
  }
}
