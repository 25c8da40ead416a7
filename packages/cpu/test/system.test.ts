import { Decoder } from '@legosim/x86';
import { assemble } from '@legosim/x86/asm';
import { describe, expect, test } from 'vitest';
import { Cpu, Msr, Rflags, StopReason } from '../src/index.js';
import { FlatMemory } from './flat-memory.js';

const USER = 0x1000;
const KERNEL = 0x8000;
const IDT = 0x9000;
const TSS = 0xa000;
const KSTACK = 0xf000;

/** A CPU on flat memory with user code at 0x1000 and kernel code at 0x8000. */
function machine(user: string, kernel: string) {
  const mem = new FlatMemory(0x10000, 0x8000);
  const cpu = new Cpu({ id: 0, mmu: mem, decoder: new Decoder() });
  mem.bytes.set(assemble(user, { origin: USER }).bytes, USER);
  mem.bytes.set(assemble(kernel, { origin: KERNEL }).bytes, KERNEL);
  cpu.writeMsr(Msr.STAR, 0, (0x23 << 16) | 0x10);
  cpu.writeMsr(Msr.LSTAR, KERNEL, 0);
  cpu.writeMsr(Msr.SYSCALL_MASK, 0x47700, 0);
  cpu.idtBase = IDT;
  cpu.idtLimit = 0xfff;
  cpu.trBase = TSS;
  // TSS.sp0 = KSTACK
  new DataView(mem.bytes.buffer).setUint32(TSS + 4, KSTACK, true);
  const enterUser = (): void => {
    cpu.rip = USER;
    cpu.sreg[1] = 0x33;
    cpu.sreg[2] = 0x2b;
    cpu.setCpl(3);
    cpu.setRflags(Rflags.IF | 0x2 | Rflags.CF);
    cpu.setGpr(4, 0x7000);
  };
  return { mem, cpu, enterUser };
}

function gate(mem: FlatMemory, vector: number, target: number, dpl = 0): void {
  const v = new DataView(mem.bytes.buffer);
  const at = IDT + vector * 16;
  v.setUint32(at, (0x10 << 16) | (target & 0xffff), true);
  v.setUint32(at + 4, (target & 0xffff0000) | 0x8e00 | (dpl << 13), true);
  v.setUint32(at + 8, 0, true);
}

describe('SYSCALL and SYSRET (SDM Vol. 2B)', () => {
  test('SYSCALL saves RIP in RCX and RFLAGS in R11, masks RFLAGS, loads CS/SS from STAR and jumps to LSTAR at CPL 0', () => {
    const { cpu, enterUser } = machine('movl $39, %eax\nsyscall\nhlt', 'hlt');
    enterUser();
    cpu.run(2);
    expect(cpu.cpl).toBe(0);
    expect(cpu.rip).toBe(KERNEL);
    expect(cpu.gpr(1)).toBe(USER + 7); // after the 2-byte syscall
    expect(cpu.lo[11]! & Rflags.IF).toBe(Rflags.IF);
    expect(cpu.lo[11]! & Rflags.CF).toBe(Rflags.CF);
    expect(cpu.interruptsEnabled).toBe(false);
    expect(cpu.sreg[1]).toBe(0x10);
    expect(cpu.sreg[2]).toBe(0x18);
    expect(cpu.gpr(4)).toBe(0x7000); // no stack switch: the kernel's entry code does that
  });

  test('SYSRET returns to RCX at CPL 3 with RFLAGS from R11 and the user selectors from STAR', () => {
    const { cpu, enterUser } = machine('syscall\nnop\nhlt', 'sysretq');
    enterUser();
    cpu.run(2);
    expect(cpu.cpl).toBe(3);
    expect(cpu.rip).toBe(USER + 2);
    expect(cpu.sreg[1]).toBe(0x33);
    expect(cpu.sreg[2]).toBe(0x2b);
    expect(cpu.interruptsEnabled).toBe(true);
    expect(cpu.getRflags() & Rflags.CF).toBe(Rflags.CF);
  });
});

describe('privilege and exceptions', () => {
  test.each([
    ['swapgs', 'swapgs'],
    ['cli', 'cli'],
    ['hlt', 'hlt'],
    ['wrmsr', 'wrmsr'],
    ['mov to CR3', 'movq %rax, %cr3'],
  ])('%s at CPL 3 raises #GP(0) through the IDT onto the TSS stack', (_name, insn) => {
    const { cpu, mem, enterUser } = machine(`${insn}\nhlt`, 'hlt');
    gate(mem, 13, KERNEL + 0x100);
    mem.bytes[KERNEL + 0x100] = 0xf4; // hlt
    enterUser();
    cpu.run(2);
    expect(cpu.cpl).toBe(0);
    expect(cpu.rip).toBe(KERNEL + 0x101);
    const sp = cpu.gpr(4);
    expect(sp).toBe(KSTACK - 6 * 8);
    expect(cpu.read64n(sp)).toBe(0); // error code
    expect(cpu.read64n(sp + 8)).toBe(USER); // the faulting instruction
    expect(cpu.read64n(sp + 16)).toBe(0x33);
    expect(cpu.read64n(sp + 24) & Rflags.IF).toBe(Rflags.IF);
    expect(cpu.read64n(sp + 32)).toBe(0x7000);
    expect(cpu.read64n(sp + 40)).toBe(0x2b);
    expect(cpu.interruptsEnabled).toBe(false); // interrupt gate
  });

  test('a user access to a supervisor page is a #PF with the U and P bits and CR2', () => {
    const { cpu, mem, enterUser } = machine('movq 0x8010, %rax\nhlt', 'hlt');
    gate(mem, 14, KERNEL + 0x100);
    mem.bytes[KERNEL + 0x100] = 0xf4;
    enterUser();
    cpu.run(2);
    expect(cpu.cr2).toBe(0x8010);
    expect(cpu.read64n(cpu.gpr(4))).toBe(1 | 4);
  });

  test('IRETQ back to user mode restores RIP, CS, RFLAGS, RSP and SS', () => {
    const { cpu, mem, enterUser } = machine('int3\nnop\nhlt', 'iretq');
    gate(mem, 3, KERNEL, 3);
    enterUser();
    expect(cpu.run(3)).toBe(StopReason.Budget);
    expect(cpu.cpl).toBe(3);
    expect(cpu.rip).toBe(USER + 2);
    expect(cpu.gpr(4)).toBe(0x7000);
    expect(cpu.sreg[1]).toBe(0x33);
  });

  test('#DE on division by zero, with RIP at the faulting instruction', () => {
    const { cpu, mem, enterUser } = machine('xorl %ecx, %ecx\ndivl %ecx\nhlt', 'hlt');
    gate(mem, 0, KERNEL);
    enterUser();
    cpu.run(3);
    expect(cpu.read64n(cpu.gpr(4))).toBe(USER + 2);
  });
});

describe('the interrupt window', () => {
  test('a pending vector is taken only with IF = 1, and not in the STI shadow', () => {
    const pending = { hasPending: true, taken: 0, acknowledge(): number { this.taken++; this.hasPending = false; return 0xef; } };
    const mem = new FlatMemory(0x10000);
    const cpu = new Cpu({ id: 0, mmu: mem, decoder: new Decoder(), interrupts: pending });
    mem.bytes.set(assemble('sti\nnop\nnop\nhlt', { origin: 0x1000 }).bytes, 0x1000);
    mem.bytes[0x2000] = 0xf4;
    cpu.idtBase = IDT;
    cpu.idtLimit = 0xfff;
    gate(mem, 0xef, 0x2000);
    cpu.rip = 0x1000;
    cpu.setGpr(4, 0x7000);
    cpu.run(2); // sti, then the nop in its shadow
    expect(pending.taken).toBe(0);
    cpu.run(1); // now the interrupt is delivered before the second nop
    expect(pending.taken).toBe(1);
    expect(cpu.read64n(cpu.gpr(4))).toBe(0x1002);
  });
});

describe('REP string instructions are interruptible (SDM Vol. 1 7.3.9.2)', () => {
  test('at the end of a run slice a REP STOSB stops between iterations, RIP still on it, and resumes where it stopped', () => {
    const { cpu, mem, enterUser } = machine('movl $0x3000, %edi\nmovl $100, %ecx\nmovb $0xab, %al\nrep stosb\nhlt', 'hlt');
    enterUser();
    cpu.run(3 + 40); // the three moves, then 40 iterations
    expect(cpu.gpr(1)).toBe(60);
    expect(cpu.gpr(7)).toBe(0x3000 + 40);
    expect(cpu.rip).toBe(USER + 12); // the rep stosb (after 5 + 5 + 2 bytes), to run again
    expect(mem.bytes[0x3000 + 39]).toBe(0xab);
    expect(mem.bytes[0x3000 + 40]).toBe(0);
    expect(cpu.instret).toBe(43);
    cpu.run(60);
    expect(cpu.gpr(1)).toBe(0);
    expect(cpu.gpr(7)).toBe(0x3000 + 100);
    expect(mem.bytes.subarray(0x3000, 0x3000 + 100).every((b) => b === 0xab)).toBe(true);
    expect(cpu.rip).toBe(USER + 14); // past it, on the hlt
    // every iteration counted once, as callgrind counts them
    expect(cpu.instret).toBe(3 + 100);
  });
});
