// The text export: one line per event, pinned for the 1.1 sample.
import { describe, expect, it } from 'vitest';
import {
  TextExporter,
  encodeTrace,
  exportText,
  forEachTraceRecord,
  formatTextEvent,
  readTrace,
  readTraceStream,
} from '../src/index.ts';
import { emitSampleV11 } from './sample.ts';

const bytes = encodeTrace(emitSampleV11);

describe('text export', () => {
  it('prints time in µs with the ns, cpu, pid/tid, type and key=value fields', () => {
    const lines = readTrace(bytes).events.map((e) => formatTextEvent(e));
    expect(lines).toHaveLength(32);
    expect(lines[0]).toBe('       0.000 cpu0 1/1 task_new       comm=init');
    expect(lines[1]).toBe('       0.010 cpu0 - context_switch prev_tid=0 next_tid=1');
    expect(lines[2]).toBe(
      '       0.990 cpu0 1/1 instruction    ip=0x40100e bytes=0f05 cpl=3 sp=0x7ffffffde000 flags=0x246 gs_base=0x0',
    );
    expect(lines[4]).toBe(
      '       1.000 cpu0 1/1 syscall_entry  nr=1 name=write args=[0x1,0x402000,0xe,0x0,0x0,0x0] ' +
        'pt_regs=0xffff880000048f58 sp0=0xffff880000049000 regs={ip=0x401010,sp=0x7ffffffde000,ax=0xffffffffffffffda} ' +
        'irqs_enabled=true',
    );
    expect(lines[6]).toBe('       1.210 cpu0 - counter        name=instructions value=1234');
    expect(lines[11]).toBe(
      '       1.500 cpu0 1/1 syscall_exit   nr=1 ret=0xe irqs_enabled=true warned=false path=sysret ' +
        'strace="write(1, \\"hello, world!\\\\n\\", 14) = 14"',
    );
    expect(lines[14]).toBe(
      '       2.200 cpu0 1/1 warn           message="syscall 39 left IRQs disabled — ünïcödé"',
    );
    expect(lines.at(-3)).toBe(
      '       3.560 cpu0 - counter        name=instructions value=18364758544493064720',
    );
    expect(lines.at(-1)).toBe('       3.700 cpu0 1/1 task_exit      code=0');
  });

  it('shows all 21 registers on request', () => {
    const entry = readTrace(bytes).events.find((e) => e.type === 'syscall_entry')!;
    const line = formatTextEvent(entry, { regs: 'full' });
    expect(line).toContain(
      'regs={r15=0x0,r14=0x0,r13=0x0,r12=0x0,bp=0x0,bx=0x0,r11=0x246,r10=0x0,r9=0x0,r8=0x0,' +
        'ax=0xffffffffffffffda,cx=0x401010,dx=0xe,si=0x402000,di=0x1,orig_ax=0x1,ip=0x401010,cs=0x33,' +
        'flags=0x246,sp=0x7ffffffde000,ss=0x2b}',
    );
  });

  it('streams the same text from events and from records', async () => {
    let a = '';
    await exportText(readTraceStream([bytes]), (t) => (a += t));
    let b = '';
    const exporter = new TextExporter((t) => (b += t));
    await forEachTraceRecord([bytes], (r) => exporter.record(r));
    exporter.end();
    expect(b).toBe(a);
    expect(a.split('\n')).toHaveLength(33);
  });
});
