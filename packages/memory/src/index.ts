export {
  canonical,
  hex64,
  hi32,
  isCanonical,
  lo32,
  type PhysAddr,
  signExtend48,
  type VirtAddr,
} from './address.js';
export { FrameAllocator } from './frame-allocator.js';
export * from './layout.js';
export { Mmu, type MmioDevice, type MmuOptions, type TlbFlushKind } from './mmu.js';
export { PageTables, type PteLookup } from './page-tables.js';
export { type PhysicalAccess, PhysicalMemory, type PhysicalMemoryOptions } from './physical-memory.js';
export {
  PAGE_KERNEL,
  PAGE_KERNEL_RO,
  PAGE_USER_RO,
  PAGE_USER_RW,
  PfError,
  Pte,
  PTE_ADDR_HI_MASK,
  PTE_ADDR_LO_MASK,
  PteHi,
  pteAddress,
  pteHi,
  pteLo,
} from './pte.js';
export { Tlb, TlbOk } from './tlb.js';
export { Access, type PagingMode, Perm, reservedHighMask, WalkResult, walk } from './walker.js';
