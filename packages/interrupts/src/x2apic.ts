import {
  APIC_EOI,
  APIC_ESR,
  APIC_ICR,
  APIC_ICR_WRITABLE,
  APIC_ID,
  APIC_IRR,
  APIC_ISR,
  APIC_LDR,
  APIC_LVR,
  APIC_LVT_DELIVERY_STATUS,
  APIC_LVT_DM_BITS,
  APIC_LVT_ERROR_BITS,
  APIC_LVT_LINT_BITS,
  APIC_LVT_REMOTE_IRR,
  APIC_LVT_TIMER_BITS,
  APIC_LVT0,
  APIC_LVT1,
  APIC_LVTCMCI,
  APIC_LVTERR,
  APIC_LVTPC,
  APIC_LVTT,
  APIC_LVTTHMR,
  APIC_PROCPRI,
  APIC_SELF_IPI,
  APIC_SPIV,
  APIC_TASKPRI,
  APIC_TDCR,
  APIC_TMCCT,
  APIC_TMICT,
  MSR_IA32_APICBASE_ENABLE,
  MSR_IA32_APICBASE_EXTD,
} from './apic-registers.js';

/**
 * x2APIC register access rules (SDM Vol. 3A §10.12.1.2, Table 10-6, and §10.12.1.3): which
 * registers RDMSR and WRMSR reach, and which bits a WRMSR may set. Anything else raises
 * #GP(0): registers absent in x2APIC mode (APR 0x809, RRD 0x80c, DFR 0x80e, ICR2 0x831 and
 * every unlisted MSR up to 0xbff), RDMSR of write-only registers (EOI, SELF IPI), WRMSR of
 * read-only ones (ID, version, PPR, LDR, ISR/TMR/IRR, current count), non-zero writes to EOI
 * and ESR, and a 1 in any reserved bit (RsvdZ). The upper dword is reserved everywhere but ICR.
 *
 * Read-only status bits inside writable LVTs (delivery status, remote IRR) are accepted and
 * ignored rather than faulting, so a read-modify-write of an LVT never #GPs.
 */

/** True when RDMSR may read x2APIC register `offset` (an xAPIC offset, see `x2apicOffset`). */
export function x2apicReadable(offset: number): boolean {
  switch (offset) {
    case APIC_ID:
    case APIC_LVR:
    case APIC_TASKPRI:
    case APIC_PROCPRI:
    case APIC_LDR:
    case APIC_SPIV:
    case APIC_ESR:
    case APIC_LVTCMCI:
    case APIC_ICR:
    case APIC_LVTT:
    case APIC_LVTTHMR:
    case APIC_LVTPC:
    case APIC_LVT0:
    case APIC_LVT1:
    case APIC_LVTERR:
    case APIC_TMICT:
    case APIC_TMCCT:
    case APIC_TDCR:
      return true;
  }
  // ISR 0x810..0x817, TMR 0x818..0x81f, IRR 0x820..0x827
  return offset >= APIC_ISR && offset < APIC_IRR + 0x80 && (offset & 0xf) === 0;
}

/**
 * The bits of x2APIC register `offset`'s low dword a WRMSR may set (0 for EOI and ESR, which
 * take only zero), or -1 when WRMSR to it #GPs. ICR's high dword (destination) is all valid.
 */
export function x2apicWritableBits(offset: number): number {
  switch (offset) {
    case APIC_TASKPRI:
      return 0xff;
    case APIC_EOI:
    case APIC_ESR:
      return 0;
    case APIC_SPIV:
      return 0x3ff; // no EOI-broadcast suppression (LVR bit 24 = 0), so bit 12 is reserved
    case APIC_ICR:
      return APIC_ICR_WRITABLE; // delivery status (bit 12) is not writable in either mode
    case APIC_LVTT:
      return APIC_LVT_TIMER_BITS | APIC_LVT_DELIVERY_STATUS;
    case APIC_LVTTHMR:
    case APIC_LVTPC:
    case APIC_LVTCMCI:
      return APIC_LVT_DM_BITS | APIC_LVT_DELIVERY_STATUS;
    case APIC_LVT0:
    case APIC_LVT1:
      return APIC_LVT_LINT_BITS | APIC_LVT_DELIVERY_STATUS | APIC_LVT_REMOTE_IRR;
    case APIC_LVTERR:
      return APIC_LVT_ERROR_BITS | APIC_LVT_DELIVERY_STATUS;
    case APIC_TMICT:
      return 0xffffffff;
    case APIC_TDCR:
      return 0xb;
    case APIC_SELF_IPI:
      return 0xff;
  }
  return -1;
}

/**
 * Whether WRMSR IA32_APIC_BASE may change `current` (low dword) to `lo`:`hi` (SDM §10.4.4,
 * §10.12.5, Figure 10-27). #GP for reserved bits (0..7, 9, 46..63), the invalid state EN = 0
 * with EXTD = 1, x2APIC → xAPIC (software must go through disabled), and disabled → x2APIC
 * (only xAPIC mode is reachable from disabled). Everything else is allowed, including moving
 * the base and xAPIC → x2APIC.
 */
export function apicBaseWriteAllowed(current: number, lo: number, hi: number): boolean {
  if ((lo & 0x2ff) !== 0 || hi >>> 14 !== 0) return false;
  const en = (lo & MSR_IA32_APICBASE_ENABLE) !== 0;
  const extd = (lo & MSR_IA32_APICBASE_EXTD) !== 0;
  const wasEn = (current & MSR_IA32_APICBASE_ENABLE) !== 0;
  const wasExtd = (current & MSR_IA32_APICBASE_EXTD) !== 0;
  if (extd && (!en || !wasEn)) return false;
  return !(wasExtd && en && !extd);
}
