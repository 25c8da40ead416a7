import type { Cpu, F80 } from '@legosim/cpu';

/**
 * struct fpu: a task's x87, MMX and SSE state while it is switched out (what FXSAVE would
 * hold: the x87 stack and control/status/tag words, MXCSR, the xmm and mm registers).
 * switch_fpu_prepare/switch_fpu_finish save it from and restore it to the CPU, so tasks
 * sharing a CPU never see each other's registers or rounding modes.
 */
export class FpuState {
  private readonly vector: Uint8Array;
  private readonly regs: F80[] = [];
  private mxcsr = 0x1f80;
  private control = 0x37f;
  private status = 0;
  private top = 0;
  private emptyMask = 0xff;

  constructor(cpu: Cpu) {
    this.vector = new Uint8Array(cpu.xmmBuffer.byteLength);
    this.save(cpu);
  }

  save(cpu: Cpu): void {
    this.vector.set(new Uint8Array(cpu.xmmBuffer));
    const f = cpu.fpu;
    this.regs.length = 0;
    this.regs.push(...f.regs);
    this.mxcsr = cpu.mxcsr;
    this.control = f.control;
    this.status = f.status;
    this.top = f.top;
    this.emptyMask = f.emptyMask;
  }

  restore(cpu: Cpu): void {
    new Uint8Array(cpu.xmmBuffer).set(this.vector);
    const f = cpu.fpu;
    for (let i = 0; i < 8; i++) f.regs[i] = this.regs[i]!;
    cpu.mxcsr = this.mxcsr;
    f.control = this.control;
    f.status = this.status;
    f.top = this.top;
    f.emptyMask = this.emptyMask;
  }

  /** fpu__clear() at execve: FNINIT's x87 state, MXCSR at its reset value, zeroed registers. */
  static clear(cpu: Cpu): void {
    new Uint8Array(cpu.xmmBuffer).fill(0);
    cpu.mxcsr = 0x1f80;
    const f = cpu.fpu;
    f.control = 0x37f;
    f.status = 0;
    f.top = 0;
    f.emptyMask = 0xff;
  }
}
