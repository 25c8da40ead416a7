import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../scripts/generator.js';
import { TABLE } from '../src/table/index.js';

describe('generated files', () => {
  it('are what the generator makes from the table (run `pnpm generate` after editing src/table)', () => {
    const files = generate(TABLE);
    expect(files.size).toBeGreaterThan(0);
    for (const [name, text] of files) {
      const committed = readFileSync(join(__dirname, '..', 'src', 'generated', name), 'utf8');
      expect(committed === text, `src/generated/${name} is stale`).toBe(true);
    }
  });
});
