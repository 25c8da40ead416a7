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
/** x2APIC only: SELF IPI (MSR 0x83f). */
export const APIC_SELF_IPI = 0x3f0;

/** Default physical base of the xAPIC MMIO page. */
export const APIC_DEFAULT_PHYS_BASE = 0xfee00000;
/** IA32_APIC_BASE MSR and its bits. */
export const MSR_IA32_APICBASE = 0x1b;
export const MSR_IA32_APICBASE_BSP = 0x100;
export const MSR_IA32_APICBASE_EXTD = 0x400;
export const MSR_IA32_APICBASE_ENABLE = 0x800;
/** First x2APIC MSR: register at offset `off` is MSR `0x800 + (off >> 4)`. */
export const APIC_BASE_MSR = 0x800;

/** SPIV bits. */
export const APIC_SPIV_APIC_ENABLED = 0x100;
export const APIC_SPIV_FOCUS_DISABLED = 0x200;
/** LVT bits. */
export const APIC_LVT_MASKED = 0x10000;
export const APIC_LVT_TIMER_PERIODIC = 0x20000;
export const APIC_LVT_TIMER_TSCDEADLINE = 0x40000;
/** ICR bits. */
export const APIC_DM_FIXED = 0x000;
export const APIC_DM_LOWEST = 0x100;
export const APIC_DM_SMI = 0x200;
export const APIC_DM_NMI = 0x400;
export const APIC_DM_INIT = 0x500;
export const APIC_DM_STARTUP = 0x600;
export const APIC_DEST_PHYSICAL = 0x000;
export const APIC_DEST_LOGICAL = 0x800;
export const APIC_ICR_BUSY = 0x1000;
export const APIC_DEST_SELF = 0x40000;
export const APIC_DEST_ALLINC = 0x80000;
export const APIC_DEST_ALLBUT = 0xc0000;
/** ESR bits. */
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
