import { describe, expect, test } from 'vitest';
import type { MmioDevice } from '../../memory/src/mmu.js';
import {
  APIC_DFR,
  APIC_DFR_CLUSTER,
  APIC_DM_LOWEST,
  APIC_DM_NMI,
  APIC_LDR,
  APIC_TASKPRI,
  IO_APIC_DEFAULT_PHYS_BASE,
  IOAPIC_ARB,
  IOAPIC_ENTRIES,
  IOAPIC_ID,
  IOAPIC_REDTBL,
  IOAPIC_REGSEL,
  IOAPIC_RTE_ACTIVE_LOW,
  IOAPIC_RTE_LEVEL,
  IOAPIC_RTE_LOGICAL,
  IOAPIC_RTE_MASKED,
  IOAPIC_RTE_REMOTE_IRR,
  IOAPIC_VER,
  IOAPIC_WINDOW,
  IoApic,
  type LocalApic,
} from '../src/index.js';
import { machine } from './helpers.js';

/** Linux's io_apic_write: select with IOREGSEL, then write IOWIN. */
function write(io: MmioDevice, index: number, value: number): void {
  io.mmioWrite(IOAPIC_REGSEL, 4, index);
  io.mmioWrite(IOAPIC_WINDOW, 4, value);
}
function read(io: MmioDevice, index: number): number {
  io.mmioWrite(IOAPIC_REGSEL, 4, index);
  return io.mmioRead(IOAPIC_WINDOW, 4);
}
/** Programs redirection entry `n` (high dword first, as Linux's ioapic_write_entry does). */
function route(io: IoApic, n: number, low: number, destination: number): void {
  write(io, IOAPIC_REDTBL + 2 * n + 1, destination << 24);
  write(io, IOAPIC_REDTBL + 2 * n, low);
}

function system(cpus = 2): { io: IoApic; apics: LocalApic[] } {
  const { bus, apics } = machine(cpus);
  const io = new IoApic({ id: 2 });
  bus.attachIoApic(io);
  return { io, apics };
}

describe('IO-APIC registers (82093AA datasheet §3)', () => {
  test('ID, version (0x11, 24 entries) and arbitration ID through IOREGSEL/IOWIN at 0xfec00000', () => {
    const { io } = system();
    expect(IO_APIC_DEFAULT_PHYS_BASE).toBe(0xfec00000);
    expect(read(io, IOAPIC_ID)).toBe(0x02000000);
    expect(read(io, IOAPIC_VER)).toBe(0x00170011);
    expect(read(io, IOAPIC_ARB)).toBe(0x02000000);
    write(io, IOAPIC_ID, 0x05000000);
    expect(read(io, IOAPIC_ID)).toBe(0x05000000);
    expect(read(io, IOAPIC_ARB)).toBe(0x05000000); // loaded by the ID write
    write(io, IOAPIC_VER, 0);
    write(io, IOAPIC_ARB, 0);
    expect(read(io, IOAPIC_VER)).toBe(0x00170011);
    expect(read(io, IOAPIC_ARB)).toBe(0x05000000);
    expect(io.mmioRead(IOAPIC_REGSEL, 4)).toBe(IOAPIC_ARB);
  });

  test('all 24 entries reset masked; entries keep their writable bits and the 8-bit destination', () => {
    const { io } = system();
    for (let n = 0; n < IOAPIC_ENTRIES; n++) expect(read(io, IOAPIC_REDTBL + 2 * n)).toBe(IOAPIC_RTE_MASKED);
    write(io, IOAPIC_REDTBL + 2 * 23, 0xffffffff);
    expect(read(io, IOAPIC_REDTBL + 2 * 23)).toBe(0x0001afff); // no delivery status or remote IRR
    write(io, IOAPIC_REDTBL + 2 * 23 + 1, 0xffffffff);
    expect(read(io, IOAPIC_REDTBL + 2 * 23 + 1)).toBe(0xff000000);
    expect(read(io, IOAPIC_REDTBL + 2 * 24)).toBe(0); // past the table
  });

  test('narrow reads return register bytes; narrow or misplaced writes are dropped', () => {
    const { io } = system();
    io.mmioWrite(IOAPIC_REGSEL, 4, IOAPIC_VER);
    expect(io.mmioRead(IOAPIC_WINDOW + 2, 1)).toBe(0x17);
    expect(io.mmioRead(IOAPIC_WINDOW, 2)).toBe(0x0011);
    io.mmioWrite(IOAPIC_REGSEL, 1, IOAPIC_ID);
    expect(io.mmioRead(IOAPIC_REGSEL, 4)).toBe(IOAPIC_VER);
    expect(io.mmioRead(0x20, 4)).toBe(0);
  });

  test('raising a line that does not exist is a RangeError', () => {
    expect(() => new IoApic().raiseLine(24)).toThrow(RangeError);
  });
});

describe('IO-APIC redirection to local APICs', () => {
  test('an edge entry sends its vector to the physical destination once per rising edge', () => {
    const { io, apics } = system();
    route(io, 1, 0x31, 1);
    io.raiseLine(1);
    expect(apics[1]!.highestRequested()).toBe(0x31);
    expect(apics[0]!.highestRequested()).toBe(-1);
    expect(apics[1]!.acknowledge()).toBe(0x31);
    io.raiseLine(1); // still high: no new edge
    expect(apics[1]!.highestRequested()).toBe(-1);
    io.lowerLine(1);
    io.raiseLine(1);
    expect(apics[1]!.highestRequested()).toBe(0x31);
    expect(io.delivered).toBe(2);
  });

  test('a masked edge is lost', () => {
    const { io, apics } = system();
    route(io, 4, 0x34 | IOAPIC_RTE_MASKED, 0);
    io.raiseLine(4);
    route(io, 4, 0x34, 0);
    expect(apics[0]!.highestRequested()).toBe(-1);
  });

  test('a level entry sets remote IRR and TMR; EOI clears remote IRR and resends while asserted', () => {
    const { io, apics } = system();
    const cpu = apics[0]!;
    route(io, 9, 0x49 | IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW, 0);
    io.raiseLine(9);
    expect(read(io, IOAPIC_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR).toBe(IOAPIC_RTE_REMOTE_IRR);
    expect(cpu.readRegister(0x180 + 0x20) & (1 << 9)).toBe(1 << 9); // TMR bit of 0x49
    expect(cpu.acknowledge()).toBe(0x49);
    io.raiseLine(9); // remote IRR blocks another message
    expect(cpu.highestRequested()).toBe(-1);
    cpu.eoi(); // the device is still asserting: delivered again
    expect(cpu.highestRequested()).toBe(0x49);
    expect(cpu.acknowledge()).toBe(0x49);
    io.lowerLine(9);
    cpu.eoi();
    expect(read(io, IOAPIC_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR).toBe(0);
    expect(cpu.highestRequested()).toBe(-1);
    expect(io.delivered).toBe(2);
  });

  test('unmasking a level entry whose line is asserted delivers at once', () => {
    const { io, apics } = system();
    route(io, 10, 0x4a | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED, 0);
    io.raiseLine(10);
    expect(apics[0]!.highestRequested()).toBe(-1);
    route(io, 10, 0x4a | IOAPIC_RTE_LEVEL, 0);
    expect(apics[0]!.highestRequested()).toBe(0x4a);
  });

  test('switching an entry to edge clears a stuck remote IRR', () => {
    const { io } = system();
    route(io, 11, 0x4b | IOAPIC_RTE_LEVEL, 0);
    io.raiseLine(11);
    io.lowerLine(11);
    route(io, 11, 0x4b | IOAPIC_RTE_MASKED, 0);
    route(io, 11, 0x4b | IOAPIC_RTE_LEVEL, 0);
    expect(read(io, IOAPIC_REDTBL + 22) & IOAPIC_RTE_REMOTE_IRR).toBe(0);
  });

  test('logical destination, cluster model', () => {
    const { io, apics } = system(3);
    apics.forEach((a, i) => {
      a.writeRegister(APIC_DFR, APIC_DFR_CLUSTER);
      a.writeRegister(APIC_LDR, (0x10 | (1 << i)) << 24);
    });
    route(io, 3, 0x33 | IOAPIC_RTE_LOGICAL, 0x15);
    io.raiseLine(3);
    expect(apics.map((a) => a.highestRequested())).toEqual([0x33, -1, 0x33]);
  });

  test('lowest priority picks the least busy processor; NMI entries set the NMI line', () => {
    const { io, apics } = system(2);
    apics[0]!.writeRegister(APIC_TASKPRI, 0x80);
    route(io, 5, 0x35 | APIC_DM_LOWEST, 0xff);
    io.raiseLine(5);
    expect(apics.map((a) => a.highestRequested())).toEqual([-1, 0x35]);
    route(io, 6, APIC_DM_NMI, 0);
    io.raiseLine(6);
    expect(apics.map((a) => a.nmiPending)).toEqual([true, false]);
  });
});
