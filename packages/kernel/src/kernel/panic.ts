/** Thrown when the run cannot continue for a reason outside the guest (a kernel bug, a limit). */
export class KernelPanic extends Error {
  override readonly name = 'KernelPanic';
}
