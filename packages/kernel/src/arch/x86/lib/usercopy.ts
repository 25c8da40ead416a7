import { physToVirt } from '@legosim/memory';
import type { Kernel } from '../../../kernel/kernel.js';
import { KernelPanic } from '../../../kernel/panic.js';
import type { Task } from '../../../kernel/task.js';
import type { FaultingCopy } from '../../../kernel/uaccess.js';

/**
 * The route of a user copy that meets an unmapped page (arch/x86/lib/usercopy_64.c): done as
 * Lego does every copy, by the x86 routine copy_user_enhanced_fast_string between the user
 * address and a kernel page, on the CPU running the task, so its page fault is a real
 * kernel-mode #PF (see copy_user_64.S). Only from inside a native of the running task, in
 * its own address space; otherwise undefined, and the caller populates the page itself.
 */
export function userCopyOnCpu(k: Kernel): FaultingCopy {
  // the kernel page the copies go through, one per machine (copies do not nest)
  const bounce = k.mem.allocFrame();
  if (bounce < 0) throw new KernelPanic('out of memory for the user-copy bounce page');
  return (t: Task, user: number, buf: Uint8Array, offset: number, n: number, toUser: boolean): boolean | undefined => {
    const i = k.cpus.findIndex((cpu) => k.currentTask(cpu) === t);
    const cpu = i < 0 ? undefined : k.cpus[i];
    if (cpu === undefined || k.nativeDepth === 0 || cpu.cpl !== 0 || k.mmus[i]!.cr3 !== t.mm.pgd) return undefined;
    const kernelPage = physToVirt(bounce);
    if (toUser) k.mem.writeBytes(bounce, buf, offset, n);
    const left = toUser
      ? k.callKernelFunction(cpu, 'copy_user_enhanced_fast_string', user, kernelPage, n)
      : k.callKernelFunction(cpu, 'copy_user_enhanced_fast_string', kernelPage, user, n);
    if (left !== 0) return false;
    if (!toUser) k.mem.readBytes(bounce, buf, offset, n);
    return true;
  };
}
