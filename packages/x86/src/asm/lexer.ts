import { AsmError } from './error.js';

/** Token kinds of GAS AT&T source, one statement at a time. */
export const enum Tok {
  Ident = 0,
  Number = 1,
  /** `%name`: a register (validated by the parser). */
  Register = 2,
  /** `1f` / `1b`: a reference to a numeric local label. */
  LocalRef = 3,
  String = 4,
  Punct = 5,
  End = 6,
  /** An AVX-512 decoration `{%k1}`, `{z}`, `{1to8}`, `{rn-sae}`: the text between the braces. */
  Brace = 7,
}

export interface Token {
  readonly kind: Tok;
  /** Identifier/register name (without `%`), punctuation text, string contents, or the local label digits. */
  readonly text: string;
  /** Number value, or for LocalRef: 1 = forward, -1 = backward. */
  readonly value: bigint;
  /** Offset of the token in the statement text. */
  readonly pos: number;
}

const PUNCT2 = ['<<', '>>', '==', '!=', '<>', '<=', '>=', '&&', '||'];
const PUNCT1 = '()[],:+-*/%&|^~!<>=$@';

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '.';
}
function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9') || c === '$';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Splits one statement (comments already removed) into tokens. */
export function tokenize(text: string, line: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentChar(text[i] as string)) i++;
      out.push({ kind: Tok.Ident, text: text.slice(start, i), value: 0n, pos: start });
      continue;
    }
    if (isDigit(c)) {
      i++;
      while (i < n && isIdentChar(text[i] as string)) i++;
      const word = text.slice(start, i);
      out.push(numberToken(word, start, line));
      continue;
    }
    if (c === '%') {
      let j = i + 1;
      if (j < n && isIdentStart(text[j] as string)) {
        j++;
        while (j < n && isIdentChar(text[j] as string)) j++;
        let name = text.slice(i + 1, j);
        // %st(1)
        if (name.toLowerCase() === 'st') {
          const m = /^\s*\(\s*([0-7])\s*\)/.exec(text.slice(j));
          if (m) {
            name = `st${m[1]}`;
            j += m[0].length;
          }
        }
        out.push({ kind: Tok.Register, text: name, value: 0n, pos: start });
        i = j;
        continue;
      }
    }
    if (c === '{') {
      const end = text.indexOf('}', i);
      if (end < 0) throw new AsmError(line, "missing '}'");
      out.push({
        kind: Tok.Brace,
        text: text
          .slice(i + 1, end)
          .trim()
          .toLowerCase(),
        value: 0n,
        pos: start,
      });
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= n) throw new AsmError(line, 'unterminated string');
        const d = text[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          const e = text[i + 1];
          i += 2;
          if (e === 'n') s += '\n';
          else if (e === 't') s += '\t';
          else if (e === 'r') s += '\r';
          else if (e === '0') s += '\0';
          else if (e === undefined) throw new AsmError(line, 'unterminated string');
          else s += e;
          continue;
        }
        s += d;
        i++;
      }
      out.push({ kind: Tok.String, text: s, value: 0n, pos: start });
      continue;
    }
    if (c === "'") {
      // character constant: 'c  (GAS needs no closing quote; accept one)
      let ch = text[i + 1];
      let len = 2;
      if (ch === '\\') {
        const e = text[i + 2];
        len = 3;
        ch = e === 'n' ? '\n' : e === 't' ? '\t' : e === '0' ? '\0' : e;
      }
      if (ch === undefined) throw new AsmError(line, 'bad character constant');
      i += len;
      if (text[i] === "'") i++;
      out.push({ kind: Tok.Number, text: ch, value: BigInt(ch.charCodeAt(0)), pos: start });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      out.push({ kind: Tok.Punct, text: two, value: 0n, pos: start });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      out.push({ kind: Tok.Punct, text: c, value: 0n, pos: start });
      i++;
      continue;
    }
    throw new AsmError(line, `unexpected character '${c}'`);
  }
  out.push({ kind: Tok.End, text: '', value: 0n, pos: n });
  return out;
}

function numberToken(word: string, pos: number, line: number): Token {
  const lower = word.toLowerCase();
  // numeric local label reference: 1f, 12b
  if (/^[0-9]+[fb]$/.test(lower) && !/^0b[01]+$/.test(lower)) {
    return {
      kind: Tok.LocalRef,
      text: lower.slice(0, -1),
      value: lower.endsWith('f') ? 1n : -1n,
      pos,
    };
  }
  let value: bigint;
  if (/^0x[0-9a-f]+$/.test(lower)) value = BigInt(lower);
  else if (/^0b[01]+$/.test(lower)) value = BigInt(lower);
  else if (/^0[0-7]+$/.test(lower)) value = BigInt(`0o${lower.slice(1)}`);
  else if (/^[0-9]+$/.test(lower)) value = BigInt(lower);
  else throw new AsmError(line, `bad number '${word}'`);
  return { kind: Tok.Number, text: word, value, pos };
}
