import type { Cpu } from '@legosim/cpu';
import { Errno } from '../../../errno.js';
import { doGroupExit } from '../../../kernel/exit.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { ERESTART_RESTARTBLOCK, ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS } from '../../../kernel/sched.js';
import {
  getSignal,
  type KSignal,
  Sa,
  SIG_DFL,
  SIGSEGV,
  Si,
  Sigset,
  SS_AUTODISARM,
  SS_DISABLE,
  SS_ONSTACK,
  sendSignal,
  setCurrentBlocked,
  sigHandled,
  siginfoBytes,
} from '../../../kernel/signal.js';
import type { Task } from '../../../kernel/task.js';
import { copyFromUser, copyToUser } from '../../../kernel/uaccess.js';
import { hexAddr } from './dumpstack.js';
import { FpuState } from './fpu.js';
import { FXSAVE_SIZE, fxrstorImage, fxsaveImage } from './fpu_signal.js';
import { PtRegs } from './ptrace.js';

/**
 * arch/x86/kernel/signal.c: the x86-64 signal frame. A handler runs on the user stack below
 * a `struct rt_sigframe`:
 *
 *     0    pretcode      sa_restorer: the handler's `ret` goes there (mov $15,%eax; syscall)
 *     8    struct ucontext uc
 *            +0 uc_flags, +8 uc_link, +16 uc_stack (ss_sp, ss_flags, ss_size),
 *            +40 struct sigcontext (r8..r15, di, si, bp, bx, dx, ax, cx, sp, ip, flags,
 *                cs/gs/fs/ss, err, trapno, oldmask, cr2, fpstate, reserved[8]),
 *            +296 uc_sigmask
 *   312    struct siginfo info
 *
 * and above it, 64-byte aligned, the FXSAVE image `sigcontext.fpstate` points at.
 */

const SIZEOF_RT_SIGFRAME = 440;
const UC = 8;
const UC_STACK = UC + 16;
const SC = UC + 40;
const UC_SIGMASK = UC + 296;
const INFO = 312;
/** The sigcontext slots of the registers, in struct order, and where pt_regs keeps each. */
const SC_REGS: readonly (readonly [sc: number, regs: number])[] = [
  [0, PtRegs.R8],
  [8, PtRegs.R9],
  [16, PtRegs.R10],
  [24, PtRegs.R11],
  [32, PtRegs.R12],
  [40, PtRegs.R13],
  [48, PtRegs.R14],
  [56, PtRegs.R15],
  [64, PtRegs.DI],
  [72, PtRegs.SI],
  [80, PtRegs.BP],
  [88, PtRegs.BX],
  [96, PtRegs.DX],
  [104, PtRegs.AX],
  [112, PtRegs.CX],
  [120, PtRegs.SP],
  [128, PtRegs.IP],
];
const SC_FLAGS = 136;
const SC_CS = 144;
const SC_SS = 150;
const SC_ERR = 152;
const SC_TRAPNO = 160;
const SC_OLDMASK = 168;
const SC_CR2 = 176;
const SC_FPSTATE = 184;

/** uc_flags: the sigcontext's ss is meaningful and restored strictly (UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS). */
const UC_FLAGS = 0x2 | 0x4;
const USER_CS = 0x33;
const USER_DS = 0x2b;
/** The flags user mode may change through sigreturn: AC OF DF TF SF ZF AF PF CF RF (FIX_EFLAGS). */
const FIX_EFLAGS = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;
const X86_EFLAGS_TF = 0x100;
const X86_EFLAGS_DF = 0x400;
const X86_EFLAGS_RF = 0x10000;
/** The 128-byte red zone below a leaf function's stack pointer, which the frame must skip. */
const REDZONE = 128;
const MINSIGSTKSZ = 2048;
const NR_RESTART_SYSCALL = 219;
const TWO32 = 4294967296;

/** Whether `sp` lies on the task's alternate signal stack (on_sig_stack()). */
function onSigStack(t: Task, sp: number): boolean {
  return t.sasSsSize !== 0 && sp > t.sasSsSp && sp - t.sasSsSp <= t.sasSsSize;
}

/** sas_ss_flags(): what ss_flags reports for a task whose stack pointer is `sp`. */
function sasSsFlags(t: Task, sp: number): number {
  if (t.sasSsSize === 0) return SS_DISABLE;
  return onSigStack(t, sp) ? SS_ONSTACK : 0;
}

function put64(v: DataView, at: number, value: number): void {
  v.setUint32(at, value >>> 0, true);
  v.setUint32(at + 4, Math.floor(value / TWO32) >>> 0, true);
}

function get64(v: DataView, at: number): number {
  return v.getUint32(at + 4, true) * TWO32 + v.getUint32(at, true);
}

/**
 * get_sigframe(): below the red zone (or at the top of the alternate stack with SA_ONSTACK),
 * the FXSAVE area rounded down to 64 bytes, then the frame, placed so that the handler sees
 * the stack as a called function does ((sp + 8) % 16 == 0). -1 when the frame would overflow
 * the alternate stack: the task then dies of SIGSEGV.
 */
function getSigframe(t: Task, ka: KSignal['ka'], sp: number): { frame: number; fpstate: number } {
  let top = sp - REDZONE;
  let onstack = onSigStack(t, sp);
  if ((ka.flags & Sa.ONSTACK) !== 0 && sasSsFlags(t, sp) === 0) {
    top = t.sasSsSp + t.sasSsSize;
    onstack = true;
  }
  const fpstate = Math.floor((top - FXSAVE_SIZE) / 64) * 64;
  const frame = Math.floor((fpstate - SIZEOF_RT_SIGFRAME) / 16) * 16 - 8;
  if (onstack && !onSigStack(t, frame)) return { frame: -1, fpstate };
  return { frame, fpstate };
}

/**
 * setup_rt_frame() (__setup_rt_frame for x86-64): writes the frame and points the registers
 * at the handler: rdi = signal, rsi = &info, rdx = &uc, rax = 0, rsp = frame, rip = handler.
 * False when the frame cannot be written (bad stack, no SA_RESTORER).
 */
function setupRtFrame(k: Kernel, cpu: Cpu, t: Task, ksig: KSignal, mask: Sigset): boolean {
  const sp = k.readRegs(t, PtRegs.SP);
  const { frame, fpstate } = getSigframe(t, ksig.ka, sp);
  if (frame < 0) return false;
  // x86-64 has no vDSO return stub in Lego: a handler without SA_RESTORER cannot return
  if ((ksig.ka.flags & Sa.RESTORER) === 0) return false;
  const regs = new Uint8Array(PtRegs.SIZE);
  k.mem.readBytes(t.ptRegsPhys, regs, 0, PtRegs.SIZE);
  const r = new DataView(regs.buffer);
  const out = new Uint8Array(SIZEOF_RT_SIGFRAME);
  const v = new DataView(out.buffer);
  put64(v, 0, ksig.ka.restorer);
  put64(v, UC, UC_FLAGS);
  // uc_stack: save_altstack_ex()
  put64(v, UC_STACK, t.sasSsSp);
  v.setInt32(UC_STACK + 8, sasSsFlags(t, sp) | (t.sasSsFlags & SS_AUTODISARM), true);
  put64(v, UC_STACK + 16, t.sasSsSize);
  // setup_sigcontext(): the registers exactly as pt_regs holds them (all 64 bits)
  for (const [sc, off] of SC_REGS) {
    v.setUint32(SC + sc, r.getUint32(off, true), true);
    v.setUint32(SC + sc + 4, r.getUint32(off + 4, true), true);
  }
  v.setUint32(SC + SC_FLAGS, r.getUint32(PtRegs.FLAGS, true), true);
  v.setUint32(SC + SC_FLAGS + 4, r.getUint32(PtRegs.FLAGS + 4, true), true);
  v.setUint16(SC + SC_CS, r.getUint16(PtRegs.CS, true), true);
  v.setUint16(SC + SC_SS, r.getUint16(PtRegs.SS, true), true);
  put64(v, SC + SC_ERR, t.errorCode);
  put64(v, SC + SC_TRAPNO, t.trapNr);
  v.setUint32(SC + SC_OLDMASK, mask.lo, true);
  put64(v, SC + SC_CR2, t.cr2);
  put64(v, SC + SC_FPSTATE, fpstate);
  v.setUint32(UC_SIGMASK, mask.lo, true);
  v.setUint32(UC_SIGMASK + 4, mask.hi, true);
  // the siginfo is copied only for SA_SIGINFO handlers (rsi points at the slot either way)
  if ((ksig.ka.flags & Sa.SIGINFO) !== 0) out.set(siginfoBytes(ksig.info), INFO);
  if (!copyToUser(t, fpstate, fxsaveImage(cpu))) return false;
  if (!copyToUser(t, frame, out)) return false;
  if ((t.sasSsFlags & SS_AUTODISARM) >>> 0 !== 0) {
    t.sasSsSp = 0;
    t.sasSsSize = 0;
    t.sasSsFlags = SS_DISABLE;
  }
  k.writeRegs(t, PtRegs.DI, ksig.sig);
  k.writeRegs(t, PtRegs.AX, 0);
  k.writeRegs(t, PtRegs.SI, frame + INFO);
  k.writeRegs(t, PtRegs.DX, frame + UC);
  k.writeRegs(t, PtRegs.IP, ksig.ka.handler);
  k.writeRegs(t, PtRegs.SP, frame);
  k.writeRegs(t, PtRegs.CS, USER_CS);
  k.writeRegs(t, PtRegs.SS, USER_DS);
  return true;
}

/** The syscall whose return this is (orig_ax >= 0), and the error it returned. */
function syscallRestartCode(k: Kernel, t: Task): number {
  if (k.readRegsSigned(t, PtRegs.ORIG_AX) < 0) return 0;
  const ax = k.readRegsSigned(t, PtRegs.AX);
  return ax <= -ERESTARTSYS && ax >= -ERESTART_RESTARTBLOCK ? -ax : 0;
}

/** Runs the SYSCALL instruction (0f 05, 2 bytes) again, with its number back in %rax. */
function restartSyscall(k: Kernel, t: Task, nr: number): void {
  k.writeRegs(t, PtRegs.AX, nr);
  k.writeRegs(t, PtRegs.IP, k.readRegsSigned(t, PtRegs.IP) - 2);
}

/**
 * handle_signal(): a syscall the signal interrupted returns -EINTR or runs again, by its
 * restart code and SA_RESTART; then the frame. Success blocks the handler's sa_mask and the
 * signal itself (unless SA_NODEFER), clears DF/RF/TF and gives the handler a fresh FPU.
 */
function handleSignal(k: Kernel, cpu: Cpu, t: Task, ksig: KSignal): void {
  const code = syscallRestartCode(k, t);
  if (code !== 0) {
    k.syscalls.syscallInterrupted(t);
    // the call's sleep is over either way: -EINTR, or with SA_RESTART a fresh call
    interruptedRestartBlock(t);
    switch (code) {
      case ERESTART_RESTARTBLOCK:
      case ERESTARTNOHAND:
        k.writeRegs(t, PtRegs.AX, -Errno.EINTR);
        break;
      case ERESTARTSYS:
        if ((ksig.ka.flags & Sa.RESTART) === 0) {
          k.writeRegs(t, PtRegs.AX, -Errno.EINTR);
          break;
        }
        restartSyscall(k, t, k.readRegsSigned(t, PtRegs.ORIG_AX));
        break;
      case ERESTARTNOINTR:
        restartSyscall(k, t, k.readRegsSigned(t, PtRegs.ORIG_AX));
        break;
    }
  }
  // sigmask_to_save(): rt_sigsuspend's caller mask, if it is the call being interrupted
  const saved = t.savedSigmask ?? t.blocked;
  t.savedSigmask = undefined;
  if (!setupRtFrame(k, cpu, t, ksig, saved.copy())) {
    forceSigsegv(k, t, ksig.sig, 'cannot set up the signal frame');
    return;
  }
  const flags = k.readRegs(t, PtRegs.FLAGS);
  k.writeRegs(
    t,
    PtRegs.FLAGS,
    flags - (flags % TWO32) + ((flags % TWO32) & ~(X86_EFLAGS_DF | X86_EFLAGS_RF | X86_EFLAGS_TF)),
  );
  FpuState.clear(cpu);
  // signal_delivered(): the handler runs with its sa_mask and (unless SA_NODEFER) its own signal blocked
  const blocked = saved.copy();
  blocked.lo = (blocked.lo | ksig.ka.mask.lo) >>> 0;
  blocked.hi = (blocked.hi | ksig.ka.mask.hi) >>> 0;
  if ((ksig.ka.flags & Sa.NODEFER) === 0) blocked.add(ksig.sig);
  setCurrentBlocked(t, blocked);
}

/**
 * A sleep a handler cuts short ends its restart block: nanosleep reports the time it had
 * left, a futex waiter leaves the queue.
 */
function interruptedRestartBlock(t: Task): void {
  if (t.restartBlock !== undefined) {
    t.restartBlock.interrupted(t);
    t.restartBlock = undefined;
  }
}

/**
 * force_sigsegv(): the task could not take a signal (bad stack, no restorer). A SIGSEGV
 * handler may still catch that, unless SIGSEGV was the signal being delivered; otherwise the
 * task dies.
 */
function forceSigsegv(k: Kernel, t: Task, sig: number, why: string): void {
  if (sig === SIGSEGV) t.sighand.action[SIGSEGV]!.handler = SIG_DFL;
  if (!sigHandled(t, SIGSEGV)) {
    doGroupExit(k, t, 0, SIGSEGV, `SIGSEGV: ${why} at sp ${hexAddr(k.readRegs(t, PtRegs.SP))}`);
  }
  sendSignal(k, t, { signo: SIGSEGV, errno: 0, code: Si.KERNEL }, false);
}

/**
 * do_signal(): on the way to user mode with TIF_SIGPENDING: a signal with a handler gets its
 * frame; otherwise an interrupted syscall is restarted (restart_syscall for nanosleep's
 * restart block) and rt_sigsuspend's mask comes back.
 */
export function doSignal(k: Kernel, cpu: Cpu, t: Task): void {
  const ksig = getSignal(k, t);
  if (ksig !== undefined) {
    handleSignal(k, cpu, t, ksig);
    return;
  }
  const code = syscallRestartCode(k, t);
  if (code === ERESTART_RESTARTBLOCK) restartSyscall(k, t, NR_RESTART_SYSCALL);
  else if (code !== 0) restartSyscall(k, t, k.readRegsSigned(t, PtRegs.ORIG_AX));
  restoreSavedSigmask(t);
}

/** restore_saved_sigmask(): no handler ran, so rt_sigsuspend's temporary mask ends here. */
export function restoreSavedSigmask(t: Task): void {
  if (t.savedSigmask === undefined) return;
  const saved = t.savedSigmask;
  t.savedSigmask = undefined;
  setCurrentBlocked(t, saved);
}

/**
 * A syscall that slept and is woken by what it waited for (not by a signal) runs again from
 * the SYSCALL instruction: the model's way of finishing a wait (the call sees the condition
 * true and completes).
 */
export function restartAfterWakeup(k: Kernel, t: Task): void {
  if (syscallRestartCode(k, t) !== 0) restartSyscall(k, t, k.readRegsSigned(t, PtRegs.ORIG_AX));
}

/**
 * rt_sigreturn(): the handler returned through sa_restorer, so the frame is 8 bytes below
 * the stack pointer (its `ret` popped pretcode). Restores the mask, the registers (user mode
 * may change only the arithmetic and trap flags, and always gets the user CS and SS back),
 * the FPU state and the alternate stack. A frame it cannot read is a SIGSEGV.
 */
export function sysRtSigreturn(k: Kernel, t: Task): number {
  const cpu = k.currentCpu(t);
  const frame = k.readRegs(t, PtRegs.SP) - 8;
  const raw = frame >= 0 ? copyFromUser(t, frame, SIZEOF_RT_SIGFRAME) : null;
  if (raw === null) return badFrame(k, t, frame);
  const v = new DataView(raw.buffer);
  const fpstate = get64(v, SC + SC_FPSTATE);
  let fx: Uint8Array | null = null;
  if (fpstate !== 0) {
    fx = copyFromUser(t, fpstate, FXSAVE_SIZE);
    if (fx === null) return badFrame(k, t, frame);
  }
  setCurrentBlocked(t, new Sigset(v.getUint32(UC_SIGMASK, true), v.getUint32(UC_SIGMASK + 4, true)));
  // restore_sigcontext()
  const regs = new Uint8Array(PtRegs.SIZE);
  k.mem.readBytes(t.ptRegsPhys, regs, 0, PtRegs.SIZE);
  const r = new DataView(regs.buffer);
  for (const [sc, off] of SC_REGS) {
    r.setUint32(off, v.getUint32(SC + sc, true), true);
    r.setUint32(off + 4, v.getUint32(SC + sc + 4, true), true);
  }
  const flags = r.getUint32(PtRegs.FLAGS, true);
  r.setUint32(
    PtRegs.FLAGS,
    ((flags & ~FIX_EFLAGS) | (v.getUint32(SC + SC_FLAGS, true) & FIX_EFLAGS)) >>> 0,
    true,
  );
  r.setUint32(PtRegs.FLAGS + 4, 0, true);
  put64(r, PtRegs.CS, USER_CS);
  put64(r, PtRegs.SS, USER_DS);
  // no syscall restart checks on the way out: the restored ax is the interrupted code's
  r.setInt32(PtRegs.ORIG_AX, -1, true);
  r.setInt32(PtRegs.ORIG_AX + 4, -1, true);
  k.mem.writeBytes(t.ptRegsPhys, regs, 0, PtRegs.SIZE);
  if (fx === null) FpuState.clear(cpu);
  else fxrstorImage(cpu, fx);
  // restore_altstack(): only a fault matters; EPERM/EINVAL/ENOMEM are squashed
  doSigaltstack(
    t,
    { sp: get64(v, UC_STACK), flags: v.getInt32(UC_STACK + 8, true), size: get64(v, UC_STACK + 16) },
    k.readRegs(t, PtRegs.SP),
  );
  // the restored ax, as strace shows it (pt_regs already holds all 64 bits)
  return k.readRegsSigned(t, PtRegs.AX);
}

/** signal_fault(): Lego's `bad frame` line, then SIGSEGV (fatal unless a handler catches it). */
function badFrame(k: Kernel, t: Task, frame: number): number {
  const ip = k.readRegs(t, PtRegs.IP);
  const sp = k.readRegs(t, PtRegs.SP);
  k.console.printk(
    `${t.comm}[${t.pid}] bad frame in rt_sigreturn frame:${hexAddr(frame)} ip:${ip.toString(16)} sp:${sp.toString(16)} orax:${k.regsHex(t, PtRegs.ORIG_AX)}`,
  );
  if (!sigHandled(t, SIGSEGV))
    doGroupExit(k, t, 0, SIGSEGV, `SIGSEGV: bad frame in rt_sigreturn at ${hexAddr(frame)}`);
  sendSignal(k, t, { signo: SIGSEGV, errno: 0, code: Si.KERNEL }, false);
  // the registers stay as they are: the SIGSEGV handler runs on the current stack
  return k.readRegsSigned(t, PtRegs.AX);
}

/** stack_t as sigaltstack reads it. */
export interface StackT {
  sp: number;
  flags: number;
  size: number;
}

/**
 * do_sigaltstack(): installs `ss` (unless undefined) as the alternate signal stack and returns
 * the old one; errors as -errno. It cannot change while the task runs on it.
 */
export function doSigaltstack(t: Task, ss: StackT | undefined, sp: number): StackT | number {
  const old: StackT = {
    sp: t.sasSsSp,
    flags: sasSsFlags(t, sp) | (t.sasSsFlags & SS_AUTODISARM),
    size: t.sasSsSize,
  };
  if (ss === undefined) return old;
  if (onSigStack(t, sp)) return -Errno.EPERM;
  const mode = ss.flags & ~SS_AUTODISARM;
  if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return -Errno.EINVAL;
  if (mode === SS_DISABLE) {
    t.sasSsSp = 0;
    t.sasSsSize = 0;
    t.sasSsFlags = SS_DISABLE;
    return old;
  }
  if (ss.size < MINSIGSTKSZ) return -Errno.ENOMEM;
  t.sasSsSp = ss.sp;
  t.sasSsSize = ss.size;
  t.sasSsFlags = ss.flags & SS_AUTODISARM;
  return old;
}
