// A small trace touching every event type and the edges of every field kind.
import type { TraceSink, U64In } from '../src/index.ts';
import { u64FromText, u64Words } from '../src/index.ts';

/** pt_regs of a `write(1, buf, 14)` right after entry_SYSCALL_64, in pt_regs order. */
export const WRITE_REGS: Uint32Array = u64Words([
  0, // r15
  0, // r14
  0, // r13
  0, // r12
  0, // bp
  0, // bx
  0x246, // r11
  0, // r10
  0, // r9
  0, // r8
  -38, // ax: -ENOSYS
  0x401010, // cx
  14, // dx
  0x402000, // si
  1, // di
  1, // orig_ax
  0x401010, // ip
  0x33, // cs
  0x246, // flags
  0x7ffffffde000, // sp
  0x2b, // ss
]);

export const WRITE_ARGS: Uint32Array = u64Words([1, 0x402000, 14, 0, 0, 0]);

/** task_pt_regs(current) = thread.sp0 - 168, in the direct map. */
export const PT_REGS_ADDR: U64In = u64FromText('0xffff880000048f58');
export const SP0: U64In = u64FromText('0xffff880000049000');
/** A per-CPU area base, as IA32_GS_BASE holds it in the kernel after swapgs. */
export const PERCPU: U64In = u64FromText('0xffff88003fc00000');

/** The format 1.0 sample: every 1.0 event type, no 1.1 field (23 events). */
export function emitSample(sink: TraceSink): void {
  emitEvents(sink, false);
}

/**
 * The format 1.1 sample: the 1.0 sample with strace lines on the syscalls, plus instruction
 * and counter events (every event type of the schema; 32 events).
 */
export function emitSampleV11(sink: TraceSink): void {
  emitEvents(sink, true);
}

/** The instructions of the 1.1 sample: `syscall`, `swapgs` in the kernel, a 15-byte `lea`. */
export const SYSCALL_BYTES: Uint8Array = Uint8Array.of(0x0f, 0x05);
export const SWAPGS_BYTES: Uint8Array = Uint8Array.of(0x0f, 0x01, 0xf8);
export const LONG_BYTES: Uint8Array = Uint8Array.of(
  0x26,
  0x66,
  0x67,
  0xf0,
  0x48,
  0x8d,
  0x84,
  0x88,
  0x78,
  0x56,
  0x34,
  0x12,
  0x90,
  0x90,
  0x90,
);

function emitEvents(sink: TraceSink, v11: boolean): void {
  const strace = (line: string): string | undefined => (v11 ? line : undefined);
  sink.taskNew(0, 0, 1, 1, undefined, 'init');
  sink.contextSwitch(10, 0, 0, 1);
  if (v11) {
    sink.instruction(990, 0, 1, 1, 0x40100e, SYSCALL_BYTES, 3, 0x7ffffffde000, 0x246, 0);
    sink.instruction(
      995,
      0,
      1,
      1,
      u64FromText('0xffffffff81000000'),
      SWAPGS_BYTES,
      0,
      0x7ffffffde000,
      0x46,
      PERCPU,
    );
  }
  sink.syscallEntry(1000, 0, 1, 1, 1, 'write', WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true);
  sink.irqEntry(1200, 0, 1, 1, 0xef, 1, u64FromText('0xffff880000048e00'), PT_REGS_ADDR);
  if (v11) {
    sink.counter(1210, 0, 'instructions', 1234);
    sink.counter(1210, 0, 'tlb_hits', 1000);
    sink.counter(1210, 0, 'tlb_misses', 20);
    sink.counter(1210, 0, 'runqueue', 1);
  }
  sink.irqExit(1300, 0, 1, 1, 0xef, 1);
  sink.syscallExit(
    1500,
    0,
    1,
    1,
    1,
    14,
    true,
    false,
    'sysret',
    strace('write(1, "hello, world!\\n", 14) = 14'),
  );
  sink.syscallEntry(2000, 0, 1, 1, 999, 'ni_syscall', WRITE_ARGS, PT_REGS_ADDR, SP0, WRITE_REGS, true);
  sink.syscallExit(
    2100,
    0,
    1,
    1,
    999,
    -38,
    true,
    false,
    'sysret',
    strace('syscall_999(0x1, 0x402000, 0xe, 0, 0, 0) = -1 ENOSYS (Function not implemented)'),
  );
  sink.warn(2200, 0, 1, 1, 'syscall 39 left IRQs disabled — ünïcödé');
  sink.syscallExit(2300, 0, 1, 1, 39, 1, false, true, 'iret');
  sink.exception(2400, 0, 1, 1, 14, 6, 0x7ffffffdd000, 1, u64FromText('0xffff880000048d00'), PT_REGS_ADDR);
  sink.pageFault(2500, 0, 1, 1, 0x7ffffffdd000, 6, 'mapped');
  sink.pageFault(2600, 0, 1, 1, 0, 4, 'sigsegv');
  sink.tlbFlush(2700, 0, 'invlpg', 0x7ffffffdd000);
  sink.tlbFlush(2800, 0, 'cr3', 0);
  sink.taskNew(3000, 0, 2, 2, 1, 'child');
  sink.ipi(3100, 0, 0, 1, 0xfd);
  sink.contextSwitch(3200, 0, 1, 2);
  if (v11) sink.instruction(3250, 0, 2, 2, 0x401020, LONG_BYTES, 3, 0x7ffffffdd000, 0x202, 0);
  // Full-width 64-bit values, through bigint and through the word form.
  sink.syscallExit(
    3300,
    0,
    2,
    2,
    8,
    0x7fffffffffffffffn,
    true,
    false,
    'iret',
    strace('lseek(3, 0, SEEK_END) = 9223372036854775807'),
  );
  sink.syscallExit(3400, 0, 2, 2, 8, 0x8000000000000000n, true, false, 'iret');
  sink.syscallEntry(
    3500,
    0,
    2,
    2,
    0,
    'read',
    u64Words([0xffffffffffffffffn, 0x123456789abcdef0n, 0x8000000000000000n, 1n << 53n, -1, 0]),
    PT_REGS_ADDR,
    SP0,
    u64Words(
      Array.from({ length: 21 }, (_, i) => (0x0123456789abcdefn * BigInt(i + 1)) & 0xffffffffffffffffn),
    ),
    true,
  );
  if (v11) {
    sink.syscallEntry(
      3550,
      0,
      1,
      1,
      231,
      'exit_group',
      WRITE_ARGS,
      PT_REGS_ADDR,
      SP0,
      WRITE_REGS,
      true,
      'exit_group(0) = ?',
    );
    sink.counter(3560, 0, 'instructions', 0xfedcba9876543210n);
  }
  sink.taskExit(3600, 0, 2, 2, -1);
  sink.taskExit(3700, 0, 1, 1, 0);
}
