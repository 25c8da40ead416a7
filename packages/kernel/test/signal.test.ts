import { assemble } from '@legosim/x86/asm';
import { describe, expect, test } from 'vitest';
import { Kernel } from '../src/index.js';
import { Sigset, siginfoBytes } from '../src/kernel/signal.js';

/** A static ELF whose one PT_LOAD maps the file at 0x400000 and starts at 0x401000 (`code` goes there). */
function program(source: string): Uint8Array {
  const b = new Uint8Array(0x2000);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, 62, true);
  v.setBigUint64(24, 0x401000n, true);
  v.setBigUint64(32, 64n, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint32(64, 1, true); // PT_LOAD
  v.setUint32(68, 5, true); // R+X
  v.setBigUint64(80, 0x400000n, true);
  v.setBigUint64(96, 0x2000n, true);
  v.setBigUint64(104, 0x2000n, true);
  b.set(assemble(source, { origin: 0x401000 }).bytes, 0x1000);
  return b;
}

function run(source: string): { status: number; reason: string | undefined; console: string[] } {
  const console: string[] = [];
  const kernel = new Kernel({
    host: { write: () => {}, read: () => new Uint8Array(0) },
    console: (line) => console.push(line),
    maxInstructions: 10_000_000,
  });
  kernel.exec(program(source), ['sig'], [], '/sig');
  const r = kernel.run();
  return { status: r.status, reason: r.reason, console };
}

/** rt_sigaction(SIGUSR1, {handler, SA_RESTORER|SA_SIGINFO, restorer}) then kill(getpid(), SIGUSR1). */
const RAISE_USR1 = `
  sub $64, %rsp
  lea handler(%rip), %rax
  mov %rax, (%rsp)
  movq $0x04000004, 8(%rsp)
  lea restorer(%rip), %rax
  mov %rax, 16(%rsp)
  movq $0, 24(%rsp)
  mov $13, %eax
  mov $10, %edi
  mov %rsp, %rsi
  xor %edx, %edx
  mov $8, %r10d
  syscall
  mov $39, %eax
  syscall
  mov %eax, %edi
  mov $10, %esi
  mov $62, %eax
  syscall
`;

describe('signal frames and rt_sigreturn', () => {
  test('a handler may change the interrupted registers, but not CS or IOPL', () => {
    // the handler asks, through its ucontext (rdx), for r12 = 2, the kernel's CS and IOPL 3;
    // the exit status is CS's selector + IOPL * 100 + r12
    const r = run(`
      xor %r12d, %r12d
      ${RAISE_USR1}
      pushfq
      pop %rbx
      shr $12, %rbx
      and $3, %rbx
      imul $100, %rbx, %rbx
      mov %cs, %eax
      and $0xff, %eax
      add %ebx, %eax
      add %r12d, %eax
      mov %eax, %edi
      mov $231, %eax
      syscall
    handler:
      movq $2, 72(%rdx)
      movw $0x10, 184(%rdx)
      orq $0x3000, 176(%rdx)
      ret
    restorer:
      mov $15, %eax
      syscall
    `);
    expect(r.status).toBe(0x33 + 2);
  });

  test('the handler gets the signal number, the siginfo and a 16-byte-aligned frame below the red zone', () => {
    // exit status: signal + si_signo + (rsp + 8) % 16 * 100 + 1 if rsp <= original sp - 128 - 512
    const r = run(`
      mov %rsp, %r13
      ${RAISE_USR1}
      mov %r14d, %edi
      mov $231, %eax
      syscall
    handler:
      mov %edi, %r14d
      add (%rsi), %r14d
      lea 8(%rsp), %rax
      and $15, %eax
      imul $100, %eax, %eax
      add %eax, %r14d
      mov 160(%rdx), %rax
      sub %rsp, %rax
      cmp $640, %rax
      jb 1f
      inc %r14d
    1:
      mov %r14, 40+48(%rdx)
      ret
    restorer:
      mov $15, %eax
      syscall
    `);
    expect(r.status).toBe(10 + 10 + 1);
  });

  test("rt_sigreturn with no frame under the stack pointer is a SIGSEGV, with Lego's line", () => {
    const r = run(`
      mov $16, %rsp
      mov $15, %eax
      syscall
    `);
    expect(r.status).toBe(128 + 11);
    expect(r.reason).toMatch(/bad frame in rt_sigreturn/);
    expect(r.console.join('\n')).toMatch(/sig\[1\] bad frame in rt_sigreturn frame:0x8 /);
  });

  test('a handler without SA_RESTORER cannot return: the task dies of SIGSEGV', () => {
    const r = run(`
      sub $64, %rsp
      lea 2f(%rip), %rax
      mov %rax, (%rsp)
      movq $0, 8(%rsp)
      movq $0, 16(%rsp)
      movq $0, 24(%rsp)
      mov $13, %eax
      mov $10, %edi
      mov %rsp, %rsi
      xor %edx, %edx
      mov $8, %r10d
      syscall
      mov $39, %eax
      syscall
      mov %eax, %edi
      mov $10, %esi
      mov $62, %eax
      syscall
      xor %edi, %edi
      mov $231, %eax
      syscall
    2:
      ret
    `);
    expect(r.status).toBe(128 + 11);
  });
});

describe('sigset_t and siginfo', () => {
  test('signals 1..64 in two 32-bit halves; the lowest pending one comes first', () => {
    const s = Sigset.of(1, 32, 33, 64);
    expect([s.lo, s.hi]).toEqual([0x80000001, 0x80000001]);
    expect(s.members()).toEqual([1, 32, 33, 64]);
    expect(s.firstNotIn(Sigset.of(1))).toBe(32);
    expect(s.firstNotIn(Sigset.of(1, 32))).toBe(33);
    s.delete(32);
    expect(s.has(32)).toBe(false);
  });

  test('struct siginfo puts si_addr at 16 for faults and si_pid/si_uid/si_status for SIGCHLD', () => {
    const fault = new DataView(siginfoBytes({ signo: 11, errno: 0, code: 1, addr: 0x7fff12345678 }).buffer);
    expect([fault.getInt32(0, true), fault.getInt32(8, true), fault.getBigUint64(16, true)]).toEqual([
      11,
      1,
      0x7fff12345678n,
    ]);
    const chld = new DataView(
      siginfoBytes({ signo: 17, errno: 0, code: 1, pid: 5, uid: 0, status: 7 }).buffer,
    );
    expect([chld.getInt32(16, true), chld.getInt32(20, true), chld.getInt32(24, true)]).toEqual([5, 0, 7]);
  });
});
