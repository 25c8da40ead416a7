import type { IpiSink, LocalApic } from './local-apic.js';

/** Observer of delivered IPIs (e.g. the trace's `ipi` event). */
export type IpiListener = (from: LocalApic, to: LocalApic, vector: number, deliveryMode: number) => void;

/**
 * The shared interrupt bus between the CPUs' local APICs: routes what a CPU writes to its
 * ICR to the destination APICs (physical ID, logical flat/cluster, or the self / all /
 * all-but-self shorthands). Fixed and lowest-priority IPIs are latched into the target's
 * IRR; NMI, INIT and STARTUP are recorded on the target for the machine to act on.
 */
export class ApicBus implements IpiSink {
  readonly apics: LocalApic[] = [];
  onIpi: IpiListener | undefined = undefined;

  /** Connects a local APIC (its ICR writes come here). */
  attach(apic: LocalApic): void {
    this.apics.push(apic);
    apic.bus = this;
  }

  sendIpi(from: LocalApic, icr: number, destination: number): void {
    const shorthand = icr & 0xc0000;
    const logical = (icr & 0x800) !== 0;
    const mode = icr & 0x700;
    const vector = icr & 0xff;
    let lowest: LocalApic | undefined;
    for (const to of this.apics) {
      let hit: boolean;
      if (shorthand === 0x40000) hit = to === from;
      else if (shorthand === 0x80000) hit = true;
      else if (shorthand === 0xc0000) hit = to !== from;
      else if (logical) hit = to.matchesLogical(destination);
      else hit = destination === 0xff || destination === 0xffffffff || to.apicId === destination;
      if (!hit) continue;
      if (mode === 0x100) {
        // lowest priority: deliver once, to the first matching APIC with the lowest PPR
        if (lowest === undefined || to.readRegister(0xa0) < lowest.readRegister(0xa0)) lowest = to;
        continue;
      }
      this.deliver(from, to, mode, vector);
    }
    if (lowest !== undefined) this.deliver(from, lowest, 0, vector);
  }

  private deliver(from: LocalApic, to: LocalApic, mode: number, vector: number): void {
    if (mode === 0x000) to.raise(vector);
    else if (mode === 0x400) to.nmiPending = true;
    else if (mode === 0x500) to.initPending = true;
    else if (mode === 0x600) to.startupVector = vector;
    this.onIpi?.(from, to, vector, mode);
  }
}
