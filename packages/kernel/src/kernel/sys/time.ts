import { Errno } from '../../errno.js';
import { getRealTimer, setRealTimer } from '../itimer.js';
import type { Kernel } from '../kernel.js';
import { ERESTART_RESTARTBLOCK } from '../sched.js';
import type { Task } from '../task.js';
import { copyFromUser, copyToUser } from '../uaccess.js';
import type { SyscallFn } from './types.js';

/**
 * kernel/time/: sleeping and interval timers on simulated time. A sleep ends when simulated
 * time reaches its deadline (an idle CPU skips ahead to it) or when a signal interrupts it.
 */

const TWO32 = 4294967296;
const NSEC_PER_SEC = 1e9;
const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_BOOTTIME = 7;
const TIMER_ABSTIME = 1;
const ITIMER_REAL = 0;
const NR_NANOSLEEP = 35;
const NR_CLOCK_NANOSLEEP = 230;

function i64(v: DataView, at: number): number {
  return v.getInt32(at + 4, true) * TWO32 + v.getUint32(at, true);
}

function setI64(v: DataView, at: number, value: number): void {
  v.setUint32(at, value >>> 0, true);
  v.setInt32(at + 4, Math.floor(value / TWO32), true);
}

/** A struct timespec from user memory as ns; null on a bad address, NaN when out of range. */
function readTimespec(t: Task, addr: number): number | null {
  const raw = copyFromUser(t, addr, 16);
  if (raw === null) return null;
  const v = new DataView(raw.buffer);
  const sec = i64(v, 0);
  const nsec = i64(v, 8);
  if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC) return Number.NaN;
  return sec * NSEC_PER_SEC + nsec;
}

function timespecBytes(ns: number): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  setI64(v, 0, Math.floor(ns / NSEC_PER_SEC));
  setI64(v, 8, ns % NSEC_PER_SEC);
  return out;
}

/**
 * do_nanosleep(): sleeps until `deadline`. The restart block carries the deadline, so a sleep
 * woken early (or restarted by restart_syscall after a signal without a handler) keeps its
 * end; a handler makes it return -EINTR with the time left in `rmtp`.
 */
function hrtimerNanosleep(k: Kernel, t: Task, nr: number, deadline: number, rmtp: number): number {
  const sleep = (self: Task): number => {
    if (k.now() >= deadline) {
      self.restartBlock = undefined;
      return 0;
    }
    return k.sleep(self, () => k.now() >= deadline, ERESTART_RESTARTBLOCK, deadline);
  };
  t.restartBlock = {
    nr,
    fn: sleep,
    interrupted: (self) => {
      if (rmtp !== 0) copyToUser(self, rmtp, timespecBytes(Math.max(0, deadline - k.now())));
    },
  };
  return sleep(t);
}

/** nanosleep(req, rem). */
export const sys_nanosleep: SyscallFn = (k, t, req, rem) => {
  // the same call again after its sleep ended: it continues the sleep it started
  if (t.restartBlock?.nr === NR_NANOSLEEP) return t.restartBlock.fn(t);
  const ns = readTimespec(t, req);
  if (ns === null) return -Errno.EFAULT;
  if (Number.isNaN(ns)) return -Errno.EINVAL;
  return hrtimerNanosleep(k, t, NR_NANOSLEEP, k.now() + ns, rem);
};

/** clock_nanosleep(clock, flags, req, rem): relative, or absolute with TIMER_ABSTIME (no `rem` then). */
export const sys_clock_nanosleep: SyscallFn = (k, t, clock, flags, req, rem) => {
  if (t.restartBlock?.nr === NR_CLOCK_NANOSLEEP) return t.restartBlock.fn(t);
  if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC && clock !== CLOCK_BOOTTIME) return -Errno.EINVAL;
  const ns = readTimespec(t, req);
  if (ns === null) return -Errno.EFAULT;
  if (Number.isNaN(ns)) return -Errno.EINVAL;
  if ((flags & TIMER_ABSTIME) !== 0) {
    const deadline = ns - (clock === CLOCK_REALTIME ? k.epochNs : 0);
    return hrtimerNanosleep(k, t, NR_CLOCK_NANOSLEEP, deadline, 0);
  }
  return hrtimerNanosleep(k, t, NR_CLOCK_NANOSLEEP, k.now() + ns, rem);
};

/** struct itimerval {it_interval, it_value} of timevals, as ns; null on a bad address, NaN when invalid. */
function readItimerval(t: Task, addr: number): { interval: number; value: number } | null {
  const raw = copyFromUser(t, addr, 32);
  if (raw === null) return null;
  const v = new DataView(raw.buffer);
  const field = (at: number): number => {
    const sec = i64(v, at);
    const usec = i64(v, at + 8);
    if (sec < 0 || usec < 0 || usec >= 1e6) return Number.NaN;
    return sec * NSEC_PER_SEC + usec * 1000;
  };
  return { interval: field(0), value: field(16) };
}

function itimervalBytes(interval: number, value: number): Uint8Array {
  const out = new Uint8Array(32);
  const v = new DataView(out.buffer);
  // a running timer never reports 0 left: at least 1 µs (itimer_get_remtime)
  const usec = (ns: number, running: boolean): number => Math.max(running ? 1 : 0, Math.ceil(ns / 1000));
  const put = (at: number, ns: number, running: boolean): void => {
    const us = usec(ns, running);
    setI64(v, at, Math.floor(us / 1e6));
    setI64(v, at + 8, us % 1e6);
  };
  put(0, interval, false);
  put(16, value, value > 0);
  return out;
}

/**
 * setitimer(which, new, old): ITIMER_REAL only — ITIMER_VIRTUAL and ITIMER_PROF count the
 * process's CPU time, which the model does not account per process: -EINVAL.
 */
export const sys_setitimer: SyscallFn = (k, t, which, newAddr, oldAddr) => {
  if (which !== ITIMER_REAL) return -Errno.EINVAL;
  let next = { interval: 0, value: 0 };
  if (newAddr !== 0) {
    const read = readItimerval(t, newAddr);
    if (read === null) return -Errno.EFAULT;
    if (Number.isNaN(read.interval) || Number.isNaN(read.value)) return -Errno.EINVAL;
    next = read;
  }
  const old = getRealTimer(k, t);
  setRealTimer(k, t, next.value, next.interval);
  if (oldAddr !== 0 && !copyToUser(t, oldAddr, itimervalBytes(old.interval, old.value))) return -Errno.EFAULT;
  return 0;
};

export const sys_getitimer: SyscallFn = (k, t, which, addr) => {
  if (which !== ITIMER_REAL) return -Errno.EINVAL;
  const cur = getRealTimer(k, t);
  return copyToUser(t, addr, itimervalBytes(cur.interval, cur.value)) ? 0 : -Errno.EFAULT;
};

/** alarm(seconds): ITIMER_REAL once; returns the seconds the previous alarm had left, rounded. */
export const sys_alarm: SyscallFn = (k, t, seconds) => {
  const old = getRealTimer(k, t);
  setRealTimer(k, t, (seconds >>> 0) * NSEC_PER_SEC, 0);
  const sec = Math.floor(old.value / NSEC_PER_SEC);
  const usec = Math.floor((old.value % NSEC_PER_SEC) / 1000);
  return (sec === 0 && usec !== 0) || usec >= 500000 ? sec + 1 : sec;
};
