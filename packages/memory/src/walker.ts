import type { PhysicalAccess } from './physical-memory.js';
import { PfError, Pte } from './pte.js';

/** Kind of access being translated. */
export enum Access {
  Read = 0,
  Write = 1,
  Fetch = 2,
}

/**
 * Paging state that decides whether an access is allowed: the same shape as `PagingMode`
 * in `@legosim/cpu`'s bus.ts (declared here so this package does not depend on the CPU).
 */
export interface PagingMode {
  /** Current privilege level (0 kernel, 3 user). */
  cpl: number;
  /** CR0.WP: supervisor writes honour read-only pages. */
  writeProtect: boolean;
  /** EFER.NXE: the XD bit (63) of page-table entries is honoured (and is reserved when clear). */
  noExecute: boolean;
  /** CR4.SMEP: supervisor instruction fetches from user pages fault. */
  smep: boolean;
  /** CR4.SMAP and RFLAGS.AC clear: supervisor data accesses to user pages fault. */
  smap: boolean;
}

/** Bits of {@link WalkResult.perms}: the combined rights of the whole walk. */
export enum Perm {
  /** Writable: R/W set at every level. */
  Write = 0x2,
  /** User: U/S set at every level (a "user-mode address"). */
  User = 0x4,
  /** The leaf is dirty. */
  Dirty = 0x40,
  /** The leaf is global. */
  Global = 0x100,
  /** XD set at some level (only meaningful when EFER.NXE = 1). */
  NoExec = 0x1000,
}

/** The outcome of a {@link walk}, written into a reusable object (no allocation per walk). */
export class WalkResult {
  /** Physical address of the 4 KiB page holding the linear address (also inside large pages). */
  pageBase = 0;
  /** Combined rights, {@link Perm} bits. */
  perms = 0;
  /** log2 of the page size of the leaf: 12, 21 (2 MiB) or 30 (1 GiB). */
  pageShift = 12;
  /** #PF error code when the walk faulted ({@link PfError} bits). */
  errorCode = 0;
}

const TWO_48 = 281474976710656;

/** Reserved-bit masks of the high half for `physBits` physical address bits (bits physBits..51). */
export function reservedHighMask(physBits: number): number {
  // address bits 32..51 live in hi bits 0..19
  return ((0xfffff >>> (physBits - 32)) << (physBits - 32)) & 0xfffff;
}

/** Walks from one level to the next: entry addresses and low halves of the levels used. */
const entryAddr = new Float64Array(5);
const entryLo = new Float64Array(5);

/**
 * Translates canonical linear address `la` (signed form) through the 4-level tables at
 * `cr3`, checking the access against `mode` as the SDM (Vol. 3A §4.6) defines: P, R/W
 * (supervisor writes only with CR0.WP), U/S, SMEP, SMAP, XD (with NXE) and reserved bits.
 * On success it sets the accessed flag of every entry used and, for a write, the dirty
 * flag of the leaf, in physical memory, fills `out` and returns true. On a fault it
 * changes no memory, sets `out.errorCode` and returns false. The caller checks canonicality.
 */
export function walk(
  mem: PhysicalAccess,
  cr3: number,
  la: number,
  access: Access,
  mode: PagingMode,
  rsvdHi: number,
  out: WalkResult,
): boolean {
  const user = mode.cpl === 3;
  const nxe = mode.noExecute;
  let code = (access === Access.Write ? PfError.W : 0) | (user ? PfError.U : 0);
  if (access === Access.Fetch && (nxe || mode.smep)) code |= PfError.I;
  const hiMask = nxe ? rsvdHi : rsvdHi | 0x80000000;

  const la48 = la < 0 ? la + TWO_48 : la;
  const vpn = (la48 - (la48 & 4095)) / 4096;
  let table = cr3 - (cr3 % 4096);
  let rights = Pte.RW | Pte.US;
  let nx = 0;
  let level = 4;
  let lo = 0;
  let hi = 0;
  let pageBase = 0;
  let pageShift = 12;
  for (;;) {
    let index: number;
    if (level === 4) index = Math.floor(vpn / 134217728);
    else if (level === 3) index = (vpn / 262144) & 511;
    else if (level === 2) index = (vpn / 512) & 511;
    else index = vpn & 511;
    const addr = table + index * 8;
    lo = mem.read32(addr);
    hi = mem.read32(addr + 4);
    if ((lo & Pte.P) === 0) {
      out.errorCode = code;
      return false;
    }
    let rsvd = (hi & hiMask) !== 0;
    const large = (lo & Pte.PS) !== 0;
    if (large) {
      if (level === 4) rsvd = true;
      else if (level === 3) rsvd ||= (lo & 0x3fffe000) !== 0;
      else if (level === 2) rsvd ||= (lo & 0x001fe000) !== 0;
    }
    if (rsvd) {
      out.errorCode = code | PfError.P | PfError.RSVD;
      return false;
    }
    entryAddr[level] = addr;
    entryLo[level] = lo;
    rights &= lo;
    nx |= hi >>> 31;
    if (level === 1) {
      pageBase = (hi & 0xfffff) * 4294967296 + ((lo & 0xfffff000) >>> 0);
      break;
    }
    if (large && level === 2) {
      pageBase = (hi & 0xfffff) * 4294967296 + ((lo & 0xffe00000) >>> 0) + (vpn & 511) * 4096;
      pageShift = 21;
      break;
    }
    if (large && level === 3) {
      pageBase = (hi & 0xfffff) * 4294967296 + ((lo & 0xc0000000) >>> 0) + (vpn & 0x3ffff) * 4096;
      pageShift = 30;
      break;
    }
    table = (hi & 0xfffff) * 4294967296 + ((lo & 0xfffff000) >>> 0);
    level--;
  }

  const userPage = (rights & Pte.US) !== 0;
  const writable = (rights & Pte.RW) !== 0;
  let ok: boolean;
  if (access === Access.Read) {
    ok = user ? userPage : !(userPage && mode.smap);
  } else if (access === Access.Write) {
    ok = user ? userPage && writable : !(userPage && mode.smap) && (writable || !mode.writeProtect);
  } else {
    ok = !(nxe && nx !== 0) && (user ? userPage : !(userPage && mode.smep));
  }
  if (!ok) {
    out.errorCode = code | PfError.P;
    return false;
  }

  // Accessed on every entry used, dirty on the leaf for a write.
  const leafLevel = level;
  for (let l = 4; l >= leafLevel; l--) {
    const old = entryLo[l]!;
    let set = old;
    if ((old & Pte.A) === 0) set |= Pte.A;
    if (l === leafLevel && access === Access.Write && (old & Pte.D) === 0) set |= Pte.D;
    if (set !== old) {
      mem.write32(entryAddr[l]!, set >>> 0);
      if (l === leafLevel) lo = set;
    }
  }

  out.pageBase = pageBase;
  out.pageShift = pageShift;
  out.perms = (rights & (Pte.RW | Pte.US)) | (lo & (Pte.D | Pte.G)) | (nx !== 0 ? Perm.NoExec : 0);
  out.errorCode = 0;
  return true;
}
