/**
 * Row selection for the decoder: which table row (`Code`) an opcode slot's encoding picks.
 *
 * The rule is `findRow`, a linear search over the slot's candidate rows in table order that
 * tests about ten attributes per candidate (slots such as 0x83, 0xff or 0x0f 0x1e have 8 to 37
 * candidates). The decoder uses an equivalent form that is cheaper per instruction and cheap to
 * build at module load (a few milliseconds; both are derived from the opcode tables only, and
 * test/row-select.test.ts checks them against `findRow` for every slot and attribute combination):
 *
 * - The instruction's attributes are one word with one bit set in each group (`attributeWord`):
 *   prefix state and W together, vector length, mod = 3 or not, ModRM.reg, address size, and
 *   REX.B for the one row that looks at it. Each row has a deny mask (`ROW_DENY`): the attribute
 *   bits it does not accept. A row accepts the instruction when `(attributes & deny) === 0` and,
 *   for a fixed-ModRM row, the ModRM byte is that one. The operand-size requirement (ROW_OSZ)
 *   depends only on the prefix state and W for a given row, so it folds into that group.
 * - The candidates are listed per slot and ModRM.reg (`CANDIDATES`), in the table's order,
 *   without the rows whose reg requirement differs: the 0x83 group has 3 candidates per reg, not 24.
 */
import * as tables from './generated/decode.generated.js';
import { Mnemonic } from './generated/mnemonic.generated.js';
import { MandatoryPrefix, OpMap, OsMode } from './operand.js';

const ROW_ASZ = tables.ROW_ASZ;
const ROW_FIXED_MODRM = tables.ROW_FIXED_MODRM;
const ROW_MNEMONIC = tables.ROW_MNEMONIC;
const ROW_MOD = tables.ROW_MOD;
const ROW_OSMODE = tables.ROW_OSMODE;
const ROW_OSZ = tables.ROW_OSZ;
const ROW_PFX = tables.ROW_PFX;
const ROW_REG = tables.ROW_REG;
const ROW_VL = tables.ROW_VL;
const ROW_W = tables.ROW_W;
const SLOT_ROWS = tables.SLOT_ROWS;
const SLOT_START = tables.SLOT_START;

const MandatoryPrefix_Any = MandatoryPrefix.Any;
const MandatoryPrefix_P66 = MandatoryPrefix.P66;
const OsMode_Force64 = OsMode.Force64;
const OsMode_Default64 = OsMode.Default64;
const Mnemonic_Nop = Mnemonic.Nop;

/**
 * Effective operand size in bits of row `code`, by the row's rule. A mandatory 66 is not an
 * operand-size prefix, so it gives 16 only on rows that do not require it.
 */
export function effectiveOperandSize(code: number, rW: boolean, has66: boolean): number {
  const mode = ROW_OSMODE[code] as number;
  if (mode === OsMode_Force64 || rW) return 64;
  if (has66 && (ROW_PFX[code] as number) !== MandatoryPrefix_P66) return 16;
  return mode === OsMode_Default64 ? 64 : 32;
}

/**
 * The row of `slot` (map * 256 + opcode) the encoding selects, or 0 for none (#UD): the first
 * candidate whose requirements all hold. `mand` is the MandatoryPrefix the prefixes (or VEX.pp)
 * give, `modrm` is -1 when the slot has no ModRM byte (then `mod` and `regField` are 0).
 */
export function findRow(slot: number, mand: number, vex: boolean, wBit: number, regField: number, mod: number, modrm: number,
  addr64: boolean, rowVl: number, has66: boolean, rexB: boolean): number {
  const end = SLOT_START[slot + 1] as number;
  for (let i = SLOT_START[slot] as number; i < end; i++) {
    const c = SLOT_ROWS[i] as number;
    const rp = ROW_PFX[c] as number;
    if (rp !== MandatoryPrefix_Any && rp !== mand) continue;
    if (rp === MandatoryPrefix_Any && vex) continue;
    const rw = ROW_W[c] as number;
    if (rw !== 0 && rw !== wBit + 1) continue;
    const rr = ROW_REG[c] as number;
    if (rr !== 0xff && rr !== regField) continue;
    const rm = ROW_MOD[c] as number;
    if (rm === 1 ? mod === 3 : rm === 2 && mod !== 3) continue;
    const fm = ROW_FIXED_MODRM[c] as number;
    if (fm !== 0xffff && fm !== modrm) continue;
    const ras = ROW_ASZ[c] as number;
    if (ras !== 0 && ras !== (addr64 ? 8 : 4)) continue;
    const rvl = ROW_VL[c] as number;
    if (rvl !== 0xff && rvl !== rowVl) continue;
    const ro = ROW_OSZ[c] as number;
    if (ro !== 0 && ro !== effectiveOperandSize(c, wBit !== 0, has66)) continue;
    // 90 with REX.B is xchg r8, rax, not nop.
    if (rexB && slot === 0x90 && ROW_MNEMONIC[c] === Mnemonic_Nop) continue;
    return c;
  }
  return 0;
}

/**
 * Attribute word bits (see `attributeWord`): bit (prefix state * 2 + W) below VectorLength, then
 * one bit per value of each group. Bit positions for the groups with a value, masks for the others.
 */
export const enum Attr {
  /** Bit VectorLength + L'L. */
  VectorLength = 12,
  ModReg = 1 << 16,
  ModMem = 1 << 17,
  /** Bit Reg + ModRM.reg. */
  Reg = 18,
  Addr64 = 1 << 26,
  Addr32 = 1 << 27,
  /** REX.B: only `nop` at 0x90 looks at it. */
  RexB = 1 << 28,
}

/**
 * The instruction's attributes for `ROW_DENY`: bit (prefix state * 2 + W), where the legacy
 * prefix state is 0 none, 1 66, 2 F3, 3 F2, 4 66+F3, 5 66+F2 (the last F2/F3 wins; 66 still sets
 * the operand size of legacy rows) and VEX/EVEX use pp (0..3 = none, 66, F3, F2); then bit
 * 12 + vector length, the mod = 3 or memory bit, bit 18 + ModRM.reg, the address-size bit, and
 * bit 28 for REX.B (only `nop` at 0x90 looks at it). Without a ModRM byte, reg and mod are 0.
 */
export function attributeWord(prefixState: number, wBit: number, rowVl: number, mod: number, regField: number, addr64: boolean, rexB: boolean): number {
  return (1 << (prefixState * 2 + wBit)) | (1 << (Attr.VectorLength + rowVl)) | (mod === 3 ? Attr.ModReg : Attr.ModMem) |
    (1 << (Attr.Reg + regField)) | (addr64 ? Attr.Addr64 : Attr.Addr32) | (rexB ? Attr.RexB : 0);
}

const MAND_OF_STATE = [MandatoryPrefix.None, MandatoryPrefix.P66, MandatoryPrefix.PF3, MandatoryPrefix.PF2, MandatoryPrefix.PF3, MandatoryPrefix.PF2];

function buildDeny(): Uint32Array {
  const rows = ROW_PFX.length;
  const deny = new Uint32Array(rows);
  // The map of each row (SLOT_ROWS lists the slots in map order), and the rows that are `nop`
  // at opcode 0x90 (REX.B makes 0x90 xchg r8, rax).
  const vexRow = new Uint8Array(rows);
  for (let i = SLOT_START[OpMap.Vex0F * 256] as number; i < SLOT_ROWS.length; i++) vexRow[SLOT_ROWS[i] as number] = 1;
  const nop90 = new Uint8Array(rows);
  for (let i = SLOT_START[0x90] as number; i < (SLOT_START[0x91] as number); i++) {
    const c = SLOT_ROWS[i] as number;
    if (ROW_MNEMONIC[c] === Mnemonic_Nop) nop90[c] = 1;
  }
  for (let c = 1; c < rows; c++) {
    const vex = vexRow[c] === 1;
    const rp = ROW_PFX[c] as number;
    const rw = ROW_W[c] as number;
    const ro = ROW_OSZ[c] as number;
    let allow = 0;
    if (rp === MandatoryPrefix_Any && rw === 0 && ro === 0) {
      // Most legacy rows: every prefix state and W (VEX rows always name a pp).
      allow = vex ? 0 : 0xfff;
    } else {
      for (let state = 0; state < (vex ? 4 : 6); state++) {
        if (rp === MandatoryPrefix_Any ? vex : rp !== MAND_OF_STATE[state]) continue;
        const has66 = !vex && (state === 1 || state >= 4);
        for (let w = 0; w < 2; w++) {
          if (rw !== 0 && rw !== w + 1) continue;
          if (ro !== 0 && ro !== effectiveOperandSize(c, w !== 0, has66)) continue;
          allow |= 1 << (state * 2 + w);
        }
      }
    }
    const rvl = ROW_VL[c] as number;
    allow |= rvl === 0xff ? 15 << Attr.VectorLength : 1 << (Attr.VectorLength + rvl);
    const rm = ROW_MOD[c] as number;
    allow |= rm === 1 ? Attr.ModMem : rm === 2 ? Attr.ModReg : Attr.ModMem | Attr.ModReg;
    const rr = ROW_REG[c] as number;
    allow |= rr === 0xff ? 0xff << Attr.Reg : 1 << (Attr.Reg + rr);
    const ras = ROW_ASZ[c] as number;
    allow |= ras === 8 ? Attr.Addr64 : ras === 4 ? Attr.Addr32 : Attr.Addr64 | Attr.Addr32;
    if (nop90[c] === 0) allow |= Attr.RexB;
    deny[c] = ~allow >>> 0;
  }
  return deny;
}

/**
 * Per slot * 8 + ModRM.reg: start | end << 16 of the candidate rows in `CANDIDATES`. Slots whose
 * rows do not look at reg share one list for all eight.
 */
function buildCandidates(): { ranges: Uint32Array; rows: Uint16Array } {
  const slots = OpMap.Count * 256;
  const ranges = new Uint32Array(slots * 8);
  // SLOT_ROWS itself serves the slots whose rows do not look at reg; the per-reg lists follow it.
  const extra: number[] = [];
  const base = SLOT_ROWS.length;
  for (let slot = 0; slot < slots; slot++) {
    const first = SLOT_START[slot] as number;
    const end = SLOT_START[slot + 1] as number;
    let regMatters = false;
    for (let i = first; i < end; i++) if (ROW_REG[SLOT_ROWS[i] as number] !== 0xff) regMatters = true;
    if (!regMatters) {
      ranges.fill((first | (end << 16)) >>> 0, slot * 8, slot * 8 + 8);
      continue;
    }
    for (let reg = 0; reg < 8; reg++) {
      const start = base + extra.length;
      for (let i = first; i < end; i++) {
        const c = SLOT_ROWS[i] as number;
        const rr = ROW_REG[c] as number;
        if (rr === 0xff || rr === reg) extra.push(c);
      }
      ranges[slot * 8 + reg] = (start | ((base + extra.length) << 16)) >>> 0;
    }
  }
  const rows = new Uint16Array(base + extra.length);
  rows.set(SLOT_ROWS);
  rows.set(extra, base);
  return { ranges, rows };
}

/** Per row (Code): the attribute bits (see `attributeWord`) the row does not accept. */
export const ROW_DENY: Uint32Array = buildDeny();
const candidates = buildCandidates();
/** Per slot * 8 + ModRM.reg: the candidates' start | end << 16 in CANDIDATES. */
export const CANDIDATE_RANGE: Uint32Array = candidates.ranges;
/** Candidate rows per slot and reg, in match order. */
export const CANDIDATES: Uint16Array = candidates.rows;

/** `findRow` by the tables above, as the decoder does it. */
export function selectRow(slot: number, regField: number, attributes: number, modrm: number): number {
  const range = CANDIDATE_RANGE[slot * 8 + regField] as number;
  const end = range >>> 16;
  for (let i = range & 0xffff; i < end; i++) {
    const c = CANDIDATES[i] as number;
    if ((attributes & (ROW_DENY[c] as number)) !== 0) continue;
    const fm = ROW_FIXED_MODRM[c] as number;
    if (fm === 0xffff || fm === modrm) return c;
  }
  return 0;
}
