import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { ARCH_DIR, EMBEDDED, render } from '../scripts/embed-entry.mjs';

test.each(EMBEDDED as { file: string; name: string }[])('the embedded copy of $file is current (run `pnpm --filter @legosim/kernel embed` after editing)', ({ file, name }) => {
  const path = join(ARCH_DIR as string, file);
  expect(readFileSync(path.replace(/\.S$/, '.ts'), 'utf8')).toBe(render(readFileSync(path, 'utf8'), file, name));
});
