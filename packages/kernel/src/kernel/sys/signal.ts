import { PtRegs } from '../../arch/x86/kernel/ptrace.js';
import { doSigaltstack, type StackT, sysRtSigreturn } from '../../arch/x86/kernel/signal.js';
import { Errno } from '../../errno.js';
import type { Kernel } from '../kernel.js';
import { ERESTARTNOHAND } from '../sched.js';
import {
  NSIG,
  recalcSigpending,
  SIG_DFL,
  SIG_IGN,
  Si,
  type SigInfo,
  Sigset,
  sendSignal,
  setCurrentBlocked,
  sigFatalByDefault,
  sigKernelOnly,
  threadGroup,
} from '../signal.js';
import { type Task, TaskState } from '../task.js';
import { copyFromUser, copyToUser } from '../uaccess.js';
import type { SyscallFn } from './types.js';

/**
 * kernel/signal.c's syscalls: sigaction, the signal mask, sending signals, waiting for them,
 * the alternate stack. (rt_sigreturn's frame work is in arch/x86/kernel/signal.ts.)
 */

const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;
const TWO32 = 4294967296;

function readSigset(t: Task, addr: number): Sigset | null {
  const raw = copyFromUser(t, addr, 8);
  if (raw === null) return null;
  const v = new DataView(raw.buffer);
  return new Sigset(v.getUint32(0, true), v.getUint32(4, true));
}

function sigsetBytes(set: Sigset): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, set.lo, true);
  v.setUint32(4, set.hi, true);
  return b;
}

function u64(v: DataView, at: number): number {
  return v.getUint32(at + 4, true) * TWO32 + v.getUint32(at, true);
}

function setU64(v: DataView, at: number, value: number): void {
  v.setUint32(at, value >>> 0, true);
  v.setUint32(at + 4, Math.floor(value / TWO32) >>> 0, true);
}

/** Drops `sig` from every queue of the process (a pending signal that becomes ignored). */
function flushSignal(k: Kernel, t: Task, sig: number): void {
  t.signal.sharedPending.flush(sig);
  for (const o of threadGroup(k, t)) {
    o.pending.flush(sig);
    recalcSigpending(o);
  }
}

/**
 * rt_sigaction(sig, act, oact, sigsetsize): struct sigaction is {sa_handler, sa_flags,
 * sa_restorer, sa_mask} (8 bytes each). SIGKILL and SIGSTOP keep their action. Ignoring a
 * pending signal discards it (POSIX 3.3.1.3).
 */
export const sys_rt_sigaction: SyscallFn = (k, t, sig, act, oact, sigsetsize) => {
  if (sigsetsize !== 8) return -Errno.EINVAL;
  if (sig < 1 || sig > NSIG || (act !== 0 && sigKernelOnly(sig))) return -Errno.EINVAL;
  let next: DataView | undefined;
  if (act !== 0) {
    const raw = copyFromUser(t, act, 32);
    if (raw === null) return -Errno.EFAULT;
    next = new DataView(raw.buffer);
  }
  const ka = t.sighand.action[sig]!;
  const old = new Uint8Array(32);
  const ov = new DataView(old.buffer);
  setU64(ov, 0, ka.handler);
  ov.setUint32(8, ka.flags >>> 0, true);
  setU64(ov, 16, ka.restorer);
  ov.setUint32(24, ka.mask.lo, true);
  ov.setUint32(28, ka.mask.hi, true);
  if (next !== undefined) {
    ka.handler = u64(next, 0);
    ka.flags = next.getUint32(8, true);
    ka.restorer = u64(next, 16);
    const mask = new Sigset(next.getUint32(24, true), next.getUint32(28, true));
    mask.delete(9);
    mask.delete(19);
    ka.mask = mask;
    if (ka.handler === SIG_IGN || (ka.handler === SIG_DFL && !sigFatalByDefault(sig))) flushSignal(k, t, sig);
  }
  if (oact !== 0 && !copyToUser(t, oact, old)) return -Errno.EFAULT;
  return 0;
};

/** rt_sigprocmask(how, set, oset, sigsetsize). */
export const sys_rt_sigprocmask: SyscallFn = (_k, t, how, set, oset, sigsetsize) => {
  if (sigsetsize !== 8) return -Errno.EINVAL;
  const old = t.blocked.copy();
  if (set !== 0) {
    const s = readSigset(t, set);
    if (s === null) return -Errno.EFAULT;
    const next = t.blocked.copy();
    switch (how) {
      case SIG_BLOCK:
        next.lo = (next.lo | s.lo) >>> 0;
        next.hi = (next.hi | s.hi) >>> 0;
        break;
      case SIG_UNBLOCK:
        next.lo = (next.lo & ~s.lo) >>> 0;
        next.hi = (next.hi & ~s.hi) >>> 0;
        break;
      case SIG_SETMASK:
        next.set(s);
        break;
      default:
        return -Errno.EINVAL;
    }
    setCurrentBlocked(t, next);
  }
  if (oset !== 0 && !copyToUser(t, oset, sigsetBytes(old))) return -Errno.EFAULT;
  return 0;
};

/** rt_sigpending(set, sigsetsize): the blocked signals waiting, the thread's and the process's. */
export const sys_rt_sigpending: SyscallFn = (_k, t, set, sigsetsize) => {
  if (sigsetsize < 0 || sigsetsize > 8) return -Errno.EINVAL;
  const p = t.pending.signal;
  const s = t.signal.sharedPending.signal;
  const pending = new Sigset(((p.lo | s.lo) & t.blocked.lo) >>> 0, ((p.hi | s.hi) & t.blocked.hi) >>> 0);
  return copyToUser(t, set, sigsetBytes(pending).subarray(0, sigsetsize)) ? 0 : -Errno.EFAULT;
};

/**
 * rt_sigsuspend(mask, sigsetsize): waits with `mask` until a signal runs a handler; the frame
 * saves the caller's own mask, which sigreturn then restores (TIF_RESTORE_SIGMASK).
 */
export const sys_rt_sigsuspend: SyscallFn = (k, t, mask, sigsetsize) => {
  if (sigsetsize !== 8) return -Errno.EINVAL;
  const set = readSigset(t, mask);
  if (set === null) return -Errno.EFAULT;
  t.savedSigmask ??= t.blocked.copy();
  setCurrentBlocked(t, set);
  return k.sleep(t, () => false, ERESTARTNOHAND);
};

/** pause(): sleeps until a signal runs a handler (or kills). */
export const sys_pause: SyscallFn = (k, t) => k.sleep(t, () => false, ERESTARTNOHAND);

/** rt_sigreturn(): see arch/x86/kernel/signal.ts. */
export const sys_rt_sigreturn: SyscallFn = (k, t) => sysRtSigreturn(k, t);

/** restart_syscall(): continues the call a signal without a handler interrupted (nanosleep). */
export const sys_restart_syscall: SyscallFn = (_k, t) => {
  const block = t.restartBlock;
  return block === undefined ? -Errno.EINTR : block.fn(t);
};

/** sigaltstack(uss, uoss): stack_t is {ss_sp, ss_flags, ss_size} (24 bytes). */
export const sys_sigaltstack: SyscallFn = (k, t, uss, uoss) => {
  let ss: StackT | undefined;
  if (uss !== 0) {
    const raw = copyFromUser(t, uss, 24);
    if (raw === null) return -Errno.EFAULT;
    const v = new DataView(raw.buffer);
    ss = { sp: u64(v, 0), flags: v.getInt32(8, true), size: u64(v, 16) };
  }
  const old = doSigaltstack(t, ss, k.readRegs(t, PtRegs.SP));
  if (typeof old === 'number') return old;
  if (uoss !== 0) {
    const out = new Uint8Array(24);
    const v = new DataView(out.buffer);
    setU64(v, 0, old.sp);
    v.setInt32(8, old.flags, true);
    setU64(v, 16, old.size);
    if (!copyToUser(t, uoss, out)) return -Errno.EFAULT;
  }
  return 0;
};

/** A live process (its thread-group leader) by pid; zombies still count for kill(). */
function findProcess(k: Kernel, pid: number): Task | undefined {
  return k.tasks.find((o) => o.pid === pid && o.tid === pid && o.state !== TaskState.Dead);
}

/**
 * kill(pid, sig): pid > 0 one process; 0 and < -1 a process group, and since the model has
 * no process groups (no setpgid) every process is in the caller's; -1 every process but the
 * caller and pid 1. sig 0 only checks that the target exists.
 */
export const sys_kill: SyscallFn = (k, t, pid, sig) => {
  pid |= 0;
  if (sig < 0 || sig > NSIG) return -Errno.EINVAL;
  const info = (): SigInfo => ({ signo: sig, errno: 0, code: Si.USER, pid: t.pid, uid: 0 });
  if (pid > 0) {
    const target = findProcess(k, pid);
    if (target === undefined) return -Errno.ESRCH;
    if (sig !== 0) sendSignal(k, target, info(), true);
    return 0;
  }
  const targets = k.tasks.filter(
    (o) => o.tid === o.pid && o.state !== TaskState.Dead && (pid !== -1 || (o.pid !== t.pid && o.pid !== 1)),
  );
  if (targets.length === 0) return -Errno.ESRCH;
  if (sig !== 0) for (const o of targets) sendSignal(k, o, info(), true);
  return 0;
};

function doTkill(k: Kernel, t: Task, tgid: number, tid: number, sig: number): number {
  if (sig < 0 || sig > NSIG) return -Errno.EINVAL;
  const target = k.tasks.find(
    (o) => o.tid === tid && (tgid <= 0 || o.pid === tgid) && o.state !== TaskState.Dead,
  );
  if (target === undefined) return -Errno.ESRCH;
  if (sig !== 0) sendSignal(k, target, { signo: sig, errno: 0, code: Si.TKILL, pid: t.pid, uid: 0 }, false);
  return 0;
}

/** tgkill(tgid, tid, sig): one thread of one process (raise() uses it), si_code SI_TKILL. */
export const sys_tgkill: SyscallFn = (k, t, tgid, tid, sig) => {
  if ((tgid | 0) <= 0 || (tid | 0) <= 0) return -Errno.EINVAL;
  return doTkill(k, t, tgid | 0, tid | 0, sig);
};

/** tkill(tid, sig). */
export const sys_tkill: SyscallFn = (k, t, tid, sig) => {
  if ((tid | 0) <= 0) return -Errno.EINVAL;
  return doTkill(k, t, 0, tid | 0, sig);
};
