/**
 * Numeric vocabulary shared by the generator (scripts/generate.ts) and the decoder: what
 * the generated per-row arrays hold. Changing a value here requires `pnpm generate`.
 */

/** Operand class: what kind of thing an operand slot can be. */
export const enum OpClass {
  None = 0,
  /** General-purpose register (reg, rm with mod=3 only, opcode low bits, vvvv). */
  Gpr = 1,
  /** General-purpose register or memory (r/m8..r/m64, r32/m16). */
  GprOrMem = 2,
  /** Memory only (m, m8..m512, m16&64, m80fp...). */
  Mem = 3,
  /** Immediate (ib/iw/id/io). */
  Imm = 4,
  /** Relative branch target (cb/cd). */
  Rel = 5,
  Xmm = 6,
  XmmOrMem = 7,
  Ymm = 8,
  YmmOrMem = 9,
  Zmm = 10,
  ZmmOrMem = 11,
  Mmx = 12,
  MmxOrMem = 13,
  /** Opmask register k0..k7. */
  Kreg = 14,
  KregOrMem = 15,
  Sreg = 16,
  Creg = 17,
  Dreg = 18,
  /** ST(i) from ModRM.rm. */
  St = 19,
  /** A fixed register named by the token (AL, CL, DX, RAX, ST(0)...): `opFixed`. */
  Fixed = 20,
  /** The constant 1 of the shift-by-one forms. */
  One = 21,
  /** moffs: a full-width absolute address (movabs). */
  Moffs = 22,
  /** String source seg:[rSI]. */
  StrSrc = 23,
  /** String destination ES:[rDI]. */
  StrDst = 24,
  /** Second immediate (enter's imm8 after imm16). */
  Imm2 = 25,
}

/** Where an operand's bits come from (the SDM's Op/En letters). */
export const enum OpEnc {
  None = 0,
  /** ModRM.reg (+REX.R, EVEX.R'). */
  Reg = 1,
  /** ModRM.r/m (+REX.B/X). */
  Rm = 2,
  /** VEX/EVEX.vvvv (+EVEX.V'). */
  Vvvv = 3,
  Imm = 4,
  Rel = 5,
  /** Low three opcode bits (+REX.B). */
  Opcode = 6,
  /** Implicit: fixed by the operand class / `opFixed`. */
  Implicit = 7,
  /** imm8[7:4] names a vector register (VEX /is4). */
  Is4 = 8,
}

/** Opcode maps, the first index of the dispatch table (`map * 256 + opcode`). */
export const enum OpMap {
  Legacy = 0,
  M0F = 1,
  M0F38 = 2,
  M0F3A = 3,
  Vex0F = 4,
  Vex0F38 = 5,
  Vex0F3A = 6,
  Evex0F = 7,
  Evex0F38 = 8,
  Evex0F3A = 9,
  Count = 10,
}

/** Mandatory-prefix requirement of a row. */
export const enum MandatoryPrefix {
  /** Legacy row: 66/F2/F3 keep their legacy meanings. */
  Any = 0,
  /** NP: no 66, F2 or F3 may select this row. */
  None = 1,
  P66 = 2,
  PF3 = 3,
  PF2 = 4,
}

/** Operand-size behaviour of a row. */
export const enum OsMode {
  /** 32 by default, REX.W gives 64, 66 gives 16. */
  Default32 = 0,
  /** 64 by default, 66 gives 16 (push, pop). */
  Default64 = 1,
  /** Always 64 (near branches). */
  Force64 = 2,
}

/** Row flag bits (`rowFlags`). */
export const enum RowFlag {
  Lock = 1 << 0,
  Rep = 1 << 1,
  Repe = 1 << 2,
  Bnd = 1 << 3,
  Notrack = 1 << 4,
  /** imm8 is sign-extended to the operand size. */
  SignExtImm = 1 << 5,
  Xacquire = 1 << 6,
  Xrelease = 1 << 7,
  /** EVEX: {k} merging/zeroing mask allowed on the destination. */
  EvexK = 1 << 8,
  /** EVEX: {z} allowed. */
  EvexZ = 1 << 9,
  /** EVEX: embedded broadcast allowed (the memory operand has an mNNbcst form). */
  EvexBcst = 1 << 10,
  /** VSIB memory operand (gathers): SIB.index names a vector register; OP_REGSIZE is its width. */
  Vsib = 1 << 11,
  /** EVEX: {sae} allowed — EVEX.b with a register operand suppresses exceptions. */
  EvexSae = 1 << 12,
  /** The memory form's width is fixed: 66 and REX.W do not change it (str m16). */
  MemFixed = 1 << 13,
  /**
   * EVEX row whose mnemonic VEX also encodes at the same opcode (vpaddd, vmovups; not
   * vmovdqu32 nor the GPR-source vpbroadcastd), or flagged `vextwin`: objdump marks
   * such an encoding `{evex}` when it uses nothing only EVEX has (a mask, {z}, a broadcast,
   * {sae}/{er}, zmm or xmm16-31). Set by the generator from the whole table.
   */
  VexTwin = 1 << 14,
  /**
   * EVEX: {er} allowed — EVEX.b with a register operand selects static rounding from
   * EVEX.L'L ({rn,rd,ru,rz}-sae). Without EvexSae or EvexEr, EVEX.b with a register operand is #UD.
   */
  EvexEr = 1 << 15,
  /**
   * EVEX tuple type T1S for a full-vector memory operand (compress/expand): disp8 is scaled by
   * one element (W0 a dword, W1 a qword), not by the operand. Row field `tt: 't1s'`.
   */
  EvexT1s = 1 << 16,
}

/** AT&T suffix rule of a row (formatter data). */
export const enum AttSuffix {
  /** objdump's default: add b/w/l/q when no register operand implies the size. */
  Auto = 0,
  /** Always append the operand-size suffix (`movzb%`). */
  Always = 1,
  /** Never add a suffix. */
  Never = 2,
  /** Append the suffix only when the r/m operand is memory (`cvtsi2sdl (%rax),%xmm0`; spelled `?`). */
  WhenMemory = 3,
}
