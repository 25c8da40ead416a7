import { type Instruction, Mnemonic as M, OpKind } from '@legosim/x86';
import type { Cpu } from '../cpu.js';
import { CONDITIONS } from './data.js';
import type { Define } from './define.js';

const TWO32 = 4294967296;

/** Target of an indirect branch (register or memory), as a JS number. */
function indirectTarget(cpu: Cpu, ins: Instruction): number {
  const lo = cpu.readOp(ins, 0);
  return cpu.vhi * TWO32 + (lo >>> 0);
}

function jmp(cpu: Cpu, ins: Instruction): void {
  cpu.rip = ins.opKind[0] === OpKind.NearBranch ? ins.branchTarget : indirectTarget(cpu, ins);
}

function call(cpu: Cpu, ins: Instruction): void {
  const target = ins.opKind[0] === OpKind.NearBranch ? ins.branchTarget : indirectTarget(cpu, ins);
  cpu.pushN(cpu.rip);
  cpu.rip = target;
}

function ret(cpu: Cpu, ins: Instruction): void {
  const target = cpu.popN();
  if (ins.opCount > 0) cpu.setGpr(4, cpu.gpr(4) + (ins.immLo & 0xffff));
  cpu.rip = target;
}

function jcc(cc: number) {
  return (cpu: Cpu, ins: Instruction): void => {
    if (cpu.condition(cc)) cpu.rip = ins.branchTarget;
  };
}

function jrcxz(cpu: Cpu, ins: Instruction): void {
  const zero = ins.addressSize === 4 ? cpu.lo[1] === 0 : (cpu.lo[1]! | cpu.hi[1]!) === 0;
  if (zero) cpu.rip = ins.branchTarget;
}

/** LOOP/LOOPE/LOOPNE: decrement RCX without touching flags. */
function loop(kind: 0 | 1 | 2) {
  return (cpu: Cpu, ins: Instruction): void => {
    const lo = cpu.lo;
    const hi = cpu.hi;
    let nonzero: boolean;
    if (ins.addressSize === 4) {
      lo[1] = (lo[1]! - 1) | 0;
      hi[1] = 0;
      nonzero = lo[1] !== 0;
    } else {
      if (lo[1] === 0) hi[1] = (hi[1]! - 1) | 0;
      lo[1] = (lo[1]! - 1) | 0;
      nonzero = (lo[1]! | hi[1]!) !== 0;
    }
    const take = kind === 0 ? nonzero : kind === 1 ? nonzero && cpu.condition(4) : nonzero && !cpu.condition(4);
    if (take) cpu.rip = ins.branchTarget;
  };
}

export function installControl(def: Define): void {
  def(M.Jmp, jmp);
  def(M.Call, call);
  def(M.Ret, ret);
  def(M.Jrcxz, jrcxz);
  def(M.Jecxz, jrcxz);
  def(M.Loop, loop(0));
  def(M.Loope, loop(1));
  def(M.Loopne, loop(2));
  for (const [cc, [j]] of CONDITIONS.entries()) def(j, jcc(cc));
}
