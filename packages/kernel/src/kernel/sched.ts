import type { Cpu } from '@legosim/cpu';
import { FpuState } from '../arch/x86/kernel/fpu.js';
import type { Kernel } from './kernel.js';
import { KernelPanic } from './panic.js';
import { type Task, TaskState, Tif } from './task.js';

/** -ERESTARTNOINTR: the syscall runs again from the start once the task is woken. */
export const ERESTARTNOINTR = 513;

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
function runnable(t: Task): boolean {
  if (t.state === TaskState.Sleeping && t.ready()) t.state = TaskState.Runnable;
  return t.state === TaskState.Runnable;
}

/** The next task to run after `prev`: round robin over the tasks in creation order. */
function pickNextTask(k: Kernel, prev: Task): Task | undefined {
  const tasks = k.tasks;
  const at = tasks.indexOf(prev);
  for (let i = 1; i <= tasks.length; i++) {
    const t = tasks[(at + i) % tasks.length]!;
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
 */
export function schedule(k: Kernel, cpu: Cpu): void {
  const prev = k.currentTask(cpu);
  prev.flags &= ~Tif.NEED_RESCHED;
  const next = pickNextTask(k, prev);
  if (next === undefined) {
    throw new KernelPanic(`deadlock: every task is waiting (${k.tasks.map((t) => `pid ${t.tid} ${stateName(t)}`).join(', ')})`);
  }
  if (next === prev) return;
  prev.savedRsp = cpu.rsp;
  // switch_fpu_prepare / switch_fpu_finish
  if (prev.fpu === undefined) prev.fpu = new FpuState(cpu);
  else prev.fpu.save(cpu);
  next.fpu?.restore(cpu);
  k.switchContext(cpu, next);
  cpu.setGpr(4, next.savedRsp);
  if (next.fresh) {
    // ret_from_fork: %rax = prev (for schedule_tail), %rbx = 0 (a user task, not a kernel thread)
    next.fresh = false;
    cpu.setGpr(0, prev.taskStruct);
    cpu.setGpr(3, 0);
  }
  k.trace?.contextSwitch(k.now(), cpu.id, prev.tid, next.tid);
}

function stateName(t: Task): string {
  return ['runnable', 'sleeping', 'zombie', 'dead'][t.state] ?? 'unknown';
}
