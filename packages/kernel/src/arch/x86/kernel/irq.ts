import type { Cpu } from '@legosim/cpu';
import type { Kernel } from '../../../kernel/kernel.js';
import { PtRegs } from './ptrace.js';

/** Vectors for which the CPU pushes an error code (SDM Vol. 3A Table 6-1): #DF #TS #NP #SS #GP #PF #AC. */
const EXCEPTIONS_WITH_ERROR_CODE: ReadonlySet<number> = new Set([8, 10, 11, 12, 13, 14, 17]);

/**
 * The C side of interrupt and exception entry (arch/x86/kernel/irq.c, traps.c): what every
 * vector's handler does around its own work — the trace events with the nesting depth, the
 * frame's stack address and task_pt_regs(current) — and the count of handlers running on each
 * CPU that the depth of the next one is computed from.
 */
export class InterruptEntry {
  /** Per CPU: interrupt and exception handlers running now. */
  private readonly nesting: number[] = [];

  constructor(private readonly k: Kernel) {}

  /**
   * How many frames the kernel stack holds once the entry code has saved pt_regs at `regs`
   * (the handler's %rdi). There is no IRQ stack and no IST: an event taken in user mode starts
   * a fresh stack at task_pt_regs (depth 1); one taken in the kernel lands below the task's
   * outermost frame (a syscall's or ret_from_fork's pt_regs) and any handlers still running.
   */
  depth(cpu: Cpu, regs: number): number {
    const fromUser = (cpu.read32(regs + PtRegs.CS) & 3) === 3;
    return fromUser ? 1 : 2 + (this.nesting[cpu.id] ?? 0);
  }

  /** An interrupt vector's handler (rdi = pt_regs, orig_ax = ~vector): irq_entry, `handle`, irq_exit. */
  irq(cpu: Cpu, handle: () => void): void {
    const k = this.k;
    const trace = k.trace;
    if (trace === undefined) {
      this.nested(cpu, handle);
      return;
    }
    const regs = cpu.gpr(7);
    const vector = ~cpu.read32(regs + PtRegs.ORIG_AX) & 0xff;
    const depth = this.depth(cpu, regs);
    const t = k.currentTask(cpu);
    trace.irqEntry(k.now(), cpu.id, t.pid, t.tid, vector, depth, regs, k.currentPtRegs(cpu));
    this.nested(cpu, handle);
    trace.irqExit(k.now(), cpu.id, t.pid, t.tid, vector, depth);
  }

  /** An exception's handler (rdi = pt_regs, rsi = error code): the exception event, then `handle` (do_*). */
  exception(cpu: Cpu, vector: number, handle: () => void): void {
    const k = this.k;
    const trace = k.trace;
    if (trace !== undefined) {
      const regs = cpu.gpr(7);
      // idtentry passes 0 in %rsi when the CPU pushed no error code; the event says -1 then
      const errorCode = EXCEPTIONS_WITH_ERROR_CODE.has(vector) ? cpu.gpr(6) : -1;
      const t = k.currentTask(cpu);
      trace.exception(k.now(), cpu.id, t.pid, t.tid, vector, errorCode, cpu.cr2, this.depth(cpu, regs), regs, k.currentPtRegs(cpu));
    }
    this.nested(cpu, handle);
  }

  private nested(cpu: Cpu, handle: () => void): void {
    const id = cpu.id;
    this.nesting[id] = (this.nesting[id] ?? 0) + 1;
    try {
      handle();
    } finally {
      this.nesting[id]!--;
    }
  }
}
