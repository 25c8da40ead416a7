import type { Cpu } from '@legosim/cpu';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Task } from '../../../kernel/task.js';
import { PtRegs } from './ptrace.js';

/** A 64-bit value as 16 hex digits (two's complement for negative canonical addresses). */
export function hex16(v: number): string {
  const big = v < 0 ? BigInt(v) & 0xffffffffffffffffn : BigInt(v);
  return big.toString(16).padStart(16, '0');
}

/** An address as `%#lx` prints it: 0x and the 64-bit two's complement value. */
export function hexAddr(v: number): string {
  return `0x${hex16(v).replace(/^0+(?=.)/, '')}`;
}

/** Lego's __show_regs() of a task's pt_regs (arch/x86/kernel/process_64.c). */
export function showRegs(k: Kernel, cpu: Cpu, t: Task): string[] {
  const h = (off: number): string => k.regsHex(t, off).padStart(16, '0');
  return [
    `CPU: ${cpu.id} PID: ${t.pid} Comm: ${t.comm}`,
    `RIP: 0033:[<${h(PtRegs.IP)}>]`,
    `RSP: 002b:${h(PtRegs.SP)}  EFLAGS: ${k.regsHex(t, PtRegs.FLAGS).padStart(8, '0')}`,
    `RAX: ${h(PtRegs.AX)} RBX: ${h(PtRegs.BX)} RCX: ${h(PtRegs.CX)}`,
    `RDX: ${h(PtRegs.DX)} RSI: ${h(PtRegs.SI)} RDI: ${h(PtRegs.DI)}`,
    `RBP: ${h(PtRegs.BP)} R08: ${h(PtRegs.R8)} R09: ${h(PtRegs.R9)}`,
    `R10: ${h(PtRegs.R10)} R11: ${h(PtRegs.R11)} R12: ${h(PtRegs.R12)}`,
    `R13: ${h(PtRegs.R13)} R14: ${h(PtRegs.R14)} R15: ${h(PtRegs.R15)}`,
  ];
}
