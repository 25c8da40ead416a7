import { FpuState } from '../arch/x86/kernel/fpu.js';
import { PtRegs } from '../arch/x86/kernel/ptrace.js';
import { Errno } from '../errno.js';
import { threadsAlive } from './exit.js';
import type { Kernel } from './kernel.js';
import { type Task, TaskState } from './task.js';
import { copyFromUser, putUser32 } from './uaccess.js';

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
export function doFork(
  k: Kernel,
  parent: Task,
  flags: number,
  newsp: number,
  parentTid: number,
  childTid: number,
  tls: number,
): number {
  const thread = (flags & Clone.THREAD) !== 0;
  // a thread shares the signal actions, which need a shared address space (copy_process)
  if (thread && (flags & Clone.SIGHAND) === 0) return -Errno.EINVAL;
  if ((flags & Clone.SIGHAND) !== 0 && (flags & Clone.VM) === 0) return -Errno.EINVAL;
  let mm = parent.mm;
  if ((flags & Clone.VM) === 0) {
    const copy = parent.mm.dup(k.newPgd());
    if (copy === undefined) return -Errno.ENOMEM;
    mm = copy;
  }
  const tid = k.nextPid++;
  // a thread joins its creator's thread group: same pid (tgid), its own tid
  const pid = thread ? parent.pid : tid;
  const files = (flags & Clone.FILES) !== 0 ? parent.files : parent.files.fork();
  const fs = (flags & Clone.FS) !== 0 ? parent.fs : { ...parent.fs };
  const child = k.newTask(pid, tid, mm, parent.comm, files, fs);
  if (thread || (flags & Clone.PARENT) !== 0) {
    // threads are nobody's children to wait for; CLONE_PARENT makes a sibling
    child.parent = parent.parent;
    if (!thread) parent.parent?.children.push(child);
  } else {
    child.parent = parent;
    parent.children.push(child);
  }
  child.fsBase = (flags & Clone.SETTLS) !== 0 ? tls : parent.fsBase;
  child.gsBase = parent.gsBase;
  child.exe = parent.exe;
  // copy_sighand / copy_signal: the actions copied (shared with CLONE_SIGHAND), the blocked
  // mask inherited, nothing pending, no timers; the alternate stack stays unless the child
  // shares the memory without vfork (a new thread needs its own)
  child.sighand = (flags & Clone.SIGHAND) !== 0 ? parent.sighand : parent.sighand.copy();
  child.blocked.set(parent.blocked);
  // threads share the process's pending queue and ITIMER_REAL, and signal nobody at exit
  if (thread) child.signal = parent.signal;
  child.exitSignal = thread ? 0 : flags & Clone.CSIGNAL;
  if ((flags & (Clone.VM | Clone.VFORK)) !== Clone.VM) {
    child.sasSsSp = parent.sasSsSp;
    child.sasSsSize = parent.sasSsSize;
    child.sasSsFlags = parent.sasSsFlags;
  }
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
  // it may run where its creator may, and on no CPU before the moment it was created
  child.cpusAllowed = parent.cpusAllowed;
  child.switchedOutAt = k.now();
  k.syscalls.forkFlight(parent, child);

  if ((flags & Clone.PARENT_SETTID) !== 0) putUser32(parent, parentTid, tid);
  if ((flags & Clone.CHILD_SETTID) !== 0) putUser32(child, childTid, tid);
  const cpu = k.currentCpu(parent);
  k.trace?.taskNew(k.now(), cpu.id, pid, tid, parent.tid, child.comm);
  if ((flags & Clone.VFORK) !== 0) {
    // the parent waits until the child execs or exits (it shares the address space)
    child.vforkDone = false;
    parent.state = TaskState.Sleeping;
    parent.ready = () => child.vforkDone;
    // vfork's wait is not cut short by signals (only SIGKILL ends it)
    parent.sleepInterruptible = false;
  }
  return tid;
}

/**
 * clone3(args, size): struct clone_args {flags, pidfd, child_tid, parent_tid, exit_signal,
 * stack, stack_size, tls, ...}; the new stack pointer is the top of [stack, stack + size).
 */
export function doClone3(k: Kernel, parent: Task, argsAddr: number, size: number): number {
  if (size < 64 || size > 4096) return -Errno.EINVAL;
  const raw = copyFromUser(parent, argsAddr, 64);
  if (raw === null) return -Errno.EFAULT;
  const v = new DataView(raw.buffer);
  const u64 = (at: number): number => v.getUint32(at + 4, true) * 4294967296 + v.getUint32(at, true);
  const flags = u64(0);
  const exitSignal = u64(32);
  // CLONE_PIDFD and the 64-bit-only flags are not modeled; the exit signal has its own field
  if (flags >= 4294967296 || (flags & (Clone.CSIGNAL | CLONE_PIDFD)) !== 0 || exitSignal > 64)
    return -Errno.EINVAL;
  const stack = u64(40);
  const stackSize = u64(48);
  if ((stack === 0) !== (stackSize === 0)) return -Errno.EINVAL;
  return doFork(
    k,
    parent,
    flags | exitSignal,
    stack === 0 ? 0 : stack + stackSize,
    u64(24),
    u64(16),
    u64(56),
  );
}

const CLONE_PIDFD = 0x1000;

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
  // a zombie group leader whose threads still run is not the process's end yet
  const dead = (c: Task): boolean => c.state === TaskState.Zombie && !threadsAlive(k, c);
  const zombie = candidates.find(dead);
  if (zombie === undefined) {
    if ((options & WNOHANG) !== 0) return 0;
    // it also ends when no matching child is left (one reaped at its exit because the parent ignores SIGCHLD): ECHILD then
    return k.sleep(t, () => t.children.some((c) => matches(c) && dead(c)) || !t.children.some(matches));
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
  const i = siblings?.indexOf(dead) ?? -1;
  if (i >= 0) siblings!.splice(i, 1);
  const j = k.tasks.indexOf(dead);
  if (j >= 0) k.tasks.splice(j, 1);
  if (!k.tasks.some((o) => o !== dead && o.mm === dead.mm)) dead.mm.release();
}
