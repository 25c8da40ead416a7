import { type Cpu, Rflags } from '@legosim/cpu';
import { physToVirt } from '@legosim/memory';
import { doGroupExit } from '../../../kernel/exit.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { forceSigInfo, SIGSEGV, sigHandled } from '../../../kernel/signal.js';
import type { Task } from '../../../kernel/task.js';
import { hex16, hexAddr } from '../kernel/dumpstack.js';
import { PtRegs } from '../kernel/ptrace.js';
import { oops, type TrapFrame } from '../kernel/traps.js';
import { fixupException, searchExceptionTables } from './extable.js';

function describe(error: number): string {
  const parts = [
    error & 1 ? 'protection violation' : 'page not present',
    error & 2 ? 'write' : error & 16 ? 'instruction fetch' : 'read',
    error & 4 ? 'user' : 'kernel',
  ];
  return parts.join(', ');
}

/**
 * do_page_fault (arch/x86/mm/fault.c): a user access to a non-present page inside a VMA
 * that allows it is resolved by mapping a zeroed page (demand-zero); anything else from
 * user mode is a segfault — Lego's `segfault at … ip … sp … error …` line and SIGSEGV.
 *
 * From kernel mode, only a user copy (an instruction in the exception table) may fault: on a
 * page of a VMA it is resolved the same way, and the page is then zeroed by clear_page_orig,
 * x86 code running with interrupts enabled (Lego enables them here when the interrupted
 * context had them on), so a timer interrupt can nest inside this handler; on any other
 * address the copy continues at its fixup. Any other kernel-mode fault is an oops.
 */
export function doPageFault(k: Kernel, cpu: Cpu, t: Task, frame: TrapFrame, errorCode: number): void {
  const address = cpu.cr2;
  const regs = cpu.gpr(7);
  const fromUser = (frame.cs & 3) === 3;
  // a fault in the kernel is allowed only at a user copy's instruction, which has a fixup
  const fixup = fromUser ? undefined : searchExceptionTables(k, frame.ip);
  const uaccess = fixup !== undefined;
  if ((fromUser || uaccess) && (errorCode & 1) === 0 && address >= 0 && address < 0x800000000000) {
    // if (regs->flags & X86_EFLAGS_IF) local_irq_enable();
    if ((cpu.read32(regs + PtRegs.FLAGS) & Rflags.IF) !== 0) cpu.rflags |= Rflags.IF;
    const r = t.mm.handleFault(address, (errorCode & 2) !== 0, (errorCode & 16) !== 0);
    k.trace?.pageFault(k.now(), cpu.id, t.pid, t.tid, address, errorCode, r === 'mapped' ? 'demand-zero' : r);
    if (r === 'mapped') {
      if (uaccess) {
        const pa = t.mm.translate(address, false, false);
        k.callKernelFunction(cpu, 'clear_page_orig', physToVirt(pa - (pa % 4096)));
      }
      return;
    }
  } else {
    k.trace?.pageFault(k.now(), cpu.id, t.pid, t.tid, address, errorCode, 'bad-area');
  }
  if (fixup !== undefined) {
    fixupException(cpu, regs, fixup);
    return;
  }
  if (!fromUser) oops(k, cpu, `BUG: unable to handle kernel paging request at ${hex16(address)}`, frame.ip);
  // bad_area: SIGSEGV with si_addr, SEGV_ACCERR where a mapping exists but forbids the
  // access, SEGV_MAPERR where there is none; the frame's sigcontext gets cr2 and the error code
  t.trapNr = 14;
  t.errorCode = errorCode;
  t.cr2 = address;
  if (sigHandled(t, SIGSEGV)) {
    const mapped = address >= 0 && address < 0x800000000000 && t.mm.findVma(address) !== undefined;
    forceSigInfo(k, t, { signo: SIGSEGV, errno: 0, code: mapped ? 2 : 1, addr: address });
    return;
  }
  k.console.printk(
    `${t.comm}[${t.pid}]: segfault at ${hexAddr(address)} ip ${hex16(frame.ip)} sp ${hex16(frame.sp)} error ${errorCode.toString(16)}`,
  );
  doGroupExit(
    k,
    t,
    0,
    11,
    `segfault at ${hexAddr(address)} ip ${hexAddr(frame.ip)} sp ${hexAddr(frame.sp)} error ${errorCode} (${describe(errorCode)})`,
  );
}
