import { type Cpu, Rflags } from '@legosim/cpu';
import { Errno } from '../../../errno.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { KernelPanic } from '../../../kernel/panic.js';
import { formatArgs, formatReturn } from '../../../kernel/strace.js';
import { NR_SYSCALLS } from '../../../kernel/syscall_table.js';
import type { Task } from '../../../kernel/task.js';
import { hex16, showRegs } from '../kernel/dumpstack.js';
import { PtRegs } from '../kernel/ptrace.js';

/** The syscall a CPU is in the middle of, kept until it returns to user mode. */
interface InFlight {
  nr: number;
  ret: number;
  irqsOnReturn: boolean;
  warned: boolean;
  args: number[];
}

/**
 * arch/x86/entry/common.c: the C side of the syscall path, reached from entry_SYSCALL_64
 * through `call do_syscall_64`. It also observes the SYSRET or IRET that ends each syscall,
 * to record the exit event with the path the entry code chose.
 */
export class SyscallPath {
  private readonly inflight: InFlight[] = [];
  private readonly regsWords = new Uint32Array(42);
  private readonly argWords = new Uint32Array(12);

  constructor(private readonly k: Kernel) {}

  private flight(cpu: Cpu): InFlight {
    let f = this.inflight[cpu.id];
    if (f === undefined) {
      f = { nr: -1, ret: 0, irqsOnReturn: true, warned: false, args: [] };
      this.inflight[cpu.id] = f;
    }
    return f;
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
    if (regsVa !== t.ptRegs) throw new KernelPanic(`do_syscall_64: regs ${hex16(regsVa)} is not task_pt_regs`);
    const ptRegsPhys = t.ptRegsPhys;
    const nrLo = k.mem.read32(ptRegsPhys + PtRegs.ORIG_AX);
    const nrHi = k.mem.read32(ptRegsPhys + PtRegs.ORIG_AX + 4);
    const nr = nrHi === 0 && nrLo < NR_SYSCALLS ? nrLo : -1;
    k.syscallCount++;
    // local_irq_enable()
    cpu.rflags |= Rflags.IF;
    const a0 = k.readRegsSigned(t, PtRegs.DI);
    const a1 = k.readRegsSigned(t, PtRegs.SI);
    const a2 = k.readRegsSigned(t, PtRegs.DX);
    const a3 = k.readRegsSigned(t, PtRegs.R10);
    const a4 = k.readRegsSigned(t, PtRegs.R8);
    const a5 = k.readRegsSigned(t, PtRegs.R9);
    const flight = this.flight(cpu);
    flight.nr = nr < 0 ? nrLo : nr;
    flight.warned = false;
    if (k.trace) this.traceSyscallEntry(cpu, t, flight.nr, nr < 0 ? 'unknown' : k.table[nr]!.name);
    const row = nr >= 0 ? k.table[nr]! : undefined;
    const strace = k.options.strace;
    if (strace && row?.ret === 'none') strace(`${row.name}(${formatArgs(t, row, [a0, a1, a2, a3, a4, a5], 0)}) = ?`);
    let ret = -Errno.ENOSYS;
    if (row !== undefined) {
      ret = row.fn ? row.fn(k, t, a0, a1, a2, a3, a4, a5) : this.sysNiSyscall(cpu, t, nr);
      k.writeRegs(t, PtRegs.AX, ret);
      if (k.options.injectIrqsOff?.includes(row.name)) cpu.rflags &= ~Rflags.IF;
    }
    flight.ret = ret;
    flight.irqsOnReturn = cpu.interruptsEnabled;
    if (strace) flight.args = [a0, a1, a2, a3, a4, a5];
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
      k.console.warn(cpu.id, t.pid, 'arch/x86/entry/common.c:205', 'syscall_return_slowpath+0x0/0x10', message, dump);
      k.trace?.warn(k.now(), cpu.id, t.pid, t.tid, message);
      this.flight(cpu).warned = true;
      cpu.rflags |= Rflags.IF;
    }
    cpu.rflags &= ~Rflags.IF;
    this.prepareExitToUsermode();
  }

  /** prepare_exit_to_usermode: thread flags (SIGPENDING, NEED_RESCHED) are handled with the kernel issue. */
  prepareExitToUsermode(): void {}

  /** The SYSRET or IRET back to user mode ends the syscall in flight: record its exit. */
  onReturnToUser(cpu: Cpu, path: 'sysret' | 'iret'): void {
    const flight = this.flight(cpu);
    if (flight.nr < 0) return;
    const k = this.k;
    const t = k.currentTask(cpu);
    const nr = flight.nr;
    flight.nr = -1;
    k.trace?.syscallExit(k.now(), cpu.id, t.pid, t.tid, nr, flight.ret, flight.irqsOnReturn, flight.warned, path);
    const strace = k.options.strace;
    if (strace) {
      const row = nr < NR_SYSCALLS ? k.table[nr] : undefined;
      const name = row?.name ?? `syscall_${nr}`;
      const args = row ? formatArgs(t, row, flight.args, flight.ret) : flight.args.map((a) => `0x${a.toString(16)}`).join(', ');
      strace(`${name}(${args}) ${row ? formatReturn(row, flight.ret) : '= -1 ENOSYS (Function not implemented)'}`);
    }
  }

  private traceSyscallEntry(cpu: Cpu, t: Task, nr: number, name: string): void {
    const k = this.k;
    const words = this.regsWords;
    const base = t.ptRegsPhys;
    for (let i = 0; i < 42; i++) words[i] = k.mem.read32(base + i * 4);
    const order = [PtRegs.DI, PtRegs.SI, PtRegs.DX, PtRegs.R10, PtRegs.R8, PtRegs.R9];
    for (let i = 0; i < 6; i++) {
      this.argWords[2 * i] = words[order[i]! / 4]!;
      this.argWords[2 * i + 1] = words[order[i]! / 4 + 1]!;
    }
    k.trace!.syscallEntry(k.now(), cpu.id, t.pid, t.tid, nr, name, this.argWords, t.ptRegs, t.sp0, words, cpu.interruptsEnabled);
  }
}
