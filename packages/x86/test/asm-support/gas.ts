// GNU as + ld + objcopy as the oracle for the assembler tests (Node only: tests may spawn).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GasOutput {
  /** `.text` after linking at the origin. */
  readonly text: Uint8Array;
  /** Symbol values from the linked ELF (`nm`), canonical signed numbers. */
  readonly symbols: Map<string, number>;
}

/** 64-bit two's complement hex of a canonical signed address, for ld. */
export function hex64(v: number): string {
  return `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
}

export function gasAvailable(): boolean {
  try {
    execFileSync('as', ['--version'], { stdio: 'ignore' });
    execFileSync('ld', ['--version'], { stdio: 'ignore' });
    execFileSync('objcopy', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Assembles `source` with GNU as, links it with `.text` at `origin` and the externals given
 * to ld with --defsym (so `as` sees them as undefined symbols, exactly like our `symbols`).
 */
export function gasAssemble(source: string, origin: number, symbols: Record<string, number> = {}): GasOutput {
  const dir = mkdtempSync(join(tmpdir(), 'legosim-gas-'));
  try {
    const s = join(dir, 'in.s');
    const o = join(dir, 'in.o');
    const elf = join(dir, 'out.elf');
    const bin = join(dir, 'text.bin');
    writeFileSync(s, source.endsWith('\n') ? source : `${source}\n`);
    execFileSync('as', ['--64', '-o', o, s], { stdio: ['ignore', 'ignore', 'pipe'] });
    const defs = Object.entries(symbols).flatMap(([k, v]) => ['--defsym', `${k}=${hex64(v)}`]);
    execFileSync(
      'ld',
      ['-o', elf, '-e', '0', '-Ttext', hex64(origin), '--no-warn-rwx-segments', ...defs, o],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    execFileSync('objcopy', ['-O', 'binary', '-j', '.text', elf, bin]);
    const nm = execFileSync('nm', [elf], { encoding: 'utf8' });
    const syms = new Map<string, number>();
    for (const line of nm.split('\n')) {
      const m = /^([0-9a-f]+) \S (\S+)$/.exec(line);
      if (m) syms.set(m[2] as string, Number(BigInt.asIntN(64, BigInt(`0x${m[1]}`))));
    }
    return { text: new Uint8Array(readFileSync(bin)), symbols: syms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
