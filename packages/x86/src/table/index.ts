import { EVEX } from './evex.js';
import { LEGACY } from './legacy.js';
import type { Row } from './row.js';
import { SSE } from './sse.js';
import { SYSTEM } from './system.js';
import { VEX } from './vex.js';
import { X87 } from './x87.js';

export type { Row } from './row.js';

/**
 * The instruction table: every encoding form the decoder knows, in SDM notation.
 * Row order matters only between rows of the same opcode slot: the first row whose
 * constraints match wins (the generator keeps rows with a mandatory prefix first).
 */
export const TABLE: readonly Row[] = [...LEGACY, ...SYSTEM, ...X87, ...SSE, ...VEX, ...EVEX];
