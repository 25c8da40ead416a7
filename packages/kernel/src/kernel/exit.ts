import { release } from './fork.js';
import { futexWake } from './futex.js';
import type { Kernel } from './kernel.js';
import { TaskExited } from './sched.js';
import { doNotifyParent, signalName } from './signal.js';
import { type Task, TaskState } from './task.js';
import { putUser32 } from './uaccess.js';

/**
 * kernel/exit.c for thread groups: exit() ends one thread, exit_group() and fatal signals the
 * whole process. The process's end itself (its zombie, SIGCHLD, the run's result for the
 * first process) is Kernel.exitTask, run for the group leader.
 */

/**
 * mm_release(): CLONE_CHILD_CLEARTID / set_tid_address — the thread's tid word becomes 0 and
 * one futex waiter on it is woken (pthread_join waits there).
 */
function mmRelease(k: Kernel, t: Task): void {
  if (t.clearChildTid === 0) return;
  const addr = t.clearChildTid;
  t.clearChildTid = 0;
  if (putUser32(t, addr, 0)) futexWake(k, t.mm, addr, 1);
}

/** The other live threads of `t`'s process. */
function otherThreads(k: Kernel, t: Task): Task[] {
  return k.tasks.filter(
    (o) => o !== t && o.pid === t.pid && o.state !== TaskState.Zombie && o.state !== TaskState.Dead,
  );
}

/**
 * Marks `t` ended with `code` or killed by `signal`, and records it: the task_exit event (on
 * the CPU running `running`, the thread doing the exit) and strace's `+++` line.
 */
export function recordExit(k: Kernel, t: Task, running: Task, code: number, signal: number): void {
  t.exited = true;
  t.exitCode = code;
  t.killedBy = signal;
  k.trace?.taskExit(
    k.now(),
    k.currentCpu(running).id,
    t.pid,
    t.tid,
    signal ? 128 + signal : code,
    signal || undefined,
  );
  k.straceLine(t, signal ? `+++ killed by ${signalName(signal)} +++` : `+++ exited with ${code} +++`);
}

/** A thread that is not the last of its process goes away at once (threads are self-reaping). */
function releaseThread(k: Kernel, t: Task, code: number, signal: number): void {
  recordExit(k, t, t, code, signal);
  t.vforkDone = true;
  release(k, t);
}

/**
 * zap_other_threads(): a process ending takes its other threads with it (they are switched
 * out, so they simply cease to exist).
 */
export function zapOtherThreads(k: Kernel, t: Task, code: number, signal: number): void {
  for (const o of otherThreads(k, t)) {
    if (o.tid === o.pid) continue;
    releaseThread(k, o, code, signal);
  }
}

/**
 * do_group_exit(): exit_group(), or a signal whose default action kills. The group leader
 * carries the process's status: when another thread ends the process, the leader becomes
 * the zombie its parent reaps and the calling thread is released.
 */
export function doGroupExit(k: Kernel, t: Task, code: number, signal: number, reason?: string): never {
  zapOtherThreads(k, t, code, signal);
  mmRelease(k, t);
  const leader = t.tid === t.pid ? t : k.tasks.find((o) => o.tid === t.pid && o.state !== TaskState.Dead);
  if (leader === undefined || leader === t) return k.exitTask(t, code, signal, reason);
  // the leader is switched out: it ends as the process, and this thread goes away
  if (leader.parent === undefined) {
    // the first process: its end ends the run (exitTask stops the CPU)
    release(k, t);
    return k.exitTask(leader, code, signal, reason);
  }
  recordExit(k, leader, t, code, signal);
  leader.files.closeAll();
  leader.state = TaskState.Zombie;
  leader.vforkDone = true;
  for (const c of leader.children) c.parent = undefined;
  if (doNotifyParent(k, leader)) release(k, leader);
  releaseThread(k, t, code, signal);
  k.syscalls.exitToUsermodeLoop(k.currentCpu(t));
  throw new TaskExited();
}

/**
 * do_exit() for exit(): the calling thread ends; the last thread of a process ends the
 * process (its status is the process's). A group leader that exits before its threads stays
 * as a zombie nobody can reap until the process ends (delay_group_leader): it still holds
 * the pid its parent waits for.
 */
export function doExit(k: Kernel, t: Task, code: number): never {
  if (otherThreads(k, t).length === 0) return doGroupExit(k, t, code, 0);
  const cpu = k.currentCpu(t);
  mmRelease(k, t);
  if (t.tid === t.pid) {
    t.exited = true;
    t.exitCode = code;
    t.state = TaskState.Zombie;
  } else {
    releaseThread(k, t, code, 0);
  }
  k.syscalls.exitToUsermodeLoop(cpu);
  throw new TaskExited();
}

/** Whether the process of `leader` still has a live thread (its zombie leader cannot be reaped yet). */
export function threadsAlive(k: Kernel, leader: Task): boolean {
  return otherThreads(k, leader).length > 0;
}
