import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { Kernel } from '../src/index.ts';

test('smoke: musl hello', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lego-'));
  writeFileSync(join(dir, 'h.c'), '#include <stdio.h>\nint main(int c,char**v){printf("hello, %s! argc=%d\\n","world",c);return 3;}\n');
  execFileSync('musl-gcc', ['-static', '-O2', '-o', join(dir, 'h'), join(dir, 'h.c')]);
  const out: string[] = [];
  const con: string[] = [];
  const k = new Kernel({
    host: { write: (_fd, d) => out.push(new TextDecoder().decode(d)), read: () => new Uint8Array(0) },
    console: (l) => con.push(l),
    strace: (l) => con.push(`strace: ${l}`),
  });
  k.exec(readFileSync(join(dir, 'h')), ['h'], [], '/h');
  let r;
  try {
    r = k.run();
  } finally {
    console.log(con.join('\n'));
  }
  console.log(r, out.join(''));
  expect(out.join('')).toBe('hello, world! argc=1\n');
  expect(r.status).toBe(3);
});
