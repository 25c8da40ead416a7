import { type Encoding, type Field, type InsnPlan, planInstruction, signed64 } from './encoder.js';
import { AsmError } from './error.js';
import { applyBinary, applyUnary, constValue, type Expr } from './expr.js';
import { Frontend, type Item } from './frontend.js';
import { writeNops } from './nops.js';
import type { Operand } from './operand.js';

export interface AssembleOptions {
  /** Address of the first byte of `.text`, as a canonical signed number (0xffffffff81000000 is -0x7f000000). */
  readonly origin: number;
  /**
   * Symbols defined outside the source: kernel function addresses, per-CPU variable offsets.
   * They behave like symbols `ld` resolves: instructions naming them get full-width fields.
   */
  readonly symbols?: Readonly<Record<string, number>>;
}

export interface AssembledSection {
  readonly name: string;
  /** Canonical signed address of the first byte. */
  readonly address: number;
  readonly bytes: Uint8Array;
}

/** One emitted instruction or data statement: where it is and which source line made it. */
export interface ListingEntry {
  readonly address: number;
  readonly size: number;
  /** Source line (for a statement from a macro, the line of the invocation). */
  readonly line: number;
  readonly section: string;
  /** An instruction as assembled, macro arguments substituted (`movq %r15, R15+0(%rsp)`); '' for data. */
  readonly source: string;
}

export interface AssembleResult {
  /** The bytes of `.text`, to be placed at `origin`. */
  readonly bytes: Uint8Array;
  readonly origin: number;
  /**
   * Every named label (except `.L` labels and numeric local labels) with its canonical address,
   * and every `.set` symbol with its value. The kernel finds its entry points here.
   */
  readonly symbols: Map<string, number>;
  /** Names declared `.globl`/`.global`. */
  readonly globals: ReadonlySet<string>;
  /** All sections in layout order, `.text` first; the others follow it in memory. */
  readonly sections: readonly AssembledSection[];
  readonly listing: readonly ListingEntry[];
  /** The names of `options.symbols` the source actually used. */
  readonly externalsUsed: ReadonlySet<string>;
}

type Entry =
  | { readonly k: 'label'; readonly name: string; readonly line: number }
  | {
      readonly k: 'insn';
      readonly plan: InsnPlan;
      readonly line: number;
      readonly source: string;
      long: boolean;
    }
  | {
      readonly k: 'data';
      readonly size: 1 | 2 | 4 | 8;
      readonly exprs: readonly Expr[];
      readonly line: number;
    }
  | { readonly k: 'bytes'; readonly bytes: Uint8Array; readonly line: number }
  | {
      readonly k: 'align';
      readonly boundary: number;
      readonly fill: number | null;
      readonly max: number;
      readonly line: number;
    };

interface Section {
  readonly name: string;
  code: boolean;
  readonly entries: Entry[];
  align: number;
  base: bigint;
  size: bigint;
  /** Offset of each entry, from the last layout pass. */
  offsets: bigint[];
}

const MAX_PASSES = 64;

/** Assembles GAS (AT&T) source for x86-64. Throws `AsmError` with the line number on any error. */
export function assemble(source: string, options: AssembleOptions): AssembleResult {
  if (!Number.isSafeInteger(options.origin))
    throw new AsmError(0, 'origin must be a safe integer (canonical signed address)');
  const fe = new Frontend().run(source);
  const externals = new Map<string, bigint>();
  for (const [name, v] of Object.entries(options.symbols ?? {})) {
    if (!Number.isSafeInteger(v)) throw new AsmError(0, `external symbol '${name}' is not a safe integer`);
    externals.set(name, BigInt(v));
  }

  // sections and the section of every label, before planning (forward jumps need it)
  const sections = new Map<string, Section>();
  const labelSection = new Map<string, string>();
  const getSection = (name: string, code: boolean): Section => {
    let s = sections.get(name);
    if (s === undefined) {
      s = { name, code, entries: [], align: 1, base: 0n, size: 0n, offsets: [] };
      sections.set(name, s);
    }
    return s;
  };
  {
    let cur = '.text';
    for (const it of fe.items) {
      if (it.k === 'section') cur = it.name;
      else if (it.k === 'label') labelSection.set(it.name, cur);
    }
  }
  let current = getSection('.text', true);
  const sameSection = (e: Expr): boolean => {
    // `label`, `label + n`, `label - n`, `.`, `. + n`: a target GNU as can relax a branch to
    const base = e.k === 'bin' && (e.op === '+' || e.op === '-') && e.b.k === 'num' ? e.a : e;
    if (base.k === 'dot') return true;
    return base.k === 'sym' && labelSection.get(base.name) === current.name;
  };

  // GNU as knows `b - a` while it assembles when both labels are already defined in the same
  // frag (no relaxable branch or alignment between them), and then picks imm8/disp8 forms.
  const frags = new Map<string, { id: number; offset: number }>();
  const fragOf = (name: string): { id: number; offset: number } => {
    let f = frags.get(name);
    if (f === undefined) {
      f = { id: 0, offset: 0 };
      frags.set(name, f);
    }
    return f;
  };
  const labelFrags = new Map<string, { section: string; id: number; offset: number }>();
  let frag = fragOf('.text');
  for (const it of fe.items as Item[]) {
    switch (it.k) {
      case 'section':
        current = getSection(it.name, it.code);
        frag = fragOf(it.name);
        frag.id++;
        frag.offset = 0;
        break;
      case 'label':
        current.entries.push({ k: 'label', name: it.name, line: it.line });
        labelFrags.set(it.name, { section: current.name, id: frag.id, offset: frag.offset });
        break;
      case 'insn': {
        const section = current.name;
        const here = frag;
        const known = (name: string): number | undefined => {
          const l = labelFrags.get(name);
          return l !== undefined && l.section === section && l.id === here.id ? l.offset : undefined;
        };
        const insn = {
          ...it.insn,
          operands: it.insn.operands.map((o) => foldLabelDifferences(o, known, it.line)),
        };
        const plan = planInstruction(insn, it.line, sameSection);
        current.entries.push({ k: 'insn', plan, line: it.line, source: it.source, long: false });
        if (plan.k === 'relax' || plan.variable === true) {
          frag.id++;
          frag.offset = 0;
        } else frag.offset += plan.enc.bytes.length;
        break;
      }
      case 'data':
        current.entries.push({ k: 'data', size: it.size, exprs: it.exprs, line: it.line });
        frag.offset += it.size * it.exprs.length;
        break;
      case 'bytes':
        current.entries.push({ k: 'bytes', bytes: it.bytes, line: it.line });
        frag.offset += it.bytes.length;
        break;
      case 'align':
        frag.id++;
        frag.offset = 0;
        current.align = Math.max(current.align, it.boundary);
        current.entries.push({
          k: 'align',
          boundary: it.boundary,
          fill: it.fill,
          max: it.max,
          line: it.line,
        });
        break;
    }
  }
  const ordered = [...sections.values()].filter((s) => s.name === '.text' || s.entries.length > 0);

  const labels = new Map<string, bigint>();
  const evaluator = new Evaluator(labels, fe.expressions, externals, fe.constants);

  const layout = (): void => {
    let base = BigInt(options.origin);
    for (const s of ordered) {
      const a = BigInt(s.align);
      base += (a - (((base % a) + a) % a)) % a;
      s.base = base;
      let off = 0n;
      s.offsets = [];
      for (const e of s.entries) {
        s.offsets.push(off);
        if (e.k === 'label') labels.set(e.name, base + off);
        off += entrySize(e, base + off);
      }
      s.size = off;
      base += off;
    }
  };

  // relaxation: grow short branches whose target is out of rel8 range until nothing changes
  for (let pass = 0; ; pass++) {
    if (pass > MAX_PASSES) throw new AsmError(0, 'branch relaxation did not converge');
    layout();
    let changed = false;
    for (const s of ordered) {
      s.entries.forEach((e, i) => {
        if (e.k !== 'insn' || e.plan.k !== 'relax' || e.long) return;
        const at = s.base + (s.offsets[i] as bigint);
        const target = evaluator.value(e.plan.target, at, e.line);
        const d = target - (at + BigInt(e.plan.short.bytes.length));
        if (d < -128n || d > 127n) {
          e.long = true;
          changed = true;
        }
      });
    }
    if (!changed) break;
  }

  // emit
  const listing: ListingEntry[] = [];
  const out: AssembledSection[] = [];
  for (const s of ordered) {
    const bytes = new Uint8Array(Number(s.size));
    s.entries.forEach((e, i) => {
      const off = s.offsets[i] as bigint;
      const at = s.base + off;
      const o = Number(off);
      switch (e.k) {
        case 'label':
          return;
        case 'insn': {
          const enc = e.plan.k === 'fixed' ? e.plan.enc : e.long ? e.plan.long : e.plan.short;
          bytes.set(enc.bytes, o);
          for (const f of enc.fields) writeField(bytes, o, f, enc, at, evaluator, e.line);
          listing.push({
            address: Number(at),
            size: enc.bytes.length,
            line: e.line,
            section: s.name,
            source: e.source,
          });
          return;
        }
        case 'data': {
          e.exprs.forEach((x, j) => {
            const v = evaluator.value(x, at + BigInt(j * e.size), e.line);
            if (e.size === 4 && constValue(x, e.line) === undefined) checkUnsigned32(v, e.line, 'value');
            else checkRange(v, e.size, false, e.line, 'value');
            writeLE(bytes, o + j * e.size, v, e.size);
          });
          listing.push({
            address: Number(at),
            size: e.size * e.exprs.length,
            line: e.line,
            section: s.name,
            source: '',
          });
          return;
        }
        case 'bytes':
          bytes.set(e.bytes, o);
          return;
        case 'align': {
          const n = Number(entrySize(e, at));
          if (n === 0) return;
          // GAS pads code with NOP instructions, also when the fill byte asked for is 0x90 (nop)
          if (s.code && (e.fill === null || e.fill === 0x90)) writeNops(bytes, o, n);
          else if (e.fill !== null) bytes.fill(e.fill, o, o + n);
          return;
        }
      }
    });
    out.push({ name: s.name, address: Number(s.base), bytes });
  }

  const symbols = new Map<string, number>();
  for (const [name, v] of labels) if (isPublicName(name)) symbols.set(name, Number(v));
  for (const [name, v] of fe.constants) if (isPublicName(name) && safe(v)) symbols.set(name, Number(v));
  for (const name of fe.expressions.keys()) {
    if (!isPublicName(name)) continue;
    const v = evaluator.value({ k: 'sym', name }, 0n, 0);
    if (safe(v)) symbols.set(name, Number(v));
  }
  for (const [g, line] of fe.globals) {
    if (!symbols.has(g) && !externals.has(g))
      throw new AsmError(line, `.globl symbol '${g}' is never defined`);
  }
  const text = out[0] as AssembledSection;
  return {
    bytes: text.bytes,
    origin: options.origin,
    symbols,
    globals: new Set(fe.globals.keys()),
    sections: out,
    listing,
    externalsUsed: evaluator.externalsUsed,
  };
}

/** `c + Σ k·label`, or undefined when the expression is not linear in labels known now. */
interface Linear {
  c: bigint;
  terms: Map<string, bigint>;
}

function linear(e: Expr, known: (name: string) => number | undefined, line: number): Linear | undefined {
  switch (e.k) {
    case 'num':
      return { c: e.v, terms: new Map() };
    case 'sym': {
      if (known(e.name) === undefined) return undefined;
      return { c: 0n, terms: new Map([[e.name, 1n]]) };
    }
    case 'dot':
      return undefined;
    case 'un': {
      const x = linear(e.e, known, line);
      if (x === undefined) return undefined;
      if (e.op === '-') return { c: -x.c, terms: new Map([...x.terms].map(([n, k]) => [n, -k])) };
      return x.terms.size === 0 ? { c: applyUnary(e.op, x.c), terms: x.terms } : undefined;
    }
    case 'bin': {
      const a = linear(e.a, known, line);
      const b = a === undefined ? undefined : linear(e.b, known, line);
      if (a === undefined || b === undefined) return undefined;
      if (e.op === '+' || e.op === '-') {
        const sign = e.op === '+' ? 1n : -1n;
        const terms = new Map(a.terms);
        for (const [n, k] of b.terms) terms.set(n, (terms.get(n) ?? 0n) + sign * k);
        return { c: a.c + sign * b.c, terms };
      }
      if (e.op === '*' && (a.terms.size === 0 || b.terms.size === 0)) {
        const [scalar, other] = a.terms.size === 0 ? [a.c, b] : [b.c, a];
        return { c: scalar * other.c, terms: new Map([...other.terms].map(([n, k]) => [n, k * scalar])) };
      }
      if (a.terms.size === 0 && b.terms.size === 0)
        return { c: applyBinary(e.op, a.c, b.c, line), terms: a.terms };
      return undefined;
    }
  }
}

/** Replaces an operand expression that is a difference of labels GNU as already knows by its value. */
function foldLabelDifferences(
  op: Operand,
  known: (name: string) => number | undefined,
  line: number,
): Operand {
  const fold = (e: Expr): Expr => {
    if (constValue(e, line) !== undefined) return e;
    const l = linear(e, known, line);
    if (l === undefined) return e;
    let sum = 0n;
    let v = l.c;
    for (const [name, k] of l.terms) {
      sum += k;
      v += k * BigInt(known(name) as number);
    }
    return sum === 0n ? { k: 'num', v: BigInt.asIntN(64, v) } : e;
  };
  if (op.kind === 'imm') return { kind: 'imm', expr: fold(op.expr) };
  if (op.kind === 'mem' && op.disp !== null && !op.bare) return { ...op, disp: fold(op.disp) };
  return op;
}

function safe(v: bigint): boolean {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
}

/** The digits of a numeric local label's internal name (see Frontend.localRef), or undefined. */
function localLabelDigits(name: string): string | undefined {
  if (!name.startsWith('\u0002L')) return undefined;
  const end = name.indexOf('\u0001');
  return end < 0 ? undefined : name.slice(2, end);
}

function isPublicName(name: string): boolean {
  return !name.startsWith('\u0002') && !name.startsWith('.L');
}

function entrySize(e: Entry, at: bigint): bigint {
  switch (e.k) {
    case 'label':
      return 0n;
    case 'insn':
      return BigInt(
        e.plan.k === 'fixed'
          ? e.plan.enc.bytes.length
          : e.long
            ? e.plan.long.bytes.length
            : e.plan.short.bytes.length,
      );
    case 'data':
      return BigInt(e.size * e.exprs.length);
    case 'bytes':
      return BigInt(e.bytes.length);
    case 'align': {
      const a = BigInt(e.boundary);
      const rem = ((at % a) + a) % a;
      const pad = rem === 0n ? 0n : a - rem;
      return pad > BigInt(e.max) ? 0n : pad;
    }
  }
}

/** Resolves expressions once every label has an address. */
class Evaluator {
  private readonly busy = new Set<string>();
  readonly externalsUsed = new Set<string>();
  constructor(
    private readonly labels: ReadonlyMap<string, bigint>,
    private readonly sets: ReadonlyMap<string, Expr>,
    private readonly externals: ReadonlyMap<string, bigint>,
    private readonly constants: ReadonlyMap<string, bigint>,
  ) {}

  value(e: Expr, dot: bigint, line: number): bigint {
    switch (e.k) {
      case 'num':
        return e.v;
      case 'dot':
        return dot;
      case 'un':
        return applyUnary(e.op, this.value(e.e, dot, line));
      case 'bin':
        return applyBinary(e.op, this.value(e.a, dot, line), this.value(e.b, dot, line), line);
      case 'sym': {
        const l = this.labels.get(e.name);
        if (l !== undefined) return l;
        const c = this.constants.get(e.name);
        if (c !== undefined) return c;
        const s = this.sets.get(e.name);
        if (s !== undefined) {
          if (this.busy.has(e.name))
            throw new AsmError(line, `symbol '${e.name}' is defined in terms of itself`);
          this.busy.add(e.name);
          try {
            return this.value(s, dot, line);
          } finally {
            this.busy.delete(e.name);
          }
        }
        const x = this.externals.get(e.name);
        if (x !== undefined) {
          this.externalsUsed.add(e.name);
          return x;
        }
        const local = localLabelDigits(e.name);
        throw new AsmError(
          line,
          local !== undefined ? `undefined local label '${local}f'` : `undefined symbol '${e.name}'`,
        );
      }
    }
  }
}

function checkRange(v: bigint, size: number, signedOnly: boolean, line: number, what: string): void {
  if (size === 8) {
    if (v < -(1n << 63n) || v >= 1n << 64n) throw new AsmError(line, `${what} out of range`);
    return;
  }
  const bits = BigInt(size * 8);
  const lo = -(1n << (bits - 1n));
  const hi = signedOnly ? 1n << (bits - 1n) : 1n << bits;
  if (v < lo || v >= hi) {
    throw new AsmError(
      line,
      `${what} 0x${BigInt.asUintN(64, v).toString(16)} does not fit in ${size} byte${size > 1 ? 's' : ''}${signedOnly ? ' (signed)' : ''}`,
    );
  }
}

function checkUnsigned32(v: bigint, line: number, what: string): void {
  if (v < 0n || v >= 1n << 32n) {
    throw new AsmError(
      line,
      `${what} 0x${BigInt.asUintN(64, v).toString(16)} does not fit in 4 bytes (zero-extended)`,
    );
  }
}

function writeLE(out: Uint8Array, at: number, v: bigint, size: number): void {
  let u = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    out[at + i] = Number(u & 0xffn);
    u >>= 8n;
  }
}

function writeField(
  out: Uint8Array,
  insnOff: number,
  f: Field,
  enc: Encoding,
  insnAddr: bigint,
  ev: Evaluator,
  line: number,
): void {
  const end = insnAddr + BigInt(enc.bytes.length);
  let v = ev.value(f.expr, insnAddr, line);
  // 64-bit wrap-around, as GAS computes (`$0xffffffffffffffe0` in an imm8 field is -32)
  if (f.size < 8 && f.kind !== 'rel') v = signed64(v);
  // an imm8 sign-extended to a 16/32-bit operation may be written as its extended value
  // (objdump prints `sub $0xffffff80,%edx`), as GAS accepts
  const osize = enc.form.osize;
  if (
    f.kind === 'simm' &&
    f.size === 1 &&
    (osize === 2 || osize === 4) &&
    v >= 0n &&
    v < 1n << BigInt(osize * 8)
  )
    v = BigInt.asIntN(osize * 8, v);
  switch (f.kind) {
    case 'rel':
      v -= end;
      checkRange(v, f.size, true, line, 'branch displacement');
      break;
    case 'rip':
      // `8(%rip)` is a displacement; `sym(%rip)` is an address the field reaches from the next instruction
      if (constValue(f.expr, line) === undefined) v -= end;
      checkRange(v, 4, true, line, '%rip-relative displacement');
      break;
    case 'disp':
    case 'simm':
      checkRange(v, f.size, true, line, f.kind === 'disp' ? 'displacement' : 'immediate');
      break;
    case 'imm':
    case 'uimm':
      // a link-time value in a 32-bit field is R_X86_64_32: zero-extended, so it must be unsigned
      if (f.size === 4 && constValue(f.expr, line) === undefined) checkUnsigned32(v, line, 'immediate');
      else checkRange(v, f.size, false, line, 'immediate');
      break;
  }
  writeLE(out, insnOff + f.at, v, f.size);
}
