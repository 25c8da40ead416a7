import { AsmError } from './error.js';

/** One statement's text and the 1-based source line it comes from. */
export interface SourceLine {
  readonly text: string;
  readonly line: number;
}

/**
 * Removes `/* ... *\/` and `#` comments and splits the text into statements (at newlines and
 * at `;` outside strings). Line numbers are kept.
 */
export function splitStatements(source: string): SourceLine[] {
  const out: SourceLine[] = [];
  let line = 1;
  let cur = '';
  let curLine = 1;
  let inBlock = false;
  let inString = false;
  const n = source.length;
  const flush = (): void => {
    if (cur.trim() !== '') out.push({ text: cur, line: curLine });
    cur = '';
  };
  for (let i = 0; i < n; i++) {
    const c = source[i] as string;
    if (c === '\n') {
      if (inString) throw new AsmError(line, 'unterminated string');
      flush();
      line++;
      curLine = line;
      continue;
    }
    if (inBlock) {
      if (c === '*' && source[i + 1] === '/') {
        inBlock = false;
        cur += ' ';
        i++;
      }
      continue;
    }
    if (inString) {
      cur += c;
      if (c === '\\' && i + 1 < n && source[i + 1] !== '\n') {
        cur += source[i + 1];
        i++;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      cur += c;
      continue;
    }
    if (c === "'" && i + 1 < n && source[i + 1] !== '\n') {
      // character constant: keep the quoted character verbatim (it may be '#' or ';')
      cur += c + (source[i + 1] as string);
      i++;
      if (source[i] === '\\' && i + 1 < n) {
        cur += source[i + 1] as string;
        i++;
      }
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      inBlock = true;
      i++;
      continue;
    }
    if (c === '#') {
      while (i + 1 < n && source[i + 1] !== '\n') i++;
      continue;
    }
    if (c === ';') {
      flush();
      curLine = line;
      continue;
    }
    cur += c;
  }
  if (inBlock) throw new AsmError(line, 'unterminated /* comment');
  flush();
  return out;
}
