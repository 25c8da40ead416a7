import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, type Libc, runCli } from '../src/index.js';

const ENOSYS = '0xffffffffffffffda';

function toBig(hex: string): bigint {
  return BigInt(hex);
}

/** Lego's SYSCALL facts, read back from the jsonl of a real run. */
describe.each(['musl', 'glibc'] as Libc[])('the trace of a %s hello world', (libc) => {
  test.skipIf(!hasCompiler(libc))('shows every syscall entering through entry_SYSCALL_64 as Lego builds pt_regs', async () => {
    const prog = buildProbe('hello', libc);
    const dir = mkdtempSync(join(tmpdir(), 'legosim-trace-'));
    const trace = join(dir, 'run.lgstrace');
    const run = await runCli(['run', '--trace', trace, prog]);
    expect(run.status).toBe(3);
    const exported = await runCli(['trace', trace, '--format', 'jsonl']);
    expect(exported.status).toBe(0);
    const events = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const entries = events.filter((e) => e.type === 'syscall_entry');
    const exits = events.filter((e) => e.type === 'syscall_exit');
    expect(entries.length).toBeGreaterThanOrEqual(libc === 'musl' ? 5 : 15);
    // every syscall but the final exit_group returns
    expect(exits.length).toBe(entries.length - 1);
    for (const e of entries) {
      const r = e.regs;
      expect(e.cpu).toBe(0);
      expect(typeof e.nr).toBe('number');
      expect(toBig(r.orig_ax)).toBe(BigInt(e.nr));
      expect(r.ax).toBe(ENOSYS);
      expect(r.cs).toBe('0x33');
      expect(r.ss).toBe('0x2b');
      expect(r.ip).toBe(r.cx);
      expect(r.flags).toBe(r.r11);
      expect(toBig(r.flags) & 0x200n).toBe(0x200n);
      expect(toBig(e.pt_regs)).toBe(toBig(e.sp0) - 168n);
      expect(e.irqs_enabled).toBe(true);
      expect(e.args).toEqual([r.di, r.si, r.dx, r.r10, r.r8, r.r9]);
    }
    for (const x of exits) {
      expect(x.irqs_enabled).toBe(true);
      expect(x.warned).toBe(false);
      expect(x.path).toBe('sysret');
    }
    // regs.ip is the address right after the syscall instruction: the bytes before it are 0f 05
    const { readFileSync } = await import('node:fs');
    const elf = readFileSync(prog);
    const { readElfSections } = await import('@legosim/x86');
    const text = readElfSections(elf).filter((s) => (s.flags & 4) !== 0); // SHF_EXECINSTR
    for (const e of entries) {
      const ip = Number(toBig(e.regs.ip));
      const sec = text.find((s) => ip > s.addr && ip <= s.addr + s.size);
      expect(sec, `ip ${e.regs.ip} in an executable section`).toBeDefined();
      const off = sec!.offset + (ip - sec!.addr);
      expect([elf[off - 2], elf[off - 1]]).toEqual([0x0f, 0x05]);
    }
  });
});
