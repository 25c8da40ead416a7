/**
 * An exception raised while executing an instruction. The run loop catches it, rewinds
 * RIP to the faulting instruction (faults) and delivers it through the IDT.
 */
export class CpuFault {
  constructor(
    readonly vector: number,
    readonly errorCode: number,
    /** The faulting linear address, for #PF (becomes CR2). */
    readonly address = 0,
  ) {}
}

/**
 * The machine cannot continue: a triple fault, or a native function's request to stop
 * the CPU (the task exited). Not a guest-visible event.
 */
export class CpuStop {
  constructor(readonly reason: string) {}
}
