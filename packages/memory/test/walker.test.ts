import { describe, expect, test } from 'vitest';
import { Access, PfError, Pte, PteHi } from '../src/index.js';
import { machine } from './helpers.js';

const VA = 0x400000;
const U = Pte.US;
const W = Pte.RW;
const XD = PteHi.XD;

interface Row {
  name: string;
  /** leaf low flags (P implied) */
  flags: number;
  xd?: boolean;
  cpl: 0 | 3;
  access: Access;
  wp?: boolean;
  nxe?: boolean;
  smep?: boolean;
  smap?: boolean;
  /** 'ok' or the #PF error code */
  expect: 'ok' | number;
}

const R = Access.Read;
const Wr = Access.Write;
const X = Access.Fetch;

// Expected error codes written out from the SDM (Vol. 3A §4.6, §4.7), not computed.
const rows: Row[] = [
  { name: 'user reads a user read-only page', flags: U, cpl: 3, access: R, expect: 'ok' },
  { name: 'user writes a user read-only page', flags: U, cpl: 3, access: Wr, expect: 0x7 },
  { name: 'user writes a user writable page', flags: U | W, cpl: 3, access: Wr, expect: 'ok' },
  { name: 'user reads a supervisor page', flags: W, cpl: 3, access: R, expect: 0x5 },
  { name: 'user writes a supervisor page', flags: W, cpl: 3, access: Wr, expect: 0x7 },
  {
    name: 'user writes a read-only page even with CR0.WP clear',
    flags: U,
    cpl: 3,
    access: Wr,
    wp: false,
    expect: 0x7,
  },
  { name: 'user fetches from a user page', flags: U, cpl: 3, access: X, expect: 'ok' },
  { name: 'user fetches from an XD page (NXE)', flags: U, xd: true, cpl: 3, access: X, expect: 0x15 },
  { name: 'user reads an XD page (NXE)', flags: U, xd: true, cpl: 3, access: R, expect: 'ok' },
  {
    name: 'XD is a reserved bit without NXE',
    flags: U,
    xd: true,
    cpl: 3,
    access: R,
    nxe: false,
    expect: 0xd,
  },
  {
    name: 'fetch with XD and neither NXE nor SMEP: RSVD, no I',
    flags: U,
    xd: true,
    cpl: 3,
    access: X,
    nxe: false,
    expect: 0xd,
  },
  { name: 'user fetches from a supervisor page (NXE)', flags: W, cpl: 3, access: X, expect: 0x15 },
  {
    name: 'user fetches from a supervisor page (no NXE/SMEP: no I)',
    flags: W,
    cpl: 3,
    access: X,
    nxe: false,
    expect: 0x5,
  },
  { name: 'kernel writes a read-only page with CR0.WP', flags: 0, cpl: 0, access: Wr, expect: 0x3 },
  {
    name: 'kernel writes a read-only page without CR0.WP',
    flags: 0,
    cpl: 0,
    access: Wr,
    wp: false,
    expect: 'ok',
  },
  { name: 'kernel writes a user read-only page with CR0.WP', flags: U, cpl: 0, access: Wr, expect: 0x3 },
  {
    name: 'kernel writes a user read-only page without CR0.WP',
    flags: U,
    cpl: 0,
    access: Wr,
    wp: false,
    expect: 'ok',
  },
  { name: 'kernel reads a user page', flags: U, cpl: 0, access: R, expect: 'ok' },
  { name: 'kernel reads a user page with SMAP', flags: U, cpl: 0, access: R, smap: true, expect: 0x1 },
  { name: 'kernel writes a user page with SMAP', flags: U | W, cpl: 0, access: Wr, smap: true, expect: 0x3 },
  { name: 'SMAP does not stop kernel fetches', flags: U, cpl: 0, access: X, smap: true, expect: 'ok' },
  { name: 'SMAP does not apply to supervisor pages', flags: W, cpl: 0, access: Wr, smap: true, expect: 'ok' },
  { name: 'kernel fetches from a user page', flags: U, cpl: 0, access: X, expect: 'ok' },
  {
    name: 'kernel fetches from a user page with SMEP',
    flags: U,
    cpl: 0,
    access: X,
    smep: true,
    expect: 0x11,
  },
  { name: 'SMEP alone reports I', flags: U, cpl: 0, access: X, smep: true, nxe: false, expect: 0x11 },
  {
    name: 'SMEP does not stop kernel data reads of user pages',
    flags: U,
    cpl: 0,
    access: R,
    smep: true,
    expect: 'ok',
  },
  { name: 'kernel fetches from an XD supervisor page', flags: W, xd: true, cpl: 0, access: X, expect: 0x11 },
  { name: 'kernel fetches from a supervisor page', flags: 0, cpl: 0, access: X, expect: 'ok' },
  { name: 'user sees not-present as P=0 on read', flags: -1, cpl: 3, access: R, expect: 0x4 },
  { name: 'user sees not-present as P=0 on write', flags: -1, cpl: 3, access: Wr, expect: 0x6 },
  { name: 'user sees not-present as P=0 on fetch', flags: -1, cpl: 3, access: X, expect: 0x14 },
  { name: 'kernel read of not-present', flags: -1, cpl: 0, access: R, expect: 0x0 },
  {
    name: 'kernel fetch of not-present without NXE/SMEP',
    flags: -1,
    cpl: 0,
    access: X,
    nxe: false,
    expect: 0x0,
  },
];

function run(row: Row): { result: number; m: ReturnType<typeof machine> } {
  const m = machine();
  const frame = m.mem.allocFrame();
  m.mem.write32(frame + 0x10, 0xc0ffee);
  if (row.flags >= 0) m.pt.map(m.cr3, VA, frame, row.flags, row.xd ? XD : 0);
  m.mmu.setMode({
    cpl: row.cpl,
    writeProtect: row.wp ?? true,
    noExecute: row.nxe ?? true,
    smep: row.smep ?? false,
    smap: row.smap ?? false,
  });
  const la = VA + 0x10;
  let result: number;
  if (row.access === Access.Read) result = m.mmu.read32(la);
  else if (row.access === Access.Write) result = m.mmu.write32(la, 1) ? 0 : -1;
  else result = m.mmu.translateFetch(la);
  return { result, m };
}

describe('page walk permission matrix (SDM 4.6) and #PF error codes', () => {
  test.each(rows)('$name', (row) => {
    const { result, m } = run(row);
    if (row.expect === 'ok') {
      expect(result).not.toBe(-1);
    } else {
      expect(result).toBe(-1);
      expect(m.mmu.faultErrorCode).toBe(row.expect);
      expect(m.mmu.faultAddress).toBe(VA + 0x10);
      expect(m.mmu.faultIsNonCanonical).toBe(false);
    }
  });
});

describe('rights combine across all four levels', () => {
  test('U/S must be set at every level: a user leaf under a supervisor PDE faults for CPL 3', () => {
    const m = machine();
    const frame = m.mem.allocFrame();
    m.pt.map(m.cr3, VA, frame, U | W);
    // clear U/S in the PDE
    const pml4e = m.mem.read32(m.cr3) & 0xfffff000;
    const pde = m.mem.read32(pml4e) & 0xfffff000;
    const pdeAddr = pde + 2 * 8;
    m.mem.write32(pdeAddr, m.mem.read32(pdeAddr) & ~Pte.US);
    m.mmu.setMode({ cpl: 3, writeProtect: true, noExecute: true, smep: false, smap: false });
    expect(m.mmu.read8(VA)).toBe(-1);
    expect(m.mmu.faultErrorCode).toBe(PfError.P | PfError.U);
  });

  test('R/W must be set at every level: a writable leaf under a read-only PDPTE is read-only', () => {
    const m = machine();
    const frame = m.mem.allocFrame();
    m.pt.map(m.cr3, VA, frame, U | W);
    const pdpteAddr = m.mem.read32(m.cr3) & 0xfffff000;
    m.mem.write32(pdpteAddr, m.mem.read32(pdpteAddr) & ~Pte.RW);
    m.mmu.setMode({ cpl: 3, writeProtect: true, noExecute: true, smep: false, smap: false });
    expect(m.mmu.read8(VA)).toBe(0);
    expect(m.mmu.write8(VA, 1)).toBe(false);
    expect(m.mmu.faultErrorCode).toBe(PfError.P | PfError.W | PfError.U);
  });

  test('XD in any level forbids fetches', () => {
    const m = machine();
    const frame = m.mem.allocFrame();
    m.pt.map(m.cr3, VA, frame, U);
    const pml4eHi = m.cr3 + 4;
    m.mem.write32(pml4eHi, (m.mem.read32(pml4eHi) | XD) >>> 0);
    m.mmu.setMode({ cpl: 3, writeProtect: true, noExecute: true, smep: false, smap: false });
    expect(m.mmu.translateFetch(VA)).toBe(-1);
    expect(m.mmu.faultErrorCode).toBe(PfError.P | PfError.U | PfError.I);
  });

  test('physical address bits above MAXPHYADDR (46) are reserved', () => {
    const m = machine();
    m.pt.map(m.cr3, VA, 0x1000, U);
    const leaf = m.pt.lookup(m.cr3, VA)!;
    m.mem.write32(leaf.entryAddress + 4, 1 << 14); // address bit 46
    m.mmu.setMode({ cpl: 3, writeProtect: true, noExecute: true, smep: false, smap: false });
    expect(m.mmu.read8(VA)).toBe(-1);
    expect(m.mmu.faultErrorCode).toBe(PfError.P | PfError.RSVD | PfError.U);
  });

  test('PS in a PML4 entry is reserved', () => {
    const m = machine();
    m.pt.map(m.cr3, VA, 0x1000, 0);
    m.mem.write32(m.cr3, m.mem.read32(m.cr3) | Pte.PS);
    expect(m.mmu.write8(VA, 1)).toBe(false);
    expect(m.mmu.faultErrorCode).toBe(PfError.P | PfError.RSVD | PfError.W);
  });

  test('bits 13..20 of a 2 MiB PDE are reserved', () => {
    const m = machine();
    m.pt.mapLarge(m.cr3, 0x40000000, 0x200000, 0x200000, W);
    const leaf = m.pt.lookup(m.cr3, 0x40000000)!;
    m.mem.write32(leaf.entryAddress, m.mem.read32(leaf.entryAddress) | 0x2000);
    expect(m.mmu.read8(0x40000000)).toBe(-1);
    expect(m.mmu.faultErrorCode).toBe(PfError.P | PfError.RSVD);
  });
});

describe('accessed and dirty flags', () => {
  function entries(m: ReturnType<typeof machine>): number[] {
    const out: number[] = [];
    let table = m.cr3;
    const idx = [0, 0, 2, 0];
    for (const i of idx) {
      const lo = m.mem.read32(table + i * 8);
      out.push(lo);
      table = lo & 0xfffff000;
    }
    return out;
  }

  test('a read sets A on all four entries in memory and leaves D clear', () => {
    const m = machine();
    m.pt.map(m.cr3, VA, m.mem.allocFrame(), U | W);
    expect(entries(m).every((lo) => (lo & Pte.A) === 0)).toBe(true);
    m.mmu.read8(VA);
    const after = entries(m);
    expect(after.every((lo) => (lo & Pte.A) !== 0)).toBe(true);
    expect(after[3]! & Pte.D).toBe(0);
  });

  test('a write sets D on the leaf only, even after a read cached the page', () => {
    const m = machine();
    m.pt.map(m.cr3, VA, m.mem.allocFrame(), U | W);
    m.mmu.read8(VA);
    m.mmu.write8(VA + 1, 5);
    const after = entries(m);
    expect(after[3]! & Pte.D).toBe(Pte.D);
    expect(after.slice(0, 3).every((lo) => (lo & Pte.D) === 0)).toBe(true);
    expect(m.mmu.pageWalks).toBe(2);
  });

  test('a faulting access changes no A or D flag', () => {
    const m = machine();
    m.pt.map(m.cr3, VA, m.mem.allocFrame(), U);
    expect(m.mmu.write8(VA, 1)).toBe(false);
    expect(entries(m).every((lo) => (lo & Pte.A) === 0)).toBe(true);
  });

  test('a write through a 2 MiB page sets A and D on the PDE', () => {
    const m = machine();
    m.pt.mapLarge(m.cr3, 0x40000000, 0x200000, 0x200000, W);
    expect(m.mmu.write32(0x40012344, 0xabcdef01)).toBe(true);
    expect(m.mem.read32(0x212344)).toBe(0xabcdef01);
    const leaf = m.pt.lookup(m.cr3, 0x40000000)!;
    expect(leaf.lo & (Pte.A | Pte.D)).toBe(Pte.A | Pte.D);
  });
});
