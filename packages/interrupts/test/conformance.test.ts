import { expect, test } from 'vitest';
import type { InterruptSource } from '../../cpu/src/bus.js';
import { LocalApic } from '../src/index.js';

test('LocalApic satisfies the CPU package InterruptSource interface structurally', () => {
  const source: InterruptSource = new LocalApic();
  expect(source.hasPending).toBe(false);
  expect(source.acknowledge()).toBe(-1);
});
