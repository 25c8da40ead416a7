/**
 * Lego's interrupt vectors (arch/x86/include/asm/irq_vectors.h) and exception facts
 * (lego-facts.md "Interrupts").
 */

export const NR_VECTORS = 256;
/** First vector available to devices. */
export const FIRST_EXTERNAL_VECTOR = 0x20;
/** First system vector; device vectors are 0x20..0xee. */
export const FIRST_SYSTEM_VECTOR = 0xef;
export const LOCAL_TIMER_VECTOR = 0xef;
export const X86_PLATFORM_IPI_VECTOR = 0xf7;
export const REBOOT_VECTOR = 0xf8;
export const CALL_FUNCTION_SINGLE_VECTOR = 0xfb;
export const CALL_FUNCTION_VECTOR = 0xfc;
export const RESCHEDULE_VECTOR = 0xfd;
export const ERROR_APIC_VECTOR = 0xfe;
export const SPURIOUS_APIC_VECTOR = 0xff;

/** Exceptions that push an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17. */
export const EXCEPTIONS_WITH_ERROR_CODE: readonly number[] = [8, 10, 11, 12, 13, 14, 17];

/** True when exception `vector` (0..31) pushes an error code. */
export function exceptionHasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

/**
 * `orig_ax` of a device interrupt: the stub pushes `~vector + 0x80` and the common code
 * adds -0x80, so `orig_ax` is `~vector` (as a signed number, e.g. -0x21 for vector 0x20).
 */
export function deviceInterruptOrigAx(vector: number): number {
  return ~vector;
}
