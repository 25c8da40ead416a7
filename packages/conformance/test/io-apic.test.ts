// A device interrupt end to end: a line of the IO-APIC, programmed as a driver would (vector,
// fixed delivery, physical destination CPU 0, edge, unmasked), becomes a message on the APIC
// bus, lands in CPU 0's local APIC, and is taken at the first instruction boundary with IF set,
// through the
// vector's irq_entries_start stub, common_interrupt and do_IRQ, which finds no handler in the
// CPU's vector_irq and says so, as Lego does. The program computes on undisturbed.
import { readFileSync } from 'node:fs';
import { Kernel } from '@legosim/kernel';
import { MemorySink } from '@legosim/trace';
import { expect, test } from 'vitest';
import { buildProbe, hasCompiler } from '../src/index.js';
import { runNative } from './native.js';

const LINE = 3;
const VECTOR = 0x31;

test.skipIf(!hasCompiler('musl'))('an IO-APIC line arrives as its device vector through do_IRQ', () => {
  const prog = buildProbe('hello', 'musl');
  const out: string[] = [];
  const console: string[] = [];
  const trace = new MemorySink();
  const kernel = new Kernel({
    trace,
    console: (line) => console.push(line),
    host: { write: (_fd, d) => out.push(new TextDecoder().decode(d)), read: () => new Uint8Array(0) },
  });
  const io = kernel.ioApic;
  // IOREDTBL[3]: high dword = destination APIC ID 0, low dword = vector, fixed, physical, edge, unmasked
  io.writeRegister(0x10 + 2 * LINE + 1, 0 << 24);
  io.writeRegister(0x10 + 2 * LINE, VECTOR);
  kernel.exec(readFileSync(prog), ['hello'], [], '/hello');
  io.raiseLine(LINE);
  const result = kernel.run();

  const native = runNative(prog);
  expect(out.join('')).toBe(native.stdout);
  expect(result.status).toBe(native.status);
  expect(console).toContain(`do_IRQ: 0.${VECTOR} No irq handler for vector`);
  const irqs = trace.events.filter((e) => (e.type === 'irq_entry' || e.type === 'irq_exit') && e.vector === VECTOR);
  expect(irqs.map((e) => e.type)).toEqual(['irq_entry', 'irq_exit']);
  // pending from the start, it is taken as soon as interrupts are on: in ret_from_fork, right
  // after schedule_tail, one frame below the new task's pt_regs (depth 2); then acknowledged
  const entry = irqs[0] as { cpu: number; pid: number; depth: number; sp: string; task_pt_regs: string };
  expect(entry).toMatchObject({ cpu: 0, pid: 1, depth: 2 });
  expect(BigInt(entry.sp) < BigInt(entry.task_pt_regs)).toBe(true);
  expect(kernel.apics[0]!.highestInService()).toBe(-1);
  // irq_regs is back to NULL once no interrupt is being handled
  expect(kernel.percpu.readPointer(0, kernel.percpu.layout.irq_regs)).toBe(0);
});
