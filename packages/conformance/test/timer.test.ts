import { readFileSync } from 'node:fs';
import { Kernel } from '@legosim/kernel';
import { expect, test } from 'vitest';
import { buildProbe, hasCompiler } from '../src/index.js';
import { runNative } from './native.js';

test.skipIf(!hasCompiler('glibc'))('APIC timer interrupts (vector 0xef) are taken between instructions when IF = 1, and the program still computes correctly', () => {
  const prog = buildProbe('hello', 'glibc');
  const out: string[] = [];
  // 2 MHz: a tick every 500 simulated ns, i.e. every ~500 instructions
  const kernel = new Kernel({ timerHz: 2_000_000, host: { write: (_fd, d) => out.push(new TextDecoder().decode(d)), read: () => new Uint8Array(0) } });
  const cpu = kernel.cpus[0]!;
  let ticks = 0;
  cpu.onDeliver = (vector) => {
    if (vector === 0xef) ticks++;
  };
  kernel.exec(readFileSync(prog), ['hello'], [], '/hello');
  const result = kernel.run();
  expect(out.join('')).toBe(runNative(prog).stdout);
  expect(result.status).toBe(3);
  const apic = kernel.apics[0]!;
  expect(ticks).toBeGreaterThan(5);
  // every tick was acknowledged and ended with an EOI by smp_apic_timer_interrupt
  expect(apic.accepted).toBe(ticks);
  expect(apic.eois).toBe(ticks);
  expect(apic.highestInService()).toBe(-1);
});
