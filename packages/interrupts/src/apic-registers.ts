/** xAPIC register offsets from the APIC base (SDM Vol. 3A Table 10-1), Linux's names. */
export const APIC_ID = 0x20;
export const APIC_LVR = 0x30;
export const APIC_TASKPRI = 0x80;
export const APIC_ARBPRI = 0x90;
export const APIC_PROCPRI = 0xa0;
export const APIC_EOI = 0xb0;
export const APIC_RRR = 0xc0;
export const APIC_LDR = 0xd0;
export const APIC_DFR = 0xe0;
export const APIC_SPIV = 0xf0;
export const APIC_ISR = 0x100;
export const APIC_TMR = 0x180;
export const APIC_IRR = 0x200;
export const APIC_ESR = 0x280;
export const APIC_LVTCMCI = 0x2f0;
export const APIC_ICR = 0x300;
export const APIC_ICR2 = 0x310;
export const APIC_LVTT = 0x320;
export const APIC_LVTTHMR = 0x330;
export const APIC_LVTPC = 0x340;
export const APIC_LVT0 = 0x350;
export const APIC_LVT1 = 0x360;
export const APIC_LVTERR = 0x370;
export const APIC_TMICT = 0x380;
export const APIC_TMCCT = 0x390;
export const APIC_TDCR = 0x3e0;
/** x2APIC only: SELF IPI (MSR 0x83f). In xAPIC mode offset 0x3f0 is unimplemented. */
export const APIC_SELF_IPI = 0x3f0;
/** Size of the xAPIC MMIO window (one page). */
export const APIC_MMIO_SIZE = 0x1000;

/** Default physical base of the xAPIC MMIO page. */
export const APIC_DEFAULT_PHYS_BASE = 0xfee00000;
/** IA32_APIC_BASE MSR and its bits. */
export const MSR_IA32_APICBASE = 0x1b;
export const MSR_IA32_APICBASE_BSP = 0x100;
export const MSR_IA32_APICBASE_EXTD = 0x400;
export const MSR_IA32_APICBASE_ENABLE = 0x800;
/** IA32_APIC_BASE bits 12..45: the xAPIC page's physical address (MAXPHYADDR 46). */
export const MSR_IA32_APICBASE_BASE = 0x3ffffffff000;
/** IA32_TSC_DEADLINE (SDM §10.5.4.1): the absolute TSC value at which the timer fires. */
export const MSR_IA32_TSC_DEADLINE = 0x6e0;
/** First x2APIC MSR: register at offset `off` is MSR `0x800 + (off >> 4)`. */
export const APIC_BASE_MSR = 0x800;
/** Last MSR of the range the SDM reserves for the x2APIC (§10.12.1.2); unlisted ones #GP. */
export const APIC_LAST_MSR = 0xbff;

/** SPIV bits. */
export const APIC_SPIV_APIC_ENABLED = 0x100;
export const APIC_SPIV_FOCUS_DISABLED = 0x200;
export const APIC_SPIV_VECTOR = 0xff;
/** LVT bits (SDM Figure 10-8). */
export const APIC_LVT_DELIVERY_STATUS = 0x1000;
export const APIC_LVT_REMOTE_IRR = 0x2000;
export const APIC_LVT_ACTIVE_LOW = 0x4000;
export const APIC_LVT_LEVEL_TRIGGER = 0x8000;
export const APIC_LVT_MASKED = 0x10000;
/**
 * LVT bits software can set (SDM Figure 10-8): the timer has vector, mask and mode; LINT0/1
 * vector, delivery mode, polarity, trigger and mask; thermal, performance and CMCI vector,
 * delivery mode and mask; error vector and mask. Delivery status and remote IRR are read-only.
 */
export const APIC_LVT_TIMER_BITS = 0x000700ff;
export const APIC_LVT_LINT_BITS = 0x0001c7ff;
export const APIC_LVT_DM_BITS = 0x000107ff;
export const APIC_LVT_ERROR_BITS = 0x000100ff;
/** LVT timer mode, bits 18:17: 00 one-shot, 01 periodic, 10 TSC-deadline (11 reserved). */
export const APIC_LVT_TIMER_MODE = 0x60000;
export const APIC_LVT_TIMER_ONESHOT = 0x00000;
export const APIC_LVT_TIMER_PERIODIC = 0x20000;
export const APIC_LVT_TIMER_TSCDEADLINE = 0x40000;
/** ICR bits (SDM Figure 10-12); the delivery modes are shared with LVTs and the IO-APIC. */
export const APIC_VECTOR_MASK = 0xff;
export const APIC_DM_MASK = 0x700;
export const APIC_DM_FIXED = 0x000;
export const APIC_DM_LOWEST = 0x100;
export const APIC_DM_SMI = 0x200;
export const APIC_DM_NMI = 0x400;
export const APIC_DM_INIT = 0x500;
export const APIC_DM_STARTUP = 0x600;
export const APIC_DM_EXTINT = 0x700;
export const APIC_DEST_PHYSICAL = 0x000;
export const APIC_DEST_LOGICAL = 0x800;
export const APIC_ICR_BUSY = 0x1000;
/** ICR level (1 = assert; 0 only for INIT level de-assert) and trigger mode (1 = level). */
export const APIC_INT_ASSERT = 0x4000;
export const APIC_INT_LEVELTRIG = 0x8000;
export const APIC_SHORTHAND_MASK = 0xc0000;
export const APIC_DEST_NOSHORT = 0x00000;
export const APIC_DEST_SELF = 0x40000;
export const APIC_DEST_ALLINC = 0x80000;
export const APIC_DEST_ALLBUT = 0xc0000;
/** ICR low bits software can write in xAPIC mode; in x2APIC mode any other bit is reserved (#GP). */
export const APIC_ICR_WRITABLE = 0x000ccfff;
/** Physical destination meaning "all APICs": 8-bit in xAPIC mode, 32-bit in x2APIC mode. */
export const APIC_BROADCAST_ID = 0xff;
export const X2APIC_BROADCAST_ID = 0xffffffff;
/** DFR model, bits 31:28. */
export const APIC_DFR_FLAT = 0xffffffff;
export const APIC_DFR_CLUSTER = 0x0fffffff;
/** ESR bits (SDM Figure 10-9). */
export const APIC_ESR_SEND_CHECKSUM = 0x1;
export const APIC_ESR_RECV_CHECKSUM = 0x2;
export const APIC_ESR_SEND_ACCEPT = 0x4;
export const APIC_ESR_RECV_ACCEPT = 0x8;
export const APIC_ESR_REDIRECTABLE_IPI = 0x10;
export const APIC_ESR_SEND_ILLEGAL_VECTOR = 0x20;
export const APIC_ESR_RECV_ILLEGAL_VECTOR = 0x40;
export const APIC_ESR_ILLEGAL_REGISTER = 0x80;

/** The x2APIC MSR number of xAPIC register `offset`. */
export function x2apicMsr(offset: number): number {
  return APIC_BASE_MSR + (offset >>> 4);
}

/** The xAPIC register offset of x2APIC MSR `msr` (0x800..0x8ff), or -1. */
export function x2apicOffset(msr: number): number {
  return msr >= APIC_BASE_MSR && msr <= 0x8ff ? (msr - APIC_BASE_MSR) << 4 : -1;
}

/** True for the MSRs a local APIC answers: IA32_APIC_BASE, IA32_TSC_DEADLINE, 0x800..0xbff. */
export function isApicMsr(msr: number): boolean {
  return (
    msr === MSR_IA32_APICBASE ||
    msr === MSR_IA32_TSC_DEADLINE ||
    (msr >= APIC_BASE_MSR && msr <= APIC_LAST_MSR)
  );
}
