import { Rflags } from './constants.js';

/**
 * Lazy arithmetic flags. Most flag results are never read (the next instruction
 * overwrites them), so ALU instructions record their operands and result and the six
 * status flags are computed only when something reads them (Jcc, SETcc, PUSHF...).
 *
 * Values are kept as the instruction saw them: for sizes 1 and 2 masked to the width
 * (non-negative), for size 4 as int32, for size 8 as two int32 halves.
 */
export const enum FlagOp {
  /** The status flags are materialised in `rflags`. */
  Eager = 0,
  Add = 1,
  Adc = 2,
  Sub = 3,
  Sbb = 4,
  /** and/or/xor/test: CF = OF = 0, AF = 0 (undefined in the SDM; hardware clears it). */
  Logic = 5,
  /** inc/dec: like add/sub of 1, but CF is preserved (`cf`). */
  Inc = 6,
  Dec = 7,
  /**
   * rol/ror on top of the previous lazy state: CF (`cf`) and OF (`rotateOf`) are the
   * rotate's; SF, ZF, PF and AF are still the previous operation's (`rotatedOp`), whose
   * result and operands stay in place.
   */
  Rotate = 8,
}

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = 0;
  for (let b = i; b; b >>= 1) bits += b & 1;
  PARITY[i] = bits & 1 ? 0 : Rflags.PF;
}

export class LazyFlags {
  op: FlagOp = FlagOp.Eager;
  size = 4;
  res = 0;
  resHi = 0;
  a = 0;
  aHi = 0;
  b = 0;
  bHi = 0;
  /** Carry in (adc/sbb), the preserved CF (inc/dec), or a rotate's CF. */
  cf = 0;
  /** Rotate: its OF, and the operation whose SF/ZF/PF/AF still stand. */
  rotateOf = false;
  rotatedOp: FlagOp = FlagOp.Eager;

  /**
   * A rotate's CF and OF over the lazy state (which must not be Eager: the caller updates
   * RFLAGS directly then). Rotates are frequent in hash code and rarely have their flags read.
   */
  rotate(cf: number, of: boolean): void {
    if (this.op !== FlagOp.Rotate) this.rotatedOp = this.op;
    this.op = FlagOp.Rotate;
    this.cf = cf;
    this.rotateOf = of;
  }

  set(op: FlagOp, size: number, a: number, aHi: number, b: number, bHi: number, res: number, resHi: number): void {
    this.op = op;
    this.size = size;
    this.a = a;
    this.aHi = aHi;
    this.b = b;
    this.bHi = bHi;
    this.res = res;
    this.resHi = resHi;
  }

  zf(): boolean {
    return this.size === 8 ? (this.res | this.resHi) === 0 : this.res === 0;
  }

  sf(): boolean {
    switch (this.size) {
      case 1:
        return (this.res & 0x80) !== 0;
      case 2:
        return (this.res & 0x8000) !== 0;
      case 4:
        return this.res < 0;
      default:
        return this.resHi < 0;
    }
  }

  pf(): number {
    return PARITY[this.res & 0xff]!;
  }

  /** a < b as unsigned numbers of the current size. */
  private below(a: number, aHi: number, b: number, bHi: number): boolean {
    if (this.size === 8) {
      const ah = aHi >>> 0;
      const bh = bHi >>> 0;
      return ah < bh || (ah === bh && a >>> 0 < b >>> 0);
    }
    return a >>> 0 < b >>> 0;
  }

  cfOf(): boolean {
    switch (this.op) {
      case FlagOp.Add:
        return this.below(this.res, this.resHi, this.a, this.aHi);
      case FlagOp.Adc:
        return (
          this.below(this.res, this.resHi, this.a, this.aHi) ||
          (this.cf !== 0 && this.res === this.a && this.resHi === this.aHi)
        );
      case FlagOp.Sub:
        return this.below(this.a, this.aHi, this.b, this.bHi);
      case FlagOp.Sbb:
        return (
          this.below(this.a, this.aHi, this.b, this.bHi) ||
          (this.cf !== 0 && this.a === this.b && this.aHi === this.bHi)
        );
      case FlagOp.Logic:
        return false;
      default:
        // inc/dec keep the CF they were given; a rotate's is its own
        return this.cf !== 0;
    }
  }

  /** Sign bit of x at the current size (x is the low half unless size 8, where the high half is passed). */
  private sign(lo: number, hi: number): boolean {
    switch (this.size) {
      case 1:
        return (lo & 0x80) !== 0;
      case 2:
        return (lo & 0x8000) !== 0;
      case 4:
        return lo < 0;
      default:
        return hi < 0;
    }
  }

  of(): boolean {
    switch (this.op) {
      case FlagOp.Add:
      case FlagOp.Adc:
      case FlagOp.Inc:
        return this.sign((this.a ^ this.res) & (this.b ^ this.res), (this.aHi ^ this.resHi) & (this.bHi ^ this.resHi));
      case FlagOp.Sub:
      case FlagOp.Sbb:
      case FlagOp.Dec:
        return this.sign((this.a ^ this.b) & (this.a ^ this.res), (this.aHi ^ this.bHi) & (this.aHi ^ this.resHi));
      case FlagOp.Rotate:
        return this.rotateOf;
      default:
        return false;
    }
  }

  af(): number {
    const op = this.op === FlagOp.Rotate ? this.rotatedOp : this.op;
    return op === FlagOp.Logic ? 0 : (this.a ^ this.b ^ this.res) & Rflags.AF;
  }

  /** The six status flags as RFLAGS bits. */
  status(): number {
    let f = this.pf() | this.af();
    if (this.cfOf()) f |= Rflags.CF;
    if (this.zf()) f |= Rflags.ZF;
    if (this.sf()) f |= Rflags.SF;
    if (this.of()) f |= Rflags.OF;
    return f;
  }
}
