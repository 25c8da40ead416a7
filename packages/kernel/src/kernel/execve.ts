import { FpuState } from '../arch/x86/kernel/fpu.js';
import { PtRegs } from '../arch/x86/kernel/ptrace.js';
import { Errno } from '../errno.js';
import { ExecFormatError } from '../fs/elf.js';
import { loadElf } from '../fs/exec.js';
import { FsError, type Inode, S } from '../fs/inode.js';
import { pathLookup } from '../fs/namei.js';
import { MmStruct } from '../mm/mm.js';
import { zapOtherThreads } from './exit.js';
import type { Kernel } from './kernel.js';
import { SIGKILL, SS_DISABLE } from './signal.js';
import type { Task } from './task.js';

/** BINPRM_BUF_SIZE: how much of a `#!` line is read. */
const BINPRM_BUF_SIZE = 256;
/** Interpreters may themselves be scripts, this many levels deep. */
const MAX_SCRIPT_DEPTH = 4;

/** Reads a whole file of the guest's namespace, following symlinks; an errno when it cannot. */
function readGuestFile(k: Kernel, t: Task, path: string): { bytes: Uint8Array; inode: Inode } | number {
  try {
    const inode = pathLookup(k.ns.root, t.fs.cwd, path, true).inode;
    if (inode === undefined) return -Errno.ENOENT;
    if (inode.type === S.IFDIR) return -Errno.EACCES;
    if (inode.type !== S.IFREG) return -Errno.EACCES;
    const size = inode.size();
    const out = new Uint8Array(size);
    for (let at = 0; at < size; ) {
      const chunk = inode.read(at, size - at);
      if (chunk.length === 0) break;
      out.set(chunk, at);
      at += chunk.length;
    }
    return { bytes: out, inode };
  } catch (e) {
    if (e instanceof FsError) return -e.errno;
    throw e;
  }
}

/**
 * do_execve(): replaces the task's program with the static ELF at `path` in the guest's
 * namespace (a `#!` script runs its interpreter with the script's path inserted). The old
 * address space is released, close-on-exec descriptors close, and the new image starts
 * through the IRET path with the registers start_thread() set in pt_regs.
 */
export function doExecve(
  k: Kernel,
  t: Task,
  path: string,
  argv: string[],
  envp: readonly string[],
  depth = 0,
): number {
  const found = readGuestFile(k, t, path);
  if (typeof found === 'number') return found;
  const file = found.bytes;
  if (file[0] === 0x23 && file[1] === 0x21) {
    // binfmt_script: "#!interpreter [one argument]"
    if (depth >= MAX_SCRIPT_DEPTH) return -Errno.ELOOP;
    const line = new TextDecoder().decode(file.subarray(2, BINPRM_BUF_SIZE)).split('\n')[0]!.trim();
    const [interp, ...rest] = line.split(/[ \t]+/);
    if (!interp) return -Errno.ENOEXEC;
    const arg = rest.join(' ');
    return doExecve(k, t, interp, [interp, ...(arg ? [arg] : []), path, ...argv.slice(1)], envp, depth + 1);
  }
  const mm = new MmStruct(k.mem, k.pt, k.newPgd());
  let start: { entry: number; sp: number };
  try {
    start = loadElf(k, mm, file, argv, envp, path);
  } catch (e) {
    mm.release();
    if (e instanceof ExecFormatError) return -Errno.ENOEXEC;
    throw e;
  }
  // de_thread(): the new program runs in this thread alone
  zapOtherThreads(k, t, 0, SIGKILL);
  const old = t.mm;
  t.mm = mm;
  if (!k.tasks.some((o) => o !== t && o.mm === old)) old.release();
  t.files.closeOnExec();
  t.fsBase = 0;
  t.gsBase = 0;
  t.comm = (path.split('/').pop() ?? path).slice(0, 15);
  t.exe = { path, inode: found.inode };
  t.vforkDone = true;
  // flush_signal_handlers(): caught signals go back to SIG_DFL (the handlers' code is gone);
  // ignored ones stay ignored, the mask and pending signals stay. A shared table is unshared.
  t.sighand = t.sighand.copy();
  t.sighand.flushHandlers();
  t.sasSsSp = 0;
  t.sasSsSize = 0;
  t.sasSsFlags = SS_DISABLE;
  const cpu = k.currentCpu(t);
  k.switchContext(cpu, t); // the new address space (CR3) and bases
  cpu.mmu.loadCr3(mm.pgd);
  FpuState.clear(cpu);
  k.startThread(t, start.entry, start.sp);
  k.writeRegs(t, PtRegs.ORIG_AX, 59);
  return 0;
}
