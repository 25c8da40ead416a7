import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { applyBlocks, PAGES, renderBlocks } from '../scripts/model-output.mts';

test('the pages show the current model output (run `pnpm --filter @legosim/docs model-output` after changing it)', async () => {
  const blocks = await renderBlocks();
  for (const [page, names] of Object.entries(PAGES)) {
    const text = readFileSync(join(import.meta.dirname, '..', page), 'utf8');
    for (const name of names) expect(text, `${page} has a ${name} block`).toContain(`<!-- model-output: ${name} -->`);
    expect(applyBlocks(text, blocks), page).toBe(text);
  }
});
