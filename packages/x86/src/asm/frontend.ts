import { AsmError } from './error.js';
import { constValue, type Expr, parseExpr, type SymbolNamer, substitute, TokenCursor } from './expr.js';
import { Tok, type Token, tokenize } from './lexer.js';
import { type Operand, parseOperand } from './operand.js';
import { type SourceLine, splitStatements } from './source.js';

/** An instruction as written: prefixes, mnemonic, operands in AT&T order (source first). */
export interface ParsedInsn {
  readonly prefixes: readonly string[];
  readonly mnemonic: string;
  readonly operands: readonly Operand[];
  /** AVX-512 `{sae}` or `{rn-sae}`..`{rz-sae}`, written as an operand of its own. */
  readonly rounding?: string;
}

/** What the front end hands to layout: statements with macros, conditionals and `.set` resolved. */
export type Item =
  | { readonly k: 'section'; readonly line: number; readonly name: string; readonly code: boolean }
  | { readonly k: 'label'; readonly line: number; readonly name: string }
  /** `source`: the statement as assembled, after macro arguments were substituted. */
  | { readonly k: 'insn'; readonly line: number; readonly insn: ParsedInsn; readonly source: string }
  | {
      readonly k: 'data';
      readonly line: number;
      readonly size: 1 | 2 | 4 | 8;
      readonly exprs: readonly Expr[];
    }
  | { readonly k: 'bytes'; readonly line: number; readonly bytes: Uint8Array }
  /** `boundary` is a power of two; `fill` null means "NOPs in code, zeros elsewhere". */
  | {
      readonly k: 'align';
      readonly line: number;
      readonly boundary: number;
      readonly fill: number | null;
      readonly max: number;
    };

export interface FrontendResult {
  readonly items: Item[];
  /** `.set`/`=`/`.equ` symbols whose value is a plain number, as last defined. */
  readonly constants: Map<string, bigint>;
  /** `.set` symbols defined by an expression over labels or externals (last definition). */
  readonly expressions: Map<string, Expr>;
  /** `.globl` names and the line that declared each. */
  readonly globals: Map<string, number>;
  readonly labels: Set<string>;
}

interface Macro {
  readonly name: string;
  readonly params: readonly { name: string; def: string; req: boolean; vararg: boolean }[];
  readonly body: readonly SourceLine[];
}

interface Cond {
  /** This branch is being assembled. */
  active: boolean;
  /** Some branch of this .if was already taken. */
  taken: boolean;
  /** The enclosing context was active. */
  parentActive: boolean;
}

const DATA_SIZES: Record<string, 1 | 2 | 4 | 8> = {
  '.byte': 1,
  '.short': 2,
  '.word': 2,
  '.hword': 2,
  '.value': 2,
  '.2byte': 2,
  '.long': 4,
  '.int': 4,
  '.4byte': 4,
  '.quad': 8,
  '.8byte': 8,
};

const IGNORED = new Set([
  '.type',
  '.size',
  '.file',
  '.ident',
  '.loc',
  '.code64',
  '.att_syntax',
  '.hidden',
  '.protected',
  '.internal',
  '.local',
  '.warning',
  '.cfi_startproc',
  '.cfi_endproc',
  '.cfi_sections',
  '.previous_cfi',
]);

const INSN_PREFIXES = new Set([
  'lock',
  'rep',
  'repe',
  'repz',
  'repne',
  'repnz',
  'data16',
  'addr32',
  'data32',
  'rex',
  'rex64',
  'notrack',
  'bnd',
  'es',
  'cs',
  'ss',
  'ds',
  'fs',
  'gs',
]);

const PSEUDO_PREFIXES = new Set(['evex', 'vex', 'vex3']);
const ROUNDING = new Set(['sae', 'rn-sae', 'rd-sae', 'ru-sae', 'rz-sae']);

const MAX_EXPANSION_DEPTH = 100;

/** Reads GAS source into layout items. */
export class Frontend implements SymbolNamer {
  private readonly items: Item[] = [];
  private readonly constants = new Map<string, bigint>();
  private readonly expressions = new Map<string, Expr>();
  private readonly globals = new Map<string, number>();
  private readonly labels = new Set<string>();
  private readonly macros = new Map<string, Macro>();
  private readonly conds: Cond[] = [];
  private readonly localCount = new Map<string, number>();
  private sectionStack: { name: string; code: boolean }[] = [];
  private section = { name: '.text', code: true };
  private previous = { name: '.text', code: true };
  private macroCounter = 0;
  private anon = 0;
  private line = 0;

  run(source: string): FrontendResult {
    const lines = splitStatements(source);
    this.items.push({ k: 'section', line: 1, name: '.text', code: true });
    this.processLines(lines, 0);
    if (this.conds.length > 0) throw new AsmError(this.line, '.if without .endif');
    return {
      items: this.items,
      constants: this.constants,
      expressions: this.expressions,
      globals: this.globals,
      labels: this.labels,
    };
  }

  // SymbolNamer: numeric local labels become unique internal names.
  localRef(digits: string, forward: boolean): string {
    const n = this.localCount.get(digits) ?? 0;
    if (!forward && n === 0) throw new AsmError(this.line, `undefined local label '${digits}b'`);
    return `\u0002L${digits}\u0001${forward ? n + 1 : n}`;
  }

  private get active(): boolean {
    const top = this.conds[this.conds.length - 1];
    return top === undefined || top.active;
  }

  private processLines(lines: readonly SourceLine[], depth: number): void {
    if (depth > MAX_EXPANSION_DEPTH) throw new AsmError(this.line, 'macro or .rept nesting too deep');
    let i = 0;
    while (i < lines.length) {
      const sl = lines[i] as SourceLine;
      i++;
      this.line = sl.line;
      const first = firstWord(sl.text).toLowerCase();
      // conditionals are tracked even while skipping
      if (first.startsWith('.if')) {
        this.beginIf(first, sl.text.trim().slice(first.length));
        continue;
      }
      if (first === '.else' || first === '.elseif') {
        const top = this.conds[this.conds.length - 1];
        if (top === undefined) throw new AsmError(sl.line, `${first} without .if`);
        if (first === '.else') {
          top.active = top.parentActive && !top.taken;
          top.taken = true;
        } else {
          const want =
            top.parentActive && !top.taken && this.evalCond('.if', sl.text.trim().slice(first.length));
          top.active = want;
          top.taken ||= want;
        }
        continue;
      }
      if (first === '.endif') {
        if (this.conds.pop() === undefined) throw new AsmError(sl.line, '.endif without .if');
        continue;
      }
      if (first === '.macro') {
        const end = findEnd(lines, i, ['.macro'], '.endm', sl.line);
        if (this.active) this.defineMacro(sl, lines.slice(i, end));
        i = end + 1;
        continue;
      }
      if (first === '.rept' || first === '.irp' || first === '.irpc') {
        const end = findEnd(lines, i, ['.rept', '.irp', '.irpc'], '.endr', sl.line);
        if (this.active) this.expandRepeat(first, sl, lines.slice(i, end), depth);
        i = end + 1;
        continue;
      }
      if (first === '.endm' || first === '.endr')
        throw new AsmError(sl.line, `${first} without a matching start`);
      if (!this.active) continue;
      this.statement(sl, depth);
    }
  }

  private evalCond(kind: string, rest: string): boolean {
    const arg = rest.trim();
    switch (kind) {
      case '.ifdef':
        return this.isDefined(arg);
      case '.ifndef':
      case '.ifnotdef':
        return !this.isDefined(arg);
      case '.ifb':
        return arg === '';
      case '.ifnb':
        return arg !== '';
      case '.ifc':
      case '.ifnc': {
        const parts = splitArgs(arg, true);
        if (parts.length !== 2) throw new AsmError(this.line, `${kind} needs two strings`);
        const eq = unquote(parts[0] as string) === unquote(parts[1] as string);
        return kind === '.ifc' ? eq : !eq;
      }
      default:
        break;
    }
    const v = this.absolute(arg, kind);
    switch (kind) {
      case '.if':
      case '.ifne':
        return v !== 0n;
      case '.ifeq':
        return v === 0n;
      case '.ifge':
        return v >= 0n;
      case '.ifgt':
        return v > 0n;
      case '.ifle':
        return v <= 0n;
      case '.iflt':
        return v < 0n;
      default:
        throw new AsmError(this.line, `unknown directive '${kind}'`);
    }
  }

  private beginIf(kind: string, rest: string): void {
    const parentActive = this.active;
    const v = parentActive ? this.evalCond(kind, rest) : false;
    this.conds.push({ active: parentActive && v, taken: v, parentActive });
  }

  private isDefined(name: string): boolean {
    return this.labels.has(name) || this.constants.has(name) || this.expressions.has(name);
  }

  /** Parses `text` as an expression that must be a number now (counts, alignments, .if). */
  private absolute(text: string, what: string): bigint {
    const cur = new TokenCursor(tokenize(text, this.line), this.line);
    const e = this.expr(cur);
    if (!cur.atEnd()) throw new AsmError(this.line, `junk after expression in ${what}: '${text.trim()}'`);
    const v = constValue(e, this.line);
    if (v === undefined) throw new AsmError(this.line, `${what} needs an absolute expression`);
    return v;
  }

  /** Parses an expression and substitutes the current values of `.set` symbols. */
  private expr(cur: TokenCursor): Expr {
    const e = parseExpr(cur, this);
    return substitute(e, (name) => {
      const c = this.constants.get(name);
      if (c !== undefined) return { k: 'num', v: c };
      return this.expressions.get(name);
    });
  }

  private defineMacro(head: SourceLine, body: SourceLine[]): void {
    const rest = head.text.trim().slice('.macro'.length).trim();
    const m = /^([A-Za-z_.$][\w.$]*)\s*,?\s*(.*)$/.exec(rest);
    if (!m) throw new AsmError(head.line, '.macro needs a name');
    const name = m[1] as string;
    const params = splitArgs(m[2] as string, false).map((p) => {
      const pm = /^([A-Za-z_][\w]*)\s*(?::\s*(req|vararg))?\s*(?:=\s*(.*))?$/.exec(p.trim());
      if (!pm) throw new AsmError(head.line, `bad macro parameter '${p}'`);
      return { name: pm[1] as string, def: pm[3] ?? '', req: pm[2] === 'req', vararg: pm[2] === 'vararg' };
    });
    this.macros.set(name.toLowerCase(), { name, params, body });
  }

  private invokeMacro(mac: Macro, argText: string, sl: SourceLine, depth: number): void {
    const args = splitArgs(argText, false);
    const values = new Map<string, string>();
    let pos = 0;
    for (let ai = 0; ai < args.length; ai++) {
      const a = args[ai] as string;
      const kw = /^([A-Za-z_]\w*)\s*=(.*)$/s.exec(a);
      if (kw && mac.params.some((p) => p.name === kw[1])) {
        values.set(kw[1] as string, (kw[2] as string).trim());
        continue;
      }
      const p = mac.params[pos];
      if (p === undefined) throw new AsmError(sl.line, `too many arguments to macro '${mac.name}'`);
      if (p.vararg) {
        values.set(p.name, args.slice(ai).join(', '));
        pos++;
        break;
      }
      values.set(p.name, a);
      pos++;
    }
    for (const p of mac.params) {
      if (!values.has(p.name)) {
        if (p.req)
          throw new AsmError(
            sl.line,
            `missing value for required parameter '${p.name}' of macro '${mac.name}'`,
          );
        values.set(p.name, p.def);
      }
    }
    const counter = String(this.macroCounter++);
    const body = mac.body.map((b) => ({ text: substituteArgs(b.text, values, counter), line: sl.line }));
    this.processLines(body, depth + 1);
  }

  private expandRepeat(kind: string, head: SourceLine, body: SourceLine[], depth: number): void {
    const rest = head.text.trim().slice(kind.length).trim();
    const at = (b: SourceLine): SourceLine => ({ text: b.text, line: head.line });
    if (kind === '.rept') {
      const count = this.absolute(rest, '.rept');
      for (let n = 0n; n < count; n++) this.processLines(body.map(at), depth + 1);
      return;
    }
    const m = /^([A-Za-z_]\w*)\s*,?\s*(.*)$/s.exec(rest);
    if (!m) throw new AsmError(head.line, `${kind} needs a symbol`);
    const sym = m[1] as string;
    const items = kind === '.irp' ? splitArgs(m[2] as string, false) : [...(m[2] as string).trim()];
    for (const v of items) {
      const vals = new Map([[sym, v]]);
      this.processLines(
        body.map((b) => ({ text: substituteArgs(b.text, vals, ''), line: head.line })),
        depth + 1,
      );
    }
  }

  private statement(sl: SourceLine, depth: number): void {
    let text = sl.text;
    // labels: `name:` and `1:` (possibly several)
    for (;;) {
      const m = /^\s*([A-Za-z_.$][\w.$]*|[0-9]+)\s*:(?!:)/.exec(text);
      if (!m) break;
      this.defineLabel(m[1] as string);
      text = text.slice(m[0].length);
    }
    if (text.trim() === '') return;
    // assignment: `sym = expr`
    const asg = /^\s*([A-Za-z_.$][\w.$]*)\s*=(?!=)(.*)$/s.exec(text);
    if (asg) {
      this.assign(asg[1] as string, asg[2] as string, false);
      return;
    }
    const word = firstWord(text);
    const rest = text.trim().slice(word.length);
    const lower = word.toLowerCase();
    const mac = this.macros.get(lower);
    if (mac !== undefined) {
      this.invokeMacro(mac, rest, sl, depth);
      return;
    }
    if (lower.startsWith('.')) {
      this.directive(lower, rest);
      return;
    }
    this.instruction(text);
  }

  private defineLabel(name: string): void {
    if (/^[0-9]+$/.test(name)) {
      const n = (this.localCount.get(name) ?? 0) + 1;
      this.localCount.set(name, n);
      this.items.push({ k: 'label', line: this.line, name: `\u0002L${name}\u0001${n}` });
      return;
    }
    if (this.labels.has(name)) throw new AsmError(this.line, `symbol '${name}' is already defined`);
    if (this.constants.has(name) || this.expressions.has(name)) {
      throw new AsmError(this.line, `symbol '${name}' is already defined by .set`);
    }
    this.labels.add(name);
    this.items.push({ k: 'label', line: this.line, name });
  }

  private assign(name: string, exprText: string, once: boolean): void {
    if (this.labels.has(name))
      throw new AsmError(this.line, `symbol '${name}' is already defined as a label`);
    if (once && (this.constants.has(name) || this.expressions.has(name))) {
      throw new AsmError(this.line, `symbol '${name}' is already defined`);
    }
    const cur = new TokenCursor(tokenize(exprText, this.line), this.line);
    let e = this.expr(cur);
    if (!cur.atEnd()) throw new AsmError(this.line, `junk after expression: '${exprText.trim()}'`);
    if (containsDot(e)) {
      const here = `\u0002dot${this.anon++}`;
      this.items.push({ k: 'label', line: this.line, name: here });
      e = replaceDot(e, here);
    }
    const v = constValue(e, this.line);
    if (v !== undefined) {
      this.expressions.delete(name);
      this.constants.set(name, v);
    } else {
      this.constants.delete(name);
      this.expressions.set(name, e);
    }
  }

  private exprList(rest: string): Expr[] {
    const cur = new TokenCursor(tokenize(rest, this.line), this.line);
    const out: Expr[] = [];
    if (cur.atEnd()) return out;
    for (;;) {
      out.push(this.expr(cur));
      if (cur.atEnd()) return out;
      cur.expectPunct(',');
    }
  }

  private setSection(name: string, code: boolean): void {
    this.previous = this.section;
    this.section = { name, code };
    this.items.push({ k: 'section', line: this.line, name, code });
  }

  private directive(name: string, rest: string): void {
    const line = this.line;
    const size = DATA_SIZES[name];
    if (size !== undefined) {
      this.items.push({ k: 'data', line, size, exprs: this.exprList(rest) });
      return;
    }
    switch (name) {
      case '.text':
        this.setSection('.text', true);
        return;
      case '.data':
        this.setSection('.data', false);
        return;
      case '.bss':
        this.setSection('.bss', false);
        return;
      case '.section':
      case '.pushsection': {
        const parts = splitArgs(rest, true);
        const sec = unquote((parts[0] ?? '').trim());
        if (sec === '') throw new AsmError(line, `${name} needs a section name`);
        const flags = parts[1] === undefined ? undefined : unquote(parts[1].trim());
        const code =
          flags === undefined
            ? sec === '.text' || sec.startsWith('.text.') || sec.endsWith('.text')
            : flags.includes('x');
        if (name === '.pushsection') this.sectionStack.push(this.section);
        this.setSection(sec, code);
        return;
      }
      case '.popsection': {
        const s = this.sectionStack.pop();
        if (s === undefined) throw new AsmError(line, '.popsection without .pushsection');
        this.setSection(s.name, s.code);
        return;
      }
      case '.previous': {
        const p = this.previous;
        this.setSection(p.name, p.code);
        return;
      }
      case '.globl':
      case '.global':
      case '.weak':
        for (const s of splitArgs(rest, true)) {
          const name = s.trim();
          if (!/^[A-Za-z_.$][\w.$]*$/.test(name)) throw new AsmError(line, `bad symbol name '${name}'`);
          if (!this.globals.has(name)) this.globals.set(name, line);
        }
        return;
      case '.set':
      case '.equ':
      case '.equiv': {
        const m = /^\s*([A-Za-z_.$][\w.$]*)\s*,(.*)$/s.exec(rest);
        if (!m) throw new AsmError(line, `${name} needs 'symbol, expression'`);
        this.assign(m[1] as string, m[2] as string, name === '.equiv');
        return;
      }
      case '.align':
      case '.balign':
      case '.p2align': {
        const args = splitArgs(rest, true);
        if (args.length > 3) throw new AsmError(line, `too many arguments to ${name}`);
        const a0 = args[0]?.trim() ?? '';
        if (a0 === '') throw new AsmError(line, `${name} needs an alignment`);
        const n = this.absolute(a0, name);
        let boundary: bigint;
        if (name === '.p2align') {
          if (n < 0n || n > 30n) throw new AsmError(line, `alignment too large: ${n}`);
          boundary = 1n << n;
        } else {
          boundary = n === 0n ? 1n : n;
          if ((boundary & (boundary - 1n)) !== 0n || boundary < 0n)
            throw new AsmError(line, `alignment not a power of 2: ${n}`);
        }
        const fillText = args[1]?.trim() ?? '';
        const maxText = args[2]?.trim() ?? '';
        const fill = fillText === '' ? null : Number(BigInt.asUintN(8, this.absolute(fillText, name)));
        // a maximum of 0 means no maximum, as in GAS
        const maxValue = maxText === '' ? 0n : this.absolute(maxText, name);
        const max = maxValue <= 0n ? Number(boundary) : Number(maxValue);
        this.items.push({ k: 'align', line, boundary: Number(boundary), fill, max });
        return;
      }
      case '.zero':
      case '.skip':
      case '.space': {
        const args = this.exprList(rest).map((e) => constValue(e, line));
        const count = args[0];
        const fill = args.length > 1 ? args[1] : 0n;
        if (count === undefined || fill === undefined || args.length > 2) {
          throw new AsmError(line, `${name} needs an absolute count and fill`);
        }
        if (count < 0n || count > 1n << 24n) throw new AsmError(line, `bad ${name} count ${count}`);
        this.items.push({
          k: 'bytes',
          line,
          bytes: new Uint8Array(Number(count)).fill(Number(BigInt.asUintN(8, fill))),
        });
        return;
      }
      case '.fill': {
        const args = this.exprList(rest).map((e) => constValue(e, line));
        const [repeat, sz = 1n, value = 0n] = args;
        if (repeat === undefined || args.some((a) => a === undefined) || args.length > 3) {
          throw new AsmError(line, '.fill needs absolute repeat, size, value');
        }
        const width = Number(sz > 8n ? 8n : sz);
        const bytes = new Uint8Array(Number(repeat) * width);
        for (let r = 0; r < Number(repeat); r++) {
          for (let b = 0; b < width; b++)
            bytes[r * width + b] = b < 4 ? Number((BigInt.asUintN(32, value) >> BigInt(b * 8)) & 0xffn) : 0;
        }
        this.items.push({ k: 'bytes', line, bytes });
        return;
      }
      case '.ascii':
      case '.asciz':
      case '.string': {
        const cur = new TokenCursor(tokenize(rest, line), line);
        const chunks: number[] = [];
        while (!cur.atEnd()) {
          const t = cur.next();
          if (t.kind !== Tok.String) throw new AsmError(line, `${name} needs strings`);
          for (const ch of t.text) chunks.push(ch.charCodeAt(0) & 0xff);
          if (name !== '.ascii') chunks.push(0);
          if (!cur.atEnd()) cur.expectPunct(',');
        }
        this.items.push({ k: 'bytes', line, bytes: Uint8Array.from(chunks) });
        return;
      }
      case '.error':
      case '.err': {
        const msg = unquote(rest.trim());
        throw new AsmError(line, msg === '' ? '.error directive invoked' : msg);
      }
      case '.exitm':
        throw new AsmError(line, '.exitm is not supported');
      case '.intel_syntax':
        throw new AsmError(line, 'only AT&T syntax is supported');
      case '.code16':
      case '.code32':
        throw new AsmError(line, 'only 64-bit code is supported');
      default:
        if (IGNORED.has(name) || name.startsWith('.cfi_')) return;
        throw new AsmError(line, `unknown directive '${name}'`);
    }
  }

  private instruction(text: string): void {
    const toks = tokenize(text, this.line);
    const cur = new TokenCursor(toks, this.line);
    const prefixes: string[] = [];
    let mn = cur.next();
    // GAS's encoding pseudo-prefixes: `{evex} vpsrad ...` (objdump prints it where VEX has no
    // such form), `{vex}`, `{vex3}`
    while (mn.kind === Tok.Brace && PSEUDO_PREFIXES.has(mn.text)) {
      prefixes.push(`{${mn.text}}`);
      mn = cur.next();
    }
    while (
      mn.kind === Tok.Ident &&
      (INSN_PREFIXES.has(mn.text.toLowerCase()) || /^rex\.[wrxb]+$/i.test(mn.text)) &&
      cur.peek().kind === Tok.Ident
    ) {
      prefixes.push(mn.text.toLowerCase());
      mn = cur.next();
    }
    if (mn.kind !== Tok.Ident)
      throw new AsmError(this.line, `expected an instruction, found '${describe(mn)}'`);
    // a lone prefix (`lock` on its own line) is an instruction of its own
    const operands: Operand[] = [];
    let rounding: string | undefined;
    if (!cur.atEnd()) {
      for (;;) {
        const start = cur.i;
        const t = cur.peek();
        if (t.kind === Tok.Brace && ROUNDING.has(t.text)) {
          // not an operand of the instruction: it sets EVEX.b (and L'L)
          if (rounding !== undefined) throw new AsmError(this.line, 'more than one rounding operand');
          rounding = t.text;
          cur.next();
        } else {
          const op = parseOperand(cur, this);
          operands.push(substOperand(op, (e) => this.substSets(e)));
        }
        if (cur.atEnd()) break;
        if (!cur.eatPunct(',')) {
          const bad = cur.toks.slice(start, cur.i).map(describe).join('');
          throw new AsmError(this.line, `junk '${describe(cur.peek())}' after operand '${bad}'`);
        }
      }
    }
    this.items.push({
      k: 'insn',
      line: this.line,
      insn: {
        prefixes,
        mnemonic: mn.text.toLowerCase(),
        operands,
        ...(rounding !== undefined ? { rounding } : {}),
      },
      source: text.trim().replace(/\s+/g, ' '),
    });
  }

  private substSets(e: Expr): Expr {
    return substitute(e, (name) => {
      const c = this.constants.get(name);
      if (c !== undefined) return { k: 'num', v: c };
      return this.expressions.get(name);
    });
  }
}

function substOperand(op: Operand, f: (e: Expr) => Expr): Operand {
  if (op.kind === 'imm') return { kind: 'imm', expr: f(op.expr) };
  if (op.kind === 'mem' && op.disp !== null) return { ...op, disp: f(op.disp) };
  return op;
}

function describe(t: Token): string {
  if (t.kind === Tok.Register) return `%${t.text}`;
  if (t.kind === Tok.End) return 'end of line';
  if (t.kind === Tok.LocalRef) return `${t.text}${t.value > 0n ? 'f' : 'b'}`;
  return t.text;
}

function containsDot(e: Expr): boolean {
  switch (e.k) {
    case 'dot':
      return true;
    case 'un':
      return containsDot(e.e);
    case 'bin':
      return containsDot(e.a) || containsDot(e.b);
    default:
      return false;
  }
}

function replaceDot(e: Expr, label: string): Expr {
  switch (e.k) {
    case 'dot':
      return { k: 'sym', name: label };
    case 'un':
      return { k: 'un', op: e.op, e: replaceDot(e.e, label) };
    case 'bin':
      return { k: 'bin', op: e.op, a: replaceDot(e.a, label), b: replaceDot(e.b, label) };
    default:
      return e;
  }
}

function firstWord(text: string): string {
  const m = /^\s*([^\s,]+)/.exec(text);
  return m ? (m[1] as string) : '';
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/**
 * Splits directive or macro arguments at top-level commas. Without `commasOnly`, when there is
 * no top-level comma, whitespace separates arguments too (GAS macro calls: `M a b c`), except
 * around operators and `=`.
 */
export function splitArgs(text: string, commasOnly: boolean): string[] {
  const t = text.trim();
  if (t === '') return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let inStr = false;
  let sawComma = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i] as string;
    if (inStr) {
      cur += c;
      if (c === '\\') cur += t[++i] ?? '';
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      sawComma = true;
      continue;
    }
    cur += c;
  }
  out.push(cur.trim());
  if (commasOnly || sawComma) return out;
  return splitOnSpaces(t);
}

/** `a b=1 c` → [a, b=1, c]; keeps `x + y` and `k = v` together. */
function splitOnSpaces(t: string): string[] {
  const words: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|\S+/g;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) words.push(m[0]);
  const out: string[] = [];
  const isOp = (w: string): boolean => /^[-+*/|&^<>=]+$/.test(w);
  for (const w of words) {
    const last = out[out.length - 1];
    if (
      last !== undefined &&
      (isOp(w) || /[-+*/|&^<>=(]$/.test(last) || (/^[-+*/|&^<>=)]/.test(w) && !/^[-~]/.test(w)))
    ) {
      out[out.length - 1] = `${last} ${w}`;
    } else out.push(w);
  }
  return out;
}

/** Replaces `\name` with macro argument values, `\@` with the expansion counter, `\()` with nothing. */
function substituteArgs(text: string, values: ReadonlyMap<string, string>, counter: string): string {
  return text.replace(/\\(\(\)|@|[A-Za-z_]\w*)/g, (all, name: string) => {
    if (name === '()') return '';
    if (name === '@') return counter;
    const v = values.get(name);
    return v === undefined ? all : v;
  });
}

function findEnd(
  lines: readonly SourceLine[],
  from: number,
  opens: readonly string[],
  close: string,
  line: number,
): number {
  let depth = 0;
  for (let j = from; j < lines.length; j++) {
    const w = firstWord((lines[j] as SourceLine).text).toLowerCase();
    if (opens.includes(w)) depth++;
    else if (w === close) {
      if (depth === 0) return j;
      depth--;
    }
  }
  throw new AsmError(line, `missing ${close}`);
}
