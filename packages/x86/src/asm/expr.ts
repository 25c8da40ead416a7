import { AsmError } from './error.js';
import { Tok, type Token } from './lexer.js';

/** An expression as GAS reads it. Values are 64-bit two's complement, held as BigInt. */
export type Expr =
  | { readonly k: 'num'; readonly v: bigint }
  | { readonly k: 'sym'; readonly name: string }
  /** `.`: the address of the statement being assembled. */
  | { readonly k: 'dot' }
  | { readonly k: 'un'; readonly op: string; readonly e: Expr }
  | { readonly k: 'bin'; readonly op: string; readonly a: Expr; readonly b: Expr };

/** A cursor over one statement's tokens. */
export class TokenCursor {
  i = 0;
  constructor(
    readonly toks: readonly Token[],
    readonly line: number,
  ) {}

  peek(ahead = 0): Token {
    const t = this.toks[Math.min(this.i + ahead, this.toks.length - 1)];
    if (t === undefined) throw new AsmError(this.line, 'internal: empty token list');
    return t;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== Tok.End) this.i++;
    return t;
  }
  atEnd(): boolean {
    return this.peek().kind === Tok.End;
  }
  isPunct(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === Tok.Punct && t.text === text;
  }
  eatPunct(text: string): boolean {
    if (this.isPunct(text)) {
      this.i++;
      return true;
    }
    return false;
  }
  expectPunct(text: string): void {
    if (!this.eatPunct(text)) throw new AsmError(this.line, `expected '${text}' ${this.describeHere()}`);
  }
  describeHere(): string {
    const t = this.peek();
    return t.kind === Tok.End
      ? 'at end of statement'
      : `before '${t.kind === Tok.Register ? `%${t.text}` : t.text}'`;
  }
}

/** How `parseExpr` names symbols: `1f`/`1b` become internal names chosen by the caller. */
export interface SymbolNamer {
  localRef(digits: string, forward: boolean): string;
}

// GAS precedence (non-MRI): unary > * / % << >> > | & ^ ! > + - == != <> < > <= >= > && ||
const BINARY_PREC: Record<string, number> = {
  '*': 4,
  '/': 4,
  '%': 4,
  '<<': 4,
  '>>': 4,
  '|': 3,
  '&': 3,
  '^': 3,
  '!': 3,
  '+': 2,
  '-': 2,
  '==': 2,
  '!=': 2,
  '<>': 2,
  '<': 2,
  '>': 2,
  '<=': 2,
  '>=': 2,
  '&&': 1,
  '||': 1,
};

export function parseExpr(cur: TokenCursor, namer: SymbolNamer): Expr {
  return parseBinary(cur, namer, 1);
}

function parseBinary(cur: TokenCursor, namer: SymbolNamer, minPrec: number): Expr {
  let left = parseUnary(cur, namer);
  for (;;) {
    const t = cur.peek();
    if (t.kind !== Tok.Punct) return left;
    const prec = BINARY_PREC[t.text];
    if (prec === undefined || prec < minPrec) return left;
    cur.next();
    const right = parseBinary(cur, namer, prec + 1);
    left = { k: 'bin', op: t.text, a: left, b: right };
  }
}

function parseUnary(cur: TokenCursor, namer: SymbolNamer): Expr {
  const t = cur.peek();
  if (t.kind === Tok.Punct && (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+')) {
    cur.next();
    const e = parseUnary(cur, namer);
    return t.text === '+' ? e : { k: 'un', op: t.text, e };
  }
  return parsePrimary(cur, namer);
}

function parsePrimary(cur: TokenCursor, namer: SymbolNamer): Expr {
  const t = cur.next();
  switch (t.kind) {
    case Tok.Number:
      return { k: 'num', v: t.value };
    case Tok.Ident:
      return t.text === '.' ? { k: 'dot' } : { k: 'sym', name: t.text };
    case Tok.LocalRef:
      return { k: 'sym', name: namer.localRef(t.text, t.value > 0n) };
    case Tok.Punct:
      if (t.text === '(') {
        const e = parseBinary(cur, namer, 1);
        cur.expectPunct(')');
        return e;
      }
      break;
    default:
      break;
  }
  if (t.kind === Tok.End) throw new AsmError(cur.line, 'missing expression');
  if (t.kind === Tok.Register)
    throw new AsmError(cur.line, `register %${t.text} where an expression was expected`);
  throw new AsmError(cur.line, `unexpected '${t.text}' in expression`);
}

const MASK64 = (1n << 64n) - 1n;

/** Wraps to a signed 64-bit value, as GAS's offsetT arithmetic does. */
export function wrap64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Applies an operator to two absolute values with GAS's semantics. */
export function applyBinary(op: string, a: bigint, b: bigint, line: number): bigint {
  switch (op) {
    case '+':
      return wrap64(a + b);
    case '-':
      return wrap64(a - b);
    case '*':
      return wrap64(a * b);
    case '/':
      if (b === 0n) throw new AsmError(line, 'division by zero');
      return wrap64(a / b);
    case '%':
      if (b === 0n) throw new AsmError(line, 'division by zero');
      return wrap64(a % b);
    case '<<':
      return b >= 64n || b < 0n ? 0n : wrap64(a << b);
    case '>>':
      return b >= 64n || b < 0n ? 0n : wrap64((a & MASK64) >> b);
    case '|':
      return wrap64(a | b);
    case '&':
      return wrap64(a & b);
    case '^':
      return wrap64(a ^ b);
    case '!':
      return wrap64(a | ~b);
    case '==':
      return a === b ? -1n : 0n;
    case '!=':
    case '<>':
      return a !== b ? -1n : 0n;
    case '<':
      return a < b ? -1n : 0n;
    case '>':
      return a > b ? -1n : 0n;
    case '<=':
      return a <= b ? -1n : 0n;
    case '>=':
      return a >= b ? -1n : 0n;
    case '&&':
      return a !== 0n && b !== 0n ? 1n : 0n;
    case '||':
      return a !== 0n || b !== 0n ? 1n : 0n;
    default:
      throw new AsmError(line, `unknown operator '${op}'`);
  }
}

export function applyUnary(op: string, a: bigint): bigint {
  switch (op) {
    case '-':
      return wrap64(-a);
    case '~':
      return wrap64(~a);
    default:
      return a === 0n ? 1n : 0n; // '!'
  }
}

/**
 * The value of an expression made of numbers only (after constant `.set` symbols were
 * substituted), or undefined when it names a label, an external or `.`: GAS then does not
 * know the value when it picks an encoding, and takes the full-width form.
 */
export function constValue(e: Expr, line: number): bigint | undefined {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'sym':
    case 'dot':
      return undefined;
    case 'un': {
      const v = constValue(e.e, line);
      return v === undefined ? undefined : applyUnary(e.op, v);
    }
    case 'bin': {
      const a = constValue(e.a, line);
      if (a === undefined) return undefined;
      const b = constValue(e.b, line);
      if (b === undefined) return undefined;
      return applyBinary(e.op, a, b, line);
    }
  }
}

/** Replaces symbols by what `lookup` returns for them (undefined keeps the symbol). */
export function substitute(e: Expr, lookup: (name: string) => Expr | undefined): Expr {
  switch (e.k) {
    case 'num':
    case 'dot':
      return e;
    case 'sym':
      return lookup(e.name) ?? e;
    case 'un': {
      const x = substitute(e.e, lookup);
      return x === e.e ? e : { k: 'un', op: e.op, e: x };
    }
    case 'bin': {
      const a = substitute(e.a, lookup);
      const b = substitute(e.b, lookup);
      return a === e.a && b === e.b ? e : { k: 'bin', op: e.op, a, b };
    }
  }
}

/** Names of the symbols an expression refers to. */
export function symbolsOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.k) {
    case 'sym':
      out.add(e.name);
      break;
    case 'un':
      symbolsOf(e.e, out);
      break;
    case 'bin':
      symbolsOf(e.a, out);
      symbolsOf(e.b, out);
      break;
    default:
      break;
  }
  return out;
}
