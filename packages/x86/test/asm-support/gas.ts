// GNU as + ld + objcopy as the oracle for the assembler tests (Node only: tests may spawn).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElfSections, readElfSymbols } from '../../src/elf-sections.js';

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

/**
 * GNU as on the same texts at the same addresses, in one run: each instruction goes to
 * `.org address` of one of several overlapping "lane" sections all linked at the base
 * address (an instruction as encodes longer than the original would run into the next one),
 * followed by a label that gives its end. Returns as's bytes or its error (`error: ...`) per
 * input. `base` is the lowest address; every address must be at least `base`.
 */
export function gasAssembleAt(
  items: readonly { address: number; text: string }[],
  base: number,
): (Uint8Array | string)[] {
  const dir = mkdtempSync(join(tmpdir(), 'legosim-busybox-as-'));
  try {
    const result: (Uint8Array | string)[] = new Array(items.length).fill('');
    let todo = items.map((_, i) => i);
    for (let round = 0; round < 4 && todo.length > 0; round++) {
      // lanes: an instruction may follow another in a lane only 15 bytes (the longest) after it
      const laneEnd: number[] = [];
      const lanes: number[][] = [];
      for (const i of todo) {
        const a = (items[i] as { address: number }).address;
        let lane = laneEnd.findIndex((end) => end <= a);
        if (lane < 0) {
          lane = lanes.length;
          lanes.push([]);
        }
        laneEnd[lane] = a + 15;
        (lanes[lane] as number[]).push(i);
      }
      const src: string[] = [];
      const lineOf: number[] = []; // source line (1-based) -> item
      lanes.forEach((lane, k) => {
        src.push(`.section .lane${k},"ax",@progbits`);
        for (const i of lane) {
          const it = items[i] as { address: number; text: string };
          src.push(`.org 0x${(it.address - base).toString(16)}`);
          lineOf[src.length + 1] = i;
          src.push(it.text);
          src.push(`e${i}:`);
        }
      });
      writeFileSync(join(dir, 'in.s'), `${src.join('\n')}\n`);
      let stderr = '';
      try {
        execFileSync('as', ['--64', '-o', join(dir, 'in.o'), join(dir, 'in.s')], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      } catch (e) {
        stderr = String((e as { stderr?: Buffer }).stderr ?? e);
      }
      const rejected = new Map<number, string>();
      for (const m of stderr.matchAll(/in\.s:(\d+): Error: (.*)/g)) {
        const i = lineOf[Number(m[1])];
        if (i === undefined) throw new Error(`GNU as failed outside an instruction line: ${m[0]}`);
        rejected.set(i, `error: ${m[2]}`);
      }
      if (rejected.size > 0) {
        for (const [i, message] of rejected) result[i] = message;
        todo = todo.filter((i) => !rejected.has(i));
        continue;
      }
      if (stderr !== '') throw new Error(`GNU as failed: ${stderr}`);
      const script = lanes.map((_, k) => `.lane${k} 0x${base.toString(16)} : { *(.lane${k}) }`);
      writeFileSync(join(dir, 'lanes.ld'), `SECTIONS {\n${script.join('\n')}\n}\n`);
      execFileSync(
        'ld',
        [
          '-o',
          join(dir, 'out.elf'),
          '-e',
          '0',
          '-T',
          join(dir, 'lanes.ld'),
          '--no-check-sections',
          join(dir, 'in.o'),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const elf = new Uint8Array(readFileSync(join(dir, 'out.elf')));
      const secs = readElfSections(elf);
      const ends = new Map<string, number>();
      for (const s of readElfSymbols(elf, secs)) ends.set(s.name, s.value);
      lanes.forEach((lane, k) => {
        const sec = secs.find((s) => s.name === `.lane${k}`);
        if (sec === undefined) throw new Error(`.lane${k} missing from the linked file`);
        for (const i of lane) {
          const start = (items[i] as { address: number }).address - base;
          const end = (ends.get(`e${i}`) as number) - sec.addr;
          result[i] = elf.slice(sec.offset + start, sec.offset + end);
        }
      });
      todo = [];
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
