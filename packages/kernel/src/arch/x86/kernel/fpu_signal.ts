import { type Cpu, F80 } from '@legosim/cpu';

/**
 * arch/x86/kernel/fpu/signal.c: the FPU state in a signal frame. The model's CPU has FXSR and
 * no XSAVE, so the frame holds the 512-byte FXSAVE image (fpu_user_xstate_size), 64-byte
 * aligned, and its software-reserved bytes stay zero (no FP_XSTATE_MAGIC1: there is no
 * extended state to describe).
 */

/** sizeof(struct fxregs_state). */
export const FXSAVE_SIZE = 512;

/** copy_fpregs_to_sigframe(): the CPU's x87/SSE registers as FXSAVE stores them. */
export function fxsaveImage(cpu: Cpu): Uint8Array {
  const out = new Uint8Array(FXSAVE_SIZE);
  const v = new DataView(out.buffer);
  const fpu = cpu.fpu;
  v.setUint16(0, fpu.control, true);
  v.setUint16(2, fpu.statusWord, true);
  // the abridged tag word: one bit per physical register, 1 = valid
  v.setUint8(4, ~fpu.emptyMask & 0xff);
  v.setUint32(24, cpu.mxcsr, true);
  v.setUint32(28, 0xffff, true); // MXCSR_MASK
  for (let i = 0; i < 8; i++) {
    const r = fpu.regs[(fpu.top + i) & 7]!;
    const at = 32 + i * 16;
    v.setUint32(at, Number(r.mant & 0xffffffffn), true);
    v.setUint32(at + 4, Number(r.mant >> 32n), true);
    v.setUint16(at + 8, (r.sign << 15) | r.exp, true);
  }
  const x = cpu.x32;
  for (let i = 0; i < 64; i++) v.setInt32(160 + i * 4, x[i]!, true);
  return out;
}

/**
 * fpu__restore_sig(): loads the registers from a frame's FXSAVE image. Reserved MXCSR bits
 * are cleared (the kernel masks with mxcsr_feature_mask) rather than letting the guest make
 * a later FXRSTOR fault.
 */
export function fxrstorImage(cpu: Cpu, image: Uint8Array): void {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const fpu = cpu.fpu;
  fpu.control = v.getUint16(0, true);
  const sw = v.getUint16(2, true);
  fpu.status = sw & ~(7 << 11);
  fpu.top = (sw >> 11) & 7;
  fpu.emptyMask = ~v.getUint8(4) & 0xff;
  for (let i = 0; i < 8; i++) {
    const at = 32 + i * 16;
    const mant = (BigInt(v.getUint32(at + 4, true)) << 32n) | BigInt(v.getUint32(at, true));
    const top = v.getUint16(at + 8, true);
    fpu.regs[(fpu.top + i) & 7] = new F80((top >>> 15) & 1, top & 0x7fff, mant);
  }
  cpu.mxcsr = v.getUint32(24, true) & 0xffff;
  const x = cpu.x32;
  for (let i = 0; i < 64; i++) x[i] = v.getInt32(160 + i * 4, true);
}
