import type { InFlight } from '../arch/x86/entry/common.js';
import type { FpuState } from '../arch/x86/kernel/fpu.js';
import type { FilesStruct } from '../fs/file.js';
import type { Inode } from '../fs/inode.js';
import type { MmStruct } from '../mm/mm.js';
import { SighandStruct, SignalStruct, SigPending, Sigset, SS_DISABLE } from './signal.js';

/** struct fs_struct: the task's working directory and umask. */
export interface FsStruct {
  cwd: Inode;
  umask: number;
}

/** THREAD_SIZE: 64 KiB kernel stacks (order 4). */
export const THREAD_SIZE = 0x10000;

/**
 * A task (Lego's `task_struct`, the parts the model uses). Its kernel stack is 64 KiB of
 * modeled memory; `thread_info` sits at the lowest address and `thread.sp0` is the top.
 */
/** Where a task is in its life (the scheduler's view). */
export const enum TaskState {
  /** On the run queue (or running). */
  Runnable = 0,
  /** Waiting until `Task.ready()` holds; its syscall restarts when it runs again. */
  Sleeping = 1,
  /** Exited, waiting for its parent's wait4. */
  Zombie = 2,
  /** Reaped. */
  Dead = 3,
}

export class Task {
  /** Thread flags (TIF_*): checked by prepare_exit_to_usermode. */
  flags = 0;
  state: TaskState = TaskState.Runnable;
  /** For a sleeping task: whether what it waits for has happened. */
  ready: () => boolean = () => true;
  /** Kernel RSP while switched out: it points at the return address of the call it left through. */
  savedRsp = 0;
  /** Never ran yet: it starts in ret_from_fork. */
  fresh = false;
  /** A CPU's idle task (pid 0): it runs cpu_idle_loop and is on no run queue. */
  isIdle = false;
  /** The CPU running it now (task_cpu while on_cpu), or -1 while it is switched out. */
  onCpu = -1;
  /** cpus_allowed (sched_setaffinity): bit N set when it may run on CPU N. */
  cpusAllowed = 0xffffffff;
  /** Simulated time at which it was last switched out: no CPU runs it again earlier. */
  switchedOutAt = 0;
  parent: Task | undefined = undefined;
  readonly children: Task[] = [];
  /** The program it runs (/proc/self/exe): its path and file. */
  exe: { path: string; inode: Inode | undefined } = { path: '', inode: undefined };
  /** The syscall it is in the middle of (the syscall path's bookkeeping). */
  syscall: InFlight | undefined = undefined;
  /** x87/SSE registers while switched out (set by the switch that takes it off the CPU, or by fork). */
  fpu: FpuState | undefined = undefined;
  /** A vfork parent sleeps until this child execs or exits. */
  vforkDone = true;
  exitCode = 0;
  /** Signal that killed the task, or 0. */
  killedBy = 0;
  exited = false;
  /** set_tid_address / CLONE_CHILD_CLEARTID. */
  clearChildTid = 0;
  robustList = 0;
  /** User FS base (arch_prctl ARCH_SET_FS), saved across context switches. */
  fsBase = 0;
  /** User GS base (MSR_KERNEL_GS_BASE while in the kernel). */
  gsBase = 0;
  comm: string;

  // ---- signals (kernel/signal.ts, arch/x86/kernel/signal.ts)
  /** Signal actions, shared by the threads of a process (CLONE_SIGHAND), copied by fork. */
  sighand: SighandStruct = new SighandStruct();
  /** What the threads of a process share: the process-wide pending queue, ITIMER_REAL. */
  signal: SignalStruct = new SignalStruct();
  /** Signals blocked from delivery (rt_sigprocmask). */
  readonly blocked: Sigset = new Sigset();
  /** Signals queued for this thread (tkill, faults). */
  readonly pending: SigPending = new SigPending();
  /** The mask to restore once a signal interrupted rt_sigsuspend (TIF_RESTORE_SIGMASK). */
  savedSigmask: Sigset | undefined = undefined;
  /** sigaltstack: sas_ss_sp, sas_ss_size, sas_ss_flags. */
  sasSsSp = 0;
  sasSsSize = 0;
  sasSsFlags: number = SS_DISABLE;
  /** The signal sent to the parent when this task exits (CSIGNAL of clone; SIGCHLD for fork). */
  exitSignal = 17;
  /** The sleep may be cut short by a signal (it returned -ERESTART*; vfork's wait may not). */
  sleepInterruptible = false;
  /** A timed sleep's deadline in simulated ns (nanosleep): the idle CPU skips ahead to it. */
  wakeAt: number = Number.POSITIVE_INFINITY;
  /** struct restart_block: how an interrupted nanosleep continues (restart_syscall). */
  restartBlock: { nr: number; fn: (t: Task) => number; interrupted: (t: Task) => void } | undefined =
    undefined;
  /** thread.trap_nr, thread.error_code, thread.cr2: the last fault, for the signal frame's sigcontext. */
  trapNr = 0;
  errorCode = 0;
  cr2 = 0;
  /** strace's `--- SIG... ---` lines, printed after the syscall line of the same return. */
  straceSignals: string[] | undefined = undefined;

  constructor(
    readonly pid: number,
    readonly tid: number,
    public mm: MmStruct,
    /** Physical address of the 64 KiB kernel stack. */
    readonly stackPhys: number,
    /** Virtual (direct-map) address of the kernel stack's lowest byte. */
    readonly stack: number,
    /** Virtual address of this task's task_struct (what `current_task` holds). */
    readonly taskStruct: number,
    comm: string,
    /** Open files (struct files_struct). */
    public files: FilesStruct,
    /** Working directory and umask (struct fs_struct). */
    public fs: FsStruct,
  ) {
    this.comm = comm;
  }

  /** thread.sp0 = stack + THREAD_SIZE (x86-64 has no padding). */
  get sp0(): number {
    return this.stack + THREAD_SIZE;
  }

  /** task_pt_regs(tsk) = (struct pt_regs *)tsk->thread.sp0 - 1. */
  get ptRegs(): number {
    return this.sp0 - 168;
  }

  /** Physical address of task_pt_regs(tsk), for the kernel's direct accesses. */
  get ptRegsPhys(): number {
    return this.stackPhys + THREAD_SIZE - 168;
  }
}

/** Thread flags (arch/x86/include/asm/thread_info.h, Lego). */
export const enum Tif {
  SIGPENDING = 1 << 2,
  NEED_RESCHED = 1 << 3,
}
