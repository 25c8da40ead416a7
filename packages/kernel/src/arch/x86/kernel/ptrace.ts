/**
 * struct pt_regs (arch/x86/include/asm/ptrace.h): 21 × 8 bytes. The field names in memory
 * order are the trace schema's (`syscall_entry.regs` prints them in this order), so the
 * list is defined once, there.
 */
export { PT_REGS_FIELDS, type PtRegsField } from '@legosim/trace';

/** Byte offsets of the pt_regs fields. */
export const enum PtRegs {
  R15 = 0,
  R14 = 8,
  R13 = 16,
  R12 = 24,
  BP = 32,
  BX = 40,
  R11 = 48,
  R10 = 56,
  R9 = 64,
  R8 = 72,
  AX = 80,
  CX = 88,
  DX = 96,
  SI = 104,
  DI = 112,
  ORIG_AX = 120,
  IP = 128,
  CS = 136,
  FLAGS = 144,
  SP = 152,
  SS = 160,
  SIZE = 168,
}

/** The GPR number (rax=0 .. r15=15) held in each pt_regs slot, in slot order. */
export const PT_REGS_GPR: readonly number[] = [15, 14, 13, 12, 5, 3, 11, 10, 9, 8, 0, 1, 2, 6, 7];
