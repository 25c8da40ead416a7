import { describe, expect, it } from 'vitest';
import { MemorySink, toJsonl, u64FromText, u64Words } from '../src/index.ts';
import { PT_REGS_ADDR, SP0, WRITE_ARGS, WRITE_REGS } from './sample.ts';

// The jsonl text is a contract (DESIGN.md, "Trace events"): these strings are written by hand.
const ENTRY =
  '{"type":"syscall_entry","ts":1000,"cpu":0,"pid":1,"tid":1,"nr":1,"name":"write",' +
  '"args":["0x1","0x402000","0xe","0x0","0x0","0x0"],' +
  '"pt_regs":"0xffff880000048f58","sp0":"0xffff880000049000",' +
  '"regs":{"r15":"0x0","r14":"0x0","r13":"0x0","r12":"0x0","bp":"0x0","bx":"0x0","r11":"0x246",' +
  '"r10":"0x0","r9":"0x0","r8":"0x0","ax":"0xffffffffffffffda","cx":"0x401010","dx":"0xe",' +
  '"si":"0x402000","di":"0x1","orig_ax":"0x1","ip":"0x401010","cs":"0x33","flags":"0x246",' +
  '"sp":"0x7ffffffde000","ss":"0x2b"},"irqs_enabled":true}';

const EXIT_ENOSYS =
  '{"type":"syscall_exit","ts":2100,"cpu":0,"pid":1,"tid":1,"nr":999,"ret":"0xffffffffffffffda",' +
  '"irqs_enabled":true,"warned":false,"path":"sysret"}';

const EXIT_WARNED =
  '{"type":"syscall_exit","ts":2300,"cpu":1,"pid":7,"tid":8,"nr":39,"ret":"0x7",' +
  '"irqs_enabled":false,"warned":true,"path":"iret"}';

describe('jsonl export', () => {
  it('prints a syscall_entry exactly as the contract shows', () => {
    const sink = new MemorySink();
    sink.syscallEntry(1000, 0, 1, 1, 1, 'write', WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true);
    expect(toJsonl(sink.events[0]!)).toBe(ENTRY);
  });

  it('prints -ENOSYS as 0xffffffffffffffda and the exit path', () => {
    const sink = new MemorySink();
    sink.syscallExit(2100, 0, 1, 1, 999, -38, true, false, 'sysret');
    sink.syscallExit(2300, 1, 7, 8, 39, 7, false, true, 'iret');
    expect(sink.events.map(toJsonl)).toEqual([EXIT_ENOSYS, EXIT_WARNED]);
  });

  it('gives the same text for a 64-bit value passed as number, bigint or words', () => {
    const sink = new MemorySink();
    sink.tlbFlush(0, 0, 'invlpg', -1);
    sink.tlbFlush(0, 0, 'invlpg', 0xffffffffffffffffn);
    sink.tlbFlush(0, 0, 'invlpg', u64FromText('0xffffffffffffffff'));
    sink.syscallEntry(0, 0, 1, 1, 0, 'read', u64Words([-1]), 0, 0, new Uint32Array(42), true);
    const texts = sink.events.map((e) => JSON.parse(toJsonl(e)));
    expect(texts.slice(0, 3).map((t) => t.address)).toEqual(Array(3).fill('0xffffffffffffffff'));
    expect(texts[3].args).toEqual(['0xffffffffffffffff']);
  });

  it('escapes strings as JSON and keeps key order type, ts, then schema fields', () => {
    const sink = new MemorySink();
    sink.warn(5, 0, 1, 1, 'quote " backslash \\ newline \n');
    sink.taskNew(6, 0, 2, 2, 1, 'sh');
    sink.taskNew(7, 0, 1, 1, undefined, 'init');
    expect(sink.events.map(toJsonl)).toEqual([
      '{"type":"warn","ts":5,"cpu":0,"pid":1,"tid":1,"message":"quote \\" backslash \\\\ newline \\n"}',
      '{"type":"task_new","ts":6,"cpu":0,"pid":2,"tid":2,"parent_tid":1,"comm":"sh"}',
      '{"type":"task_new","ts":7,"cpu":0,"pid":1,"tid":1,"comm":"init"}',
    ]);
  });
});
