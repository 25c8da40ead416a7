import { Register } from '../register.js';
import { AsmError } from './error.js';
import { type Expr, parseExpr, type SymbolNamer, type TokenCursor } from './expr.js';
import { Tok } from './lexer.js';
import { isSegment, registerByName } from './registers.js';

/** A parsed AT&T operand. `indirect` is the `*` of `jmp *%rax` / `call *8(%rbx)`. */
export type Operand =
  | {
      readonly kind: 'reg';
      readonly reg: Register;
      readonly indirect: boolean;
      readonly deco?: Decorations;
    }
  | { readonly kind: 'imm'; readonly expr: Expr }
  | MemOperand;

/** AVX-512 decorations written after an operand: `{%k1}`, `{z}`, `{1to16}`. */
export interface Decorations {
  /** Opmask register (`{%k1}`), or Register.None. */
  readonly mask: Register;
  readonly zeroing: boolean;
  /** N of `{1toN}` (embedded broadcast), or 0. */
  readonly broadcast: number;
}

export interface MemOperand {
  readonly kind: 'mem';
  /** Segment override, or Register.None. */
  readonly seg: Register;
  readonly disp: Expr | null;
  readonly base: Register;
  readonly index: Register;
  readonly scale: number;
  readonly indirect: boolean;
  /** A bare expression with no `(...)` and no segment: a direct branch target for jmp/call/jcc. */
  readonly bare: boolean;
  readonly deco?: Decorations;
}

/** Reads `{%k1}{z}{1to8}` after an operand. */
function decorations(cur: TokenCursor): Decorations | undefined {
  if (cur.peek().kind !== Tok.Brace) return undefined;
  let mask = Register.None;
  let zeroing = false;
  let broadcast = 0;
  while (cur.peek().kind === Tok.Brace) {
    const t = cur.next().text;
    const bc = /^1to(2|4|8|16|32)$/.exec(t);
    if (t === 'z') zeroing = true;
    else if (bc) broadcast = Number(bc[1]);
    else {
      const r = t.startsWith('%') ? registerByName(t.slice(1)) : undefined;
      if (r === undefined || r < Register.K0 || r > Register.K7)
        throw new AsmError(cur.line, `bad decoration '{${t}}'`);
      mask = r;
    }
  }
  return { mask, zeroing, broadcast };
}

/** Parses one operand at the cursor, with its AVX-512 decorations. */
export function parseOperand(cur: TokenCursor, namer: SymbolNamer): Operand {
  const op = parsePlainOperand(cur, namer);
  const deco = decorations(cur);
  if (deco === undefined) return op;
  if (op.kind === 'imm') throw new AsmError(cur.line, 'decoration after an immediate');
  return { ...op, deco };
}

function register(cur: TokenCursor): Register {
  const t = cur.next();
  const r = registerByName(t.text);
  if (r === undefined) throw new AsmError(cur.line, `bad register name '%${t.text}'`);
  return r;
}

/** Parses one operand at the cursor (stops before ',', a decoration or the end). */
function parsePlainOperand(cur: TokenCursor, namer: SymbolNamer): Operand {
  const indirect = cur.eatPunct('*');
  if (cur.eatPunct('$')) {
    if (indirect) throw new AsmError(cur.line, "immediate operand after '*'");
    return { kind: 'imm', expr: parseExpr(cur, namer) };
  }
  let seg = Register.None;
  if (cur.peek().kind === Tok.Register) {
    const r = register(cur);
    if (!cur.isPunct(':')) return { kind: 'reg', reg: r, indirect };
    if (!isSegment(r))
      throw new AsmError(cur.line, `%${cur.toks[cur.i - 1]?.text} is not a segment register`);
    cur.next();
    seg = r;
  }
  let disp: Expr | null = null;
  const startsBracket = cur.isPunct('(') && (cur.peek(1).kind === Tok.Register || cur.isPunct(',', 1));
  if (!startsBracket) disp = parseExpr(cur, namer);
  if (!cur.isPunct('(')) {
    if (disp === null) throw new AsmError(cur.line, 'missing operand');
    return {
      kind: 'mem',
      seg,
      disp,
      base: Register.None,
      index: Register.None,
      scale: 1,
      indirect,
      bare: seg === Register.None,
    };
  }
  cur.next();
  let base = Register.None;
  let index = Register.None;
  let scale = 1;
  if (cur.peek().kind === Tok.Register) base = register(cur);
  if (cur.eatPunct(',')) {
    if (cur.peek().kind === Tok.Register) index = register(cur);
    if (cur.eatPunct(',')) {
      const t = cur.next();
      if (t.kind !== Tok.Number || ![1n, 2n, 4n, 8n].includes(t.value)) {
        throw new AsmError(cur.line, `scale factor must be 1, 2, 4 or 8`);
      }
      scale = Number(t.value);
    }
  }
  cur.expectPunct(')');
  if (base === Register.RIP || base === Register.EIP) {
    if (index !== Register.None) throw new AsmError(cur.line, '%rip-relative operand cannot have an index');
  }
  if (index === Register.RSP || index === Register.ESP)
    throw new AsmError(cur.line, '%rsp cannot be an index register');
  return { kind: 'mem', seg, disp, base, index, scale, indirect, bare: false };
}
