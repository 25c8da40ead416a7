import type { Cpu } from '@legosim/cpu';
import { type Kernel, PT_REGS_FIELDS } from '@legosim/kernel';
import type { Instruction } from '@legosim/x86';

/*
 * The Node-free pieces of `legosim explain`: how an address, an instruction's bytes, a
 * per-CPU offset, a native function and a kernel-stack slot are named. The command and the
 * docs playground (which draws the same stack picture in a browser) both use them, so the
 * two never disagree about a label.
 */

/** A 64-bit value (a JS number holding a sign-extended address, or a small value) as 16 hex digits. */
export function hex64(v: number): string {
  return (v < 0 ? BigInt(v) + (1n << 64n) : BigInt(v)).toString(16).padStart(16, '0');
}

/** The bytes of a decoded instruction as `0f 05`, read through the MMU (`??` where unmapped). */
export function instructionBytes(cpu: Cpu, ins: Instruction): string {
  const out: string[] = [];
  for (let i = 0; i < ins.length; i++) {
    const pa = cpu.mmu.translateFetch(ins.ip + i);
    out.push(pa < 0 ? '??' : cpu.mmu.readPhys8(pa).toString(16).padStart(2, '0'));
  }
  return out.join(' ');
}

/** The per-CPU variable at `offset` from the GS base, if it has a name. */
export function perCpuName(kernel: Kernel, offset: number): string | undefined {
  const layout = kernel.percpu.layout;
  if (offset === layout.cpu_current_top_of_stack) return 'cpu_current_top_of_stack (cpu_tss.sp0)';
  return layout.symbols.find((s) => s.offset === offset)?.name;
}

/** The kernel symbol of a native (TypeScript) function's address. */
export function nativeName(kernel: Kernel, ip: number): string {
  for (const [name, va] of kernel.symbols) if (va === ip) return name;
  return 'native';
}

/** A kernel-stack slot's name: `pt_regs->FIELD (+OFFSET)` inside pt_regs, else its depth below sp0. */
export function slotLabel(addr: number, ptRegs: number, sp0: number): string {
  const off = addr - ptRegs;
  if (off >= 0 && off < 168 && off % 8 === 0) return `pt_regs->${PT_REGS_FIELDS[off / 8]} (+${off})`;
  return `sp0-${sp0 - addr}`;
}

/** The CPU's privilege level, read through a call so that TypeScript does not narrow it across steps. */
export function currentCpl(cpu: Cpu): number {
  return cpu.cpl;
}
