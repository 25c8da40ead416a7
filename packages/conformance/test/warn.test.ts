import { readFileSync } from 'node:fs';
import { Rflags } from '@legosim/cpu';
import { Kernel } from '@legosim/kernel';
import { MemorySink } from '@legosim/trace';
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, runCli } from '../src/index.js';
import { runNative } from './native.js';

const available = hasCompiler('musl');

describe("syscall_return_slowpath's WARN", () => {
  test.skipIf(!available)('a handler swapped for one that returns with IRQs disabled gets Lego\'s WARN, and the program still finishes', () => {
    const prog = buildProbe('hello', 'musl');
    const out: string[] = [];
    const console: string[] = [];
    const sink = new MemorySink();
    const kernel = new Kernel({
      host: { write: (_fd, d) => out.push(new TextDecoder().decode(d)), read: () => new Uint8Array(0) },
      console: (l) => console.push(l),
      trace: sink,
      // set_tid_address (218), swapped for a handler that leaves interrupts off
      overrides: new Map([
        [
          218,
          (k, t) => {
            k.currentCpu(t).rflags &= ~Rflags.IF;
            return t.tid;
          },
        ],
      ]),
    });
    kernel.exec(readFileSync(prog), ['hello'], [], '/hello');
    const result = kernel.run();
    expect(out.join('')).toBe(runNative(prog).stdout);
    expect(result.status).toBe(3);
    const text = console.join('\n');
    expect(text).toContain('------------[ cut here ]------------');
    expect(text).toMatch(/WARNING: CPU: 0 PID: 1 at arch\/x86\/entry\/common\.c:\d+ syscall_return_slowpath/);
    expect(text).toContain('syscall 218 left IRQs disabled');
    expect(text).toMatch(/---\[ end trace [0-9a-f]{16} \]---/);
    const exits = sink.events.filter((e) => e.type === 'syscall_exit');
    const warned = exits.filter((e) => e.type === 'syscall_exit' && e.warned);
    expect(warned.length).toBe(1);
    expect(warned[0]).toMatchObject({ nr: 218, irqs_enabled: false, warned: true });
    // the WARN is also an event, and every other syscall returned with IRQs on
    expect(sink.events.some((e) => e.type === 'warn' && e.message === 'syscall 218 left IRQs disabled')).toBe(true);
    expect(exits.filter((e) => e.type === 'syscall_exit' && !e.warned).every((e) => e.type === 'syscall_exit' && e.irqs_enabled)).toBe(true);
  });

  test.skipIf(!available)('--inject irqs-off:NAME shows the same WARN from the command line', async () => {
    const prog = buildProbe('hello', 'musl');
    const r = await runCli(['run', '--inject', 'irqs-off:writev', prog]);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe(runNative(prog).stdout);
    expect(r.stderr).toContain('syscall 20 left IRQs disabled');
    expect(r.stderr).toContain('------------[ cut here ]------------');
  });
});
