import { expect, test } from 'vitest';
import { Access, Pte, PteHi } from '../src/index.js';
import { machine } from './helpers.js';

/**
 * Every combination of CPL × access × leaf flags (U/S, R/W, XD) × CR0.WP × EFER.NXE ×
 * CR4.SMEP × SMAP, against the SDM's rules written as plain sentences (Vol. 3A §4.6, §4.7).
 */
function sdm(
  cpl: number,
  access: Access,
  user: boolean,
  writable: boolean,
  xd: boolean,
  wp: boolean,
  nxe: boolean,
  smep: boolean,
  smap: boolean,
): number | 'ok' {
  const userMode = cpl === 3;
  const fetch = access === Access.Fetch;
  const write = access === Access.Write;
  // Error code bits that describe the access.
  let code = 0;
  if (write) code |= 2;
  if (userMode) code |= 4;
  if (fetch && (nxe || smep)) code |= 16;
  // "If IA32_EFER.NXE = 0 and the P flag of a paging-structure entry is 1, the XD flag is reserved."
  if (xd && !nxe) return code | 1 | 8;
  let allowed: boolean;
  if (userMode) {
    // User-mode accesses need a user-mode address; writes need R/W = 1; fetches need XD = 0 (with NXE).
    allowed = user && (!write || writable) && (!fetch || !(nxe && xd));
  } else if (fetch) {
    // Supervisor fetches: not from user-mode addresses with SMEP; not from XD pages with NXE.
    allowed = !(user && smep) && !(nxe && xd);
  } else {
    // Supervisor data: SMAP forbids user-mode addresses; with CR0.WP writes need R/W = 1.
    allowed = !(user && smap) && (!write || writable || !wp);
  }
  return allowed ? 'ok' : code | 1;
}

test('the walker agrees with the SDM on all 768 combinations', () => {
  let checked = 0;
  const m = machine();
  const frame = m.mem.allocFrame();
  const vaFor = (n: number) => 0x10000000 + n * 0x1000;
  let n = 0;
  for (const cpl of [0, 3]) {
    for (const access of [Access.Read, Access.Write, Access.Fetch]) {
      for (let flags = 0; flags < 8; flags++) {
        const user = (flags & 1) !== 0;
        const writable = (flags & 2) !== 0;
        const xd = (flags & 4) !== 0;
        for (let modeBits = 0; modeBits < 16; modeBits++) {
          const wp = (modeBits & 1) !== 0;
          const nxe = (modeBits & 2) !== 0;
          const smep = (modeBits & 4) !== 0;
          const smap = (modeBits & 8) !== 0;
          const va = vaFor(n++);
          m.pt.map(m.cr3, va, frame, (user ? Pte.US : 0) | (writable ? Pte.RW : 0), xd ? PteHi.XD : 0);
          m.mmu.setMode({ cpl, writeProtect: wp, noExecute: nxe, smep, smap });
          let result: number;
          if (access === Access.Read) result = m.mmu.read8(va);
          else if (access === Access.Write) result = m.mmu.write8(va, 0) ? 0 : -1;
          else result = m.mmu.translateFetch(va);
          const expected = sdm(cpl, access, user, writable, xd, wp, nxe, smep, smap);
          const got = result === -1 ? m.mmu.faultErrorCode : 'ok';
          expect(
            got,
            `cpl ${cpl} access ${access} U${+user} W${+writable} XD${+xd} WP${+wp} NXE${+nxe} SMEP${+smep} SMAP${+smap}`,
          ).toBe(expected);
          checked++;
        }
      }
    }
  }
  expect(checked).toBe(768);
});
