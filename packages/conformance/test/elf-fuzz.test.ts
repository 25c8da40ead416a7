// 1,000 mutated copies of a real static binary (seeded byte flips in the ELF header and the
// program headers, the parts the loader trusts) each end in one of two ways: exit 125 with one
// `legosim:` line, or they run as the guest would, stopped by --max-instructions at worst.
// Never a JavaScript stack trace, never an "internal error", never a hang.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildProbe, hasCompiler, runCli } from '../src/index.js';

const MUTANTS = Number(process.env.ELF_MUTANTS ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'legosim-elf-fuzz-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** xorshift32: the mutations are the same on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe.skipIf(!hasCompiler('musl'))('malformed and hostile ELF files', () => {
  test(`${MUTANTS} mutants of hello (musl): exit 125 with one clear line, or a bounded run`, async () => {
    const original = new Uint8Array(readFileSync(buildProbe('hello', 'musl')));
    const view = new DataView(original.buffer);
    const phoff = Number(view.getBigUint64(32, true));
    const phnum = view.getUint16(56, true);
    const headerEnd = phoff + phnum * 56;
    const next = rng(2026);
    const file = join(dir, 'mutant');
    const outcomes = { refused: 0, ran: 0 };
    for (let i = 0; i < MUTANTS; i++) {
      const m = original.slice();
      const flips = 1 + (next() % 4);
      for (let f = 0; f < flips; f++) {
        // half in the ELF header, half in the program headers
        const at = next() % 2 === 0 ? next() % 64 : phoff + (next() % (headerEnd - phoff));
        m[at] = next() % 3 === 0 ? 0xff : m[at]! ^ (1 << (next() % 8));
      }
      writeFileSync(file, m);
      const r = await runCli(['run', '--memory', '32M', '--max-instructions', '300000', file, `mutant-${i}`]);
      const what = `mutant ${i}: status ${r.status}, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`;
      expect(r.stderr, what).not.toMatch(/\n\s+at |internal error|TypeError|RangeError/);
      if (r.status === 125) {
        outcomes.refused++;
        expect(r.stderr, what).toMatch(/^legosim: [^\n]+\n$/);
      } else {
        outcomes.ran++;
        expect(r.status, what).toBeGreaterThanOrEqual(0);
        expect(r.status, what).toBeLessThan(256);
      }
    }
    // both kinds happen: most flips break something the loader checks, some are harmless
    expect(outcomes.refused).toBeGreaterThan(MUTANTS / 10);
    expect(outcomes.ran).toBeGreaterThan(0);
  }, 600_000);
});
