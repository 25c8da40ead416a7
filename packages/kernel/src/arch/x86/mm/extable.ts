import type { Cpu } from '@legosim/cpu';
import { virtToPhys } from '@legosim/memory';
import type { Kernel } from '../../../kernel/kernel.js';
import { PtRegs } from '../kernel/ptrace.js';

const TWO32 = 4294967296;

/**
 * search_exception_tables (kernel/extable.c): the fixup for a kernel instruction that may
 * fault on a user address — the (instruction, fixup) pairs between __start___ex_table and
 * __stop___ex_table in the kernel text (copy_user_64.S) — or undefined.
 */
export function searchExceptionTables(k: Kernel, ip: number): number | undefined {
  let table = k.exceptionTable;
  if (table === undefined) {
    table = new Map();
    const stop = k.symbol('__stop___ex_table');
    for (let at = k.symbol('__start___ex_table'); at < stop; at += 16) {
      const pa = virtToPhys(at);
      // kernel-text addresses are negative as signed 64-bit values, the form %rip holds them in
      const insn = (k.mem.read32(pa + 4) | 0) * TWO32 + (k.mem.read32(pa) >>> 0);
      const fixup = (k.mem.read32(pa + 12) | 0) * TWO32 + (k.mem.read32(pa + 8) >>> 0);
      table.set(insn, fixup);
    }
    k.exceptionTable = table;
  }
  return table.get(ip);
}

/**
 * fixup_exception (arch/x86/mm/extable.c): a kernel instruction listed in the exception
 * table faulted (a user copy met an address it may not touch); the exception frame's ip
 * becomes its `fixup` (from searchExceptionTables), so the iret resumes there and the copy
 * reports what it did not copy. `regs` is the exception's pt_regs.
 */
export function fixupException(cpu: Cpu, regs: number, fixup: number): void {
  cpu.write64(regs + PtRegs.IP, fixup | 0, Math.floor(fixup / TWO32) | 0);
}
