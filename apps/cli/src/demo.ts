import { assemble } from '@legosim/x86/asm';

/**
 * The embedded demo: a tiny static x86-64 program, written in GAS and assembled by
 * `@legosim/x86`'s own assembler, then wrapped in an ELF executable. It makes three
 * syscalls — write, getpid, exit_group — so `legosim` can show one of them entering Lego.
 */
export const DEMO_SOURCE: string = `# legosim demo: three syscalls from user mode
	.text
	.globl	_start
_start:
	movl	$1, %edi			# fd: stdout
	leaq	message(%rip), %rsi		# buf
	movl	$message_end - message, %edx	# count
	movl	$1, %eax			# __NR_write
	syscall
	movl	$39, %eax			# __NR_getpid
	syscall
	xorl	%edi, %edi			# status 0
	movl	$231, %eax			# __NR_exit_group
	syscall
	hlt					# not reached
message:
	.ascii	"Hello from user mode! This write enters Lego through entry_SYSCALL_64.\\n"
message_end:
`;

const BASE = 0x400000;
const TEXT_OFFSET = 0x1000;

/** The demo as a static ELF executable (ET_EXEC, one R+X PT_LOAD). */
export function buildDemoProgram(): Uint8Array {
  const { bytes: code } = assemble(DEMO_SOURCE, { origin: BASE + TEXT_OFFSET });
  return staticElf(code, BASE, TEXT_OFFSET);
}

/** A minimal ELF64 executable: header, one program header, code at `textOffset`. */
export function staticElf(code: Uint8Array, base: number, textOffset: number): Uint8Array {
  const size = textOffset + code.length;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELFCLASS64, little-endian, version 1, SysV
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 62, true); // EM_X86_64
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt(base + textOffset), true); // e_entry
  v.setBigUint64(32, 64n, true); // e_phoff
  v.setUint16(52, 64, true); // e_ehsize
  v.setUint16(54, 56, true); // e_phentsize
  v.setUint16(56, 1, true); // e_phnum
  v.setUint16(58, 64, true); // e_shentsize
  // PT_LOAD, R+X, the whole file at `base`
  v.setUint32(64, 1, true);
  v.setUint32(68, 5, true);
  v.setBigUint64(72, 0n, true);
  v.setBigUint64(80, BigInt(base), true);
  v.setBigUint64(88, BigInt(base), true);
  v.setBigUint64(96, BigInt(size), true);
  v.setBigUint64(104, BigInt(size), true);
  v.setBigUint64(112, 0x1000n, true);
  out.set(code, textOffset);
  return out;
}
