import { APIC_DM_FIXED, APIC_DM_LOWEST, APIC_DM_MASK, APIC_VECTOR_MASK } from './apic-registers.js';

/** Default physical base of the IO-APIC's registers. */
export const IO_APIC_DEFAULT_PHYS_BASE = 0xfec00000;
/** Size of the window `Mmu.mapMmio` should route to the IO-APIC (one page). */
export const IO_APIC_MMIO_SIZE = 0x1000;
/** Direct registers: the index register and the data window (82093AA datasheet §3.0). */
export const IOAPIC_REGSEL = 0x00;
export const IOAPIC_WINDOW = 0x10;
/** Indirect registers, selected through IOREGSEL. */
export const IOAPIC_ID = 0x00;
export const IOAPIC_VER = 0x01;
export const IOAPIC_ARB = 0x02;
/** Redirection entry n: low dword at 0x10 + 2n, high dword at 0x11 + 2n. */
export const IOAPIC_REDTBL = 0x10;
/** Redirection entries (device lines) of this IO-APIC. */
export const IOAPIC_ENTRIES = 24;
/** Redirection entry bits, low dword (vector 7:0 and delivery mode 10:8 as in the ICR). */
export const IOAPIC_RTE_LOGICAL = 0x800;
export const IOAPIC_RTE_DELIVERY_STATUS = 0x1000;
export const IOAPIC_RTE_ACTIVE_LOW = 0x2000;
export const IOAPIC_RTE_REMOTE_IRR = 0x4000;
export const IOAPIC_RTE_LEVEL = 0x8000;
export const IOAPIC_RTE_MASKED = 0x10000;

/** Version register: version 0x11 (82093AA), maximum redirection entry 23. */
const IOAPIC_VERSION = ((IOAPIC_ENTRIES - 1) << 16) | 0x11;
/** Low-dword bits software can write: vector, delivery and destination mode, polarity, trigger, mask. */
const RTE_WRITABLE = 0x0001afff;

/** Where an IO-APIC sends its messages; `ApicBus` implements it. */
export interface InterruptRouter {
  deliverInterrupt(
    deliveryMode: number,
    vector: number,
    logical: boolean,
    destination: number,
    levelTriggered: boolean,
  ): void;
}

/** Options for {@link IoApic}. */
export interface IoApicOptions {
  /** IO-APIC ID (bits 27:24 of the ID register; default 0). */
  id?: number;
}

/**
 * An IO-APIC (Intel 82093AA): 24 device lines, each with a redirection entry that turns the
 * line into an interrupt message on the APIC bus (vector, delivery mode, physical or logical
 * destination, polarity, edge or level trigger, mask). Shared by all CPUs: map the same
 * instance at 0xfec00000 in every CPU's MMU (`Mmu.mapMmio`), and `ApicBus.attachIoApic` it.
 *
 * Lines are driven with {@link raiseLine}/{@link lowerLine}, which assert and de-assert the
 * interrupt: the polarity bit is kept for software but the board is assumed to have already
 * applied it (an active-low PCI line is asserted with `raiseLine`). Edge-triggered entries send
 * one message per assertion; a masked edge is lost. Level-triggered fixed and lowest-priority
 * entries send while the line is asserted and remote IRR is clear, set remote IRR, and send
 * again when a local APIC's EOI of that vector clears it with the line still asserted (other
 * level-triggered delivery modes act like edges: nothing EOIs them). Switching an entry to edge
 * clears remote IRR, as Linux relies on for IO-APICs without an EOI register. Delivery status
 * always reads idle: messages are delivered at once.
 */
export class IoApic {
  /** Where messages go; set by `ApicBus.attachIoApic`. */
  bus: InterruptRouter | undefined = undefined;
  /** Messages sent (for --stats). */
  delivered = 0;

  private id: number;
  private arbitrationId: number;
  private regsel = 0;
  private readonly low = new Uint32Array(IOAPIC_ENTRIES);
  private readonly high = new Uint32Array(IOAPIC_ENTRIES);
  /** 1 while line n is asserted. */
  private readonly lines = new Uint8Array(IOAPIC_ENTRIES);

  constructor(options: IoApicOptions = {}) {
    this.id = (options.id ?? 0) & 0xf;
    this.arbitrationId = this.id;
    this.low.fill(IOAPIC_RTE_MASKED); // every entry masked after reset
  }

  /**
   * MMIO read at `offset` from the IO-APIC base: IOREGSEL (0x00) and IOWIN (0x10). Like the
   * local APIC, any width returns the addressed bytes of the 32-bit register and bytes 4..15 of
   * each slot read 0; other offsets read 0.
   */
  mmioRead(offset: number, size: 1 | 2 | 4): number {
    const within = offset & 0xf;
    if (within >= 4) return 0;
    const slot = offset - within;
    let reg: number;
    if (slot === IOAPIC_REGSEL) reg = this.regsel;
    else if (slot === IOAPIC_WINDOW) reg = this.readRegister(this.regsel);
    else return 0;
    const value = reg >>> (within * 8);
    return size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
  }

  /** MMIO write: only aligned dwords to IOREGSEL or IOWIN take effect (the 82093AA wants dwords). */
  mmioWrite(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4) return;
    if (offset === IOAPIC_REGSEL) this.regsel = value & 0xff;
    else if (offset === IOAPIC_WINDOW) this.writeRegister(this.regsel, value);
  }

  /** Reads indirect register `index` (what IOWIN shows when IOREGSEL = index). */
  readRegister(index: number): number {
    if (index === IOAPIC_ID) return (this.id << 24) >>> 0;
    if (index === IOAPIC_VER) return IOAPIC_VERSION;
    if (index === IOAPIC_ARB) return (this.arbitrationId << 24) >>> 0;
    const n = (index - IOAPIC_REDTBL) >> 1;
    if (index < IOAPIC_REDTBL || n >= IOAPIC_ENTRIES) return 0;
    return (index & 1) === 0 ? this.low[n]! : this.high[n]!;
  }

  /** Writes indirect register `index`. The ID write also loads the arbitration ID; VER and ARB are read-only. */
  writeRegister(index: number, value: number): void {
    value >>>= 0;
    if (index === IOAPIC_ID) {
      this.id = (value >>> 24) & 0xf;
      this.arbitrationId = this.id;
      return;
    }
    const n = (index - IOAPIC_REDTBL) >> 1;
    if (index < IOAPIC_REDTBL || n >= IOAPIC_ENTRIES) return;
    if ((index & 1) === 1) {
      this.high[n] = value & 0xff000000;
      return;
    }
    let entry = (value & RTE_WRITABLE) | (this.low[n]! & IOAPIC_RTE_REMOTE_IRR);
    if ((entry & IOAPIC_RTE_LEVEL) === 0) entry &= ~IOAPIC_RTE_REMOTE_IRR;
    this.low[n] = entry >>> 0;
    // An unmasked level entry whose line is still asserted sends now.
    if (this.lines[n] === 1 && this.isLevel(entry)) this.send(n);
  }

  /** The redirection entry of line `n` as [low, high] dwords. */
  entry(n: number): [low: number, high: number] {
    return [this.low[n]!, this.high[n]!];
  }

  /** Line `n` is asserted: send per its redirection entry (edge: on this edge only). */
  raiseLine(n: number): void {
    this.checkLine(n);
    const wasAsserted = this.lines[n] === 1;
    this.lines[n] = 1;
    if (this.isLevel(this.low[n]!) || !wasAsserted) this.send(n);
  }

  /** Line `n` is de-asserted. */
  lowerLine(n: number): void {
    this.checkLine(n);
    this.lines[n] = 0;
  }

  /** True while line `n` is asserted. */
  lineAsserted(n: number): boolean {
    return this.lines[n] === 1;
  }

  /** EOI broadcast from a local APIC: clear remote IRR of level entries with `vector`; resend if still asserted. */
  eoi(vector: number): void {
    for (let n = 0; n < IOAPIC_ENTRIES; n++) {
      const entry = this.low[n]!;
      if ((entry & IOAPIC_RTE_REMOTE_IRR) === 0 || (entry & APIC_VECTOR_MASK) !== vector) continue;
      this.low[n] = (entry & ~IOAPIC_RTE_REMOTE_IRR) >>> 0;
      if (this.lines[n] === 1) this.send(n);
    }
  }

  /** Level-triggered with remote IRR semantics: fixed or lowest-priority delivery. */
  private isLevel(entry: number): boolean {
    const mode = entry & APIC_DM_MASK;
    return (entry & IOAPIC_RTE_LEVEL) !== 0 && (mode === APIC_DM_FIXED || mode === APIC_DM_LOWEST);
  }

  private send(n: number): void {
    const entry = this.low[n]!;
    if ((entry & IOAPIC_RTE_MASKED) !== 0) return;
    const level = this.isLevel(entry);
    if (level) {
      if ((entry & IOAPIC_RTE_REMOTE_IRR) !== 0) return;
      this.low[n] = (entry | IOAPIC_RTE_REMOTE_IRR) >>> 0;
    }
    this.delivered++;
    this.bus?.deliverInterrupt(
      entry & APIC_DM_MASK,
      entry & APIC_VECTOR_MASK,
      (entry & IOAPIC_RTE_LOGICAL) !== 0,
      this.high[n]! >>> 24,
      level,
    );
  }

  private checkLine(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n >= IOAPIC_ENTRIES) {
      throw new RangeError(`IO-APIC line ${n} does not exist (0..${IOAPIC_ENTRIES - 1})`);
    }
  }
}
