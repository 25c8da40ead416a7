import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '@legosim/kernel';
import { expect, test } from 'vitest';
import { buildProbe, hasCommand, hasCompiler } from '../src/index.js';

// callgrind counts the instructions a native run executes in user mode (each iteration of a
// rep string instruction counting as one); legosim's user-mode count must agree within 1%.
// Both run with an empty environment, so libc's start-up walks the same envp.
test.skipIf(!hasCompiler('musl') || !hasCommand('valgrind'))('the user-mode instruction count agrees with callgrind within 1%', () => {
  const prog = buildProbe('compute', 'musl');
  const out = join(mkdtempSync(join(tmpdir(), 'legosim-cg-')), 'callgrind.out');
  const cg = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, prog, '1'], { env: {}, encoding: 'utf8' });
  const collected = /Collected : (\d+)/.exec(cg.stderr);
  expect(collected, cg.stderr).not.toBeNull();
  const native = Number(collected![1]);
  const kernel = new Kernel({ host: { write: () => {}, read: () => new Uint8Array(0) } });
  kernel.exec(readFileSync(prog), [prog, '1'], [], prog);
  const r = kernel.run();
  expect(r.status).toBe(0);
  const error = Math.abs(r.userInstructions - native) / native;
  expect(error, `legosim ${r.userInstructions} vs callgrind ${native}`).toBeLessThan(0.01);
}, 120_000);
