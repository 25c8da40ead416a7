import { SIGNAL_NAMES } from '../arch/x86/kernel/traps.js';
import { kickProcess } from '../arch/x86/kernel/smp.js';
import { doGroupExit } from './exit.js';
import type { Kernel } from './kernel.js';
import { type Task, TaskState, Tif } from './task.js';

/**
 * kernel/signal.c: generating, queueing and dequeueing POSIX signals, and their default
 * actions. The architecture half (the signal frame on the user stack, rt_sigreturn, syscall
 * restart) is arch/x86/kernel/signal.ts.
 */

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGXCPU = 24;
export const SIGXFSZ = 25;
export const SIGWINCH = 28;
export const SIGSYS = 31;
/** _NSIG: signals 1..64. */
export const NSIG = 64;
/** The kernel's SIGRTMIN: signals from here on are real-time (queued, not merged). */
export const SIGRTMIN = 32;

/** sa_handler values. */
export const SIG_DFL = 0;
export const SIG_IGN = 1;

/** sa_flags (uapi/asm-generic/signal-defs.h, x86). */
export const enum Sa {
  NOCLDSTOP = 0x00000001,
  NOCLDWAIT = 0x00000002,
  SIGINFO = 0x00000004,
  RESTORER = 0x04000000,
  ONSTACK = 0x08000000,
  RESTART = 0x10000000,
  NODEFER = 0x40000000,
  RESETHAND = 0x80000000,
}

/** si_code values. */
export const enum Si {
  USER = 0,
  KERNEL = 0x80,
  QUEUE = -1,
  TIMER = -2,
  TKILL = -6,
}
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;

/**
 * sigset_t: 64 signals as two 32-bit halves (signal n is bit n-1), so that the hot path
 * never needs BigInt.
 */
export class Sigset {
  constructor(
    public lo = 0,
    public hi = 0,
  ) {}

  static of(...sigs: number[]): Sigset {
    const s = new Sigset();
    for (const sig of sigs) s.add(sig);
    return s;
  }

  has(sig: number): boolean {
    return sig <= 32 ? (this.lo & (1 << (sig - 1))) !== 0 : (this.hi & (1 << (sig - 33))) !== 0;
  }

  add(sig: number): void {
    if (sig <= 32) this.lo = (this.lo | (1 << (sig - 1))) >>> 0;
    else this.hi = (this.hi | (1 << (sig - 33))) >>> 0;
  }

  delete(sig: number): void {
    if (sig <= 32) this.lo = (this.lo & ~(1 << (sig - 1))) >>> 0;
    else this.hi = (this.hi & ~(1 << (sig - 33))) >>> 0;
  }

  get empty(): boolean {
    return this.lo === 0 && this.hi === 0;
  }

  copy(): Sigset {
    return new Sigset(this.lo, this.hi);
  }

  set(o: Sigset): void {
    this.lo = o.lo;
    this.hi = o.hi;
  }

  /** Signals in this set and not in `mask`: the lowest one, or 0. */
  firstNotIn(mask: Sigset): number {
    const lo = (this.lo & ~mask.lo) >>> 0;
    if (lo !== 0) return 32 - Math.clz32(lo & -lo);
    const hi = (this.hi & ~mask.hi) >>> 0;
    if (hi !== 0) return 64 - Math.clz32(hi & -hi);
    return 0;
  }

  /** Each member, lowest first. */
  members(): number[] {
    const out: number[] = [];
    for (let sig = 1; sig <= NSIG; sig++) if (this.has(sig)) out.push(sig);
    return out;
  }
}

/** SIGKILL and SIGSTOP can be neither blocked, caught nor ignored (sig_kernel_only). */
export function sigKernelOnly(sig: number): boolean {
  return sig === SIGKILL || sig === SIGSTOP;
}

/** struct k_sigaction. */
export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  mask: Sigset;
}

function defaultAction(): SigAction {
  return { handler: SIG_DFL, flags: 0, restorer: 0, mask: new Sigset() };
}

/** struct sighand_struct: the actions of a process, shared by its threads (CLONE_SIGHAND). */
export class SighandStruct {
  /** action[sig], 1..64 (slot 0 unused). */
  readonly action: SigAction[] = Array.from({ length: NSIG + 1 }, defaultAction);

  /** copy_sighand(): fork copies the table. */
  copy(): SighandStruct {
    const s = new SighandStruct();
    for (let i = 1; i <= NSIG; i++) {
      const a = this.action[i]!;
      s.action[i] = { handler: a.handler, flags: a.flags, restorer: a.restorer, mask: a.mask.copy() };
    }
    return s;
  }

  /** flush_signal_handlers(): execve resets caught signals to SIG_DFL; ignored ones stay ignored. */
  flushHandlers(): void {
    for (let i = 1; i <= NSIG; i++) {
      const a = this.action[i]!;
      if (a.handler !== SIG_IGN) a.handler = SIG_DFL;
      a.flags = 0;
      a.restorer = 0;
      a.mask = new Sigset();
    }
  }
}

/** struct siginfo, the fields the model fills (which ones are meaningful depends on the signal). */
export interface SigInfo {
  signo: number;
  errno: number;
  code: number;
  pid?: number;
  uid?: number;
  /** SIGCHLD: the exit status or signal. */
  status?: number;
  /** SIGSEGV, SIGBUS, SIGILL, SIGFPE: the faulting address. */
  addr?: number;
  /** POSIX timers: timer id and overrun. */
  tid?: number;
  overrun?: number;
}

/** struct sigpending: the signals queued for a task (or, shared, for its thread group). */
export class SigPending {
  readonly signal: Sigset = new Sigset();
  readonly list: SigInfo[] = [];

  /** Removes the first queued instance of `sig`, keeping the bit if another is queued. */
  take(sig: number): SigInfo {
    const i = this.list.findIndex((q) => q.signo === sig);
    const info = i >= 0 ? this.list.splice(i, 1)[0]! : { signo: sig, errno: 0, code: Si.USER };
    if (!this.list.some((q) => q.signo === sig)) this.signal.delete(sig);
    return info;
  }

  flush(sig: number): void {
    this.signal.delete(sig);
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.signo === sig) this.list.splice(i, 1);
  }
}

/** struct signal_struct: what the threads of a process share (the shared queue, ITIMER_REAL). */
export class SignalStruct {
  readonly sharedPending: SigPending = new SigPending();
  /** ITIMER_REAL: absolute expiry in simulated ns (Infinity when disarmed) and the reload interval. */
  realTimerExpires: number = Number.POSITIVE_INFINITY;
  realTimerInterval = 0;
}

/** sigaltstack state (current->sas_ss_*). */
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
export const SS_AUTODISARM = 0x80000000;

/** Default actions (kernel/signal.c's sig_kernel_* masks). */
const IGNORED_BY_DEFAULT = Sigset.of(SIGCHLD, SIGURG, SIGWINCH, SIGCONT);
/**
 * Job control is not modeled: SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU would stop the process;
 * here their default action is to do nothing, as if a SIGCONT had come at once.
 */
const STOP_BY_DEFAULT = Sigset.of(SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU);
const CORE_BY_DEFAULT = Sigset.of(
  SIGQUIT,
  SIGILL,
  SIGTRAP,
  SIGABRT,
  SIGBUS,
  SIGFPE,
  SIGSEGV,
  SIGXCPU,
  SIGXFSZ,
  SIGSYS,
);
/** Signals a fault raises, dequeued before any other (SYNCHRONOUS_MASK). */
const SYNCHRONOUS = Sigset.of(SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS);

export function signalName(sig: number): string {
  if (SIGNAL_NAMES[sig] !== undefined) return SIGNAL_NAMES[sig]!;
  if (sig === 32) return 'SIGRTMIN';
  if (sig > 32 && sig <= NSIG) return `SIGRT_${sig - 32}`;
  return String(sig);
}

/** Whether the default action of `sig` is to kill the process. */
export function sigFatalByDefault(sig: number): boolean {
  return !IGNORED_BY_DEFAULT.has(sig) && !STOP_BY_DEFAULT.has(sig);
}

export function sigCoreByDefault(sig: number): boolean {
  return CORE_BY_DEFAULT.has(sig);
}

/** sig_ignored(): a signal nobody will see is dropped when sent, unless it is blocked. */
function sigIgnored(t: Task, sig: number): boolean {
  if (t.blocked.has(sig)) return false;
  const handler = t.sighand.action[sig]!.handler;
  return handler === SIG_IGN || (handler === SIG_DFL && IGNORED_BY_DEFAULT.has(sig));
}

/** Whether the task would run a handler for `sig` now (caught and not blocked). */
export function sigHandled(t: Task, sig: number): boolean {
  const handler = t.sighand.action[sig]!.handler;
  return handler !== SIG_DFL && handler !== SIG_IGN && !t.blocked.has(sig);
}

/** Whether the task has an unblocked signal pending (signal_pending()). */
export function signalPending(t: Task): boolean {
  return (t.flags & Tif.SIGPENDING) !== 0;
}

/** recalc_sigpending(): TIF_SIGPENDING reflects whether a deliverable signal is queued. */
export function recalcSigpending(t: Task): void {
  const b = t.blocked;
  const p = t.pending.signal;
  const s = t.signal.sharedPending.signal;
  if (((p.lo | s.lo) & ~b.lo) !== 0 || ((p.hi | s.hi) & ~b.hi) !== 0) t.flags |= Tif.SIGPENDING;
  else t.flags &= ~Tif.SIGPENDING;
}

/**
 * signal_wake_up(): the task will notice the signal on its way to user mode; a task in an
 * interruptible sleep (one that returns -ERESTART*) is woken, and SIGKILL wakes any sleeper.
 * A task running on another CPU is kicked into the kernel (kick_process).
 */
function signalWakeUp(k: Kernel, t: Task, fatal: boolean): void {
  t.flags |= Tif.SIGPENDING;
  kickProcess(k, t);
  if (t.state === TaskState.Sleeping && (t.sleepInterruptible || fatal)) {
    t.state = TaskState.Runnable;
    t.wakeAt = Number.POSITIVE_INFINITY;
  }
}

/** The threads of `t`'s process (its thread group). */
export function threadGroup(k: Kernel, t: Task): Task[] {
  return k.tasks.filter((o) => o.pid === t.pid && o.state !== TaskState.Zombie && o.state !== TaskState.Dead);
}

/**
 * send_signal() / __send_signal(): queues `info` for one thread (`group` false: tkill, faults)
 * or for the whole process (`group`: kill, timers, SIGCHLD). An ignored signal is dropped; a
 * standard signal already pending is merged; real-time signals queue.
 */
export function sendSignal(k: Kernel, t: Task, info: SigInfo, group: boolean): void {
  const sig = info.signo;
  if (t.state === TaskState.Dead) return;
  // a zombie leader still stands for its process while other threads run
  if (t.state === TaskState.Zombie && (!group || threadGroup(k, t).length === 0)) return;
  if (sig !== SIGKILL && sigIgnored(t, sig)) return;
  const pending = group ? t.signal.sharedPending : t.pending;
  if (sig < SIGRTMIN && pending.signal.has(sig)) return;
  pending.signal.add(sig);
  pending.list.push(info);
  completeSignal(k, t, sig, group);
}

/** complete_signal(): picks the thread that will take it and wakes it. */
function completeSignal(k: Kernel, t: Task, sig: number, group: boolean): void {
  const fatal = sig === SIGKILL;
  if (!group) {
    if (!t.blocked.has(sig) || fatal) signalWakeUp(k, t, fatal);
    return;
  }
  const threads = threadGroup(k, t);
  const target = threads.find((o) => !o.blocked.has(sig)) ?? (fatal ? t : undefined);
  if (target === undefined) return;
  if (fatal) for (const o of threads) signalWakeUp(k, o, true);
  else signalWakeUp(k, target, false);
}

/**
 * force_sig_info(): a signal from a fault of the task itself. A fault whose signal is blocked
 * or ignored cannot be survived: the caller kills the task (see `sigHandled`) before getting
 * here; otherwise the signal is queued for this thread, and delivered on the way out.
 */
export function forceSigInfo(k: Kernel, t: Task, info: SigInfo): void {
  sendSignal(k, t, info, false);
}

/**
 * The next signal to deliver, from the thread's own queue before the process's: synchronous
 * (fault) signals first, then the lowest number (next_signal()).
 */
function nextSignal(pending: SigPending, blocked: Sigset): number {
  const sync = (pending.signal.lo & SYNCHRONOUS.lo & ~blocked.lo) >>> 0;
  if (sync !== 0) return 32 - Math.clz32(sync & -sync);
  return pending.signal.firstNotIn(blocked);
}

/** dequeue_signal(). */
export function dequeueSignal(t: Task, mask: Sigset): SigInfo | undefined {
  let sig = nextSignal(t.pending, mask);
  let info: SigInfo | undefined;
  if (sig !== 0) info = t.pending.take(sig);
  else {
    sig = nextSignal(t.signal.sharedPending, mask);
    if (sig !== 0) info = t.signal.sharedPending.take(sig);
  }
  recalcSigpending(t);
  return info;
}

/** A signal get_signal() decided to deliver to a handler (struct ksignal). */
export interface KSignal {
  sig: number;
  info: SigInfo;
  ka: SigAction;
}

/**
 * get_signal(): dequeues signals until one has a handler to run. Ignored ones are dropped;
 * one whose default action kills ends the process here (do_group_exit), so it does not return.
 */
export function getSignal(k: Kernel, t: Task): KSignal | undefined {
  for (;;) {
    const info = dequeueSignal(t, t.blocked);
    if (info === undefined) return undefined;
    const sig = info.signo;
    straceSignal(k, t, info);
    const ka = t.sighand.action[sig]!;
    if (ka.handler === SIG_IGN) continue;
    if (ka.handler !== SIG_DFL) {
      const delivered: KSignal = {
        sig,
        info,
        ka: { handler: ka.handler, flags: ka.flags, restorer: ka.restorer, mask: ka.mask.copy() },
      };
      // SA_RESETHAND (SA_ONESHOT): the handler runs once
      if ((ka.flags & Sa.RESETHAND) >>> 0 !== 0) ka.handler = SIG_DFL;
      return delivered;
    }
    if (!sigFatalByDefault(sig)) continue;
    k.syscalls.straceBeforeFatalSignal(t, sig);
    doGroupExit(
      k,
      t,
      0,
      sig,
      `killed by ${signalName(sig)}${info.code === Si.USER || info.code === Si.TKILL ? ` from pid ${info.pid ?? 0}` : ''}`,
    );
  }
}

/** set_current_blocked(): SIGKILL and SIGSTOP are never blocked. */
export function setCurrentBlocked(t: Task, set: Sigset): void {
  set.delete(SIGKILL);
  set.delete(SIGSTOP);
  t.blocked.set(set);
  recalcSigpending(t);
}

/**
 * do_notify_parent(): a child's end is reported to its parent with its exit signal (SIGCHLD
 * for fork). Returns true when the parent ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT): then the
 * child is reaped at once and never seen by wait4.
 */
export function doNotifyParent(k: Kernel, child: Task): boolean {
  const parent = child.parent;
  if (parent === undefined) return false;
  const sig = child.exitSignal;
  const killed = child.killedBy !== 0;
  const info: SigInfo = {
    signo: sig,
    errno: 0,
    code: killed ? CLD_KILLED : CLD_EXITED,
    pid: child.pid,
    uid: 0,
    status: killed ? child.killedBy : child.exitCode,
  };
  const ka = parent.sighand.action[SIGCHLD]!;
  const autoreap = ka.handler === SIG_IGN || (ka.flags & Sa.NOCLDWAIT) !== 0;
  if (sig !== 0) sendSignal(k, parent, info, true);
  return autoreap;
}

/** strace's `--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} ---` at delivery. */
function straceSignal(k: Kernel, t: Task, info: SigInfo): void {
  if (k.options.strace === undefined) return;
  if (t.straceSignals === undefined) t.straceSignals = [];
  t.straceSignals.push(`--- ${signalName(info.signo)} ${siginfoText(info)} ---`);
}

const CODE_NAMES: Record<number, string> = {
  0: 'SI_USER',
  128: 'SI_KERNEL',
  [-1]: 'SI_QUEUE',
  [-2]: 'SI_TIMER',
  [-6]: 'SI_TKILL',
};
const FAULT_CODES: Record<number, readonly string[]> = {
  [SIGSEGV]: ['SEGV_MAPERR', 'SEGV_ACCERR'],
  [SIGBUS]: ['BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR'],
  [SIGILL]: [
    'ILL_ILLOPC',
    'ILL_ILLOPN',
    'ILL_ILLADR',
    'ILL_ILLTRP',
    'ILL_PRVOPC',
    'ILL_PRVREG',
    'ILL_COPROC',
    'ILL_BADSTK',
  ],
  [SIGFPE]: [
    'FPE_INTDIV',
    'FPE_INTOVF',
    'FPE_FLTDIV',
    'FPE_FLTOVF',
    'FPE_FLTUND',
    'FPE_FLTRES',
    'FPE_FLTINV',
    'FPE_FLTSUB',
  ],
  [SIGTRAP]: ['TRAP_BRKPT', 'TRAP_TRACE'],
  [SIGCHLD]: ['CLD_EXITED', 'CLD_KILLED', 'CLD_DUMPED', 'CLD_TRAPPED', 'CLD_STOPPED', 'CLD_CONTINUED'],
};

/** The siginfo as strace prints it. */
export function siginfoText(info: SigInfo): string {
  const sig = info.signo;
  const code =
    CODE_NAMES[info.code] ??
    (info.code > 0 ? FAULT_CODES[sig]?.[info.code - 1] : undefined) ??
    String(info.code);
  const head = `{si_signo=${signalName(sig)}, si_code=${code}`;
  if (info.code === Si.USER || info.code === Si.TKILL || info.code === Si.QUEUE)
    return `${head}, si_pid=${info.pid ?? 0}, si_uid=${info.uid ?? 0}}`;
  if (sig === SIGCHLD && info.code > 0) {
    const status = info.code === CLD_EXITED ? String(info.status ?? 0) : signalName(info.status ?? 0);
    return `${head}, si_pid=${info.pid ?? 0}, si_uid=${info.uid ?? 0}, si_status=${status}, si_utime=0, si_stime=0}`;
  }
  if (info.addr !== undefined)
    return `${head}, si_addr=${info.addr === 0 ? 'NULL' : `0x${info.addr.toString(16)}`}}`;
  return `${head}}`;
}

/** The siginfo bytes of `struct siginfo` (128 bytes, x86-64 layout). */
export function siginfoBytes(info: SigInfo): Uint8Array {
  const out = new Uint8Array(128);
  const v = new DataView(out.buffer);
  v.setInt32(0, info.signo, true);
  v.setInt32(4, info.errno, true);
  v.setInt32(8, info.code, true);
  if (info.addr !== undefined) {
    // _sigfault: si_addr
    v.setUint32(16, info.addr >>> 0, true);
    v.setUint32(20, Math.floor(info.addr / 4294967296) >>> 0, true);
    return out;
  }
  if (info.tid !== undefined) {
    // _timer: si_tid, si_overrun
    v.setInt32(16, info.tid, true);
    v.setInt32(20, info.overrun ?? 0, true);
    return out;
  }
  // _kill / _rt / _sigchld: si_pid, si_uid, then si_status, si_utime, si_stime
  v.setInt32(16, info.pid ?? 0, true);
  v.setUint32(20, info.uid ?? 0, true);
  if (info.signo === SIGCHLD && info.code > 0) v.setInt32(24, info.status ?? 0, true);
  return out;
}

/** Sigset text as strace prints it: `[]`, `[CHLD]`, `[INT TERM]`, `~[KILL STOP]`. */
export function sigsetText(set: Sigset): string {
  const members = set.members();
  if (members.length > 32) {
    const missing: string[] = [];
    for (let sig = 1; sig <= NSIG; sig++)
      if (!set.has(sig)) missing.push(signalName(sig).replace(/^SIG/, ''));
    return `~[${missing.join(' ')}]`;
  }
  return `[${members.map((s) => signalName(s).replace(/^SIG/, '')).join(' ')}]`;
}
