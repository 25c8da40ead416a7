import { ExecFormatError, Kernel, PT_REGS_FIELDS, PtRegs } from '@legosim/kernel';
import { MemorySink, type TraceEvent } from '@legosim/trace';
import { Mnemonic, OpKind, Register } from '@legosim/x86';
import { formatAtt } from '@legosim/x86/format';
import { helpTable, intOption, type OptionSpec, parseArgs } from '../args.js';
import { buildDemoProgram } from '../demo.js';
import { currentCpl, hex64, instructionBytes, nativeName, perCpuName, slotLabel } from '../explain-parts.js';
import { type CliIo, UsageError } from '../io.js';
import { kernelOptions, readProgram } from './run.js';

const OPTIONS: Record<string, OptionSpec> = {
  syscall: { value: 'N', help: 'which syscall of the program to show, counting from 1 (default 1)' },
  'timer-hz': { value: 'N', help: 'APIC timer frequency (default 100)' },
  'max-instructions': { value: 'N', help: 'give up when the syscall has not come after N instructions (default 20000000)' },
  help: { help: 'show this help' },
};

export const EXPLAIN_HELP: string = `usage: legosim explain [--syscall N] [PROG [ARGS...]]

Shows one syscall going through Lego's entry_SYSCALL_64, instruction by instruction:
the kernel stack filling as each push lands, the finished pt_regs with its fields
labelled, IF and CPL and the GS base at each step, the call into do_syscall_64, and the
return through SYSRET or IRET. Without PROG it explains the embedded demo program.

options:
${helpTable(OPTIONS)}
`;

export function explainCommand(io: CliIo, argv: readonly string[]): number {
  const { options, positionals } = parseArgs(argv, OPTIONS, true);
  if (options.has('help')) {
    io.write(1, EXPLAIN_HELP);
    return 0;
  }
  const which = intOption(options.get('syscall'), 'syscall', 1);
  if (which < 1) throw new UsageError('--syscall counts from 1');
  const [program, ...args] = positionals;
  const image = program === undefined ? buildDemoProgram() : readProgram(io, program);
  const name = program ?? 'demo';
  const sink = new MemorySink();
  const guestOut: Uint8Array[] = [];
  const base = kernelOptions(io, new Map(options.has('timer-hz') ? [['timer-hz', options.get('timer-hz')!]] : []));
  // explain steps one instruction at a time: a program that never reaches the syscall must not hang it
  const limit = intOption(options.get('max-instructions'), 'max-instructions', 20_000_000);
  base.maxInstructions = limit;
  const kernel = new Kernel({
    ...base,
    trace: sink,
    host: { write: (_fd, d) => guestOut.push(d), read: () => new Uint8Array(0) },
  });
  try {
    kernel.exec(image, [name, ...args], [], program ?? '/demo');
  } catch (e) {
    if (e instanceof ExecFormatError) throw new UsageError(`${name}: ${e.message}`);
    throw e;
  }
  const cpu = kernel.cpus[0]!;
  const w = (s: string): void => io.write(1, `${s}\n`);

  // run to the chosen syscall instruction in user mode
  let seen = 0;
  for (;;) {
    if (cpu.cpl === 3) {
      const ins = cpu.peekInstruction();
      if (ins !== undefined && ins.mnemonic === Mnemonic.Syscall && ++seen === which) break;
    }
    if (!kernel.step()) {
      const r = kernel.finish();
      if (r.instructions >= limit) {
        throw new UsageError(`${name} ran ${limit} instructions without reaching its syscall ${which} (${seen} so far); raise --max-instructions`);
      }
      throw new UsageError(`${name} made only ${seen} syscall${seen === 1 ? '' : 's'} (exit status ${r.status}); pick --syscall 1..${seen}`);
    }
  }

  const task = kernel.currentTask(cpu);
  const sp0 = task.sp0;
  const ptRegs = task.ptRegs;
  const nr = cpu.gpr(0);
  const rowName = kernel.table[nr]?.name ?? `syscall ${nr}`;
  const entry = kernel.symbol('entry_SYSCALL_64');
  w(`legosim explain — syscall ${which} of ${name}: ${rowName} (nr ${nr}), rdi=0x${hex64(cpu.gpr(7)).replace(/^0+(?=.)/, '')} rsi=0x${hex64(cpu.gpr(6)).replace(/^0+(?=.)/, '')} rdx=0x${hex64(cpu.gpr(2)).replace(/^0+(?=.)/, '')}`);
  w('');
  w(`The task's kernel stack: thread.sp0 = 0x${hex64(sp0)}; pt_regs will sit at sp0 - 168 = 0x${hex64(ptRegs)}.`);
  w(`SYSCALL saves RIP in %rcx and RFLAGS in %r11, clears TF|DF|IF|IOPL|AC|NT (MSR_SYSCALL_MASK), loads CS/SS`);
  w(`from MSR_STAR and jumps to MSR_LSTAR = entry_SYSCALL_64 (0x${hex64(entry)}). Interrupts stay off until do_syscall_64.`);
  w('');
  w(`${'address'.padEnd(16)}  ${'bytes'.padEnd(26)}  ${'instruction'.padEnd(34)} CPL IF  ${'rsp'.padEnd(16)}  effect`);

  const label = (addr: number): string => slotLabel(addr, ptRegs, sp0);
  let sawNative = false;
  let steps = 0;
  while (steps++ < 10_000) {
    const ins = cpu.peekInstruction();
    if (ins === undefined) break;
    const ip = cpu.rip;
    const beforeRsp = cpu.rsp;
    const beforeGs = cpu.gsBase;
    const beforeCpl = currentCpl(cpu);
    const ifBefore = cpu.interruptsEnabled ? 1 : 0;
    const isNative = cpu.natives.has(ip);
    const text = isNative ? `(native) ${nativeName(kernel, ip)}` : formatAtt(ins);
    const bytes = isNative ? '0f 0b' : instructionBytes(cpu, ins);
    // the stack slot this instruction stores to, if any: a push or call, or a mov to memory
    let slot: number | undefined;
    if (beforeCpl === 0 && (ins.mnemonic === Mnemonic.Push || ins.mnemonic === Mnemonic.Call)) slot = beforeRsp - 8;
    else if (beforeCpl === 0 && ins.mnemonic === Mnemonic.Mov && ins.opKind[0] === OpKind.Memory && ins.memSeg === Register.None) slot = cpu.ea(ins);
    const percpu = ins.memSeg === Register.GS && ins.memBase === Register.None ? perCpuName(kernel, ins.memDisp) : undefined;
    const events = sink.events.length;
    const alive = kernel.step();
    const effects: string[] = [];
    if (percpu !== undefined) effects.push(`%gs:0x${ins.memDisp.toString(16)} is the per-CPU ${percpu}`);
    if (cpu.gsBase !== beforeGs) effects.push(`GS.base 0x${hex64(beforeGs)} → 0x${hex64(cpu.gsBase)}`);
    if (slot !== undefined && slot >= sp0 - 65536 && slot < sp0) {
      effects.push(`[${label(slot)}] = 0x${hex64(cpu.read64n(slot)).replace(/^0+(?=.)/, '')}`);
    }
    if (ins.mnemonic === Mnemonic.Sub && ins.opKind[0] === OpKind.Register && ins.opReg[0] === Register.RSP) {
      effects.push('room for pt_regs->bp, bx, r12..r15 (filled by SAVE_EXTRA_REGS)');
    }
    if (beforeCpl === 3 && currentCpl(cpu) === 0) effects.push('→ CPL 0, IF cleared by SYSCALL_MASK');
    if (beforeCpl === 0 && currentCpl(cpu) === 3) effects.push('→ CPL 3');
    w(`${hex64(ip)}  ${bytes.padEnd(26)}  ${text.padEnd(34)} ${String(beforeCpl).padEnd(3)} ${ifBefore}   ${hex64(beforeRsp)}  ${effects.join('; ')}`);
    if (isNative && nativeName(kernel, ip) === 'do_syscall_64') {
      sawNative = true;
      describeHandler(kernel, sink.events.slice(events), w, ptRegs, sp0);
    }
    if (!alive || (sawNative && currentCpl(cpu) === 3)) {
      const exit = sink.events.find((e) => e.type === 'syscall_exit');
      w('');
      if (exit && exit.type === 'syscall_exit') {
        w(`Back in user mode through ${exit.path === 'sysret' ? 'SYSRET' : 'IRET'} at 0x${hex64(cpu.rip)}, CPL ${cpu.cpl}, IF=${cpu.interruptsEnabled ? 1 : 0} (restored from ${exit.path === 'sysret' ? '%r11' : 'the IRET frame'}); %rax = ${exit.ret}.`);
        w(
          exit.path === 'sysret'
            ? "SYSRET was allowed: saved cx == ip, ip canonical, cs == __USER_CS, r11 == flags, no RF/TF, ss == __USER_DS."
            : 'IRET was taken: one of the SYSRET conditions (cx == ip, canonical ip, cs, r11 == flags, no RF/TF, ss) failed.',
        );
      } else w('The task ended inside the syscall (exit).');
      break;
    }
  }
  return 0;
}

function describeHandler(kernel: Kernel, events: readonly TraceEvent[], w: (s: string) => void, ptRegs: number, sp0: number): void {
  const entry = events.find((e) => e.type === 'syscall_entry');
  const cpu = kernel.cpus[0]!;
  w('');
  w(`do_syscall_64(regs = 0x${hex64(ptRegs)}) — the C side, a native TypeScript function:`);
  w(`  local_irq_enable(); regs->ax = sys_call_table[regs->orig_ax](di, si, dx, r10, r8, r9); syscall_return_slowpath(regs)`);
  if (entry && entry.type === 'syscall_entry') {
    w(`  IF inside the handler: ${entry.irqs_enabled ? 1 : 0} (Lego: every syscall handler runs with interrupts enabled)`);
    w('');
    w(`struct pt_regs at 0x${hex64(ptRegs)} = task_pt_regs(current) = (struct pt_regs *)thread.sp0 - 1, as do_syscall_64 saw it:`);
    for (const [i, field] of PT_REGS_FIELDS.entries()) {
      const v = entry.regs[field];
      const note = field === 'ax' ? '  ← -ENOSYS, pushed by entry_SYSCALL_64' : field === 'orig_ax' ? '  ← the syscall number' : field === 'cx' || field === 'ip' ? '  ← user RIP after syscall (rcx)' : field === 'flags' || field === 'r11' ? '  ← user RFLAGS (r11)' : '';
      w(`  +${String(i * 8).padStart(3)}  ${field.padEnd(8)} ${v.padStart(18)}${note}`);
    }
    w('');
  }
  describeNesting(events, w, ptRegs, sp0);
  const ret = cpu.read64n(ptRegs + PtRegs.AX);
  w(`  returned with IRQs disabled (local_irq_disable + prepare_exit_to_usermode); regs->ax = ${ret}`);
  w('');
}

/**
 * What nested inside the handler, on the same kernel stack: a page fault taken by a user copy,
 * an interrupt that arrived while interrupts were on. Each frame lies below the last, and each
 * handler finds the syscall's pt_regs as task_pt_regs(current).
 */
function describeNesting(events: readonly TraceEvent[], w: (s: string) => void, ptRegs: number, sp0: number): void {
  const nested = events.filter((e) => e.type === 'exception' || e.type === 'irq_entry');
  if (nested.length === 0) return;
  const top = BigInt(`0x${hex64(sp0)}`);
  const where = (sp: string): string => `frame at ${sp} (sp0 - ${top - BigInt(sp)})`;
  const ours = `0x${hex64(ptRegs)}`;
  const seen = (tpr: string): string => (BigInt(tpr) === BigInt(ours) ? 'task_pt_regs = this syscall\'s pt_regs' : `task_pt_regs ${tpr}`);
  w('  Nested inside the handler, each on this task\'s kernel stack below the one before (no IRQ stack, no IST):');
  for (const e of nested) {
    if (e.type === 'exception') {
      const name = e.vector === 14 ? `page fault (#PF, vector 14) at ${e.cr2}, error ${e.error_code}` : `exception ${e.vector}, error ${e.error_code}`;
      w(`    depth ${e.depth}: ${name}; ${where(e.sp)}; ${seen(e.task_pt_regs)}`);
    } else if (e.type === 'irq_entry') {
      const name = e.vector === 0xef ? 'APIC timer interrupt (vector 0xef)' : `interrupt vector 0x${e.vector.toString(16)}`;
      w(`    depth ${e.depth}: ${name}; ${where(e.sp)}; ${seen(e.task_pt_regs)}`);
    }
  }
  w('');
}
