import type { Kernel } from './kernel.js';
import { SIGALRM, Si, sendSignal } from './signal.js';
import { type Task, TaskState } from './task.js';

/**
 * kernel/time/itimer.c: ITIMER_REAL (setitimer, alarm) on simulated time. Lego runs its
 * hrtimers from the tick; the model checks for expiries on every return to user mode (which
 * includes the return from each timer interrupt) and when the idle CPU skips ahead, so a
 * timer fires at the first such point at or after its expiry.
 */

/** Arms (or with `value` 0 disarms) the process's ITIMER_REAL: first expiry `value` ns from now. */
export function setRealTimer(k: Kernel, t: Task, value: number, interval: number): void {
  const s = t.signal;
  s.realTimerExpires = value > 0 ? k.now() + value : Number.POSITIVE_INFINITY;
  s.realTimerInterval = value > 0 ? interval : 0;
  if (s.realTimerExpires < k.nextTimer) k.nextTimer = s.realTimerExpires;
}

/** ITIMER_REAL's time left in ns (0 when disarmed) and its interval. */
export function getRealTimer(k: Kernel, t: Task): { value: number; interval: number } {
  const s = t.signal;
  if (!Number.isFinite(s.realTimerExpires)) return { value: 0, interval: 0 };
  return { value: Math.max(1, s.realTimerExpires - k.now()), interval: s.realTimerInterval };
}

/**
 * it_real_fn(): every expired ITIMER_REAL sends SIGALRM to its process (si_code SI_KERNEL, as
 * kill_pid_info(SEND_SIG_PRIV) gives) and reloads with its interval.
 */
export function runTimers(k: Kernel): void {
  const now = k.now();
  if (now < k.nextTimer) return;
  let next = Number.POSITIVE_INFINITY;
  const seen = new Set<object>();
  for (const t of k.tasks) {
    // one timer per process (in the signal_struct its threads share), signalled through a live thread
    if (t.state === TaskState.Zombie || t.state === TaskState.Dead || seen.has(t.signal)) continue;
    seen.add(t.signal);
    const s = t.signal;
    if (s.realTimerExpires <= now) {
      sendSignal(k, t, { signo: SIGALRM, errno: 0, code: Si.KERNEL }, true);
      if (s.realTimerInterval > 0) {
        // missed periods are overruns: the next expiry stays on the interval's grid
        const missed = Math.floor((now - s.realTimerExpires) / s.realTimerInterval) + 1;
        s.realTimerExpires += missed * s.realTimerInterval;
      } else {
        s.realTimerExpires = Number.POSITIVE_INFINITY;
      }
    }
    if (s.realTimerExpires < next) next = s.realTimerExpires;
  }
  k.nextTimer = next;
}
