/**
 * Decoder throughput on a real binary (/usr/bin/busybox from Debian's busybox-static), in
 * one process, after a warm-up pass of each: instructions per second for
 *  - decode only: @legosim/x86's `Decoder.decode` vs iced-x86's `Decoder.decodeOut`
 *  - decode + format: our `formatAtt` vs iced-x86's `Formatter` (GAS syntax)
 * and `objdump -d` wall time on the same file (it decodes, formats, and also prints
 * addresses, raw bytes and symbols; its output goes to /dev/null as ours goes nowhere).
 * Every pass decodes every executable section from the start: nothing is cached across
 * passes. Numbers, not pass/fail; the targets are printed beside the measured ratios.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import { Decoder as IcedWasmDecoder, DecoderOptions, Formatter, FormatterSyntax, Instruction as IcedInstruction } from 'iced-x86';
import { DecodeStatus, Decoder, Instruction, readElfSections } from '@legosim/x86';
import { formatAtt } from '@legosim/x86/format';
import { recordResults } from './results.js';

const FILE = process.argv[2] ?? '/usr/bin/busybox';
const PASSES = 5;
const SHF_EXECINSTR = 4;

if (!existsSync(FILE)) {
  console.log(`bench/decode: ${FILE} is absent (apt-get install busybox-static); skipping the decoder benchmark`);
  process.exit(0);
}

const file = new Uint8Array(readFileSync(FILE));
const sections = readElfSections(file).filter((s) => (s.flags & SHF_EXECINSTR) !== 0 && s.type !== 8 && s.size > 0);
const bytes = sections.reduce((n, s) => n + s.size, 0);

/** Our decoder over every executable section; an invalid byte is skipped (objdump's `(bad)`). */
function oursPass(format: boolean): { instructions: number; check: number } {
  const dec = new Decoder();
  const ins = new Instruction();
  let instructions = 0;
  let check = 0;
  for (const s of sections) {
    const end = s.offset + s.size;
    let off = s.offset;
    while (off < end) {
      const st = dec.decode(file, off, end - off, s.addr + (off - s.offset), ins);
      instructions++;
      if (st === DecodeStatus.Ok) {
        off += ins.length;
        check += format ? formatAtt(ins, { bareAddresses: true }).length : ins.mnemonic;
      } else {
        off++;
      }
    }
  }
  return { instructions, check };
}

const icedIns = new IcedInstruction();
const icedFormatter = new Formatter(FormatterSyntax.Gas);

/** iced-x86 over every executable section: one decoder per section, decodeOut into one instruction. */
function icedPass(format: boolean): { instructions: number; check: number } {
  let instructions = 0;
  let check = 0;
  for (const s of sections) {
    const dec = new IcedWasmDecoder(64, file.subarray(s.offset, s.offset + s.size), DecoderOptions.None);
    dec.ip = BigInt(s.addr);
    while (dec.canDecode) {
      dec.decodeOut(icedIns);
      instructions++;
      check += format ? icedFormatter.format(icedIns).length : icedIns.mnemonic;
    }
    dec.free();
  }
  return { instructions, check };
}

/** Median wall time of `PASSES` runs of `fn` after one warm-up run. */
function measure(fn: () => { instructions: number; check: number }): { ms: number; instructions: number } {
  const warm = fn();
  const times: number[] = [];
  let check = 0;
  for (let i = 0; i < PASSES; i++) {
    const t0 = performance.now();
    const r = fn();
    times.push(performance.now() - t0);
    check += r.check;
  }
  if (check === 0) throw new Error('nothing decoded');
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(PASSES / 2)] as number, instructions: warm.instructions };
}

function objdumpMs(): number | undefined {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const devnull = openSync('/dev/null', 'w');
    const t0 = performance.now();
    const r = spawnSync('objdump', ['-d', FILE], { stdio: ['ignore', devnull, 'ignore'] });
    const ms = performance.now() - t0;
    closeSync(devnull);
    if (r.error !== undefined || r.status !== 0) return undefined;
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[1];
}

const rate = (n: number, ms: number): string => `${(n / ms / 1000).toFixed(2)} M/s`;
const ratio = (x: number, target: number): string => `${x.toFixed(2)}x (target >= ${target}x: ${x >= target ? 'met' : 'not met'})`;

console.log(`bench/decode: ${FILE}, ${sections.map((s) => s.name).join(' ')}: ${(bytes / 1024).toFixed(0)} KiB of code; median of ${PASSES} passes after a warm-up`);
const oursDecode = measure(() => oursPass(false));
const icedDecode = measure(() => icedPass(false));
const oursFormat = measure(() => oursPass(true));
const icedFormat = measure(() => icedPass(true));
const objdump = objdumpMs();

const rows: [string, string, string, string][] = [
  ['decode only', '@legosim/x86', `${oursDecode.ms.toFixed(0)} ms`, rate(oursDecode.instructions, oursDecode.ms)],
  ['decode only', 'iced-x86 decodeOut', `${icedDecode.ms.toFixed(0)} ms`, rate(icedDecode.instructions, icedDecode.ms)],
  ['decode + format', '@legosim/x86 formatAtt', `${oursFormat.ms.toFixed(0)} ms`, rate(oursFormat.instructions, oursFormat.ms)],
  ['decode + format', 'iced-x86 GasFormatter', `${icedFormat.ms.toFixed(0)} ms`, rate(icedFormat.instructions, icedFormat.ms)],
];
if (objdump !== undefined) rows.push(['decode + format', 'objdump -d (process)', `${objdump.toFixed(0)} ms`, rate(oursFormat.instructions, objdump)]);
const widths = [16, 24, 10, 12];
const line = (cells: readonly string[]): string => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
console.log(line(['bench', 'runner', 'wall', 'instr/s']));
for (const r of rows) console.log(line(r));
console.log(`instructions per pass: ours ${oursDecode.instructions}, iced ${icedDecode.instructions}`);
const perMs = (r: { ms: number; instructions: number }): number => r.instructions / r.ms;
console.log(`decode only,     ours / iced:    ${ratio(perMs(oursDecode) / perMs(icedDecode), 5)}`);
console.log(`decode + format, ours / iced:    ${ratio(perMs(oursFormat) / perMs(icedFormat), 3)}`);
if (objdump !== undefined) console.log(`decode + format, ours / objdump: ${ratio(objdump / oursFormat.ms, 2)} (wall time for the whole file)`);
else console.log('objdump: not installed (apt-get install binutils)');
icedIns.free();
icedFormatter.free();

const mps = (r: { ms: number; instructions: number }): number => r.instructions / r.ms / 1000;
recordResults('decode', [
  { bench: 'decode only (busybox .text)', runner: '@legosim/x86', value: mps(oursDecode), unit: 'M instructions/s', better: 'higher', target: 5 * mps(icedDecode), note: 'target: 5x iced-x86' },
  { bench: 'decode only (busybox .text)', runner: 'iced-x86', value: mps(icedDecode), unit: 'M instructions/s', better: 'higher' },
  { bench: 'decode + format (busybox .text)', runner: '@legosim/x86', value: mps(oursFormat), unit: 'M instructions/s', better: 'higher', target: 3 * mps(icedFormat), note: 'target: 3x iced-x86' },
  { bench: 'decode + format (busybox .text)', runner: 'iced-x86', value: mps(icedFormat), unit: 'M instructions/s', better: 'higher' },
  ...(objdump === undefined ? [] : [{ bench: 'decode + format (busybox .text)', runner: 'objdump -d', value: oursFormat.instructions / objdump / 1000, unit: 'M instructions/s', better: 'higher' as const }]),
]);
