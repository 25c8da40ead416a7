import { describe, expect, test } from 'vitest';
import type { MsrHook } from '../../cpu/src/cpu.js';
import {
  APIC_DEST_ALLBUT,
  APIC_DEST_LOGICAL,
  APIC_EOI,
  APIC_LVT_TIMER_TSCDEADLINE,
  APIC_TASKPRI,
  LocalApic,
  MSR_IA32_APICBASE,
  MSR_IA32_TSC_DEADLINE,
  x2apicMsr,
} from '../src/index.js';
import { enabledApic, machine, toX2apic } from './helpers.js';

const GP = -1; // readMsr's #GP(0)

describe('IA32_APIC_BASE and mode switches (SDM Vol. 3A §10.4.4, §10.12.1, §10.12.5)', () => {
  test('reset value: base 0xfee00000, EN, BSP on the bootstrap processor', () => {
    expect(new LocalApic({ bsp: true }).readMsr(MSR_IA32_APICBASE)).toBe(0xfee00900);
    expect(new LocalApic().readMsr(MSR_IA32_APICBASE)).toBe(0xfee00800);
  });

  test('before x2APIC mode every MSR 0x800..0xbff #GPs', () => {
    const apic = enabledApic();
    expect(apic.readMsr(0x802)).toBe(GP);
    expect(apic.writeMsr(0x808, 0x20, 0)).toBe(false);
    expect(apic.readRegister(APIC_TASKPRI)).toBe(0);
  });

  test('xAPIC → x2APIC is allowed; x2APIC → xAPIC, disabled → x2APIC, EN=0/EXTD=1 and reserved bits #GP', () => {
    const apic = new LocalApic({ bsp: true });
    expect(apic.writeMsr(MSR_IA32_APICBASE, 0xfee00400, 0)).toBe(false); // EN = 0, EXTD = 1
    expect(apic.writeMsr(MSR_IA32_APICBASE, 0xfee00801, 0)).toBe(false); // reserved bit 0
    expect(apic.writeMsr(MSR_IA32_APICBASE, 0xfee00800, 0x4000)).toBe(false); // bit 46
    expect(apic.writeMsr(MSR_IA32_APICBASE, 0xfee00c00, 0)).toBe(true);
    expect(apic.x2apicMode).toBe(true);
    expect(apic.readMsr(MSR_IA32_APICBASE)).toBe(0xfee00d00); // BSP is kept
    expect(apic.writeMsr(MSR_IA32_APICBASE, 0xfee00800, 0)).toBe(false); // back to xAPIC
    expect(apic.writeMsr(MSR_IA32_APICBASE, 0xfee00000, 0)).toBe(true); // disable
    expect(apic.writeMsr(MSR_IA32_APICBASE, 0xfee00c00, 0)).toBe(false); // disabled → x2APIC
    expect(apic.writeMsr(MSR_IA32_APICBASE, 0xfee00800, 0)).toBe(true);
    expect(apic.xapicMode).toBe(true);
  });

  test('global disable resets the registers; the base can move', () => {
    const apic = enabledApic();
    apic.writeRegister(APIC_TASKPRI, 0x50);
    apic.writeMsr(MSR_IA32_APICBASE, 0xfee00000, 0);
    apic.writeMsr(MSR_IA32_APICBASE, 0xfed00800, 0x1);
    expect(apic.readRegister(APIC_TASKPRI)).toBe(0);
    expect(apic.enabled).toBe(false);
    expect(apic.baseAddress).toBe(0x1_fed00000);
    expect(apic.readMsrHigh(MSR_IA32_APICBASE)).toBe(1);
  });
});

describe('x2APIC register access (SDM §10.12.1.2 Table 10-6, §10.12.1.3)', () => {
  test('MSR 0x800 + offset >> 4 reaches the same registers', () => {
    const apic = toX2apic(enabledApic({ apicId: 3 }));
    expect(x2apicMsr(APIC_EOI)).toBe(0x80b);
    expect(apic.readMsr(0x802)).toBe(3); // 32-bit x2APIC ID, not shifted
    expect(apic.readMsr(0x803)).toBe(0x00060014);
    expect(apic.writeMsr(0x808, 0x20, 0)).toBe(true);
    expect(apic.readRegister(APIC_TASKPRI)).toBe(0x20);
    apic.raise(0x55);
    expect(apic.readMsr(0x80a)).toBe(0x20); // PPR
    expect(apic.readMsr(0x822)).toBe(1 << 21); // IRR word 2
    expect(apic.acknowledge()).toBe(0x55);
    expect(apic.readMsr(0x812)).toBe(1 << 21); // ISR word 2
    expect(apic.writeMsr(0x80b, 0, 0)).toBe(true);
    expect(apic.highestInService()).toBe(-1);
  });

  test('LDR is read-only and derived from the x2APIC ID: cluster ID[19:4], bit 1 << ID[3:0]', () => {
    const apic = toX2apic(enabledApic({ apicId: 0x23 }));
    expect(apic.readMsr(0x80d)).toBe(0x00020008);
    expect(apic.writeMsr(0x80d, 0, 0)).toBe(false);
  });

  test.each([
    ['APR 0x809 (not in x2APIC mode)', 0x809],
    ['RRD 0x80c', 0x80c],
    ['DFR 0x80e', 0x80e],
    ['ICR2 0x831', 0x831],
    ['EOI 0x80b (write-only)', 0x80b],
    ['SELF IPI 0x83f (write-only)', 0x83f],
    ['0x801 (reserved)', 0x801],
    ['0x8ff (reserved)', 0x8ff],
    ['0xbff (reserved)', 0xbff],
  ])('RDMSR of %s #GPs', (_name, msr) => {
    const apic = toX2apic(enabledApic());
    expect(apic.readMsr(msr)).toBe(GP);
    expect(apic.msrHook.read(msr)).toBeUndefined();
  });

  test.each([
    ['ID 0x802 (read-only)', 0x802, 0, 0],
    ['version 0x803', 0x803, 0, 0],
    ['PPR 0x80a', 0x80a, 0, 0],
    ['ISR 0x810', 0x810, 0, 0],
    ['current count 0x839', 0x839, 0, 0],
    ['DFR 0x80e', 0x80e, 0xffffffff, 0],
    ['EOI with a non-zero value', 0x80b, 1, 0],
    ['ESR with a non-zero value', 0x828, 1, 0],
    ['TPR bit 8 (reserved)', 0x808, 0x100, 0],
    ['TPR with a non-zero high dword', 0x808, 0x10, 1],
    ['SPIV bit 12 (no EOI-broadcast suppression)', 0x80f, 0x11ff, 0],
    ['ICR delivery status bit 12', 0x830, 0x10fd, 0],
    ['ICR bit 20 (reserved)', 0x830, 0x1000fd, 0],
    ['LVT timer reserved mode 11b', 0x832, 0x60020, 0],
    ['LVT error delivery mode bits', 0x837, 0x4fe, 0],
    ['divide configuration bit 2', 0x83e, 0x4, 0],
    ['SELF IPI bit 8', 0x83f, 0x1fd, 0],
  ])('WRMSR to %s #GPs', (_name, msr, lo, hi) => {
    const apic = toX2apic(enabledApic());
    expect(apic.writeMsr(msr, lo, hi)).toBe(false);
    expect(apic.msrHook.write(msr, lo, hi)).toBe(false);
  });

  test('ESR takes only zero, with the same write-then-read semantics', () => {
    const apic = toX2apic(enabledApic());
    apic.raise(2);
    expect(apic.readMsr(0x828)).toBe(0);
    expect(apic.writeMsr(0x828, 0, 0)).toBe(true);
    expect(apic.readMsr(0x828)).toBe(0x40);
  });

  test('LVT read-modify-write with a read-only status bit is accepted', () => {
    const apic = toX2apic(enabledApic());
    expect(apic.writeMsr(0x835, 0x1000 | 0x2000 | 0x31, 0)).toBe(true);
    expect(apic.readMsr(0x835)).toBe(0x31);
  });

  test('ICR is one 64-bit MSR: destination in EDX, sent on the write, read back whole', () => {
    const { apics } = machine(3);
    for (const a of apics) toX2apic(a);
    expect(apics[0]!.writeMsr(0x830, 0xfd, 2)).toBe(true);
    expect(apics[2]!.highestRequested()).toBe(0xfd);
    expect(apics[1]!.highestRequested()).toBe(-1);
    expect(apics[0]!.readMsr(0x830)).toBe(0xfd);
    expect(apics[0]!.readMsrHigh(0x830)).toBe(2);
    expect(apics[0]!.msrHook.read(0x830)).toEqual([0xfd, 2]);
  });

  test('x2APIC destinations: 32-bit physical broadcast 0xffffffff and logical cluster', () => {
    const { apics } = machine(20);
    for (const a of apics) toX2apic(a);
    apics[0]!.writeMsr(0x830, 0x40, 0xffffffff);
    expect(apics.every((a) => a.highestRequested() === 0x40)).toBe(true);
    // cluster 1 (IDs 16..19), members 1 and 3: IDs 17 and 19
    apics[0]!.writeMsr(0x830, 0x50 | APIC_DEST_LOGICAL, 0x0001000a);
    const hit = apics.filter((a) => a.highestRequested() === 0x50).map((a) => a.apicId);
    expect(hit).toEqual([17, 19]);
    apics[0]!.writeMsr(0x830, 0x60 | APIC_DEST_ALLBUT, 0);
    expect(apics.filter((a) => a.highestRequested() === 0x60)).toHaveLength(19);
  });

  test('SELF IPI 0x83f latches its vector as a fixed edge interrupt', () => {
    const apic = toX2apic(enabledApic());
    expect(apic.writeMsr(0x83f, 0x93, 0)).toBe(true);
    expect(apic.acknowledge()).toBe(0x93);
  });

  test('the ID and LDR are read-only in x2APIC mode even through register writes', () => {
    const apic = toX2apic(enabledApic({ apicId: 7 }));
    apic.writeRegister(0x20, 0x01000000);
    expect(apic.apicId).toBe(7);
  });

  test('msrHook has the shape of the CPU package MsrHook (0x6e0 included)', () => {
    const apic = toX2apic(enabledApic());
    const hook: MsrHook = apic.msrHook;
    expect(hook.write(0x832, 0x40 | APIC_LVT_TIMER_TSCDEADLINE, 0)).toBe(true);
    expect(hook.write(MSR_IA32_TSC_DEADLINE, 0x1000, 0)).toBe(true);
    expect(hook.read(MSR_IA32_TSC_DEADLINE)).toEqual([0x1000, 0]);
    expect(hook.read(0x10)).toBeUndefined(); // not an APIC MSR
  });
});
