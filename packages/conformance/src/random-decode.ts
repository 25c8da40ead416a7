/**
 * Random-bytes differential decoding against iced-x86: seeded byte sequences of 1–15
 * bytes, decoded at 0x401000 by our decoder and by iced-x86 (64-bit mode, default options).
 * Whether the sequence holds a valid instruction and, if so, its length must agree, except
 * for the categories named in test/iced-differences.txt. Shared by test/random-decode.test.ts
 * and bench/random-decode.ts.
 */
import { Decoder as IcedWasmDecoder, DecoderError, DecoderOptions, Instruction as IcedInstruction, Mnemonic as IcedMnemonic } from 'iced-x86';
import { DecodeStatus, Decoder, Instruction, MNEMONIC_NAMES } from '@legosim/x86';
import { formatAtt } from '@legosim/x86/format';

export const RANDOM_IP = 0x401000;

/** mulberry32: a small seeded PRNG, enough to make the byte streams reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export interface Disagreement {
  /** `ours-rejects <iced mnemonic>`, `iced-rejects <our mnemonic>`, `length <our mnemonic>`. */
  readonly key: string;
  count: number;
  /** The first sequence seen, hex. */
  readonly example: string;
  readonly detail: string;
}

export interface RandomSummary {
  readonly sequences: number;
  readonly bothValid: number;
  readonly bothInvalid: number;
  /** Our decoder threw (must be 0): hex of the first one. */
  readonly threw: string[];
  readonly disagreements: Map<string, Disagreement>;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

const ICED_MNEMONIC_NAMES: Map<number, string> = new Map(
  Object.entries(IcedMnemonic)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k.toLowerCase()]),
);

/** Decodes `count` random sequences from `seed` with both decoders and tallies where they disagree. */
export function compareRandom(count: number, seed: number): RandomSummary {
  const next = mulberry32(seed);
  const ours = new Decoder();
  const a = new Instruction();
  const b = new IcedInstruction();
  const buf = new Uint8Array(15);
  const disagreements = new Map<string, Disagreement>();
  const threw: string[] = [];
  let bothValid = 0;
  let bothInvalid = 0;
  const note = (key: string, seq: Uint8Array, detail: string): void => {
    const d = disagreements.get(key);
    if (d !== undefined) d.count++;
    else disagreements.set(key, { key, count: 1, example: hex(seq), detail });
  };
  try {
    for (let i = 0; i < count; i++) {
      const len = 1 + (next() % 15);
      for (let j = 0; j < len; j += 4) {
        const r = next();
        for (let k = 0; k < 4 && j + k < len; k++) buf[j + k] = (r >>> (k * 8)) & 0xff;
      }
      const seq = buf.subarray(0, len);
      let sa: DecodeStatus;
      try {
        sa = ours.decode(seq, 0, len, RANDOM_IP, a);
      } catch (e) {
        threw.push(`${hex(seq)}: ${String(e)}`);
        continue;
      }
      const iced = new IcedWasmDecoder(64, seq, DecoderOptions.None);
      iced.ip = BigInt(RANDOM_IP);
      iced.decodeOut(b);
      const icedOk = iced.lastError === DecoderError.None;
      iced.free();
      const oursOk = sa === DecodeStatus.Ok;
      if (oursOk && icedOk) {
        if (a.length === b.length) bothValid++;
        else note(`length ${MNEMONIC_NAMES[a.mnemonic]}`, seq, `ours ${a.length} bytes (${formatAtt(a)}), iced ${b.length} (${b.toString()})`);
      } else if (!oursOk && !icedOk) {
        bothInvalid++;
      } else if (icedOk) {
        note(`ours-rejects ${ICED_MNEMONIC_NAMES.get(b.mnemonic) ?? b.mnemonic}`, seq, `ours ${sa === DecodeStatus.Invalid ? 'Invalid' : 'NeedMoreBytes'}, iced ${b.length} bytes: ${b.toString()}`);
      } else {
        note(`iced-rejects ${MNEMONIC_NAMES[a.mnemonic]}`, seq, `ours ${a.length} bytes: ${formatAtt(a)}`);
      }
    }
  } finally {
    b.free();
  }
  return { sequences: count, bothValid, bothInvalid, threw, disagreements };
}

/** A category of test/iced-differences.txt: why the decoders disagree, and which keys it covers. */
export interface DifferenceCategory {
  readonly id: string;
  readonly reason: string;
  /** Disagreement keys (`ours-rejects sal`); a trailing `*` matches any suffix. */
  readonly keys: readonly string[];
  /** The recorded count for the test's run (`count: N` line), or undefined. */
  readonly count: number | undefined;
}

/**
 * Parses the differences file: blocks that start with `## id`, then `reason: ...` (may
 * continue on following lines), `keys: k1, k2, ...`, `count: N`, `example: ...`; `#` lines are comments.
 */
export function parseDifferences(text: string): DifferenceCategory[] {
  const out: { id: string; reason: string; keys: string[]; count: number | undefined }[] = [];
  let last = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const cur = out[out.length - 1];
    if (line.startsWith('## ')) {
      out.push({ id: line.slice(3).trim(), reason: '', keys: [], count: undefined });
      last = '';
    } else if (line.startsWith('#') || cur === undefined) {
      // a comment, or text before the first category
    } else if (line.startsWith('reason:')) {
      cur.reason = line.slice(7).trim();
      last = 'reason';
    } else if (line.startsWith('keys:')) {
      cur.keys.push(...line.slice(5).split(',').map((k) => k.trim()).filter((k) => k !== ''));
      last = 'keys';
    } else if (line.startsWith('count:')) {
      cur.count = Number(line.slice(6).trim());
      last = '';
    } else if (line.startsWith('example:')) {
      last = '';
    } else if (/^\s+\S/.test(line) && last === 'reason') {
      cur.reason += ` ${line.trim()}`;
    } else if (/^\s+\S/.test(line) && last === 'keys') {
      cur.keys.push(...line.split(',').map((k) => k.trim()).filter((k) => k !== ''));
    }
  }
  return out;
}

/** The category covering `key`, or undefined. */
export function categoryOf(key: string, categories: readonly DifferenceCategory[]): DifferenceCategory | undefined {
  return categories.find((c) => c.keys.some((k) => (k.endsWith('*') ? key.startsWith(k.slice(0, -1)) : key === k)));
}

export interface CategoryTally {
  readonly id: string;
  count: number;
  /** The most frequent key's first example. */
  example: string;
  top: number;
}

/** Groups a run's disagreements by category; keys no category covers come back in `uncategorized`. */
export function tallyByCategory(s: RandomSummary, categories: readonly DifferenceCategory[]): { byCategory: Map<string, CategoryTally>; uncategorized: Disagreement[] } {
  const byCategory = new Map<string, CategoryTally>();
  const uncategorized: Disagreement[] = [];
  for (const d of s.disagreements.values()) {
    const c = categoryOf(d.key, categories);
    if (c === undefined) {
      uncategorized.push(d);
      continue;
    }
    let t = byCategory.get(c.id);
    if (t === undefined) {
      t = { id: c.id, count: 0, example: '', top: 0 };
      byCategory.set(c.id, t);
    }
    t.count += d.count;
    if (d.count > t.top) {
      t.top = d.count;
      t.example = `${d.example}  (${d.key}: ${d.detail})`;
    }
  }
  return { byCategory, uncategorized };
}

/** One line per disagreement category, most frequent first. */
export function formatSummary(s: RandomSummary): string[] {
  const lines = [
    `${s.sequences} sequences: ${s.bothValid} valid with equal length, ${s.bothInvalid} invalid or truncated in both, ${s.threw.length} threw`,
  ];
  for (const d of [...s.disagreements.values()].sort((x, y) => y.count - x.count)) {
    lines.push(`${String(d.count).padStart(7)}  ${d.key}  e.g. ${d.example}: ${d.detail}`);
  }
  return lines;
}
