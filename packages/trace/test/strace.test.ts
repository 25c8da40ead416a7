// The strace export: the `strace` lines of a trace and strace's `+++` line for each task
// exit, in event order, with strace -f's `[pid N]` prefix once a second task exists (as
// `legosim run --strace` prints them).
import { describe, expect, it } from 'vitest';
import type { TraceSink } from '../src/index.ts';
import {
  StraceExporter,
  encodeTrace,
  exportStrace,
  forEachTraceRecord,
  readTraceStream,
} from '../src/index.ts';
import { PT_REGS_ADDR, SP0, WRITE_ARGS, WRITE_REGS, emitSample, emitSampleV11 } from './sample.ts';

/** One task: a write, an ENOENT, a call without a line (old producer), exit_group. */
function single(sink: TraceSink): void {
  const entry = (ts: number, nr: number, name: string, strace?: string) =>
    sink.syscallEntry(ts, 0, 7, 7, nr, name, WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true, strace);
  sink.taskNew(0, 0, 7, 7, undefined, 'hello');
  entry(100, 1, 'write');
  sink.syscallExit(200, 0, 7, 7, 1, 3, true, false, 'sysret', 'write(1, "hi\\n", 3) = 3');
  entry(300, 257, 'openat');
  sink.irqEntry(350, 0, 7, 7, 0xef, 1, 0, PT_REGS_ADDR);
  sink.irqExit(360, 0, 7, 7, 0xef, 1);
  sink.syscallExit(
    400,
    0,
    7,
    7,
    257,
    -2,
    true,
    false,
    'sysret',
    'openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)',
  );
  entry(500, 39, 'getpid');
  sink.syscallExit(600, 0, 7, 7, 39, 7, true, false, 'sysret');
  entry(700, 231, 'exit_group', 'exit_group(0) = ?');
  sink.taskExit(800, 0, 7, 7, 0);
}

const SINGLE = `write(1, "hi\\n", 3) = 3
openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)
exit_group(0) = ?
+++ exited with 0 +++
`;

async function strace(bytes: Uint8Array, options = {}): Promise<string> {
  let text = '';
  await exportStrace(readTraceStream([bytes]), (t) => (text += t), options);
  return text;
}

async function straceRecords(bytes: Uint8Array, options = {}): Promise<string> {
  let text = '';
  const exporter = new StraceExporter((t) => (text += t), options);
  await forEachTraceRecord([bytes], (r) => exporter.record(r));
  exporter.end();
  return text;
}

describe('strace export', () => {
  it('prints one line per syscall of a single task, without prefixes', async () => {
    const bytes = encodeTrace(single);
    expect(await strace(bytes)).toBe(SINGLE);
    expect(await straceRecords(bytes)).toBe(SINGLE);
  });

  it("prefixes every line with strace -f's [pid N] once a second task exists, in event order", async () => {
    const bytes = encodeTrace(emitSampleV11);
    const expected = `write(1, "hello, world!\\n", 14) = 14
syscall_999(0x1, 0x402000, 0xe, 0, 0, 0) = -1 ENOSYS (Function not implemented)
[pid 2] lseek(3, 0, SEEK_END) = 9223372036854775807
[pid 1] exit_group(0) = ?
[pid 2] +++ exited with -1 +++
[pid 1] +++ exited with 0 +++
`;
    expect(await strace(bytes)).toBe(expected);
    expect(await straceRecords(bytes)).toBe(expected);
  });

  it('uses the tid, prefixing the lines after the second task appeared, and says how a task was killed', async () => {
    const bytes = encodeTrace((sink) => {
      sink.taskNew(0, 0, 5, 5, undefined, 'main');
      sink.syscallExit(10, 0, 5, 5, 1, 1, true, false, 'sysret', 'write(1, "a", 1) = 1');
      sink.syscallExit(20, 0, 5, 5, 1, 1, true, false, 'sysret', 'write(1, "b", 1) = 1');
      sink.taskNew(30, 0, 5, 6, 5, 'thread');
      sink.syscallExit(40, 0, 5, 6, 1, 1, true, false, 'sysret', 'write(1, "c", 1) = 1');
      sink.taskExit(50, 0, 5, 6, 128 + 11, 11);
    });
    const expected =
      'write(1, "a", 1) = 1\nwrite(1, "b", 1) = 1\n[pid 6] write(1, "c", 1) = 1\n[pid 6] +++ killed by SIGSEGV +++\n';
    expect(await strace(bytes)).toBe(expected);
    expect(await straceRecords(bytes)).toBe(expected);
  });

  it('can always or never prefix, streaming each line at once', async () => {
    const lines: string[] = [];
    const exporter = new StraceExporter((t) => lines.push(t), { pidPrefix: 'always' });
    await forEachTraceRecord([encodeTrace(single)], (r) => exporter.record(r));
    exporter.end();
    expect(lines.join('')).toBe(SINGLE.replace(/^/gm, '[pid 7] ').replace(/\[pid 7\] $/, ''));
    expect(await strace(encodeTrace(emitSampleV11), { pidPrefix: 'never' })).not.toContain('[pid');
    expect(exporter.lines).toBe(4);
  });

  it('prints only the task exits of a 1.0 trace (it has no strace fields)', async () => {
    expect(await strace(encodeTrace(emitSample))).toBe('[pid 2] +++ exited with -1 +++\n[pid 1] +++ exited with 0 +++\n');
  });
});
