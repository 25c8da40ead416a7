import type { Handler } from '../cpu.js';

/** Registers the semantics of one mnemonic. */
export type Define = (mnemonic: number, handler: Handler) => void;
