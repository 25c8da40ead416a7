/**
 * How fast could any decoder be in bench/decode.ts's loop? Two lower bounds on busybox's
 * executable sections, each measured in a fresh process (so its call site sees one decoder):
 *  - replay: a "decoder" that copies a length computed beforehand by @legosim/x86. No decoding
 *    at all: this is the cost of the loop, the call and the record.
 *  - lengths: a table-driven length decoder for the one- and two-byte opcodes with no prefix
 *    other than 66 and REX (about 95% of busybox's instructions); it replays the others for
 *    free. It finds lengths only: no validity check, no row, no operands.
 * A decoder does more than either, so it cannot be faster than them. The decode-only target of
 * bench/decode.ts (5x iced-x86) is printed beside them as a time per instruction.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DecodeStatus, Decoder, Instruction, type InstructionDecoder, readElfSections } from '@legosim/x86';
import { RESULTS_FILE, recordResults } from './results.js';

const FILE = '/usr/bin/busybox';
const PASSES = 9;
const SHF_EXECINSTR = 4;

/** Length of the instruction at each file offset, as @legosim/x86 decodes it (0: invalid). */
function referenceLengths(file: Uint8Array, sections: { offset: number; size: number }[]): Uint8Array {
  const lengths = new Uint8Array(file.length);
  const dec = new Decoder();
  const ins = new Instruction();
  for (const s of sections) {
    const end = s.offset + s.size;
    for (let off = s.offset; off < end; ) {
      const ok = dec.decode(file, off, end - off, 0, ins) === DecodeStatus.Ok;
      lengths[off] = ok ? ins.length : 0;
      off += ok ? ins.length : 1;
    }
  }
  return lengths;
}

/** The floor of the loop itself: the length is looked up, not decoded. */
class ReplayDecoder implements InstructionDecoder {
  constructor(private readonly lengths: Uint8Array) {}
  decode(bytes: Uint8Array, offset: number, _available: number, ip: number, out: Instruction): DecodeStatus {
    const length = this.lengths[offset] as number;
    if (length === 0) return DecodeStatus.Invalid;
    out.ip = ip;
    out.length = length;
    out.mnemonic = bytes[offset] as number;
    return DecodeStatus.Ok;
  }
}

// Opcode tables for LengthDecoder: bit 0 = a ModRM byte follows; bits 4-7 = the immediate:
// 0 none, 1 imm8, 2 imm16, 3 imm16/32 (by 66), 4 imm16/32/64 (by 66, REX.W: mov r, imm),
// 5 moffs64, 6 not handled here (replayed), 7 imm16 + imm8 (enter), 8 rel32.
const IMM8 = 0x10;
const IMM16 = 0x20;
const IMMZ = 0x30;
const IMMV = 0x40;
const MOFFS = 0x50;
const REPLAY = 0x60;
const ENTER = 0x70;
const REL32 = 0x80;
const ONE_BYTE = new Uint8Array(256);
const TWO_BYTE = new Uint8Array(256).fill(1);
{
  const set = (t: Uint8Array, lo: number, hi: number, v: number): void => {
    t.fill(v, lo, hi + 1);
  };
  const o = ONE_BYTE;
  for (let i = 0; i < 0x40; i += 8) o.set([1, 1, 1, 1, IMM8, IMMZ, REPLAY, REPLAY], i); // ALU ops, then prefixes / invalid
  set(o, 0x40, 0x4f, REPLAY); // REX out of place
  set(o, 0x60, 0x62, REPLAY);
  set(o, 0x64, 0x67, REPLAY);
  o[0x63] = 1;
  o.set([IMMZ, IMMZ | 1, IMM8, IMM8 | 1], 0x68);
  set(o, 0x70, 0x7f, IMM8);
  o.set([IMM8 | 1, IMMZ | 1, REPLAY, IMM8 | 1], 0x80);
  set(o, 0x84, 0x8f, 1);
  o[0x9a] = REPLAY;
  set(o, 0xa0, 0xa3, MOFFS);
  o[0xa8] = IMM8;
  o[0xa9] = IMMZ;
  set(o, 0xb0, 0xb7, IMM8);
  set(o, 0xb8, 0xbf, IMMV);
  o.set([IMM8 | 1, IMM8 | 1, IMM16, 0, REPLAY, REPLAY, IMM8 | 1, IMMZ | 1, ENTER, 0, IMM16, 0, 0, IMM8, REPLAY, 0], 0xc0);
  set(o, 0xd0, 0xd3, 1);
  set(o, 0xd4, 0xd6, REPLAY);
  set(o, 0xd8, 0xdf, 1);
  set(o, 0xe0, 0xe7, IMM8);
  o.set([IMMZ, IMMZ, REPLAY, IMM8], 0xe8);
  o.set([REPLAY, 0, REPLAY, REPLAY, 0, 0, REPLAY, REPLAY], 0xf0); // F6/F7: imm only for /0 and /1
  o[0xfe] = 1;
  o[0xff] = 1;
  const t = TWO_BYTE;
  for (const b of [0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x77, 0xa0, 0xa1, 0xa2, 0xa8, 0xa9, 0xaa]) t[b] = 0;
  set(t, 0xc8, 0xcf, 0);
  set(t, 0x80, 0x8f, REL32);
  for (const b of [0x70, 0x71, 0x72, 0x73, 0xa4, 0xac, 0xba, 0xc2, 0xc4, 0xc5, 0xc6]) t[b] = IMM8 | 1;
  for (const b of [0x01, 0x04, 0x0a, 0x0c, 0x0f, 0x36, 0x38, 0x39, 0x3a, 0x78, 0x7a, 0x7b, 0xb9, 0xff]) t[b] = REPLAY;
  set(t, 0x24, 0x27, REPLAY);
  set(t, 0x3b, 0x3f, REPLAY);
}
/** Bytes after the opcode taken by ModRM, SIB and displacement (64-bit addressing); 0x10: a SIB follows. */
const MODRM_BYTES = new Uint8Array(256);
for (let m = 0; m < 256; m++) {
  const mod = m >> 6;
  const rm = m & 7;
  let n = 1;
  if (mod !== 3) {
    if (rm === 4) n |= 0x10;
    if (mod === 0 && rm === 5) n += 4;
    else if (mod === 1) n += 1;
    else if (mod === 2) n += 4;
  }
  MODRM_BYTES[m] = n;
}

/** Lengths only, from two opcode tables; what they do not cover is replayed at no cost. */
class LengthDecoder implements InstructionDecoder {
  /** How many decodes were replayed (opcodes, prefixes or escapes the tables leave out). */
  replayed = 0;
  constructor(private readonly lengths: Uint8Array) {}
  decode(bytes: Uint8Array, offset: number, _available: number, ip: number, out: Instruction): DecodeStatus {
    let p = offset;
    let b = bytes[p] as number;
    let o16 = false;
    let w = false;
    if (b === 0x66) {
      o16 = true;
      b = bytes[++p] as number;
    }
    if ((b & 0xf0) === 0x40) {
      w = (b & 8) !== 0;
      b = bytes[++p] as number;
    }
    let f = ONE_BYTE[b] as number;
    p++;
    if (b === 0x0f) {
      b = bytes[p++] as number;
      f = TWO_BYTE[b] as number;
    }
    const imm = f & 0xf0;
    if (imm === REPLAY) {
      this.replayed++;
      const length = this.lengths[offset] as number;
      if (length === 0) return DecodeStatus.Invalid;
      p = offset + length;
    } else {
      if ((f & 1) !== 0) {
        const modrm = bytes[p] as number;
        const m = MODRM_BYTES[modrm] as number;
        // a SIB byte; its base 5 with mod 0 means a disp32 and no base
        if ((m & 0x10) !== 0 && ((bytes[++p] as number) & 7) === 5 && modrm < 0x40) p += 4;
        p += m & 15;
      }
      if (imm === IMM8) p += 1;
      else if (imm === IMMZ) p += o16 ? 2 : 4;
      else if (imm === REL32) p += 4;
      else if (imm === IMM16) p += 2;
      else if (imm === IMMV) p += w ? 8 : o16 ? 2 : 4;
      else if (imm === MOFFS) p += 8;
      else if (imm === ENTER) p += 3;
    }
    out.ip = ip;
    out.length = p - offset;
    out.mnemonic = b;
    return DecodeStatus.Ok;
  }
}

/** One timed pass in bench/decode.ts's shape; checks every length against the reference. */
function pass(dec: InstructionDecoder, file: Uint8Array, sections: { offset: number; size: number; addr: number }[], lengths: Uint8Array): number {
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
        if (ins.length !== lengths[off]) throw new Error(`decode-floor: length ${ins.length} at file offset ${off.toString(16)}, expected ${lengths[off]}`);
        off += ins.length;
        check += ins.mnemonic;
      } else {
        off++;
      }
    }
  }
  if (check === 0) throw new Error('decode-floor: nothing decoded');
  return instructions;
}

/** Child: ns per instruction of one variant, median of PASSES after two warm-up passes. */
function child(variant: string): void {
  const file = new Uint8Array(readFileSync(FILE));
  const sections = readElfSections(file).filter((s) => (s.flags & SHF_EXECINSTR) !== 0 && s.type !== 8 && s.size > 0);
  const lengths = referenceLengths(file, sections);
  const dec = variant === 'replay' ? new ReplayDecoder(lengths) : new LengthDecoder(lengths);
  pass(dec, file, sections, lengths);
  let instructions = pass(dec, file, sections, lengths);
  const times: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const t0 = performance.now();
    instructions = pass(dec, file, sections, lengths);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const replayed = dec instanceof LengthDecoder ? dec.replayed / ((PASSES + 2) * instructions) : 1;
  console.log(JSON.stringify({ nsPerInstruction: ((times[PASSES >> 1] as number) * 1e6) / instructions, replayed }));
}

function measure(variant: string): { nsPerInstruction: number; replayed: number } {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--variant', variant], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`decode-floor: the ${variant} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { nsPerInstruction: number; replayed: number };
}

/** iced-x86's decode-only rate from bench/decode.ts's section of results.json, in M instructions/s. */
function icedRate(): number | undefined {
  try {
    const all = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, { results: { bench: string; runner: string; value: number }[] }>;
    return all.decode?.results.find((r) => r.bench.startsWith('decode only') && r.runner === 'iced-x86')?.value;
  } catch {
    return undefined;
  }
}

const variantAt = process.argv.indexOf('--variant');
if (variantAt >= 0) {
  child(process.argv[variantAt + 1] ?? '');
} else if (!existsSync(FILE)) {
  console.log(`bench/decode-floor: ${FILE} is absent (apt-get install busybox-static); skipping`);
} else {
  const replay = measure('replay').nsPerInstruction;
  const { nsPerInstruction: lengths, replayed } = measure('lengths');
  const iced = icedRate();
  console.log(`bench/decode-floor: ${FILE}, the least any decoder can cost in bench/decode.ts's loop (median of ${PASSES} passes, a fresh process each)`);
  console.log(`  replay (no decoding: loop, call, record)      ${replay.toFixed(1)} ns/instruction`);
  console.log(`  lengths only (opcode tables; ${(replayed * 100).toFixed(1)}% replayed)   ${lengths.toFixed(1)} ns/instruction`);
  if (iced !== undefined) console.log(`  decode-only target, 5x iced-x86 (${iced.toFixed(2)} M/s)   ${(1000 / (5 * iced)).toFixed(1)} ns/instruction`);
  recordResults('decode-floor', [
    { bench: 'decoder floor (busybox .text)', runner: 'replay, no decoding', value: replay, unit: 'ns/instruction', better: 'lower', note: 'the loop, the call and the record' },
    { bench: 'decoder floor (busybox .text)', runner: 'lengths only', value: lengths, unit: 'ns/instruction', better: 'lower', note: 'opcode tables; no validity, row or operands' },
    ...(iced === undefined ? [] : [{ bench: 'decoder floor (busybox .text)', runner: 'target: 5x iced-x86', value: 1000 / (5 * iced), unit: 'ns/instruction', better: 'lower' as const }]),
  ]);
}
