import { describe, expect, test } from 'vitest';
import { addError, directed32, directed64, divError, mulError, nextDown64, nextUp32, nextUp64, Rc, sqrtError, toOdd64 } from '../src/semantics/sse-round.js';

// The directed-rounding helpers behind MXCSR.RC: exact error signs without BigInt, one-ulp
// steps on the bit pattern, and the overflow/underflow edges. (The host-CPU differential
// probes in packages/conformance check the instructions end to end.)
describe('exact error signs', () => {
  test('addition: TwoSum sees the bits rounding dropped, and overflow', () => {
    expect(addError(1, 2 ** -60, 1)).toBe(1);
    expect(addError(1, -(2 ** -60), 1)).toBe(-1);
    expect(addError(0.5, 0.25, 0.75)).toBe(0);
    expect(addError(Number.MAX_VALUE, Number.MAX_VALUE, Number.POSITIVE_INFINITY)).toBe(-1);
    expect(addError(Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY)).toBe(0);
  });
  test('multiplication: exact, inexact, subnormal and underflow-to-zero products', () => {
    expect(mulError(3, 5, 15)).toBe(0);
    const a = 1 + 2 ** -52;
    expect(mulError(a, a, a * a)).toBe(1); // (1+u)^2 = 1 + 2u + u^2, rounded down to 1 + 2u
    expect(mulError(-a, a, -a * a)).toBe(-1);
    expect(mulError(2 ** -1000, 2 ** -74, 2 ** -1074)).toBe(0);
    expect(mulError(1.5 * 2 ** -1000, 2 ** -74, 2 ** -1073)).toBe(-1); // 1.5 minsub rounds to even 2 minsub
    expect(mulError(2 ** -600, 2 ** -600, 0)).toBe(1);
    expect(mulError(2 ** 600, 2 ** 600, Number.POSITIVE_INFINITY)).toBe(-1);
  });
  test('division and square root: remainder signs', () => {
    expect(divError(1, 3, 1 / 3)).toBe(1); // 1/3 rounds down in binary64
    expect(divError(-2, 3, -2 / 3)).toBe(-1); // so does 2/3, toward zero
    expect(divError(1, 10, 0.1)).toBe(-1); // 0.1 rounds up
    expect(divError(6, 3, 2)).toBe(0);
    expect(sqrtError(2, Math.SQRT2)).toBe(-1); // fl(√2) is above √2
    expect(sqrtError(4, 2)).toBe(0);
  });
});

describe('directed steps', () => {
  test('one ulp on the bit pattern, through zero and infinity', () => {
    expect(nextUp64(1)).toBe(1 + 2 ** -52);
    expect(nextDown64(1)).toBe(1 - 2 ** -53);
    expect(nextUp64(-0)).toBe(Number.MIN_VALUE);
    expect(nextDown64(0)).toBe(-Number.MIN_VALUE);
    expect(nextDown64(Number.POSITIVE_INFINITY)).toBe(Number.MAX_VALUE);
    expect(nextUp64(Number.MAX_VALUE)).toBe(Number.POSITIVE_INFINITY);
    expect(nextUp32(1)).toBe(1 + 2 ** -23);
  });
  test('round down, up and toward zero from a nearest result', () => {
    expect(directed64(1 / 3, 1, Rc.Down)).toBe(1 / 3);
    expect(directed64(1 / 3, 1, Rc.Up)).toBe(nextUp64(1 / 3));
    expect(directed64(-1 / 3, -1, Rc.Zero)).toBe(-1 / 3);
    expect(directed64(2 / 3, -1, Rc.Zero)).toBe(nextDown64(2 / 3));
    expect(directed64(Number.POSITIVE_INFINITY, -1, Rc.Zero)).toBe(Number.MAX_VALUE);
    expect(Object.is(directed64(-0, -1, Rc.Zero), -0)).toBe(true);
  });
  test('float results choose the float neighbour, and overflow to ±max where the mode says so', () => {
    expect(directed32(1 / 3, 1, Rc.Down)).toBe(0.3333333134651184); // fround(1/3) is above 1/3
    expect(directed32(1 / 3, 1, Rc.Up)).toBe(Math.fround(1 / 3));
    expect(directed32(3.5e38, 0, Rc.Zero)).toBe(Math.fround(3.4028234663852886e38));
    expect(directed32(3.5e38, 0, Rc.Up)).toBe(Number.POSITIVE_INFINITY);
  });
  test('round to odd marks an inexact result', () => {
    expect(toOdd64(1, 1)).toBe(1 + 2 ** -52);
    expect(toOdd64(1, 0)).toBe(1);
  });
});
