import { type Cpu, StopReason } from '@legosim/cpu';
import type { TraceSink } from '@legosim/trace';
import type { Task } from './task.js';

/**
 * `--trace-instructions`: runs a CPU one instruction at a time and records an `instruction`
 * event for each one that retires, with its bytes, the CPL it ran at and the state it left (RSP, RFLAGS,
 * GS base): what the explain view and the playground draw the kernel stack from.
 *
 * The bytes are read before the instruction runs, with the translation it is fetched with:
 * afterwards the CPL may have changed (a `syscall` at CPL 3 retires at CPL 0, where SMEP
 * forbids fetching its user page). When an interrupt or exception is delivered first, the
 * instruction that retires is the handler's first, in kernel text, read after the step.
 */
export class InstructionTracer {
  private readonly bytes = new Uint8Array(16);

  constructor(
    private readonly trace: TraceSink,
    private readonly now: () => number,
    private readonly current: (cpu: Cpu) => Task,
  ) {}

  /** Like `cpu.run(budget)`, one instruction per step. */
  run(cpu: Cpu, budget: number): StopReason {
    for (let i = 0; i < budget; i++) {
      const ins = cpu.peekInstruction();
      const ip = cpu.rip;
      const length = ins === undefined ? 0 : this.read(cpu, ip, ins.length);
      const before = cpu.instret;
      const start = this.now();
      const cpl = cpu.cpl;
      const why = cpu.run(1);
      if (cpu.instret !== before) {
        const retiredIp = cpu.instructionIp;
        let n = length;
        // an interrupt or exception delivered first: the handler's first instruction ran, at CPL 0
        const ranAt = retiredIp === ip ? cpl : 0;
        if (retiredIp !== ip || n === 0) {
          n = this.readAt(cpu, retiredIp);
        }
        const t = this.current(cpu);
        this.trace.instruction(
          start,
          cpu.id,
          t.pid,
          t.tid,
          retiredIp,
          this.bytes.subarray(0, n),
          ranAt,
          cpu.rsp,
          cpu.getRflags(),
          cpu.gsBase,
        );
      }
      if (why !== StopReason.Budget) return why;
    }
    return StopReason.Budget;
  }

  /** Decodes the instruction at `ip` (RIP is moved there for the fetch and put back). */
  private readAt(cpu: Cpu, ip: number): number {
    const rip = cpu.rip;
    cpu.rip = ip;
    const ins = cpu.peekInstruction();
    cpu.rip = rip;
    return ins === undefined ? 0 : this.read(cpu, ip, ins.length);
  }

  /** Copies the `length` bytes at `ip` (as the CPU fetches them now); the count it could read. */
  private read(cpu: Cpu, ip: number, length: number): number {
    for (let i = 0; i < length; i++) {
      const pa = cpu.mmu.translateFetch(ip + i);
      if (pa < 0) return i;
      this.bytes[i] = cpu.mmu.readPhys8(pa);
    }
    return length;
  }
}
