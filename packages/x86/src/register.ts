/**
 * Register numbering shared by the decoder, the formatters, the assembler and the CPU.
 *
 * Ranges are contiguous so that a register's number within its class is `reg - first`:
 * `Register.RAX + n` is GPR n as a 64-bit register, `Register.XMM0 + n` is xmm<n>.
 * Byte registers: AL..R15L are the REX-style low bytes (SPL, BPL, SIL, DIL included);
 * AH..BH are the legacy high bytes, usable only without REX.
 */
export const enum Register {
  None = 0,
  // 8-bit low bytes, GPR index 0..15
  AL = 1, CL, DL, BL, SPL, BPL, SIL, DIL, R8L, R9L, R10L, R11L, R12L, R13L, R14L, R15L,
  // 8-bit legacy high bytes (bits 15:8 of RAX, RCX, RDX, RBX)
  AH = 17, CH, DH, BH,
  // 16-bit
  AX = 21, CX, DX, BX, SP, BP, SI, DI, R8W, R9W, R10W, R11W, R12W, R13W, R14W, R15W,
  // 32-bit
  EAX = 37, ECX, EDX, EBX, ESP, EBP, ESI, EDI, R8D, R9D, R10D, R11D, R12D, R13D, R14D, R15D,
  // 64-bit
  RAX = 53, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
  RIP = 69,
  EIP = 70,
  // segment registers, in encoding order (ES=0 .. GS=5)
  ES = 71, CS, SS, DS, FS, GS,
  // control and debug registers
  CR0 = 77, CR1, CR2, CR3, CR4, CR5, CR6, CR7, CR8, CR9, CR10, CR11, CR12, CR13, CR14, CR15,
  DR0 = 93, DR1, DR2, DR3, DR4, DR5, DR6, DR7, DR8, DR9, DR10, DR11, DR12, DR13, DR14, DR15,
  // vector registers
  XMM0 = 109,
  YMM0 = 141,
  ZMM0 = 173,
  K0 = 205, K1, K2, K3, K4, K5, K6, K7,
  MM0 = 213, MM1, MM2, MM3, MM4, MM5, MM6, MM7,
  ST0 = 221, ST1, ST2, ST3, ST4, ST5, ST6, ST7,
  TR = 229,
  Count = 230,
}

/** First register of each class; `reg - first` is the register's number in its class. */
export const enum RegisterClass {
  Gpr8 = 1,
  Gpr8High = 17,
  Gpr16 = 21,
  Gpr32 = 37,
  Gpr64 = 53,
  Segment = 71,
  Control = 77,
  Debug = 93,
  Xmm = 109,
  Ymm = 141,
  Zmm = 173,
  Mask = 205,
  Mmx = 213,
  St = 221,
}

/** GPR number (0 = rax .. 15 = r15) of a general-purpose register of any width, or -1. */
export function gprIndex(reg: Register): number {
  if (reg >= Register.AL && reg <= Register.R15L) return reg - Register.AL;
  if (reg >= Register.AH && reg <= Register.BH) return reg - Register.AH; // high byte of gpr 0..3
  if (reg >= Register.AX && reg <= Register.R15) return (reg - Register.AX) & 15;
  return -1;
}

/** Width in bytes of a general-purpose register, or 0 for other registers. */
export function gprSize(reg: Register): number {
  if (reg >= Register.AL && reg <= Register.BH) return 1;
  if (reg >= Register.AX && reg <= Register.R15W) return 2;
  if (reg >= Register.EAX && reg <= Register.R15D) return 4;
  if (reg >= Register.RAX && reg <= Register.R15) return 8;
  return 0;
}
