import { Kernel, PT_REGS_FIELDS } from '@legosim/kernel';
import { MemorySink } from '@legosim/trace';
import { Mnemonic } from '@legosim/x86';
import { formatAtt } from '@legosim/x86/format';
import {
  currentCpl,
  hex64,
  instructionBytes,
  kernelOptions,
  memoryIo,
  nativeName,
  slotLabel,
} from 'legosim/browser';

/** One 8-byte slot of the task's kernel stack, as the page draws it. */
export interface StackSlot {
  /** The slot's address, 16 hex digits. */
  address: string;
  /** `pt_regs->ss (+160)` inside pt_regs, `sp0-176` below it (the names `legosim explain` uses). */
  label: string;
  /** The 8 bytes as 0x hex without leading zeros. */
  value: string;
  /** At or above %rsp: part of the stack right now (a popped slot keeps its bytes but is dead). */
  live: boolean;
  /** This step wrote the slot. */
  changed: boolean;
}

/** One instruction of the syscall's path through the kernel, and the machine after it. */
export interface ExplainStep {
  /** The columns of `legosim explain`'s row: state *before* the instruction. */
  address: string;
  bytes: string;
  instruction: string;
  cpl: number;
  interruptFlag: 0 | 1;
  rsp: string;
  /** The row's effect column, as `legosim explain` printed it. */
  effect: string;
  /** The state *after* the instruction. */
  after: { cpl: number; interruptFlag: 0 | 1; rsp: string; gsBase: string };
  /** The kernel stack after the instruction, top (sp0 - 8) first. */
  stack: StackSlot[];
}

export interface ExplainSteps {
  /** `write (nr 1)`: the syscall the steps follow. */
  syscall: string;
  nr: number;
  sp0: string;
  ptRegs: string;
  steps: ExplainStep[];
  /** IF while the syscall's handler ran (inside do_syscall_64), from the syscall_entry event. */
  handlerInterruptFlag: 0 | 1 | undefined;
  /** pt_regs as do_syscall_64 saw it (the syscall_entry trace event): field, offset, value. */
  ptRegsTable: { field: string; offset: number; value: string }[];
}

const STACK_SIZE = 65536;

/**
 * Steps the first syscall of `image` through entry_SYSCALL_64 the way `legosim explain`
 * does (same kernel options, same stopping rule), recording after each instruction the
 * machine state and the kernel stack read from memory. `explainText` is the command's own
 * output for the same program: each step takes its effect column from the matching row,
 * and a row that does not match the step's address is an error, so the page can never
 * drift from the command line silently.
 */
export function explainSteps(image: Uint8Array, argv: readonly string[], explainText: string): ExplainSteps {
  // argv[0] is the path, as `legosim explain PATH` gives it: the same user stack, byte for byte
  const path = argv[0] ?? '/program';
  const rows = explainText.split('\n').filter((line) => /^[0-9a-f]{16} {2}/.test(line));
  const sink = new MemorySink();
  const { io } = memoryIo();
  const kernel = new Kernel({
    ...kernelOptions(io, new Map()),
    trace: sink,
    host: { write: () => {}, read: () => new Uint8Array(0) },
  });
  kernel.exec(image, [path, ...argv.slice(1)], [], path);
  const cpu = kernel.cpus[0]!;

  // run to the first syscall instruction in user mode
  for (;;) {
    if (cpu.cpl === 3 && cpu.peekInstruction()?.mnemonic === Mnemonic.Syscall) break;
    if (!kernel.step()) throw new Error(`${path} ended before its first syscall`);
  }
  const task = kernel.currentTask(cpu);
  const sp0 = task.sp0;
  const ptRegs = task.ptRegs;
  const nr = cpu.gpr(0);
  const steps: ExplainStep[] = [];
  const values = new Map<number, string>();
  let low = sp0; // the deepest %rsp seen on the kernel stack: slots down to it are drawn
  let sawNative = false;
  const onStack = (a: number): boolean => a >= sp0 - STACK_SIZE && a < sp0;

  while (steps.length < 10_000) {
    const ins = cpu.peekInstruction();
    if (ins === undefined) break;
    const ip = cpu.rip;
    const rsp = cpu.rsp;
    const native = cpu.natives.has(ip);
    const row = rows[steps.length];
    if (row === undefined || !row.startsWith(hex64(ip))) {
      throw new Error(
        `step ${steps.length + 1} at 0x${hex64(ip)} has no matching row in legosim explain's output`,
      );
    }
    const step: Omit<ExplainStep, 'after' | 'stack'> = {
      address: hex64(ip),
      bytes: native ? '0f 0b' : instructionBytes(cpu, ins),
      instruction: native ? `(native) ${nativeName(kernel, ip)}` : formatAtt(ins),
      cpl: currentCpl(cpu),
      interruptFlag: cpu.interruptsEnabled ? 1 : 0,
      rsp: hex64(rsp),
      effect: effectOf(row, rsp),
    };
    const alive = kernel.step();
    const cplAfter = currentCpl(cpu);
    if (cplAfter === 0 && onStack(cpu.rsp)) low = Math.min(low, cpu.rsp);
    // The stack is read only while the CPU is in the kernel; back in user mode (after SYSRET)
    // the slots keep the bytes last seen and are all dead.
    const stack: StackSlot[] = [];
    for (let a = sp0 - 8; a >= low; a -= 8) {
      const label = slotLabel(a, ptRegs, sp0);
      const value =
        cplAfter === 0 ? `0x${hex64(cpu.read64n(a)).replace(/^0+(?=.)/, '')}` : (values.get(a) ?? '0x0');
      values.set(a, value);
      // a slot this instruction stored to is the one the command's effect column names
      stack.push({
        address: hex64(a),
        label,
        value,
        live: cplAfter === 0 && a >= cpu.rsp,
        changed: step.effect.includes(`[${label}] =`),
      });
    }
    steps.push({
      ...step,
      after: {
        cpl: cplAfter,
        interruptFlag: cpu.interruptsEnabled ? 1 : 0,
        rsp: hex64(cpu.rsp),
        gsBase: hex64(cpu.gsBase),
      },
      stack,
    });
    if (native && nativeName(kernel, ip) === 'do_syscall_64') sawNative = true;
    if (!alive || (sawNative && cplAfter === 3)) break;
  }
  if (steps.length !== rows.length)
    throw new Error(`${steps.length} steps, but legosim explain printed ${rows.length} rows`);

  const entry = sink.events.find((e) => e.type === 'syscall_entry');
  const ptRegsTable =
    entry?.type === 'syscall_entry'
      ? PT_REGS_FIELDS.map((field, i) => ({ field, offset: i * 8, value: entry.regs[field] }))
      : [];
  return {
    syscall: `${kernel.table[nr]?.name ?? `syscall ${nr}`} (nr ${nr})`,
    nr,
    sp0: hex64(sp0),
    ptRegs: hex64(ptRegs),
    steps,
    handlerInterruptFlag: entry?.type === 'syscall_entry' ? (entry.irqs_enabled ? 1 : 0) : undefined,
    ptRegsTable,
  };
}

/** The effect column of an explain row: what follows its rsp column. */
function effectOf(row: string, rsp: number): string {
  const at = row.indexOf(`${hex64(rsp)}  `, 16);
  if (at < 0)
    throw new Error(`legosim explain's row has another %rsp than the step (0x${hex64(rsp)}): ${row}`);
  return row.slice(at + 18).trimEnd();
}
