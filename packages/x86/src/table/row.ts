/**
 * One row of the instruction table: one encoding form of one instruction, written the way
 * the Intel SDM's opcode tables write it. The table is data; `scripts/generate.ts` turns it
 * into the decoder's dense lookup tables and the `Code`/`Mnemonic` enums, and the assembler
 * reads the same rows.
 *
 * Row format (stable; the assembler depends on it):
 *  - `op`  SDM "Opcode" column. Tokens: mandatory prefix (`NP`, `66`, `F2`, `F3`), `REX.W`,
 *          opcode bytes in hex (`0F`, `0F 38`, ...), `/r` or `/0`..`/7`, `ib` `iw` `id` `io`,
 *          `cb` `cd` (relative), `+rb` `+rw` `+rd` `+ro` (register in the low opcode bits),
 *          a full ModRM byte after a `/digit`-less opcode (e.g. `0F 01 D0`), and for VEX/EVEX
 *          the SDM prefix spelling `VEX.128.66.0F.WIG`, `EVEX.512.F3.0F.W1` (L: 128/256/512/L0/L1/LIG/LZ;
 *          W: W0/W1/WIG).
 *  - `ins` SDM "Instruction" column in Intel syntax (`ADD r/m64, r64`). EVEX decorations
 *          `{k1}` and `{z}` follow the first operand (`VMOVDQU8 zmm1 {k1}{z}, zmm2/m512`).
 *  - `en`  operand encoding, one letter per operand (SDM "Op/En" column spelled out):
 *          R = ModRM.reg, M = ModRM.r/m, V = VEX/EVEX.vvvv, I = immediate, D = relative branch,
 *          O = opcode low bits, Z = implicit (fixed by the token), S = imm8[7:4] register,
 *          X = string source seg:[rSI], Y = string destination ES:[rDI] (the SDM opcode map's X/Y).
 *          Inferred by the generator when absent (see `scripts/generate.ts`).
 *  - `acc` operand access, one word per operand: `r`, `w`, `rw`, `n` (not accessed: lea, nop).
 *          Default: `rw` for the first operand, `r` for the others.
 *  - `att` AT&T mnemonic as objdump prints it, when it is not the lowercase Intel one.
 *          A trailing `%` is replaced by the operand-size suffix (b/w/l/q); a trailing `!`
 *          means "never add a size suffix", a trailing `?` "add it only when the r/m operand is memory". Without `att`, the suffix is added when the
 *          operation size is not implied by a register operand (objdump's rule).
 *  - `f`   space-separated flags: `lock` (LOCK allowed), `rep` / `repe` (F3/F2 repeat),
 *          `bnd` (F2 = BND), `notrack` (3E = NOTRACK), `d64` (operand size defaults to 64,
 *          66 gives 16), `f64` (always 64), `sx` (imm8 sign-extended to the operand size),
 *          `xacq` `xrel` (HLE), `fixsz` (the operand size is fixed by the instruction: 66/REX.W ignored), `memfix` (only the memory form ignores 66/REX.W), `vextwin` (EVEX: objdump prints `{evex}` for an unmasked use although VEX has this mnemonic only at another opcode), `o16`/`o32`/`o64` (operand size the row needs when not
 *          implied by its operands), `a32` (needs 0x67), `a64` (needs no 0x67).
 *  - `cpuid` CPUID feature flag (SDM "CPUID Feature Flag" column); absent = base x86-64.
 *  - `fl`  RFLAGS effect: `r:` read, `w:` written, `u:` undefined, `c:` cleared, `s:` set;
 *          letters o d i t s z a p c (e.g. `w:oszapc`).
 *  - `code` Code member name override (rows that differ only by operand size: `Iretq`).
 *  - `tt`  EVEX tuple type for disp8*N when the operands do not imply it: `t1s` (one element,
 *          by W, for a full-vector operand: compress/expand). Default: the memory operand's size,
 *          or the element size when broadcasting.
 */
export interface Row {
  readonly op: string;
  readonly ins: string;
  readonly en?: string;
  readonly acc?: string;
  readonly att?: string;
  readonly f?: string;
  readonly cpuid?: string;
  readonly fl?: string;
  readonly tt?: string;
  /** `Code` member name when the derived one (mnemonic + operands) would clash or mislead (`Sysretq`). */
  readonly code?: string;
}
