/**
 * Parsing and validating static x86-64 ELF executables (ET_EXEC, and ET_DYN without an
 * interpreter: static-pie). Every header field the loader uses is checked; a file that
 * fails gets an `ExecFormatError` naming the field, never a JS exception from a bad read.
 */

export class ExecFormatError extends Error {
  override readonly name = 'ExecFormatError';
}

export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

export interface ElfImage {
  type: 'exec' | 'pie';
  entry: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  phdrs: ProgramHeader[];
}

const USER_TOP = 0x7ffffffff000;

/** Reads a little-endian u64 as a JS number; values at or above 2^53 are rejected. */
function u64(view: DataView, off: number, what: string): number {
  const lo = view.getUint32(off, true);
  const hi = view.getUint32(off + 4, true);
  if (hi >= 0x200000) throw new ExecFormatError(`${what} is too large (0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')})`);
  return hi * 4294967296 + lo;
}

export function parseElf(bytes: Uint8Array): ElfImage {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ExecFormatError('not an ELF file (bad magic)');
  }
  if (bytes.length < 64) throw new ExecFormatError(`truncated ELF header (${bytes.length} bytes, need 64)`);
  if (bytes[4] !== 2) throw new ExecFormatError('not a 64-bit ELF file (EI_CLASS is not ELFCLASS64)');
  if (bytes[5] !== 1) throw new ExecFormatError('not a little-endian ELF file (EI_DATA is not ELFDATA2LSB)');
  if (bytes[6] !== 1) throw new ExecFormatError(`unsupported ELF version ${bytes[6]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const etype = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== 62) throw new ExecFormatError(`not an x86-64 program (e_machine ${machine}, expected 62 EM_X86_64)`);
  if (etype !== 2 && etype !== 3) throw new ExecFormatError(`not an executable (e_type ${etype})`);
  const entry = u64(view, 24, 'e_entry');
  const phoff = u64(view, 32, 'e_phoff');
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  if (phentsize !== 56) throw new ExecFormatError(`bad e_phentsize ${phentsize} (expected 56)`);
  if (phnum === 0 || phnum > 64) throw new ExecFormatError(`bad e_phnum ${phnum}`);
  if (phoff + phnum * 56 > bytes.length) throw new ExecFormatError('program headers lie outside the file');
  const phdrs: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * 56;
    const ph: ProgramHeader = {
      type: view.getUint32(o, true),
      flags: view.getUint32(o + 4, true),
      offset: u64(view, o + 8, `program header ${i} p_offset`),
      vaddr: u64(view, o + 16, `program header ${i} p_vaddr`),
      filesz: u64(view, o + 32, `program header ${i} p_filesz`),
      memsz: u64(view, o + 40, `program header ${i} p_memsz`),
      align: u64(view, o + 48, `program header ${i} p_align`),
    };
    phdrs.push(ph);
    if (ph.type === PT_INTERP) {
      throw new ExecFormatError('dynamically linked programs are not supported (it has PT_INTERP); build it with -static');
    }
    if (ph.type !== PT_LOAD) continue;
    if (ph.filesz > ph.memsz) throw new ExecFormatError(`program header ${i}: p_filesz exceeds p_memsz`);
    if (ph.offset + ph.filesz > bytes.length) throw new ExecFormatError(`program header ${i}: segment lies outside the file`);
    if (ph.offset % 4096 !== ph.vaddr % 4096) throw new ExecFormatError(`program header ${i}: p_offset and p_vaddr are not congruent modulo the page size`);
    if (ph.vaddr + ph.memsz > USER_TOP || ph.vaddr + ph.memsz < ph.vaddr) throw new ExecFormatError(`program header ${i}: segment extends beyond user space`);
    if (etype === 2 && ph.vaddr < 0x1000) throw new ExecFormatError(`program header ${i}: segment maps page zero`);
  }
  const loads = phdrs.filter((p) => p.type === PT_LOAD);
  if (loads.length === 0) throw new ExecFormatError('no PT_LOAD segment');
  for (let i = 1; i < loads.length; i++) {
    if (loads[i]!.vaddr < loads[i - 1]!.vaddr + loads[i - 1]!.memsz - 4096 * 0) {
      if (Math.floor(loads[i]!.vaddr / 4096) < Math.floor((loads[i - 1]!.vaddr + loads[i - 1]!.memsz - 1) / 4096)) {
        throw new ExecFormatError('PT_LOAD segments overlap or are not in ascending order');
      }
    }
  }
  const image: ElfImage = { type: etype === 2 ? 'exec' : 'pie', entry, phoff, phentsize, phnum, phdrs };
  return image;
}
