// The assembler reads back what the formatter prints: every instruction of a real static
// executable (Debian's busybox-static, ≈400 000 instructions of glibc, busybox and
// hand-written SSE/AVX2/AVX-512 string functions) is decoded, formatted as objdump prints it,
// assembled at its own address and compared with the original bytes. Where the bytes differ
// (GNU as would pick another encoding for the same text: `je 0x401012` names an absolute
// target, so it is a rel32 branch), GNU as assembling the same text at the same address is the
// reference. What neither explains is listed, with a reason, in asm-busybox-differences.txt.
// The host's libc.so.6 (≈337 000 instructions, more AVX-512) gets the same treatment when present.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { Decoder } from '../src/decoder.js';
import { readElfSections, SHF_EXECINSTR } from '../src/elf-sections.js';
import { formatAtt } from '../src/format/index.js';
import { DecodeStatus, Instruction, OpKind } from '../src/instruction.js';
import { gasAssembleAt } from './asm-support/gas.js';

const BUSYBOX = '/bin/busybox';
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';
const DIFFERENCES = join(import.meta.dirname, 'asm-busybox-differences.txt');

function have(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missing = !existsSync(BUSYBOX)
  ? `${BUSYBOX} is absent (install busybox-static)`
  : !have('as', ['--version']) || !have('ld', ['--version'])
    ? 'GNU as/ld are absent (install binutils)'
    : undefined;
if (missing !== undefined) console.warn(`asm-busybox: skipped, ${missing}`);

/** One instruction whose text our assembler does not turn back into the original bytes. */
interface Mismatch {
  readonly address: number;
  readonly text: string;
  readonly original: Uint8Array;
  /** Our bytes, or the assembler's error. */
  readonly ours: Uint8Array | string;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Decodes, formats and reassembles every instruction of the executable sections. */
function roundTrip(file: Uint8Array): {
  count: number;
  identical: number;
  mismatches: Mismatch[];
  base: number;
} {
  const sections = readElfSections(file).filter((s) => s.type === 1 && (s.flags & SHF_EXECINSTR) !== 0);
  const decoder = new Decoder();
  const insn = new Instruction();
  // the bytes of an instruction without a branch target do not depend on its address
  const byText = new Map<string, Uint8Array | string>();
  const mismatches: Mismatch[] = [];
  let count = 0;
  let identical = 0;
  for (const sec of sections) {
    let off = 0;
    while (off < sec.size) {
      const address = sec.addr + off;
      if (decoder.decode(file, sec.offset + off, sec.size - off, address, insn) !== DecodeStatus.Ok) {
        off++; // (bad): objdump-diff.test.ts pins these; nothing to assemble
        continue;
      }
      const original = file.subarray(sec.offset + off, sec.offset + off + insn.length);
      off += insn.length;
      count++;
      // a stripped file: objdump prints branch targets as `0x401012`, which as reads back
      const text = formatAtt(insn, { bareAddresses: false });
      let branch = false;
      for (let k = 0; k < insn.opCount; k++) if (insn.opKind[k] === OpKind.NearBranch) branch = true;
      let ours = branch ? undefined : byText.get(text);
      if (ours === undefined) {
        try {
          ours = assemble(text, { origin: address }).bytes;
        } catch (e) {
          ours = (e as Error).message;
        }
        if (!branch) byText.set(text, ours);
      }
      if (typeof ours !== 'string' && sameBytes(ours, original)) identical++;
      else mismatches.push({ address, text, original: original.slice(), ours });
    }
  }
  return { count, identical, mismatches, base: Math.min(...sections.map((s) => s.addr)) };
}

/** `regex | reason` lines: the differences we know and why they stay. */
function readDifferences(): { pattern: RegExp; source: string; reason: string }[] {
  const out: { pattern: RegExp; source: string; reason: string }[] = [];
  for (const line of readFileSync(DIFFERENCES, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const bar = line.indexOf(' | ');
    if (bar < 0) throw new Error(`asm-busybox-differences.txt: no ' | reason' in: ${line}`);
    const source = line.slice(0, bar).trim();
    out.push({ pattern: new RegExp(source), source, reason: line.slice(bar + 3).trim() });
  }
  return out;
}

describe.skipIf(missing !== undefined)('assembling what the formatter prints', () => {
  const differences = readDifferences();
  // how many instructions each entry explained, over all binaries
  const listed = new Map<string, number>(differences.map((d) => [d.source, 0]));

  const check = (name: string, path: string): void => {
    const started = performance.now();
    const file = new Uint8Array(readFileSync(path));
    const { count, identical, mismatches, base } = roundTrip(file);
    const reference = gasAssembleAt(mismatches, base);
    const explained = new Map<string, number>();

    let sameAsGas = 0;
    const sameAsGasBy = new Map<string, number>(); // by mnemonic, for the summary
    const unexplained: string[] = [];
    mismatches.forEach((m, i) => {
      const gas = reference[i] as Uint8Array | string;
      const ours = typeof m.ours === 'string' ? m.ours : hex(m.ours);
      if (typeof gas !== 'string' && typeof m.ours !== 'string' && sameBytes(gas, m.ours)) {
        sameAsGas++;
        const word = m.text.split(/\s+/)[0] as string;
        sameAsGasBy.set(word, (sameAsGasBy.get(word) ?? 0) + 1);
        return;
      }
      const known = differences.find((d) => d.pattern.test(m.text));
      if (known !== undefined) {
        listed.set(known.source, (listed.get(known.source) ?? 0) + 1);
        explained.set(known.source, (explained.get(known.source) ?? 0) + 1);
        return;
      }
      const want = typeof gas === 'string' ? gas : hex(gas);
      unexplained.push(
        `${m.address.toString(16)}: ${m.text} | original ${hex(m.original)}, GNU as ${want}, ours ${ours}`,
      );
    });
    const summary = [
      `${name}: ${count} instructions; ${identical} assemble to the original bytes, ${sameAsGas} to what GNU as gives`,
      `  GNU as's choice, by mnemonic: ${[...sameAsGasBy]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([w, n]) => `${w} ${n}`)
        .join(', ')}`,
      ...differences.map((d) => `  ${explained.get(d.source) ?? 0} listed: ${d.source} (${d.reason})`),
      `  ${unexplained.length} unexplained; ${Math.round(performance.now() - started)} ms`,
    ];
    console.log(summary.join('\n'));
    if (unexplained.length > 0) {
      const report = join(tmpdir(), `asm-roundtrip-unexplained-${name}.txt`);
      writeFileSync(report, `${unexplained.join('\n')}\n`);
      console.log(`all ${unexplained.length} unexplained differences: ${report}`);
    }

    expect(count).toBeGreaterThan(300_000);
    expect(unexplained.slice(0, 50)).toEqual([]);
  };

  it('busybox: gives the original bytes, or exactly what GNU as gives for the same text', () => {
    check('busybox', BUSYBOX);
  }, 180_000);

  it.skipIf(!existsSync(LIBC))(
    'libc.so.6: gives the original bytes, or what GNU as gives',
    () => {
      check('libc.so.6', LIBC);
    },
    180_000,
  );

  // runs after the binaries (tests of a file run in order): an entry nothing needed any more
  // is stale, the assembler (or the formatter) was fixed
  it('lists no difference that no instruction needs', () => {
    expect([...listed].filter(([, n]) => n === 0).map(([source]) => source)).toEqual([]);
  });
});
