import type { Cpu } from '@legosim/cpu';
import { FpuState } from '../arch/x86/kernel/fpu.js';
import { wakeIdleCpus } from '../arch/x86/kernel/smp.js';
import { runTimers } from './itimer.js';
import type { Kernel } from './kernel.js';
import { KernelPanic } from './panic.js';
import { type Task, TaskState, Tif } from './task.js';

/**
 * The restart codes a syscall returns when it went to sleep (include/linux/errno.h). They
 * never reach user mode: on the way out, do_signal turns them into -EINTR for a handler, or
 * rewinds the SYSCALL instruction so the call runs again (arch/x86/kernel/signal.ts).
 */
/** Restart unless a handler without SA_RESTART runs (pipe reads, wait4). */
export const ERESTARTSYS = 512;
/** Always restart (no signal can cut the wait short). */
export const ERESTARTNOINTR = 513;
/** Restart only if no handler runs (pause, sigsuspend). */
export const ERESTARTNOHAND = 514;
/** Continue through restart_syscall if no handler runs (nanosleep: the time already slept counts). */
export const ERESTART_RESTARTBLOCK = 516;

export function isRestartCode(ret: number): boolean {
  return ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK && ret !== -515;
}

/**
 * Thrown out of a native function whose task has exited, after `schedule` moved the CPU to
 * another task's kernel stack: the native's `ret` then returns into that task's path.
 */
export class TaskExited extends Error {
  constructor() {
    super('task exited');
  }
}

/** Whether `t` can run now (a sleeper whose condition came true is woken here). */
export function runnable(t: Task): boolean {
  if (t.state === TaskState.Sleeping && t.ready()) {
    t.state = TaskState.Runnable;
    t.wakeAt = Number.POSITIVE_INFINITY;
  }
  return t.state === TaskState.Runnable;
}

/**
 * The next task for CPU `id` after `prev`: round robin over the tasks in creation order (an
 * idle task starts from the first), skipping tasks another CPU runs and tasks whose affinity
 * excludes this CPU.
 */
function pickNextTask(k: Kernel, prev: Task, id: number): Task | undefined {
  const tasks = k.tasks;
  const at = prev.isIdle ? -1 : tasks.indexOf(prev);
  for (let i = 1; i <= tasks.length; i++) {
    const t = tasks[(at + i) % tasks.length]!;
    if ((t.onCpu >= 0 && t !== prev) || ((t.cpusAllowed >>> id) & 1) === 0) continue;
    if (runnable(t)) return t;
  }
  return undefined;
}

/**
 * schedule(), called where Lego calls it on the way back to user mode (prepare_exit_to_usermode
 * with TIF_NEED_RESCHED, or a task that went to sleep or exited): picks the next runnable task
 * and switches to it. The switch happens inside a native function called from the entry
 * code, so the state of the task left behind is its kernel stack pointer, which points at the
 * return address of that call; the new task's saved pointer takes its place and the native's
 * `ret` continues the new task exactly where it left (or, for a new task, in ret_from_fork).
 * Returns true when the new task is a fresh one, or the CPU's idle task: its own way, through
 * ret_from_fork or cpu_idle_loop, still lies ahead, so the caller must not finish a return to
 * user mode for it.
 *
 * On a machine of several CPUs a CPU with nothing to run switches to its idle task, which
 * halts until an interrupt; a task switched out may go on on another CPU (its kernel stack,
 * pt_regs and FPU state are in the task), never before the time it was switched out.
 */
export function schedule(k: Kernel, cpu: Cpu): boolean {
  const prev = k.currentTask(cpu);
  prev.flags &= ~Tif.NEED_RESCHED;
  k.kickedCpus &= ~(1 << cpu.id);
  let next = pickNextTask(k, prev, cpu.id);
  if (next === undefined && k.cpus.length > 1) next = k.idleTasks[cpu.id]!;
  while (next === undefined) {
    // the idle loop: nothing can run until simulated time reaches a timed sleep's end or an
    // ITIMER_REAL expiry, so the CPU halts until then
    const until = nextWakeup(k);
    if (!Number.isFinite(until)) throw deadlock(k);
    k.idle(Math.max(0, until - k.now()));
    runTimers(k);
    next = pickNextTask(k, prev, cpu.id);
  }
  if (next === prev) return false;
  if (next.switchedOutAt > k.now()) k.idle(next.switchedOutAt - k.now());
  prev.savedRsp = cpu.rsp;
  prev.switchedOutAt = k.now();
  // switch_fpu_prepare / switch_fpu_finish
  if (prev.fpu === undefined) prev.fpu = new FpuState(cpu);
  else prev.fpu.save(cpu);
  next.fpu?.restore(cpu);
  k.switchContext(cpu, next);
  cpu.setGpr(4, next.savedRsp);
  const fresh = next.fresh;
  if (fresh) {
    // ret_from_fork: %rax = prev (for schedule_tail), %rbx = 0 (a user task, not a kernel thread)
    next.fresh = false;
    cpu.setGpr(0, prev.taskStruct);
    cpu.setGpr(3, 0);
  }
  k.trace?.contextSwitch(k.now(), cpu.id, prev.tid, next.tid);
  // prev, if it can still run, may go on on an idle CPU
  if (k.idleCpus !== 0) wakeIdleCpus(k, cpu.id);
  return fresh || next.isIdle;
}

/** The earliest simulated time at which a sleeper's deadline or an armed ITIMER_REAL comes. */
export function nextWakeup(k: Kernel): number {
  let until = Number.POSITIVE_INFINITY;
  for (const t of k.tasks) {
    if (t.state === TaskState.Sleeping && t.wakeAt < until) until = t.wakeAt;
    if (t.state !== TaskState.Zombie && t.state !== TaskState.Dead && t.signal.realTimerExpires < until)
      until = t.signal.realTimerExpires;
  }
  return until;
}

/** The panic when every task waits for something no task or timer can bring. */
export function deadlock(k: Kernel): KernelPanic {
  return new KernelPanic(`deadlock: every task is waiting (${k.tasks.map((t) => `pid ${t.tid} ${stateName(t)}`).join(', ')})`);
}

function stateName(t: Task): string {
  return ['runnable', 'sleeping', 'zombie', 'dead'][t.state] ?? 'unknown';
}
