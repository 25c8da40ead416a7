import { F80, INDEFINITE, type RoundingControl, ZERO } from './float80.js';

/** x87 status word bits (SDM Vol. 1, 8.1.3). */
export const enum FpuStatus {
  IE = 1 << 0,
  DE = 1 << 1,
  ZE = 1 << 2,
  OE = 1 << 3,
  UE = 1 << 4,
  PE = 1 << 5,
  SF = 1 << 6,
  ES = 1 << 7,
  C0 = 1 << 8,
  C1 = 1 << 9,
  C2 = 1 << 10,
  C3 = 1 << 14,
  Conditions = C0 | C1 | C2 | C3,
}

/** Precision control (control word bits 8-9) as significand bits. */
const PRECISION = [24, 53, 64, 64];

/**
 * The x87 FPU of one CPU: eight 80-bit registers used as a stack (ST(i) is physical
 * register (TOP + i) mod 8), the control, status and tag words. Linux starts every task
 * with FNINIT's state: control word 0x37f (all exceptions masked, 64-bit precision, round
 * to nearest), an empty stack.
 */
export class X87State {
  /** Physical registers R0..R7. */
  readonly regs: F80[] = new Array<F80>(8).fill(ZERO);
  /** Bit i set: physical register i is empty. */
  emptyMask = 0xff;
  top = 0;
  /** Status word without TOP (bits 11-13 are kept in `top`). */
  status = 0;
  control = 0x37f;

  get precision(): number {
    return PRECISION[(this.control >> 8) & 3]!;
  }

  get rounding(): RoundingControl {
    return ((this.control >> 10) & 3) as RoundingControl;
  }

  /** The status word as FNSTSW stores it. */
  get statusWord(): number {
    return (this.status & ~(7 << 11)) | (this.top << 11);
  }

  init(): void {
    this.regs.fill(ZERO);
    this.emptyMask = 0xff;
    this.top = 0;
    this.status = 0;
    this.control = 0x37f;
  }

  isEmpty(i: number): boolean {
    return ((this.emptyMask >> ((this.top + i) & 7)) & 1) === 1;
  }

  /** ST(i); an empty register is a stack underflow: IE and SF, and the real indefinite. */
  get(i: number): F80 {
    const r = (this.top + i) & 7;
    if ((this.emptyMask >> r) & 1) {
      this.status = (this.status | FpuStatus.IE | FpuStatus.SF) & ~FpuStatus.C1;
      return INDEFINITE;
    }
    return this.regs[r]!;
  }

  set(i: number, value: F80): void {
    const r = (this.top + i) & 7;
    this.regs[r] = value;
    this.emptyMask &= ~(1 << r);
  }

  push(value: F80): void {
    const r = (this.top - 1) & 7;
    if (!((this.emptyMask >> r) & 1)) {
      // stack overflow
      this.status |= FpuStatus.IE | FpuStatus.SF | FpuStatus.C1;
      value = INDEFINITE;
    }
    this.top = r;
    this.regs[r] = value;
    this.emptyMask &= ~(1 << r);
  }

  pop(): void {
    this.emptyMask |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  free(i: number): void {
    this.emptyMask |= 1 << ((this.top + i) & 7);
  }

  /** The full tag word (2 bits per physical register: 00 valid, 01 zero, 10 special, 11 empty). */
  get tagWord(): number {
    let w = 0;
    for (let r = 0; r < 8; r++) {
      let tag: number;
      if ((this.emptyMask >> r) & 1) tag = 3;
      else {
        const v = this.regs[r]!;
        if (v.isZero) tag = 1;
        else if (v.exp === 0 || v.exp === 0x7fff || (v.mant >> 63n) === 0n) tag = 2;
        else tag = 0;
      }
      w |= tag << (2 * r);
    }
    return w;
  }

  set tagWord(w: number) {
    this.emptyMask = 0;
    for (let r = 0; r < 8; r++) if (((w >> (2 * r)) & 3) === 3) this.emptyMask |= 1 << r;
  }
}

export { F80 };
