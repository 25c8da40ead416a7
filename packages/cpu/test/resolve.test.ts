import { gprIndex, Register } from '@legosim/x86';
import { expect, test } from 'vitest';
test('workspace packages resolve to source', () => { expect(gprIndex(Register.R9D)).toBe(9); });
