// The `strace -c` style summary, pinned for a small synthetic trace.
import { describe, expect, it } from 'vitest';
import type { TraceSink } from '../src/index.ts';
import {
  encodeTrace,
  forEachTraceRecord,
  readTraceStream,
  summarizeTrace,
  TraceSummary,
} from '../src/index.ts';
import { PT_REGS_ADDR, SP0, WRITE_ARGS, WRITE_REGS, emitSampleV11 } from './sample.ts';

function emit(sink: TraceSink): void {
  const call = (ts: number, nr: number, name: string, dur: number, ret: number) => {
    sink.syscallEntry(ts, 0, 1, 1, nr, name, WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true);
    sink.syscallExit(ts + dur, 0, 1, 1, nr, ret, true, false, 'sysret');
  };
  sink.taskNew(0, 0, 1, 1, undefined, 'init');
  call(1000, 1, 'write', 2500, 14);
  call(4000, 1, 'write', 500, -9); // -EBADF
  call(5000, 39, 'getpid', 100, 1);
  sink.syscallEntry(6000, 0, 1, 1, 257, 'openat', WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true);
  sink.irqEntry(6100, 0, 1, 1, 0xef, 1, 0, PT_REGS_ADDR);
  sink.irqExit(6200, 0, 1, 1, 0xef, 1);
  sink.syscallExit(7000, 0, 1, 1, 257, -2, true, false, 'sysret'); // -ENOENT
  sink.exception(7100, 0, 1, 1, 14, 6, 0x1000, 1, 0, PT_REGS_ADDR);
  sink.pageFault(7200, 0, 1, 1, 0x1000, 6, 'mapped');
  sink.tlbFlush(7300, 0, 'invlpg', 0x1000);
  sink.irqEntry(7350, 0, 1, 1, 0x20, 1, 0, PT_REGS_ADDR);
  sink.irqExit(7360, 0, 1, 1, 0x20, 1);
  sink.contextSwitch(7400, 0, 1, 1);
  sink.warn(7500, 0, 1, 1, 'x');
  sink.syscallExit(7600, 0, 1, 1, 4095, -4095, true, false, 'iret'); // an exit without its entry
  sink.syscallEntry(8000, 0, 1, 1, 231, 'exit_group', WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true);
  sink.taskExit(8100, 0, 1, 1, 0);
}

const EXPECTED = `% time       usecs  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 73.17       3.000       1.500         2         1 write
 24.39       1.000       1.000         1         1 openat
  2.44       0.100       0.100         1           getpid
  0.00       0.000       0.000         1           exit_group
  0.00       0.000       0.000         1         1 syscall_4095
------ ----------- ----------- --------- --------- ----------------
100.00       4.100       0.683         6         3 total

(simulated time between syscall entry and exit; 1 call(s) unfinished at the end, 1 exit(s) without their entry)

event                count
irqs                     2  (vector 0x20: 1, vector 0xef: 1)
exceptions               1  (vector 14: 1)
page faults              1  (mapped: 1)
tlb flushes              1  (invlpg: 1)
context switches         1
ipis                     0
warnings                 1
tasks created            1
tasks exited             1
events                  21
`;

describe('summary export', () => {
  it('prints the strace -c style table and the event counts', async () => {
    const bytes = encodeTrace(emit);
    expect(await summarizeTrace(readTraceStream([bytes]))).toBe(EXPECTED);
  });

  it('counts only returns in -4095..-1 as errors', () => {
    // -1, -4095, -4096, 0, 2^31-1
    const rets = ['0xffffffffffffffff', '0xfffffffffffff001', '0xfffffffffffff000', '0x0', '0x7fffffff'];
    const summary = new TraceSummary();
    for (const ret of rets) {
      summary.add({
        type: 'syscall_exit',
        ts: 0,
        cpu: 0,
        pid: 1,
        tid: 1,
        nr: 0,
        ret: ret as `0x${string}`,
        irqs_enabled: true,
        warned: false,
        path: 'sysret',
      });
    }
    expect(summary.format()).toMatch(/^ +0\.00 +0\.000 +0\.000 +5 +2 total$/m);
  });

  it('reads records to the same summary as events', async () => {
    const bytes = encodeTrace(emit);
    const summary = new TraceSummary();
    await forEachTraceRecord([bytes], (r) => summary.addRecord(r));
    expect(summary.format()).toBe(EXPECTED);
  });

  it('counts traced instructions and counter samples (with the last values), not as syscalls', async () => {
    const bytes = encodeTrace(emitSampleV11);
    const fromRecords = new TraceSummary();
    await forEachTraceRecord([bytes], (r) => fromRecords.addRecord(r));
    const text = fromRecords.format();
    expect(await summarizeTrace(readTraceStream([bytes]))).toBe(text);
    expect(text).toMatch(/^instructions +3 {2}\(traced\)$/m);
    expect(text).toMatch(
      /^counter samples +5 {2}\(last: instructions 18364758544493064720, runqueue 1, tlb_hits 1000, tlb_misses 20\)$/m,
    );
    expect(text).toMatch(/^events +32$/m);
    expect(text).not.toMatch(/ (counter|instruction)$/m);
  });
});
