import { PteHi } from '@legosim/memory';
import type { Kernel } from '../kernel/kernel.js';
import { MmStruct, PROT_EXEC, PROT_READ, PROT_WRITE, pageDown, pageUp } from '../mm/mm.js';
import { ExecFormatError, PF_R, PF_W, PF_X, PT_LOAD, parseElf } from './elf.js';

/** Stack VMA: 8 MiB below STACK_TOP (RLIMIT_STACK), growing down on faults. */
const STACK_TOP = 0x7ffffffff000;
const STACK_SIZE = 8 * 1024 * 1024;
/** Where a static-pie (ET_DYN) executable is loaded: ELF_ET_DYN_BASE. */
const ET_DYN_BASE = 0x555555554000;

const AT_NULL = 0;
const AT_PHDR = 3;
const AT_PHENT = 4;
const AT_PHNUM = 5;
const AT_PAGESZ = 6;
const AT_BASE = 7;
const AT_FLAGS = 8;
const AT_ENTRY = 9;
const AT_UID = 11;
const AT_EUID = 12;
const AT_GID = 13;
const AT_EGID = 14;
const AT_PLATFORM = 15;
const AT_HWCAP = 16;
const AT_CLKTCK = 17;
const AT_SECURE = 23;
const AT_RANDOM = 25;
const AT_HWCAP2 = 26;
const AT_EXECFN = 31;

/**
 * load_elf_binary for a static executable: maps each PT_LOAD segment (file bytes copied,
 * the rest zero), sets the program break after the highest segment, and builds the
 * initial stack — argc, argv, envp, the auxiliary vector — as the System V ABI and Linux
 * lay it out. Returns the entry point and the initial stack pointer.
 */
export function loadElf(
  k: Kernel,
  mm: MmStruct,
  bytes: Uint8Array,
  argv: readonly string[],
  envp: readonly string[],
  path: string,
): { entry: number; sp: number } {
  const elf = parseElf(bytes);
  const bias = elf.type === 'pie' ? ET_DYN_BASE : 0;
  let brk = 0;
  let phdrAddr = 0;
  for (const ph of elf.phdrs) {
    if (ph.type !== PT_LOAD || ph.memsz === 0) continue;
    const vaddr = ph.vaddr + bias;
    const start = pageDown(vaddr);
    const end = pageUp(vaddr + ph.memsz);
    let prot = 0;
    if (ph.flags & PF_R) prot |= PROT_READ;
    if (ph.flags & PF_W) prot |= PROT_WRITE;
    if (ph.flags & PF_X) prot |= PROT_EXEC;
    mm.insertVma({ start, end, prot, name: path });
    const [lo, hi] = MmStruct.pteFlags(prot);
    for (let va = start; va < end; va += 4096) {
      const existing = k.pt.lookup(mm.pgd, va);
      let pa = existing?.pageBase ?? -1;
      if (pa < 0) {
        pa = k.mem.allocFrame();
        if (pa < 0) throw new ExecFormatError('out of memory loading the program (raise --memory)');
        k.pt.map(mm.pgd, va, pa, lo, hi);
      } else {
        // two segments sharing a page: the page gets the union of their permissions
        k.pt.map(mm.pgd, va, pa, lo | existing!.lo, existing!.hi & hi & PteHi.XD);
      }
      // copy the part of the file that falls into this page
      const fileStart = Math.max(va, vaddr);
      const fileEnd = Math.min(va + 4096, vaddr + ph.filesz);
      if (fileEnd > fileStart) {
        const off = ph.offset + (fileStart - vaddr);
        k.mem.writeBytes(pa + (fileStart - va), bytes, off, fileEnd - fileStart);
      }
    }
    if (ph.offset === 0 || (elf.phoff >= ph.offset && elf.phoff < ph.offset + ph.filesz)) {
      phdrAddr = vaddr + (elf.phoff - ph.offset);
    }
    brk = Math.max(brk, vaddr + ph.memsz);
  }
  mm.brkStart = pageUp(brk);
  mm.brk = mm.brkStart;

  mm.insertVma({ start: STACK_TOP - STACK_SIZE, end: STACK_TOP, prot: PROT_READ | PROT_WRITE, name: '[stack]', growsDown: true });

  // strings at the top of the stack: execfn, envp, argv, platform, then AT_RANDOM bytes
  const enc = new TextEncoder();
  let sp = STACK_TOP - 8;
  const pushBytes = (b: Uint8Array): number => {
    sp -= b.length;
    writeUser(k, mm, sp, b);
    return sp;
  };
  const cstr = (s: string): Uint8Array => {
    const e = enc.encode(s);
    const b = new Uint8Array(e.length + 1);
    b.set(e);
    return b;
  };
  const execfn = pushBytes(cstr(path));
  const envAddrs = envp.map((e) => pushBytes(cstr(e))).reverse();
  const argAddrs = argv.map((a) => pushBytes(cstr(a))).reverse();
  envAddrs.reverse();
  argAddrs.reverse();
  const platform = pushBytes(cstr('x86_64'));
  sp = Math.floor(sp / 16) * 16;
  const random = pushBytes(k.random.bytes(16));
  const auxv: [number, number][] = [
    [AT_HWCAP, 0x078bfbff],
    [AT_PAGESZ, 4096],
    [AT_CLKTCK, 100],
    [AT_PHDR, phdrAddr],
    [AT_PHENT, 56],
    [AT_PHNUM, elf.phnum],
    [AT_BASE, 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, elf.entry + bias],
    [AT_UID, 0],
    [AT_EUID, 0],
    [AT_GID, 0],
    [AT_EGID, 0],
    [AT_SECURE, 0],
    [AT_RANDOM, random],
    [AT_HWCAP2, 0],
    [AT_EXECFN, execfn],
    [AT_PLATFORM, platform],
    [AT_NULL, 0],
  ];
  const words: number[] = [argv.length, ...argAddrs, 0, ...envAddrs, 0];
  for (const [key, value] of auxv) words.push(key, value);
  sp = Math.floor(sp / 16) * 16;
  if (words.length % 2 !== 0) sp -= 8;
  sp -= words.length * 8;
  const block = new Uint8Array(words.length * 8);
  const view = new DataView(block.buffer);
  words.forEach((w, i) => {
    view.setUint32(i * 8, w >>> 0, true);
    view.setUint32(i * 8 + 4, Math.floor(w / 4294967296) >>> 0, true);
  });
  writeUser(k, mm, sp, block);
  return { entry: elf.entry + bias, sp };
}

function writeUser(k: Kernel, mm: MmStruct, va: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) {
    const a = va + done;
    const pa = mm.translate(a, true, true);
    if (pa < 0) throw new ExecFormatError('cannot build the initial stack (arguments too large?)');
    const n = Math.min(data.length - done, 4096 - (a % 4096));
    k.mem.writeBytes(pa, data, done, n);
    done += n;
  }
}
