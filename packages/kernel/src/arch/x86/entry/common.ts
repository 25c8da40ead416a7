import { type Cpu, Rflags } from '@legosim/cpu';
import { Errno } from '../../../errno.js';
import { runTimers } from '../../../kernel/itimer.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { KernelPanic } from '../../../kernel/panic.js';
import { isRestartCode, schedule } from '../../../kernel/sched.js';
import { formatArgs, formatReturn } from '../../../kernel/strace.js';
import type { SyscallRow } from '../../../kernel/sys/types.js';
import { NR_SYSCALLS } from '../../../kernel/syscall_table.js';
import { type Task, TaskState, Tif } from '../../../kernel/task.js';
import { hex16, showRegs } from '../kernel/dumpstack.js';
import { PtRegs } from '../kernel/ptrace.js';
import { wakeIdleCpus } from '../kernel/smp.js';
import { doSignal, restartAfterWakeup } from '../kernel/signal.js';

/** pt_regs offsets of the six syscall arguments, in order (the x86-64 syscall ABI). */
const ARG_REGS = [PtRegs.DI, PtRegs.SI, PtRegs.DX, PtRegs.R10, PtRegs.R8, PtRegs.R9] as const;

/** How strace shows a call a signal interrupted. */
const RESTART_TEXT: Record<number, string> = {
  512: 'ERESTARTSYS (To be restarted if SA_RESTART is set)',
  513: 'ERESTARTNOINTR (To be restarted)',
  514: 'ERESTARTNOHAND (To be restarted if no handler)',
  516: 'ERESTART_RESTARTBLOCK (Interrupted by signal)',
};
const NR_RESTART_SYSCALL = 219;

/** The syscall a task is in the middle of, kept until it returns to user mode. */
export interface InFlight {
  nr: number;
  ret: number;
  irqsOnReturn: boolean;
  warned: boolean;
  /** The call went to sleep (-ERESTART*) and will run again: its exit is not the call's. */
  restarting: boolean;
  /** The arguments as strace prints them, taken at entry (rows marked `entry`). */
  argsText: string | undefined;
  /** di, si, dx, r10, r8, r9 as signed numbers, kept for the strace line at exit. */
  readonly args: Float64Array;
}

/** The pt_regs field at byte offset `off` of `words` as a signed 64-bit JS number (`Kernel.readRegsSigned`). */
function signedAt(words: Uint32Array, off: number): number {
  return (words[off / 4 + 1]! | 0) * 4294967296 + words[off / 4]!;
}

/**
 * arch/x86/entry/common.c: the C side of the syscall path, reached from entry_SYSCALL_64
 * through `call do_syscall_64`. It also observes the SYSRET or IRET that ends each syscall,
 * to record the exit event with the path the entry code chose.
 */
export class SyscallPath {
  /** struct pt_regs of the syscall being entered, as 32-bit halves (read once per call). */
  private readonly regsWords = new Uint32Array(42);
  /** The last strace line of each argument-less call (`getppid() = 1`) and the result it shows. */
  private readonly plainLines: ({ ret: number; line: string } | undefined)[] = [];
  private readonly argWords = new Uint32Array(12);

  constructor(private readonly k: Kernel) {}

  /** The task's syscall in flight (a task switched out mid-syscall keeps its own). */
  private flight(t: Task): InFlight {
    let f = t.syscall;
    if (f === undefined) {
      f = {
        nr: -1,
        ret: 0,
        irqsOnReturn: true,
        warned: false,
        restarting: false,
        argsText: undefined,
        args: new Float64Array(6),
      };
      t.syscall = f;
    }
    return f;
  }

  /** copy_thread(): the child of fork returns from the same syscall, with 0. */
  forkFlight(parent: Task, child: Task): void {
    const p = this.flight(parent);
    const c = this.flight(child);
    c.nr = p.nr;
    c.ret = 0;
    c.irqsOnReturn = true;
    c.warned = false;
    c.restarting = false;
    c.args.set(p.args);
    c.argsText = p.argsText;
  }

  /**
   * do_syscall_64(regs): `nr = regs->orig_ax`; local_irq_enable(); if nr < NR_syscalls,
   * `regs->ax = sys_call_table[nr](di, si, dx, r10, r8, r9)`; otherwise ax keeps the -ENOSYS
   * pushed at entry. Then syscall_return_slowpath(regs).
   */
  doSyscall64(cpu: Cpu): void {
    const k = this.k;
    const t = k.currentTask(cpu);
    const regsVa = cpu.gpr(7);
    if (regsVa !== t.ptRegs)
      throw new KernelPanic(`do_syscall_64: regs ${hex16(regsVa)} is not task_pt_regs`);
    // struct pt_regs in one copy from the kernel stack: the number, the arguments and the trace's snapshot
    const words = this.regsWords;
    k.mem.readWords(t.ptRegsPhys, words, 42);
    const nrLo = words[PtRegs.ORIG_AX / 4]!;
    const nrHi = words[PtRegs.ORIG_AX / 4 + 1]!;
    const nr = nrHi === 0 && nrLo < NR_SYSCALLS ? nrLo : -1;
    k.syscallCount++;
    // local_irq_enable()
    cpu.rflags |= Rflags.IF;
    const a0 = signedAt(words, PtRegs.DI);
    const a1 = signedAt(words, PtRegs.SI);
    const a2 = signedAt(words, PtRegs.DX);
    const a3 = signedAt(words, PtRegs.R10);
    const a4 = signedAt(words, PtRegs.R8);
    const a5 = signedAt(words, PtRegs.R9);
    const flight = this.flight(t);
    flight.nr = nr < 0 ? nrLo : nr;
    flight.warned = false;
    flight.restarting = false;
    const args = flight.args;
    args[0] = a0;
    args[1] = a1;
    args[2] = a2;
    args[3] = a3;
    args[4] = a4;
    args[5] = a5;
    const row = nr >= 0 ? k.table[nr]! : undefined;
    // a restart block belongs to the call that slept (nanosleep) and to restart_syscall only
    if (t.restartBlock !== undefined && flight.nr !== t.restartBlock.nr && flight.nr !== NR_RESTART_SYSCALL)
      t.restartBlock = undefined;
    const strace = k.options.strace;
    // A syscall that does not return (exit, exit_group) is printed at entry, as strace does;
    // the trace keeps the same line so `legosim trace --format strace` can print it.
    const noReturnLine =
      row?.ret === 'none' && (strace || k.trace)
        ? `${row.name}(${formatArgs(t, row, args, 0)}) = ?`
        : undefined;
    flight.argsText = row?.entry && (strace || k.trace) ? formatArgs(t, row, args, 0) : undefined;
    if (k.trace)
      this.traceSyscallEntry(cpu, t, flight.nr, row === undefined ? 'unknown' : row.name, noReturnLine);
    if (strace && noReturnLine !== undefined) k.straceLine(t, noReturnLine);
    let ret = -Errno.ENOSYS;
    if (row !== undefined) {
      ret = row.fn ? row.fn(k, t, a0, a1, a2, a3, a4, a5) : this.sysNiSyscall(cpu, t, nr);
      // -ERESTART*: the task sleeps (or a signal is already pending); on the way out, do_signal
      // or the wake-up rewinds to the SYSCALL instruction or turns the code into -EINTR
      if (isRestartCode(ret)) flight.restarting = true;
      // rt_sigreturn has restored every register, ax included
      if (row.ret !== 'regs') k.writeRegs(t, PtRegs.AX, ret);
      if (k.options.injectIrqsOff?.includes(row.name)) cpu.rflags &= ~Rflags.IF;
    }
    flight.ret = ret;
    flight.irqsOnReturn = cpu.interruptsEnabled;
    // try_to_wake_up's resched_curr: tasks the call made runnable wake idle CPUs
    if (k.idleCpus !== 0) wakeIdleCpus(k, cpu.id);
    this.syscallReturnSlowpath(cpu);
  }

  /** sys_ni_syscall: Lego prints the NOTICE and the registers, and returns -ENOSYS. */
  private sysNiSyscall(cpu: Cpu, t: Task, nr: number): number {
    const console = this.k.console;
    console.printk(`NOTICE: Missing syscall nr: ${nr}`);
    for (const line of showRegs(this.k, cpu, t)) console.printk(line);
    return -Errno.ENOSYS;
  }

  /**
   * syscall_return_slowpath(regs): `WARN(irqs_disabled(), "syscall %ld left IRQs disabled",
   * regs->orig_ax)` then local_irq_enable(); local_irq_disable(); prepare_exit_to_usermode(regs).
   */
  syscallReturnSlowpath(cpu: Cpu): void {
    const k = this.k;
    const t = k.currentTask(cpu);
    if (!cpu.interruptsEnabled) {
      const orig = k.readRegsSigned(t, PtRegs.ORIG_AX);
      const message = `syscall ${orig} left IRQs disabled`;
      const dump = [
        ...showRegs(k, cpu, t),
        'Call Trace:',
        ` [<${hex16(k.symbol('syscall_return_slowpath'))}>] syscall_return_slowpath+0x0/0x10`,
        ` [<${hex16(k.symbol('do_syscall_64'))}>] do_syscall_64+0x0/0x10`,
        ` [<${hex16(k.symbol('entry_SYSCALL_64'))}>] entry_SYSCALL_64+0x0/0x60`,
      ];
      k.console.warn(
        cpu.id,
        t.pid,
        'arch/x86/entry/common.c:205',
        'syscall_return_slowpath+0x0/0x10',
        message,
        dump,
      );
      k.trace?.warn(k.now(), cpu.id, t.pid, t.tid, message);
      this.flight(t).warned = true;
      cpu.rflags |= Rflags.IF;
    }
    cpu.rflags &= ~Rflags.IF;
    this.prepareExitToUsermode(cpu);
  }

  /** prepare_exit_to_usermode(regs): the work due before any return to user mode. */
  prepareExitToUsermode(cpu: Cpu): void {
    this.exitToUsermodeLoop(cpu);
  }

  /**
   * exit_to_usermode_loop(): expired ITIMER_REALs fire; with TIF_NEED_RESCHED, or when the
   * task went to sleep (or exited), schedule(); with TIF_SIGPENDING, do_signal(), once per
   * signal, so several pending signals stack their frames. A task switched to here was itself
   * on its way to user mode (it left through this loop), so the loop goes on for it; a fresh
   * task instead continues in ret_from_fork, whose syscall_return_slowpath comes back here.
   * Last, a syscall that slept and was woken by what it waited for runs again.
   */
  exitToUsermodeLoop(cpu: Cpu): void {
    const k = this.k;
    if (k.now() >= k.nextTimer) runTimers(k);
    for (;;) {
      const t = k.currentTask(cpu);
      if (t.state !== TaskState.Runnable || (t.flags & Tif.NEED_RESCHED) !== 0) {
        if (schedule(k, cpu)) return;
        continue;
      }
      if ((t.flags & Tif.SIGPENDING) !== 0) {
        doSignal(k, cpu, t);
        continue;
      }
      if (t.syscall?.restarting === true) restartAfterWakeup(k, t);
      return;
    }
  }

  /** A signal handler interrupts the task's sleeping syscall: strace shows that call ending with its restart code. */
  syscallInterrupted(t: Task): void {
    const f = t.syscall;
    if (f !== undefined) f.restarting = false;
  }

  /** The SYSRET or IRET back to user mode ends the syscall in flight: record its exit. */
  onReturnToUser(cpu: Cpu, path: 'sysret' | 'iret'): void {
    const k = this.k;
    const t = k.currentTask(cpu);
    const flight = this.flight(t);
    if (flight.nr < 0) {
      if (t.straceSignals !== undefined) this.straceSignalLines(t);
      return;
    }
    const nr = flight.nr;
    flight.nr = -1;
    const strace = k.options.strace;
    const trace = k.trace;
    if (strace === undefined && trace === undefined) return;
    // The strace line is formatted now, at the return, when output buffers hold their data. The
    // attempt that went to sleep has none: the trace keeps it balanced, strace shows only the
    // call that completes.
    const row = nr < NR_SYSCALLS ? k.table[nr] : undefined;
    const line = flight.restarting
      ? undefined
      : row
        ? this.straceText(t, row, flight)
        : `syscall_${nr}(${Array.from(flight.args, (a) => `0x${a.toString(16)}`).join(', ')}) = -1 ENOSYS (Function not implemented)`;
    trace?.syscallExit(k.now(), cpu.id, t.pid, t.tid, nr, flight.ret, flight.irqsOnReturn, flight.warned, path, line);
    if (strace && line !== undefined) k.straceLine(t, line);
    if (t.straceSignals !== undefined) this.straceSignalLines(t);
  }

  /**
   * A task a signal kills on its way out: strace still shows the syscall it was returning
   * from and the signal (SIGKILL is never seen being delivered), before `+++ killed by`.
   */
  straceBeforeFatalSignal(t: Task, sig: number): void {
    const k = this.k;
    if (k.options.strace === undefined) return;
    if (sig === 9) t.straceSignals = undefined;
    const flight = t.syscall;
    if (flight !== undefined && flight.nr >= 0 && !flight.restarting) {
      const row = flight.nr < NR_SYSCALLS ? k.table[flight.nr] : undefined;
      if (row !== undefined) k.straceLine(t, this.straceText(t, row, flight));
      flight.nr = -1;
    }
    if (t.straceSignals !== undefined) this.straceSignalLines(t);
  }

  /** The `--- SIG... ---` lines of the signals delivered on this return, after the syscall's line. */
  private straceSignalLines(t: Task): void {
    const lines = t.straceSignals!;
    t.straceSignals = undefined;
    for (const line of lines) this.k.straceLine(t, line);
  }

  /** The call as strace prints it; argument-less calls (getpid, getppid...) come from a cache. */
  private straceText(t: Task, row: SyscallRow, flight: InFlight): string {
    const ret = flight.ret;
    if (isRestartCode(ret))
      return `${row.name}(${flight.argsText ?? formatArgs(t, row, flight.args, ret)}) = ? ${RESTART_TEXT[-ret] ?? ''}`;
    if (row.args.length === 0) {
      const memo = this.plainLines[row.nr];
      if (memo !== undefined && memo.ret === ret) return memo.line;
      const line = `${row.name}() ${formatReturn(row, ret)}`;
      this.plainLines[row.nr] = { ret, line };
      return line;
    }
    return `${row.name}(${flight.argsText ?? formatArgs(t, row, flight.args, ret)}) ${formatReturn(row, ret)}`;
  }

  private traceSyscallEntry(
    cpu: Cpu,
    t: Task,
    nr: number,
    name: string,
    straceLine: string | undefined,
  ): void {
    const k = this.k;
    // struct pt_regs as do_syscall_64 read it at entry
    const words = this.regsWords;
    for (let i = 0; i < 6; i++) {
      this.argWords[2 * i] = words[ARG_REGS[i]! / 4]!;
      this.argWords[2 * i + 1] = words[ARG_REGS[i]! / 4 + 1]!;
    }
    k.trace!.syscallEntry(
      k.now(),
      cpu.id,
      t.pid,
      t.tid,
      nr,
      name,
      this.argWords,
      t.ptRegs,
      t.sp0,
      words,
      cpu.interruptsEnabled,
      straceLine,
    );
  }
}
