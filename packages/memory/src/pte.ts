/**
 * x86-64 page-table entry format (SDM Vol. 3A §4.5, Tables 4-15..4-20). An entry is 64
 * bits, stored little-endian in physical memory and handled here as two unsigned 32-bit
 * halves: `lo` (bits 0..31: flags and address bits 12..31) and `hi` (bits 32..63: address
 * bits 32..51, protection key 59..62, XD at 63).
 */

/** Flags in the low half of an entry. */
export enum Pte {
  /** Present. */
  P = 0x1,
  /** Read/write: writes allowed when set. */
  RW = 0x2,
  /** User/supervisor: user-mode accesses allowed when set. */
  US = 0x4,
  /** Page-level write-through. */
  PWT = 0x8,
  /** Page-level cache disable. */
  PCD = 0x10,
  /** Accessed: set by the walker on every entry it uses. */
  A = 0x20,
  /** Dirty: set by the walker on the leaf when a write goes through it. */
  D = 0x40,
  /** Page size: the entry maps a 1 GiB (PDPTE) or 2 MiB (PDE) page. Reserved in a PML4E. */
  PS = 0x80,
  /** Global: the translation survives CR3 loads. */
  G = 0x100,
}

/** Flags in the high half of an entry. */
export enum PteHi {
  /** Execute-disable (bit 63), honoured when EFER.NXE = 1 and reserved otherwise. */
  XD = 0x80000000,
}

/** Mask of the address bits 12..31 in the low half. */
export const PTE_ADDR_LO_MASK = 0xfffff000;
/** Mask of the address bits 32..51 in the high half. */
export const PTE_ADDR_HI_MASK = 0x000fffff;

/** The #PF error code bits (SDM Vol. 3A §4.7; Linux's X86_PF_* names in comments). */
export enum PfError {
  /** The fault was a protection violation on a present page (PROT); clear for not-present. */
  P = 0x1,
  /** The access was a write (WRITE). */
  W = 0x2,
  /** The access was made in user mode, CPL 3 (USER). */
  U = 0x4,
  /** A reserved bit was set in a paging-structure entry (RSVD). */
  RSVD = 0x8,
  /** The access was an instruction fetch, reported when NXE or SMEP is on (INSTR). */
  I = 0x10,
  /** Protection-key violation (PK); never raised by this model (no CR4.PKE). */
  PK = 0x20,
}

/** Common leaf flag sets (low half). */
export const PAGE_KERNEL: number = Pte.P | Pte.RW | Pte.A | Pte.D | Pte.G;
export const PAGE_KERNEL_RO: number = Pte.P | Pte.A | Pte.G;
export const PAGE_USER_RW: number = Pte.P | Pte.RW | Pte.US;
export const PAGE_USER_RO: number = Pte.P | Pte.US;

/** The physical address an entry points to, from its two halves. */
export function pteAddress(lo: number, hi: number): number {
  return (hi & PTE_ADDR_HI_MASK) * 4294967296 + ((lo & PTE_ADDR_LO_MASK) >>> 0);
}

/** The low half of an entry for physical address `pa` with low flags `flags`. */
export function pteLo(pa: number, flags: number): number {
  return ((pa & PTE_ADDR_LO_MASK) | (flags & 0xfff)) >>> 0;
}

/** The high half of an entry for physical address `pa` with high flags `flagsHi` (e.g. XD). */
export function pteHi(pa: number, flagsHi: number): number {
  return ((Math.floor(pa / 4294967296) & PTE_ADDR_HI_MASK) | (flagsHi & ~PTE_ADDR_HI_MASK)) >>> 0;
}
