// The kernel's other assembly sources — the user-copy and clear-page routines of
// arch/x86/lib and the idle task's loop — assembled by us and by GNU as + ld, byte for byte.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { gasAssemble, gasAvailable, toHex } from './asm-support/gas.js';

const ORIGIN = -0x7f000000; // 0xffffffff81000000
const SOURCES: [file: string, externals: Record<string, number>][] = [
  ['lib/copy_user_64.S', {}],
  ['lib/clear_page_64.S', {}],
  // the native functions idle_64.S calls, at kernel-text addresses
  ['kernel/idle_64.S', { idle_need_resched: -0x7e000000, schedule_idle: -0x7e000000 + 0x40 }],
];

describe.skipIf(!gasAvailable()).each(SOURCES)('arch/x86/%s against GNU as + ld', (file, symbols) => {
  const source = readFileSync(
    fileURLToPath(new URL(`../../kernel/src/arch/x86/${file}`, import.meta.url)),
    'utf8',
  );

  it('assembles to exactly the bytes of as + ld, and every label at the address ld gives it', () => {
    const ours = assemble(source, { origin: ORIGIN, symbols });
    const gas = gasAssemble(source, ORIGIN, symbols);
    expect(toHex(ours.bytes)).toBe(toHex(gas.text));
    for (const [name, addr] of gas.symbols)
      if (ours.symbols.has(name) && !(name in symbols))
        expect([name, ours.symbols.get(name)]).toEqual([name, addr]);
  });
});
