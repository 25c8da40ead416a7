import { type Instruction, Mnemonic as M, OpKind, Register } from '@legosim/x86';
import { Cr0, Cr4, Efer, Rflags, Vector } from '../constants.js';
import { cpuid } from '../cpuid.js';
import type { Cpu } from '../cpu.js';
import { CpuFault } from '../fault.js';
import type { Define } from './define.js';

/** System instructions (SDM Vol. 2 and Vol. 3): privilege checks, SYSCALL/SYSRET, MSRs, control registers, descriptor tables. */

const TWO32 = 4294967296;

function privileged(cpu: Cpu): void {
  if (cpu.cpl !== 0) throw new CpuFault(Vector.GP, 0);
}

/**
 * SYSCALL (SDM Vol. 2B): RCX ← RIP, R11 ← RFLAGS, RFLAGS &= ~IA32_FMASK, CS/SS from
 * IA32_STAR[47:32], CPL 0, RIP ← IA32_LSTAR. No stack switch: the kernel does that.
 */
function syscall(cpu: Cpu): void {
  if ((cpu.efer & Efer.SCE) === 0) throw new CpuFault(Vector.UD, -1);
  const flags = cpu.getRflags();
  cpu.setGpr(1, cpu.rip);
  cpu.lo[11] = flags & ~Rflags.RF;
  cpu.hi[11] = 0;
  const sel = cpu.starHi & 0xffff;
  cpu.sreg[1] = sel & 0xfffc;
  cpu.sreg[2] = (sel + 8) & 0xfffc;
  cpu.rflags = (flags & ~cpu.fmask & ~Rflags.RF) | Rflags.Reserved1;
  cpu.cpl = 0;
  cpu.rip = cpu.lstar;
  cpu.updatePagingMode();
}

/**
 * SYSRET with REX.W (SDM Vol. 2B): RIP ← RCX (#GP(0) if not canonical), RFLAGS ← R11,
 * CS ← IA32_STAR[63:48]+16 | 3, SS ← IA32_STAR[63:48]+8 | 3, CPL 3.
 */
function sysret(cpu: Cpu, ins: Instruction): void {
  privileged(cpu);
  const sel = cpu.starHi >>> 16;
  const target = cpu.gpr(1);
  if (ins.operandSize === 8) {
    if (target < -0x800000000000 || target >= 0x800000000000) throw new CpuFault(Vector.GP, 0);
    cpu.rip = target;
    cpu.sreg[1] = ((sel + 16) & 0xfffc) | 3;
  } else {
    cpu.rip = cpu.lo[1]! >>> 0;
    cpu.sreg[1] = (sel & 0xfffc) | 3;
  }
  cpu.sreg[2] = ((sel + 8) & 0xfffc) | 3;
  cpu.cpl = 3;
  cpu.setRflags((cpu.lo[11]! & 0x3c7fd7) | Rflags.Reserved1);
  cpu.onReturnToUser?.('sysret');
}

function swapgs(cpu: Cpu): void {
  privileged(cpu);
  const g = cpu.gsBase;
  cpu.gsBase = cpu.kernelGsBase;
  cpu.kernelGsBase = g;
}

function iret(cpu: Cpu, ins: Instruction): void {
  if (ins.operandSize !== 8) throw new CpuFault(Vector.UD, -1);
  cpu.iretq();
}

/** CLI/STI need CPL ≤ IOPL; Lego runs with IOPL 0, so only the kernel may use them. */
function iopl(cpu: Cpu): void {
  if (cpu.cpl > ((cpu.rflags >> 12) & 3)) throw new CpuFault(Vector.GP, 0);
}

function cli(cpu: Cpu): void {
  iopl(cpu);
  cpu.rflags &= ~Rflags.IF;
}

function sti(cpu: Cpu): void {
  iopl(cpu);
  if ((cpu.rflags & Rflags.IF) === 0) {
    cpu.rflags |= Rflags.IF;
    // the STI shadow: no interrupt before the next instruction has executed
    cpu.interruptShadowUntil = cpu.instret + 1;
  }
}

function pushf(cpu: Cpu): void {
  const f = cpu.getRflags() & ~(Rflags.RF | Rflags.VM);
  cpu.push64(f, 0);
}

function popf(cpu: Cpu): void {
  const v = cpu.pop64();
  const old = cpu.getRflags();
  // bits a CPL 3 POPF cannot change: IOPL and IF (with IOPL 0); VM, VIF, VIP, RF are never loaded
  let keep = Rflags.VM | Rflags.VIF | Rflags.VIP | Rflags.RF;
  if (cpu.cpl > 0) keep |= Rflags.IOPL;
  if (cpu.cpl > ((old >> 12) & 3)) keep |= Rflags.IF;
  const next = (v & ~keep) | (old & keep);
  const enabling = (old & Rflags.IF) === 0 && (next & Rflags.IF) !== 0;
  cpu.setRflags(next & ~(Rflags.RF | Rflags.VM));
  if (enabling) cpu.interruptShadowUntil = cpu.instret + 1;
}

function hlt(cpu: Cpu): void {
  privileged(cpu);
  cpu.halted = true;
}

const cpuidOut = new Int32Array(4);

function cpuidInstruction(cpu: Cpu): void {
  cpuid(cpu.lo[0]!, cpu.lo[1]!, cpu.id, cpuidOut);
  const order = [0, 3, 1, 2]; // eax, ebx, ecx, edx → gpr 0, 3, 1, 2
  for (let i = 0; i < 4; i++) {
    cpu.lo[order[i]!] = cpuidOut[i]!;
    cpu.hi[order[i]!] = 0;
  }
}

function setEdxEax(cpu: Cpu, value: number): void {
  cpu.lo[0] = value | 0;
  cpu.hi[0] = 0;
  cpu.lo[2] = Math.floor(value / TWO32) | 0;
  cpu.hi[2] = 0;
}

function rdtsc(cpu: Cpu): void {
  if ((cpu.cr4 & 4) !== 0 && cpu.cpl !== 0) throw new CpuFault(Vector.GP, 0); // CR4.TSD
  setEdxEax(cpu, cpu.instret);
}

function rdtscp(cpu: Cpu): void {
  rdtsc(cpu);
  cpu.lo[1] = cpu.tscAux;
  cpu.hi[1] = 0;
}

function rdmsr(cpu: Cpu): void {
  privileged(cpu);
  const v = cpu.readMsr(cpu.lo[1]! >>> 0);
  if (v === undefined) throw new CpuFault(Vector.GP, 0);
  cpu.lo[0] = v[0];
  cpu.hi[0] = 0;
  cpu.lo[2] = v[1];
  cpu.hi[2] = 0;
}

function wrmsr(cpu: Cpu): void {
  privileged(cpu);
  if (!cpu.writeMsr(cpu.lo[1]! >>> 0, cpu.lo[0]!, cpu.lo[2]!)) throw new CpuFault(Vector.GP, 0);
}

/** MOV to/from CRn, DRn and segment registers (called from MOV's handler). */
export function moveSystemRegister(cpu: Cpu, ins: Instruction): void {
  const dst = ins.opKind[0] === OpKind.Register ? ins.opReg[0]! : 0;
  const src = ins.opKind[1] === OpKind.Register ? ins.opReg[1]! : 0;
  if (src >= Register.ES && src <= Register.GS) {
    cpu.writeOp(ins, 0, cpu.sreg[src - Register.ES]!, 0);
    return;
  }
  if (dst >= Register.ES && dst <= Register.GS) {
    const v = cpu.readOp(ins, 1) & 0xffff;
    if (dst === Register.CS) throw new CpuFault(Vector.UD, -1);
    // In 64-bit mode the selector's descriptor only matters for SS's RPL; FS/GS bases are kept.
    cpu.sreg[dst - Register.ES] = v;
    return;
  }
  privileged(cpu);
  if (src >= Register.CR0 && src <= Register.CR15) {
    let v: number;
    switch (src) {
      case Register.CR0:
        v = cpu.cr0;
        break;
      case Register.CR2:
        v = cpu.cr2;
        break;
      case Register.CR3:
        v = cpu.cr3;
        break;
      case Register.CR4:
        v = cpu.cr4;
        break;
      case Register.CR8:
        v = 0;
        break;
      default:
        throw new CpuFault(Vector.UD, -1);
    }
    cpu.writeReg(dst, v | 0, Math.floor(v / TWO32) | 0);
    return;
  }
  if (dst >= Register.CR0 && dst <= Register.CR15) {
    const lo = cpu.readReg(src);
    const v = cpu.vhi * TWO32 + (lo >>> 0);
    switch (dst) {
      case Register.CR0:
        if ((lo & (Cr0.PG | Cr0.PE)) !== (Cr0.PG | Cr0.PE)) throw new CpuFault(Vector.GP, 0);
        cpu.cr0 = lo >>> 0;
        break;
      case Register.CR2:
        cpu.cr2 = v;
        break;
      case Register.CR3:
        cpu.cr3 = v;
        cpu.mmu.loadCr3(v);
        break;
      case Register.CR4:
        if ((lo & Cr4.PAE) === 0) throw new CpuFault(Vector.GP, 0);
        cpu.cr4 = lo >>> 0;
        break;
      case Register.CR8:
        break;
      default:
        throw new CpuFault(Vector.UD, -1);
    }
    cpu.updatePagingMode();
    return;
  }
  // debug registers: kept as plain storage, no breakpoints are modeled
  if (src >= Register.DR0 && src <= Register.DR15) cpu.writeReg(dst, 0, 0);
}

/** LGDT/LIDT m16&64: limit then base. */
function loadTable(which: 'gdt' | 'idt') {
  return (cpu: Cpu, ins: Instruction): void => {
    privileged(cpu);
    const la = cpu.ea(ins);
    const limit = cpu.read16(la);
    const base = cpu.read64n(la + 2);
    if (which === 'gdt') {
      cpu.gdtBase = base;
      cpu.gdtLimit = limit;
    } else {
      cpu.idtBase = base;
      cpu.idtLimit = limit;
    }
  };
}

function storeTable(which: 'gdt' | 'idt') {
  return (cpu: Cpu, ins: Instruction): void => {
    const la = cpu.ea(ins);
    cpu.write16(la, which === 'gdt' ? cpu.gdtLimit : cpu.idtLimit);
    cpu.write64n(la + 2, which === 'gdt' ? cpu.gdtBase : cpu.idtBase);
  };
}

/** LTR: loads TR and caches the 64-bit TSS base from its 16-byte GDT descriptor, marking it busy. */
function ltr(cpu: Cpu, ins: Instruction): void {
  privileged(cpu);
  const sel = cpu.readOp(ins, 0) & 0xffff;
  const index = sel >> 3;
  if (index === 0 || index * 8 + 15 > cpu.gdtLimit) throw new CpuFault(Vector.GP, sel & 0xfffc);
  const d = cpu.gdtBase + index * 8;
  const w0 = cpu.read32(d);
  const w1 = cpu.read32(d + 4);
  const w2 = cpu.read32(d + 8);
  const type = (w1 >> 8) & 0xf;
  if (type !== 9) throw new CpuFault(Vector.GP, sel & 0xfffc); // available 64-bit TSS
  cpu.write32(d + 4, w1 | (2 << 8)); // busy
  cpu.tr = sel;
  cpu.trBase = w2 * TWO32 + (((w1 & 0xff000000) | ((w1 & 0xff) << 16) | (w0 >>> 16)) >>> 0);
}

function invlpg(cpu: Cpu, ins: Instruction): void {
  privileged(cpu);
  cpu.mmu.invlpg(cpu.ea(ins));
}

/**
 * UD2 is #UD, except at the address of a native kernel function: there the kernel's
 * TypeScript implementation runs (with the CPU as its context) and the CPU performs
 * the `ret` the function would end with.
 */
function ud2(cpu: Cpu, ins: Instruction): void {
  if (cpu.cpl === 0) {
    const native = cpu.natives.get(ins.ip);
    if (native !== undefined) {
      native(cpu);
      cpu.rip = cpu.popN();
      return;
    }
  }
  throw new CpuFault(Vector.UD, -1);
}

/** INT n / INT3: a software interrupt; the gate's DPL must allow the current CPL (#GP otherwise). */
function softwareInterrupt(cpu: Cpu, vector: number): void {
  if (vector * 16 + 15 > cpu.idtLimit) throw new CpuFault(Vector.GP, vector * 8 + 2);
  // the IDT is read with a supervisor access, whatever the CPL
  const cpl = cpu.cpl;
  cpu.setCpl(0);
  let w1: number;
  try {
    w1 = cpu.read32(cpu.idtBase + vector * 16 + 4);
  } finally {
    cpu.setCpl(cpl);
  }
  const dpl = (w1 >> 13) & 3;
  if (cpl > dpl) throw new CpuFault(Vector.GP, vector * 8 + 2);
  cpu.deliver(vector, -1, cpu.rip);
}

function int3(cpu: Cpu): void {
  softwareInterrupt(cpu, Vector.BP);
}

function intN(cpu: Cpu, ins: Instruction): void {
  softwareInterrupt(cpu, ins.immLo & 0xff);
}

function flagOp(op: 'cld' | 'std' | 'clc' | 'stc' | 'cmc' | 'clac' | 'stac') {
  return (cpu: Cpu): void => {
    switch (op) {
      case 'cld':
        cpu.rflags &= ~Rflags.DF;
        return;
      case 'std':
        cpu.rflags |= Rflags.DF;
        return;
      case 'clac':
      case 'stac':
        privileged(cpu);
        if (op === 'clac') cpu.rflags &= ~Rflags.AC;
        else cpu.rflags |= Rflags.AC;
        cpu.updatePagingMode();
        return;
    }
    const f = cpu.getRflags();
    if (op === 'clc') cpu.setStatusFlags(f & ~Rflags.CF);
    else if (op === 'stc') cpu.setStatusFlags(f | Rflags.CF);
    else cpu.setStatusFlags(f ^ Rflags.CF);
  };
}

function lahf(cpu: Cpu): void {
  const f = cpu.getRflags() & 0xd5;
  cpu.lo[0] = (cpu.lo[0]! & ~0xff00) | ((f | 2) << 8);
}

function sahf(cpu: Cpu): void {
  const ah = (cpu.lo[0]! >> 8) & 0xd5;
  cpu.setStatusFlags((cpu.getRflags() & ~0xd5) | ah);
}

function rdpid(cpu: Cpu, ins: Instruction): void {
  cpu.writeOp(ins, 0, cpu.tscAux, 0);
}

function xgetbv(cpu: Cpu): void {
  // CR4.OSXSAVE is never set: XGETBV is #UD (SDM)
  if ((cpu.cr4 & Cr4.OSXSAVE) === 0) throw new CpuFault(Vector.UD, -1);
  setEdxEax(cpu, 3);
}

function privilegedNop(cpu: Cpu): void {
  privileged(cpu);
}

export function installSystem(def: Define): void {
  def(M.Syscall, syscall);
  def(M.Sysret, sysret);
  def(M.Swapgs, swapgs);
  def(M.Iret, iret);
  def(M.Cli, cli);
  def(M.Sti, sti);
  def(M.Pushf, pushf);
  def(M.Pushfq, pushf);
  def(M.Popf, popf);
  def(M.Popfq, popf);
  def(M.Hlt, hlt);
  def(M.Cpuid, cpuidInstruction);
  def(M.Rdtsc, rdtsc);
  def(M.Rdtscp, rdtscp);
  def(M.Rdmsr, rdmsr);
  def(M.Wrmsr, wrmsr);
  def(M.Lgdt, loadTable('gdt'));
  def(M.Lidt, loadTable('idt'));
  def(M.Sgdt, storeTable('gdt'));
  def(M.Sidt, storeTable('idt'));
  def(M.Ltr, ltr);
  def(M.Invlpg, invlpg);
  def(M.Ud2, ud2);
  def(M.Int3, int3);
  def(M.Int, intN);
  def(M.Cld, flagOp('cld'));
  def(M.Std, flagOp('std'));
  def(M.Clc, flagOp('clc'));
  def(M.Stc, flagOp('stc'));
  def(M.Cmc, flagOp('cmc'));
  def(M.Lahf, lahf);
  def(M.Sahf, sahf);
  def(M.Rdpid, rdpid);
  def(M.Xgetbv, xgetbv);
  def(M.Wbinvd, privilegedNop);
  def(M.Clts, privilegedNop);
}
