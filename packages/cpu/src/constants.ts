/** RFLAGS bits (SDM Vol. 1, 3.4.3). */
export const enum Rflags {
  CF = 1 << 0,
  Reserved1 = 1 << 1,
  PF = 1 << 2,
  AF = 1 << 4,
  ZF = 1 << 6,
  SF = 1 << 7,
  TF = 1 << 8,
  IF = 1 << 9,
  DF = 1 << 10,
  OF = 1 << 11,
  IOPL = 3 << 12,
  NT = 1 << 14,
  RF = 1 << 16,
  VM = 1 << 17,
  AC = 1 << 18,
  VIF = 1 << 19,
  VIP = 1 << 20,
  ID = 1 << 21,
  /** The six arithmetic status flags. */
  Status = CF | PF | AF | ZF | SF | OF,
}

/** Model-specific registers the CPU implements (SDM Vol. 4). */
export const enum Msr {
  TSC = 0x10,
  APIC_BASE = 0x1b,
  EFER = 0xc0000080,
  STAR = 0xc0000081,
  LSTAR = 0xc0000082,
  CSTAR = 0xc0000083,
  SYSCALL_MASK = 0xc0000084,
  FS_BASE = 0xc0000100,
  GS_BASE = 0xc0000101,
  KERNEL_GS_BASE = 0xc0000102,
  TSC_AUX = 0xc0000103,
}

/** EFER bits. */
export const enum Efer {
  SCE = 1 << 0,
  LME = 1 << 8,
  LMA = 1 << 10,
  NXE = 1 << 11,
}

export const enum Cr0 {
  PE = 1 << 0,
  MP = 1 << 1,
  EM = 1 << 2,
  TS = 1 << 3,
  ET = 1 << 4,
  NE = 1 << 5,
  WP = 1 << 16,
  AM = 1 << 18,
  PG = 1 << 31,
}

export const enum Cr4 {
  PAE = 1 << 5,
  PGE = 1 << 7,
  OSFXSR = 1 << 9,
  OSXMMEXCPT = 1 << 10,
  FSGSBASE = 1 << 16,
  OSXSAVE = 1 << 18,
  SMEP = 1 << 20,
  SMAP = 1 << 21,
}

/** Exception vectors (SDM Vol. 3, 6.3.1). */
export const enum Vector {
  DE = 0,
  DB = 1,
  NMI = 2,
  BP = 3,
  OF = 4,
  BR = 5,
  UD = 6,
  NM = 7,
  DF = 8,
  TS = 10,
  NP = 11,
  SS = 12,
  GP = 13,
  PF = 14,
  MF = 16,
  AC = 17,
  MC = 18,
  XM = 19,
}

/** Vectors whose delivery pushes an error code. */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

export const EXCEPTION_NAMES: readonly string[] = [
  'divide error',
  'debug',
  'NMI',
  'int3',
  'overflow',
  'bounds',
  'invalid opcode',
  'device not available',
  'double fault',
  'coprocessor segment overrun',
  'invalid TSS',
  'segment not present',
  'stack segment',
  'general protection',
  'page fault',
  'reserved',
  'x87 floating point',
  'alignment check',
  'machine check',
  'SIMD floating point',
];
