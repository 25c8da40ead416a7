import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { render } from '../scripts/embed-entry.mjs';

test('the embedded entry_64.ts is the current entry_64.S (run `pnpm --filter @legosim/kernel embed` after editing)', () => {
  const dir = join(import.meta.dirname, '..', 'src', 'arch', 'x86', 'entry');
  const source = readFileSync(join(dir, 'entry_64.S'), 'utf8');
  expect(readFileSync(join(dir, 'entry_64.ts'), 'utf8')).toBe(render(source));
});
