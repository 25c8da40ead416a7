import { Errno } from '../errno.js';
import type { MmStruct } from '../mm/mm.js';
import type { Kernel } from './kernel.js';
import { ERESTARTSYS } from './sched.js';
import type { Task } from './task.js';
import { copyFromUser, putUser32 } from './uaccess.js';

/**
 * kernel/futex.c: fast user-space mutexes. A waiter sleeps on (address space, user address)
 * — the private key; the model keys shared futexes the same way, which is exact for the
 * threads of one process (what libcs use futexes for) but not for a futex in a MAP_SHARED
 * mapping between processes. The CPU is single and a syscall is atomic, so checking the
 * futex word and queueing happen without a race.
 */

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAKE_OP = 5;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128;
const FUTEX_CLOCK_REALTIME = 256;
const FUTEX_BITSET_MATCH_ANY = 0xffffffff;
const NR_FUTEX = 202;
const TWO32 = 4294967296;

/** struct futex_q: one sleeping waiter. */
interface FutexQ {
  task: Task;
  mm: MmStruct;
  addr: number;
  bitset: number;
  woken: boolean;
}

/** The hash buckets of futex.c, one list per machine: few waiters at a time in the model. */
const queues = new WeakMap<Kernel, FutexQ[]>();

function queueOf(k: Kernel): FutexQ[] {
  let q = queues.get(k);
  if (q === undefined) {
    q = [];
    queues.set(k, q);
  }
  return q;
}

function getUser32(t: Task, addr: number): number | null {
  if (addr % 4 !== 0) return null;
  const raw = copyFromUser(t, addr, 4);
  return raw === null ? null : new DataView(raw.buffer).getUint32(0, true);
}

/** futex_wake(): wakes up to `n` waiters on the key whose bitset intersects `bitset`. */
export function futexWake(
  k: Kernel,
  mm: MmStruct,
  addr: number,
  n: number,
  bitset: number = FUTEX_BITSET_MATCH_ANY,
): number {
  const q = queueOf(k);
  let woken = 0;
  for (let i = 0; i < q.length && woken < n; ) {
    const w = q[i]!;
    if (w.mm === mm && w.addr === addr && (w.bitset & bitset) >>> 0 !== 0) {
      w.woken = true;
      q.splice(i, 1);
      woken++;
    } else {
      i++;
    }
  }
  return woken;
}

/**
 * futex_wait(): sleeps while the word at `addr` holds `val`, until a FUTEX_WAKE, the absolute
 * `deadline` (simulated ns), or a signal. The model finishes a wait by running the call again
 * (see kernel.sleep), so the queued waiter is kept in the task's restart block and the second
 * run reports how the wait ended; a signal handler dequeues it (the call then returns -EINTR,
 * or with SA_RESTART waits afresh).
 */
function futexWait(k: Kernel, t: Task, addr: number, val: number, deadline: number, bitset: number): number {
  const cur = getUser32(t, addr);
  if (cur === null) return -Errno.EFAULT;
  if (cur !== val >>> 0) return -Errno.EAGAIN;
  if (k.now() >= deadline) return -Errno.ETIMEDOUT;
  const w: FutexQ = { task: t, mm: t.mm, addr, bitset, woken: false };
  queueOf(k).push(w);
  const unqueue = (): void => {
    const q = queueOf(k);
    const i = q.indexOf(w);
    if (i >= 0) q.splice(i, 1);
  };
  const again = (self: Task): number => {
    if (w.woken) {
      self.restartBlock = undefined;
      return 0;
    }
    if (k.now() >= deadline) {
      unqueue();
      self.restartBlock = undefined;
      return -Errno.ETIMEDOUT;
    }
    return k.sleep(self, () => w.woken || k.now() >= deadline, ERESTARTSYS, deadline);
  };
  t.restartBlock = { nr: NR_FUTEX, fn: again, interrupted: unqueue };
  return again(t);
}

/** A struct timespec as ns; null on a bad address, NaN when invalid. */
function timespecNs(t: Task, addr: number): number | null {
  const raw = copyFromUser(t, addr, 16);
  if (raw === null) return null;
  const v = new DataView(raw.buffer);
  const sec = v.getInt32(4, true) * TWO32 + v.getUint32(0, true);
  const nsec = v.getInt32(12, true) * TWO32 + v.getUint32(8, true);
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return Number.NaN;
  return sec * 1e9 + nsec;
}

/** FUTEX_OP: the operation WAKE_OP applies to the second word, and the comparison it tests. */
function futexAtomicOp(t: Task, encoded: number, addr: number): { old: number; cmp: boolean } | number {
  const old = getUser32(t, addr);
  if (old === null) return -Errno.EFAULT;
  let op = (encoded >>> 28) & 15;
  const cmp = (encoded >>> 24) & 15;
  let oparg = (encoded << 8) >> 20;
  const cmparg = (encoded << 20) >> 20;
  if ((op & 8) !== 0) {
    // FUTEX_OP_OPARG_SHIFT: the argument is a shift count
    op &= 7;
    oparg = 1 << (oparg & 31);
  }
  let next: number;
  switch (op) {
    case 0:
      next = oparg;
      break;
    case 1:
      next = old + oparg;
      break;
    case 2:
      next = old | oparg;
      break;
    case 3:
      next = old & ~oparg;
      break;
    case 4:
      next = old ^ oparg;
      break;
    default:
      return -Errno.ENOSYS;
  }
  if (!putUser32(t, addr, next | 0)) return -Errno.EFAULT;
  const o = old | 0;
  let result: boolean;
  switch (cmp) {
    case 0:
      result = o === cmparg;
      break;
    case 1:
      result = o !== cmparg;
      break;
    case 2:
      result = o < cmparg;
      break;
    case 3:
      result = o <= cmparg;
      break;
    case 4:
      result = o > cmparg;
      break;
    case 5:
      result = o >= cmparg;
      break;
    default:
      return -Errno.ENOSYS;
  }
  return { old, cmp: result };
}

/** futex_requeue(): wakes `nWake` waiters on `addr` and moves up to `nRequeue` others to `addr2`. */
function futexRequeue(
  k: Kernel,
  t: Task,
  addr: number,
  addr2: number,
  nWake: number,
  nRequeue: number,
  cmpval: number | undefined,
): number {
  if (cmpval !== undefined) {
    const cur = getUser32(t, addr);
    if (cur === null) return -Errno.EFAULT;
    if (cur !== cmpval >>> 0) return -Errno.EAGAIN;
  }
  const woken = futexWake(k, t.mm, addr, nWake);
  let moved = 0;
  for (const w of queueOf(k)) {
    if (moved >= nRequeue) break;
    if (w.mm === t.mm && w.addr === addr) {
      w.addr = addr2;
      moved++;
    }
  }
  return woken + moved;
}

/**
 * futex(uaddr, op, val, timeout|val2, uaddr2, val3): WAIT, WAKE, REQUEUE, CMP_REQUEUE,
 * WAKE_OP, WAIT_BITSET and WAKE_BITSET, private or not. PI futexes are not modeled (ENOSYS).
 */
export function doFutex(
  k: Kernel,
  t: Task,
  uaddr: number,
  op: number,
  val: number,
  timeout: number,
  uaddr2: number,
  val3: number,
): number {
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  if ((op & FUTEX_CLOCK_REALTIME) !== 0 && cmd !== FUTEX_WAIT_BITSET && cmd !== FUTEX_WAIT)
    return -Errno.ENOSYS;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      // the same call again after its sleep ended: it reports how the wait ended
      if (t.restartBlock?.nr === NR_FUTEX) return t.restartBlock.fn(t);
      const bitset = cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3 >>> 0;
      if (bitset === 0) return -Errno.EINVAL;
      let deadline = Number.POSITIVE_INFINITY;
      if (timeout !== 0) {
        const ns = timespecNs(t, timeout);
        if (ns === null) return -Errno.EFAULT;
        if (Number.isNaN(ns)) return -Errno.EINVAL;
        // FUTEX_WAIT's timeout is relative; WAIT_BITSET's absolute (CLOCK_MONOTONIC, or REALTIME)
        if (cmd === FUTEX_WAIT) deadline = k.now() + ns;
        else deadline = ns - ((op & FUTEX_CLOCK_REALTIME) !== 0 ? k.epochNs : 0);
      }
      return futexWait(k, t, uaddr, val, deadline, bitset);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      const bitset = cmd === FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3 >>> 0;
      if (bitset === 0) return -Errno.EINVAL;
      if (uaddr % 4 !== 0) return -Errno.EINVAL;
      return futexWake(k, t.mm, uaddr, val >>> 0, bitset);
    }
    case FUTEX_REQUEUE:
      return futexRequeue(k, t, uaddr, uaddr2, val >>> 0, timeout >>> 0, undefined);
    case FUTEX_CMP_REQUEUE:
      return futexRequeue(k, t, uaddr, uaddr2, val >>> 0, timeout >>> 0, val3);
    case FUTEX_WAKE_OP: {
      const r = futexAtomicOp(t, val3 >>> 0, uaddr2);
      if (typeof r === 'number') return r;
      let woken = futexWake(k, t.mm, uaddr, val >>> 0);
      if (r.cmp) woken += futexWake(k, t.mm, uaddr2, timeout >>> 0);
      return woken;
    }
    default:
      return -Errno.ENOSYS;
  }
}
