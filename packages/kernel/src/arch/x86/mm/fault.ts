import type { Cpu } from '@legosim/cpu';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Task } from '../../../kernel/task.js';
import { hex16, hexAddr } from '../kernel/dumpstack.js';
import { oops, type TrapFrame } from '../kernel/traps.js';

function describe(error: number): string {
  const parts = [error & 1 ? 'protection violation' : 'page not present', error & 2 ? 'write' : error & 16 ? 'instruction fetch' : 'read', error & 4 ? 'user' : 'kernel'];
  return parts.join(', ');
}

/**
 * do_page_fault (arch/x86/mm/fault.c): a user access to a non-present page inside a VMA
 * that allows it is resolved by mapping a zeroed page (demand-zero); anything else from
 * user mode is a segfault — Lego's `segfault at … ip … sp … error …` line and SIGSEGV; from
 * kernel mode it is an oops.
 */
export function doPageFault(k: Kernel, cpu: Cpu, t: Task, frame: TrapFrame, errorCode: number): void {
  const address = cpu.cr2;
  const fromUser = (frame.cs & 3) === 3;
  if (fromUser && (errorCode & 1) === 0 && address >= 0 && address < 0x800000000000) {
    const r = t.mm.handleFault(address, (errorCode & 2) !== 0, (errorCode & 16) !== 0);
    k.trace?.pageFault(k.now(), cpu.id, t.pid, t.tid, address, errorCode, r === 'mapped' ? 'demand-zero' : r);
    if (r === 'mapped') return;
  } else {
    k.trace?.pageFault(k.now(), cpu.id, t.pid, t.tid, address, errorCode, 'bad-area');
  }
  if (!fromUser) oops(k, cpu, `BUG: unable to handle kernel paging request at ${hex16(address)}`, frame.ip);
  k.console.printk(`${t.comm}[${t.pid}]: segfault at ${hexAddr(address)} ip ${hex16(frame.ip)} sp ${hex16(frame.sp)} error ${errorCode.toString(16)}`);
  k.exitTask(t, 0, 11, `segfault at ${hexAddr(address)} ip ${hexAddr(frame.ip)} sp ${hexAddr(frame.sp)} error ${errorCode} (${describe(errorCode)})`);
}
