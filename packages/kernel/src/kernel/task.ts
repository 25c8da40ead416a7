import type { MmStruct } from '../mm/mm.js';

/** THREAD_SIZE: 64 KiB kernel stacks (order 4). */
export const THREAD_SIZE = 0x10000;

/**
 * A task (Lego's `task_struct`, the parts the model uses). Its kernel stack is 64 KiB of
 * modeled memory; `thread_info` sits at the lowest address and `thread.sp0` is the top.
 */
export class Task {
  /** Thread flags (TIF_*): checked by prepare_exit_to_usermode. */
  flags = 0;
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

  constructor(
    readonly pid: number,
    readonly tid: number,
    readonly mm: MmStruct,
    /** Physical address of the 64 KiB kernel stack. */
    readonly stackPhys: number,
    /** Virtual (direct-map) address of the kernel stack's lowest byte. */
    readonly stack: number,
    /** Virtual address of this task's task_struct (what `current_task` holds). */
    readonly taskStruct: number,
    comm: string,
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
