import {
  APIC_BROADCAST_ID,
  APIC_DEST_ALLBUT,
  APIC_DEST_ALLINC,
  APIC_DEST_LOGICAL,
  APIC_DEST_SELF,
  APIC_DM_INIT,
  APIC_DM_LOWEST,
  APIC_DM_MASK,
  APIC_INT_ASSERT,
  APIC_INT_LEVELTRIG,
  APIC_SHORTHAND_MASK,
  APIC_VECTOR_MASK,
  X2APIC_BROADCAST_ID,
} from './apic-registers.js';
import type { InterruptRouter, IoApic } from './io-apic.js';
import type { IpiSink, LocalApic } from './local-apic.js';

/** Observer of delivered IPIs (e.g. the trace's `ipi` event). */
export type IpiListener = (from: LocalApic, to: LocalApic, vector: number, deliveryMode: number) => void;

/**
 * The shared interrupt bus between the CPUs' local APICs and the IO-APICs (SDM Vol. 3A §10.6):
 * routes what a CPU writes to its ICR, and what an IO-APIC sends for a device line, to the
 * destination APICs — physical ID (all ones broadcasts), logical flat/cluster (or x2APIC
 * cluster) destination, or the self / all-including-self / all-excluding-self shorthands — and
 * carries EOIs of level-triggered vectors back to the IO-APICs. Each target accepts the
 * message by its delivery mode (`LocalApic.accept`); lowest priority goes to the one matching
 * APIC with the lowest arbitration priority (the first attached on a tie: no focus processor).
 */
export class ApicBus implements IpiSink, InterruptRouter {
  readonly apics: LocalApic[] = [];
  readonly ioApics: IoApic[] = [];
  onIpi: IpiListener | undefined = undefined;

  /** Connects a local APIC (its ICR writes come here). */
  attach(apic: LocalApic): void {
    this.apics.push(apic);
    apic.bus = this;
  }

  /** Connects an IO-APIC (its redirections come here; level EOIs go to it). */
  attachIoApic(ioApic: IoApic): void {
    this.ioApics.push(ioApic);
    ioApic.bus = this;
  }

  sendIpi(from: LocalApic, icr: number, destination: number): void {
    const mode = icr & APIC_DM_MASK;
    // INIT level de-assert (level 0, trigger level) only resynchronizes arbitration IDs on
    // P6/Pentium buses (SDM Figure 10-12); it neither resets nor starts anything.
    if (mode === APIC_DM_INIT && (icr & (APIC_INT_ASSERT | APIC_INT_LEVELTRIG)) === APIC_INT_LEVELTRIG)
      return;
    this.route(
      from,
      icr & APIC_SHORTHAND_MASK,
      (icr & APIC_DEST_LOGICAL) !== 0,
      destination >>> 0,
      from.x2apicMode,
      mode,
      icr & APIC_VECTOR_MASK,
      false,
    );
  }

  /** A message from an IO-APIC redirection entry: 8-bit destination, no shorthand. */
  deliverInterrupt(
    deliveryMode: number,
    vector: number,
    logical: boolean,
    destination: number,
    levelTriggered: boolean,
  ): void {
    this.route(undefined, 0, logical, destination & 0xff, false, deliveryMode, vector, levelTriggered);
  }

  /** A local APIC retired a level-triggered vector: the IO-APICs clear its remote IRR. */
  broadcastEoi(vector: number): void {
    for (const io of this.ioApics) io.eoi(vector);
  }

  /**
   * `wide` destinations are x2APIC ones (32 bits, broadcast 0xffffffff); the others are the
   * 8-bit xAPIC destination field (broadcast 0xff).
   */
  private route(
    from: LocalApic | undefined,
    shorthand: number,
    logical: boolean,
    destination: number,
    wide: boolean,
    mode: number,
    vector: number,
    levelTriggered: boolean,
  ): void {
    const broadcast = destination === (wide ? X2APIC_BROADCAST_ID : APIC_BROADCAST_ID);
    let lowest: LocalApic | undefined;
    for (const to of this.apics) {
      let hit: boolean;
      if (shorthand === APIC_DEST_SELF) hit = to === from;
      else if (shorthand === APIC_DEST_ALLINC) hit = true;
      else if (shorthand === APIC_DEST_ALLBUT) hit = to !== from;
      else if (broadcast) hit = true;
      else if (logical) hit = to.matchesLogical(destination);
      else hit = to.apicId === destination;
      if (!hit) continue;
      if (mode === APIC_DM_LOWEST) {
        if (lowest === undefined || to.arbitrationPriority < lowest.arbitrationPriority) lowest = to;
        continue;
      }
      this.deliver(from, to, mode, vector, levelTriggered);
    }
    if (lowest !== undefined) this.deliver(from, lowest, mode, vector, levelTriggered);
  }

  private deliver(
    from: LocalApic | undefined,
    to: LocalApic,
    mode: number,
    vector: number,
    levelTriggered: boolean,
  ): void {
    to.accept(mode, vector, levelTriggered);
    if (from !== undefined) this.onIpi?.(from, to, vector, mode);
  }
}
