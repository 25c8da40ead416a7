export type { Clock, InterruptSource, Mmu, PagingMode } from './bus.js';
