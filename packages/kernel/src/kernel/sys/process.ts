import { RESCHEDULE_VECTOR } from '@legosim/interrupts';
import { sendIpi } from '../../arch/x86/kernel/smp.js';
import { Errno } from '../../errno.js';
import { doExecve } from '../execve.js';
import { doExit, doGroupExit } from '../exit.js';
import { Clone, doClone3, doFork, doWait } from '../fork.js';
import { doFutex } from '../futex.js';
import { copyFromUser, copyToUser, putUser64, setU64, strncpyFromUser, userStringArray } from '../uaccess.js';
import type { Kernel } from '../kernel.js';
import { type Task, TaskState, Tif } from '../task.js';
import type { SyscallFn } from './types.js';

/** exit_group(status): the whole process ends. */
export const sys_exit_group: SyscallFn = (k, t, status) => doGroupExit(k, t, status & 0xff, 0);

/** exit(status): the calling thread ends (the process with its last thread). */
export const sys_exit: SyscallFn = (k, t, status) => doExit(k, t, status & 0xff);

export const sys_getpid: SyscallFn = (_k, t) => t.pid;
export const sys_gettid: SyscallFn = (_k, t) => t.tid;
/** The parent's pid; the first task's parent is the (unmodeled) init: 0, as for a task started by the kernel. */
export const sys_getppid: SyscallFn = (_k, t) => t.parent?.pid ?? 0;

const SIGCHLD = 17;

export const sys_fork: SyscallFn = (k, t) => doFork(k, t, SIGCHLD, 0, 0, 0, 0);
export const sys_vfork: SyscallFn = (k, t) => doFork(k, t, Clone.VM | Clone.VFORK | SIGCHLD, 0, 0, 0, 0);
/** clone(flags, newsp, parent_tid, child_tid, tls): the x86-64 argument order. */
export const sys_clone: SyscallFn = (k, t, flags, newsp, parentTid, childTid, tls) =>
  doFork(k, t, flags, newsp, parentTid, childTid, tls);

export const sys_clone3: SyscallFn = (k, t, args, size) => doClone3(k, t, args, size);

export const sys_futex: SyscallFn = (k, t, uaddr, op, val, timeout, uaddr2, val3) =>
  doFutex(k, t, uaddr, op, val, timeout, uaddr2, val3);

export const sys_wait4: SyscallFn = (k, t, pid, status, options) => doWait(k, t, pid | 0, status, options);

export const sys_execve: SyscallFn = (k, t, pathAddr, argvAddr, envpAddr) => {
  const path = strncpyFromUser(t, pathAddr, 4096);
  if (path === null) return -Errno.EFAULT;
  const argv = userStringArray(t, argvAddr);
  const envp = userStringArray(t, envpAddr);
  if (argv === null || envp === null) return -Errno.EFAULT;
  return doExecve(k, t, path, argv, envp);
};
export const sys_getuid: SyscallFn = () => 0;

export const sys_set_tid_address: SyscallFn = (_k, t, tidptr) => {
  t.clearChildTid = tidptr;
  return t.tid;
};

export const sys_set_robust_list: SyscallFn = (_k, t, head, len) => {
  if (len !== 24) return -Errno.EINVAL;
  t.robustList = head;
  return 0;
};

const ARCH_SET_GS = 0x1001;
const ARCH_SET_FS = 0x1002;
const ARCH_GET_FS = 0x1003;
const ARCH_GET_GS = 0x1004;

/** arch_prctl: FS/GS bases of user mode; ARCH_SET_FS writes MSR_FS_BASE at once (do_arch_prctl). */
export const sys_arch_prctl: SyscallFn = (k, t, code, addr) => {
  const canonical = addr >= 0 && addr < 0x800000000000;
  switch (code) {
    case ARCH_SET_FS:
      if (!canonical) return -Errno.EPERM;
      t.fsBase = addr;
      k.currentCpu(t).fsBase = addr;
      return 0;
    case ARCH_SET_GS:
      if (!canonical) return -Errno.EPERM;
      t.gsBase = addr;
      k.currentCpu(t).kernelGsBase = addr;
      return 0;
    case ARCH_GET_FS:
      return putUser64(t, addr, t.fsBase | 0, Math.floor(t.fsBase / 4294967296)) ? 0 : -Errno.EFAULT;
    case ARCH_GET_GS:
      return putUser64(t, addr, t.gsBase | 0, Math.floor(t.gsBase / 4294967296)) ? 0 : -Errno.EFAULT;
    default:
      return -Errno.EINVAL;
  }
};

const PR_SET_NAME = 15;
const PR_GET_NAME = 16;

export const sys_prctl: SyscallFn = (_k, t, option, arg2) => {
  if (option === PR_GET_NAME) {
    const name = new Uint8Array(16);
    name.set(new TextEncoder().encode(t.comm).subarray(0, 15));
    return copyToUser(t, arg2, name) ? 0 : -Errno.EFAULT;
  }
  if (option === PR_SET_NAME) {
    const bytes = copyFromUser(t, arg2, 16);
    if (bytes === null) return -Errno.EFAULT;
    const end = bytes.indexOf(0);
    t.comm = new TextDecoder().decode(bytes.subarray(0, end < 0 ? 15 : Math.min(end, 15)));
    return 0;
  }
  return -Errno.EINVAL;
};

function utsField(s: string): Uint8Array {
  const b = new Uint8Array(65);
  b.set(new TextEncoder().encode(s).subarray(0, 64));
  return b;
}

/** uname: Lego's identity. */
export const sys_uname: SyscallFn = (_k, t, buf) => {
  const fields = ['Lego', 'legosim', '4.0.0-lego', '#1 SMP legosim', 'x86_64', '(none)'];
  const out = new Uint8Array(65 * 6);
  for (const [i, f] of fields.entries()) out.set(utsField(f), i * 65);
  return copyToUser(t, buf, out) ? 0 : -Errno.EFAULT;
};

const RLIMIT_STACK = 3;
const RLIMIT_NOFILE = 7;
const RLIM_INFINITY = -1;

function rlimit(resource: number): [number, number] | undefined {
  if (resource < 0 || resource > 15) return undefined;
  if (resource === RLIMIT_STACK) return [8 * 1024 * 1024, RLIM_INFINITY];
  if (resource === RLIMIT_NOFILE) return [1024, 4096];
  return [RLIM_INFINITY, RLIM_INFINITY];
}

function rlimitBytes(cur: number, max: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(cur), true);
  v.setBigInt64(8, BigInt(max), true);
  return b;
}

export const sys_getrlimit: SyscallFn = (_k, t, resource, rlim) => {
  const r = rlimit(resource);
  if (r === undefined) return -Errno.EINVAL;
  return copyToUser(t, rlim, rlimitBytes(r[0], r[1])) ? 0 : -Errno.EFAULT;
};

/** prlimit64: reading limits of the calling process; setting them is accepted and ignored. */
export const sys_prlimit64: SyscallFn = (_k, t, pid, resource, _newLimit, oldLimit) => {
  if (pid !== 0 && pid !== t.pid) return -Errno.ESRCH;
  const r = rlimit(resource);
  if (r === undefined) return -Errno.EINVAL;
  if (oldLimit !== 0 && !copyToUser(t, oldLimit, rlimitBytes(r[0], r[1]))) return -Errno.EFAULT;
  return 0;
};

/** getrandom: bytes from the machine's seeded generator (deterministic). */
export const sys_getrandom: SyscallFn = (k, t, buf, count) => {
  if (count < 0) return -Errno.EINVAL;
  const n = Math.min(count, 33554431);
  const bytes = k.random.bytes(n);
  return copyToUser(t, buf, bytes) ? n : -Errno.EFAULT;
};

const CLOCK_REALTIME = 0;

/** clock_gettime on simulated time; CLOCK_REALTIME starts at the machine's fixed epoch. */
export const sys_clock_gettime: SyscallFn = (k, t, clock, tp) => {
  if (clock < 0 || clock > 11) return -Errno.EINVAL;
  const ns = k.now() + (clock === CLOCK_REALTIME ? k.epochNs : 0);
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
  v.setBigInt64(8, BigInt(Math.floor(ns % 1e9)), true);
  return copyToUser(t, tp, b) ? 0 : -Errno.EFAULT;
};

export const sys_gettimeofday: SyscallFn = (k, t, tv) => {
  if (tv === 0) return 0;
  const ns = k.now() + k.epochNs;
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
  v.setBigInt64(8, BigInt(Math.floor((ns % 1e9) / 1000)), true);
  return copyToUser(t, tv, b) ? 0 : -Errno.EFAULT;
};

export const sys_time: SyscallFn = (k, t, tloc) => {
  const s = Math.floor((k.now() + k.epochNs) / 1e9);
  if (tloc !== 0 && !putUser64(t, tloc, s, 0)) return -Errno.EFAULT;
  return s;
};

/** sched_yield(): the caller goes to the back of the run queue; it runs on if nothing else may run here. */
export const sys_sched_yield: SyscallFn = (_k, t) => {
  t.flags |= Tif.NEED_RESCHED;
  return 0;
};

export const sys_getcpu: SyscallFn = (k, t, cpup, nodep) => {
  const cpu = k.currentCpu(t).id;
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, cpu, true);
  if (cpup !== 0 && !copyToUser(t, cpup, b)) return -Errno.EFAULT;
  if (nodep !== 0 && !copyToUser(t, nodep, new Uint8Array(4))) return -Errno.EFAULT;
  return 0;
};

/** The task a sched_* call names: 0 is the caller, any other number a thread's tid. */
function schedTarget(k: Kernel, t: Task, pid: number): Task | undefined {
  if (pid === 0) return t;
  return k.tasks.find((o) => o.tid === pid && o.state !== TaskState.Zombie && o.state !== TaskState.Dead);
}

/** sched_getaffinity(): the thread's cpus_allowed; the size written is the kernel's mask, 8 bytes. */
export const sys_sched_getaffinity: SyscallFn = (k, t, pid, len, mask) => {
  const target = schedTarget(k, t, pid);
  if (target === undefined) return -Errno.ESRCH;
  // a buffer too small for nr_cpu_ids bits, or not a whole number of longs, is refused
  if (len * 8 < k.cpus.length || len % 8 !== 0) return -Errno.EINVAL;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, (target.cpusAllowed & k.onlineMask) >>> 0, true);
  return copyToUser(t, mask, b) ? 8 : -Errno.EFAULT;
};

/**
 * sched_setaffinity(): the CPUs the thread may run on, of those online (none is EINVAL). A
 * thread running on a CPU it may no longer use is moved at once: the caller schedules on its
 * way out, another thread's CPU is sent a reschedule IPI; a CPU it may use takes it from the
 * run queue.
 */
export const sys_sched_setaffinity: SyscallFn = (k, t, pid, len, mask) => {
  const target = schedTarget(k, t, pid);
  if (target === undefined) return -Errno.ESRCH;
  // get_user_cpu_mask(): a longer user mask is cut to the kernel's, a shorter one zero-extended
  const b = new Uint8Array(8);
  const n = Math.min(Math.max(len, 0), 8);
  const user = copyFromUser(t, mask, n);
  if (user === null) return -Errno.EFAULT;
  b.set(user);
  const allowed = (new DataView(b.buffer).getUint32(0, true) & k.onlineMask) >>> 0;
  if (allowed === 0) return -Errno.EINVAL;
  target.cpusAllowed = allowed;
  if (target.onCpu >= 0 && ((allowed >>> target.onCpu) & 1) === 0) {
    if (target === t) t.flags |= Tif.NEED_RESCHED;
    else sendIpi(k, k.running, target.onCpu, RESCHEDULE_VECTOR);
  }
  return 0;
};

/** sysinfo(): uptime from simulated time, memory from the machine's physical memory. */
export const sys_sysinfo: SyscallFn = (k, t, info) => {
  const out = new Uint8Array(112);
  const v = new DataView(out.buffer);
  setU64(v, 0, Math.floor(k.now() / 1e9)); // uptime
  const total = k.mem.size;
  setU64(v, 32, total); // totalram
  setU64(v, 40, Math.max(0, total - k.mem.allocator.framesInUse * 4096)); // freeram
  v.setUint16(80, k.tasks.length, true); // procs
  v.setUint32(104, 1, true); // mem_unit
  return copyToUser(t, info, out) ? 0 : -Errno.EFAULT;
};
