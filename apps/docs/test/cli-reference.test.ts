import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { commandsIn, PAGE, renderCliReference } from '../scripts/cli-reference.mts';

test('reference/cli.md is the current help of every command (run `pnpm --filter @legosim/docs cli-reference` after changing it)', async () => {
  const { page, commands } = await renderCliReference();
  expect(commands).toEqual(expect.arrayContaining(['run', 'explain', 'trace', 'disasm']));
  for (const c of commands) expect(page).toContain(`## legosim ${c} {#${c}}`);
  expect(readFileSync(PAGE, 'utf8')).toBe(page);
});

test('the command list comes from the general help', () => {
  const help =
    'usage:\n  legosim                 demo\n  legosim run [options] PROG\n  legosim trace FILE\n  legosim COMMAND --help\n  legosim run --x\n';
  expect(commandsIn(help)).toEqual(['run', 'trace']);
});
