import { describe, expect, it } from 'vitest';
import { attributeWord, findRow, selectRow } from '../src/row-select.js';
import { SLOT_MODRM, SLOT_START } from '../src/generated/decode.generated.js';
import { MandatoryPrefix, OpMap } from '../src/operand.js';

const MAND_OF_STATE = [MandatoryPrefix.None, MandatoryPrefix.P66, MandatoryPrefix.PF3, MandatoryPrefix.PF2, MandatoryPrefix.PF3, MandatoryPrefix.PF2];

describe('decoder row selection (deny masks and per-reg candidate lists)', () => {
  it('agrees with the linear row search for every slot, prefix state, W, vector length, ModRM byte, address size and REX.B', () => {
    let checked = 0;
    const mismatches: string[] = [];
    for (let slot = 0; slot < OpMap.Count * 256; slot++) {
      if (SLOT_START[slot] === SLOT_START[slot + 1]) continue;
      const vex = slot >= OpMap.Vex0F * 256;
      const hasModrm = SLOT_MODRM[slot] === 1;
      for (let state = 0; state < (vex ? 4 : 6); state++) {
        const has66 = !vex && (state === 1 || state >= 4);
        for (let w = 0; w < 2; w++) {
          for (let vl = 0; vl < (vex ? 4 : 1); vl++) {
            for (let modrm = hasModrm ? 0 : -1; modrm < (hasModrm ? 256 : 0); modrm++) {
              const reg = modrm < 0 ? 0 : (modrm >> 3) & 7;
              const mod = modrm < 0 ? 0 : modrm >> 6;
              for (let flags = 0; flags < 4; flags++) {
                const addr64 = (flags & 1) === 0;
                const rexB = (flags & 2) !== 0;
                const want = findRow(slot, MAND_OF_STATE[state] as number, vex, w, reg, mod, modrm, addr64, vl, has66, rexB);
                const got = selectRow(slot, reg, attributeWord(state, w, vl, mod, reg, addr64, rexB), modrm);
                checked++;
                if (want !== got && mismatches.length < 10) mismatches.push(`slot ${slot.toString(16)} state ${state} w ${w} vl ${vl} modrm ${modrm} addr64 ${addr64} rexB ${rexB}: ${got}, want ${want}`);
              }
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(1_000_000);
  });
});
