import { type Cpu, EXCEPTION_NAMES } from '@legosim/cpu';
import { doGroupExit } from '../../../kernel/exit.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { KernelPanic } from '../../../kernel/panic.js';
import { forceSigInfo, Si, type SigInfo, sigHandled } from '../../../kernel/signal.js';
import { doPageFault } from '../mm/fault.js';
import { hex16, hexAddr } from './dumpstack.js';
import { PtRegs } from './ptrace.js';

/** Exception entry points of entry_64.S, by vector, the C handlers they call, and the gate's DPL. */
export const TRAPS: readonly (readonly [vector: number, entry: string, handler: string, dpl: number])[] = [
  [0, 'divide_error', 'do_divide_error', 0],
  [1, 'debug', 'do_debug', 0],
  [2, 'nmi', 'do_nmi', 0],
  // int3 and into are "system" gates: user mode may raise them
  [3, 'int3', 'do_int3', 3],
  [4, 'overflow', 'do_overflow', 3],
  [5, 'bounds', 'do_bounds', 0],
  [6, 'invalid_op', 'do_invalid_op', 0],
  [7, 'device_not_available', 'do_device_not_available', 0],
  [8, 'double_fault', 'do_double_fault', 0],
  [9, 'coprocessor_segment_overrun', 'do_coprocessor_segment_overrun', 0],
  [10, 'invalid_TSS', 'do_invalid_TSS', 0],
  [11, 'segment_not_present', 'do_segment_not_present', 0],
  [12, 'stack_segment', 'do_stack_segment', 0],
  [13, 'general_protection', 'do_general_protection', 0],
  [14, 'page_fault', 'do_page_fault', 0],
  [15, 'spurious_interrupt_bug', 'do_spurious_interrupt_bug', 0],
  [16, 'coprocessor_error', 'do_coprocessor_error', 0],
  [17, 'alignment_check', 'do_alignment_check', 0],
  [18, 'machine_check', 'do_machine_check', 0],
  [19, 'simd_exception', 'do_simd_exception', 0],
  [20, 'virtualization_exception', 'do_virtualization_exception', 0],
];

/** The signal each exception sends to a user task (arch/x86/kernel/traps.c). */
const TRAP_SIGNAL: Record<number, number> = {
  0: 8,
  1: 5,
  3: 5,
  4: 11,
  5: 11,
  6: 4,
  7: 8,
  10: 11,
  11: 7,
  12: 7,
  13: 11,
  14: 11,
  16: 8,
  17: 7,
  19: 8,
};
/** Signal names by number (x86-64). */
export const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  17: 'SIGCHLD',
  19: 'SIGSTOP',
  31: 'SIGSYS',
};

/** The hardware frame below pt_regs: where the exception happened. */
export interface TrapFrame {
  ip: number;
  cs: number;
  sp: number;
}

export function readFrame(cpu: Cpu, regs: number): TrapFrame {
  return {
    ip: cpu.read64n(regs + PtRegs.IP),
    cs: cpu.read32(regs + PtRegs.CS),
    sp: cpu.read64n(regs + PtRegs.SP),
  };
}

/** A fault the kernel cannot handle in kernel mode: Lego would oops; the model stops the run. */
export function oops(k: Kernel, cpu: Cpu, message: string, ip: number): never {
  k.console.printk(message);
  k.console.printk(`IP: [<${hex16(ip)}>]`);
  throw new KernelPanic(`${message} (ip ${hex16(ip)}, CPU ${cpu.id})`);
}

/**
 * The si_code and si_addr of each exception's signal (do_trap's fill_trap_info, math_error):
 * #DE FPE_INTDIV, #UD ILL_ILLOPN, #AC BUS_ADRALN at the faulting ip; x87 and SIMD errors by
 * the unmasked exception; the rest SI_KERNEL without an address.
 */
function trapInfo(cpu: Cpu, vector: number, signo: number, ip: number): SigInfo {
  switch (vector) {
    case 0:
      return { signo, errno: 0, code: 1, addr: ip };
    case 6:
      return { signo, errno: 0, code: 2, addr: ip };
    case 17:
      return { signo, errno: 0, code: 1, addr: ip };
    case 16:
    case 19: {
      const err =
        vector === 19 ? cpu.mxcsr & ~(cpu.mxcsr >> 7) & 0x3f : cpu.fpu.statusWord & ~cpu.fpu.control & 0x3f;
      const code = err & 0x01 ? 7 : err & 0x04 ? 3 : err & 0x08 ? 4 : err & 0x12 ? 5 : err & 0x20 ? 6 : 0;
      return { signo, errno: 0, code, addr: ip };
    }
    default:
      return { signo, errno: 0, code: Si.KERNEL };
  }
}

/**
 * The C side of an exception entry (rdi = pt_regs, rsi = error code): do_page_fault for
 * #PF; for the others, the task gets the exception's signal. A handler that can run takes it
 * on the way back to user mode; otherwise the signal kills the task, with Lego's message.
 */
export function doTrap(k: Kernel, cpu: Cpu, vector: number): void {
  const t = k.currentTask(cpu);
  const errorCode = cpu.gpr(6);
  const frame = readFrame(cpu, cpu.gpr(7));
  if (vector === 14) {
    doPageFault(k, cpu, t, frame, errorCode);
    return;
  }
  const what = EXCEPTION_NAMES[vector] ?? `exception ${vector}`;
  if ((frame.cs & 3) !== 3) oops(k, cpu, `${what} in kernel mode`, frame.ip);
  const signal = TRAP_SIGNAL[vector] ?? 11;
  t.trapNr = vector;
  t.errorCode = errorCode;
  if (sigHandled(t, signal)) {
    forceSigInfo(k, t, trapInfo(cpu, vector, signal, frame.ip));
    return;
  }
  const detail = vector === 13 ? ` error ${errorCode}` : '';
  k.console.printk(
    `${t.comm}[${t.pid}] ${what} ip:${hex16(frame.ip).replace(/^0+(?=.)/, '')} sp:${hex16(frame.sp).replace(/^0+(?=.)/, '')}${detail}`,
  );
  doGroupExit(
    k,
    t,
    0,
    signal,
    `${SIGNAL_NAMES[signal] ?? `signal ${signal}`}: ${what} at ip ${hexAddr(frame.ip)}`,
  );
}
