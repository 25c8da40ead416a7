import { FpuState } from '../arch/x86/kernel/fpu.js';
import { PtRegs } from '../arch/x86/kernel/ptrace.js';
import { Errno } from '../errno.js';
import type { Kernel } from './kernel.js';
import { type Task, TaskState } from './task.js';
import { putUser32 } from './uaccess.js';

/** clone() flags (include/uapi/linux/sched.h). */
export const enum Clone {
  CSIGNAL = 0x000000ff,
  VM = 0x00000100,
  FS = 0x00000200,
  FILES = 0x00000400,
  SIGHAND = 0x00000800,
  VFORK = 0x00004000,
  PARENT = 0x00008000,
  THREAD = 0x00010000,
  SETTLS = 0x00080000,
  PARENT_SETTID = 0x00100000,
  CHILD_CLEARTID = 0x00200000,
  CHILD_SETTID = 0x01000000,
}

/**
 * _do_fork() / copy_process(): a new task that is a copy of `parent`: its address space
 * copied (or shared with CLONE_VM), its files shared as open file descriptions, its pt_regs
 * the parent's with ax = 0 (and sp = `newsp` when given). It starts in ret_from_fork on its
 * own 64 KiB kernel stack, returning to user mode through IRET. Returns the child's pid.
 */
export function doFork(k: Kernel, parent: Task, flags: number, newsp: number, parentTid: number, childTid: number, tls: number): number {
  if ((flags & Clone.THREAD) !== 0) return -Errno.EINVAL; // threads come with futex support
  let mm = parent.mm;
  if ((flags & Clone.VM) === 0) {
    const copy = parent.mm.dup(k.newPgd());
    if (copy === undefined) return -Errno.ENOMEM;
    mm = copy;
  }
  const pid = k.nextPid++;
  const files = (flags & Clone.FILES) !== 0 ? parent.files : parent.files.fork();
  const fs = (flags & Clone.FS) !== 0 ? parent.fs : { ...parent.fs };
  const child = k.newTask(pid, pid, mm, parent.comm, files, fs);
  child.parent = parent;
  parent.children.push(child);
  child.fsBase = (flags & Clone.SETTLS) !== 0 ? tls : parent.fsBase;
  child.gsBase = parent.gsBase;
  child.exe = parent.exe;
  // the child starts with the parent's x87/SSE registers, as they are now
  const cpu0 = k.currentCpu(parent);
  child.fpu = new FpuState(cpu0);
  if ((flags & Clone.CHILD_CLEARTID) !== 0) child.clearChildTid = childTid;

  // copy_thread(): the parent's pt_regs, with the child's return value and stack
  const regs = new Uint8Array(PtRegs.SIZE);
  k.mem.readBytes(parent.ptRegsPhys, regs, 0, PtRegs.SIZE);
  k.mem.writeBytes(child.ptRegsPhys, regs, 0, PtRegs.SIZE);
  k.writeRegs(child, PtRegs.AX, 0);
  if (newsp !== 0) k.writeRegs(child, PtRegs.SP, newsp);
  // its first switch returns into ret_from_fork: the address sits just below pt_regs
  const retFromFork = k.symbol('ret_from_fork');
  k.mem.write32(child.ptRegsPhys - 8, retFromFork >>> 0);
  k.mem.write32(child.ptRegsPhys - 4, Math.floor(retFromFork / 4294967296) >>> 0);
  child.savedRsp = child.ptRegs - 8;
  child.fresh = true;
  k.syscalls.forkFlight(parent, child);

  if ((flags & Clone.PARENT_SETTID) !== 0) putUser32(parent, parentTid, pid);
  if ((flags & Clone.CHILD_SETTID) !== 0) putUser32(child, childTid, pid);
  const cpu = k.currentCpu(parent);
  k.trace?.taskNew(k.now(), cpu.id, pid, pid, parent.tid, child.comm);
  if ((flags & Clone.VFORK) !== 0) {
    // the parent waits until the child execs or exits (it shares the address space)
    child.vforkDone = false;
    parent.state = TaskState.Sleeping;
    parent.ready = () => child.vforkDone;
  }
  return pid;
}

/** wait4() options. */
const WNOHANG = 1;
const WUNTRACED = 2;
const __WALL = 0x40000000;
const __WCLONE = 0x80000000;

/**
 * do_wait(): reaps a zombie child matching `pid` (-1 any, > 0 that one; process groups are
 * not modeled: 0 and < -1 mean any child), storing its status the way waitpid decodes it:
 * exit code << 8, or the signal number. Sleeps until one exits unless WNOHANG.
 */
export function doWait(k: Kernel, t: Task, pid: number, statusAddr: number, options: number): number {
  if ((options & ~(WNOHANG | WUNTRACED | __WALL | __WCLONE)) !== 0) return -Errno.EINVAL;
  const matches = (c: Task): boolean => pid <= 0 || pid === -1 || c.pid === pid;
  const candidates = t.children.filter(matches);
  if (candidates.length === 0) return -Errno.ECHILD;
  const zombie = candidates.find((c) => c.state === TaskState.Zombie);
  if (zombie === undefined) {
    if ((options & WNOHANG) !== 0) return 0;
    return k.sleep(t, () => t.children.some((c) => matches(c) && c.state === TaskState.Zombie));
  }
  const status = zombie.killedBy !== 0 ? zombie.killedBy & 0x7f : (zombie.exitCode & 0xff) << 8;
  if (statusAddr !== 0 && !putUser32(t, statusAddr, status)) return -Errno.EFAULT;
  release(k, zombie);
  return zombie.pid;
}

/** release_task(): the zombie is gone: out of its parent's children and the task list. */
export function release(k: Kernel, dead: Task): void {
  dead.state = TaskState.Dead;
  const siblings = dead.parent?.children;
  if (siblings) siblings.splice(siblings.indexOf(dead), 1);
  k.tasks.splice(k.tasks.indexOf(dead), 1);
  if (!k.tasks.some((o) => o !== dead && o.mm === dead.mm)) dead.mm.release();
}
