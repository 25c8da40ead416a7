import { Cpu, CpuStop, Msr, type NativeFunction, Rflags, StopReason } from '@legosim/cpu';
import {
  ApicBus,
  FIRST_EXTERNAL_VECTOR,
  FIRST_SYSTEM_VECTOR,
  IoApic,
  CALL_FUNCTION_SINGLE_VECTOR,
  CALL_FUNCTION_VECTOR,
  configureLegoTimer,
  LocalApic,
  RESCHEDULE_VECTOR,
  PerCpuAreas,
  TSS_SELECTOR,
  KERNEL_CS,
  KERNEL_DS,
  USER32_CS,
} from '@legosim/interrupts';
import { Mmu, PageTables, PAGE_OFFSET, PhysicalMemory, physToVirt, Pte, PteHi, START_KERNEL, virtToPhys } from '@legosim/memory';
import type { TraceSink } from '@legosim/trace';
import { Decoder, type InstructionDecoder } from '@legosim/x86';
import { assemble } from '@legosim/x86/asm';
import { SyscallPath } from '../arch/x86/entry/common.js';
import { ENTRY_64_S } from '../arch/x86/entry/entry_64.js';
import { IDLE_64_S } from '../arch/x86/kernel/idle_64.js';
import { smpCallFunctionInterrupt, smpRescheduleInterrupt, wakeIdleCpus } from '../arch/x86/kernel/smp.js';
import { smpBootCpus } from '../arch/x86/kernel/smpboot.js';
import { flushTlbMm } from '../arch/x86/mm/tlb.js';
import { CLEAR_PAGE_64_S } from '../arch/x86/lib/clear_page_64.js';
import { COPY_USER_64_S } from '../arch/x86/lib/copy_user_64.js';
import { PtRegs } from '../arch/x86/kernel/ptrace.js';
import { doTrap, TRAPS } from '../arch/x86/kernel/traps.js';
import { loadElf } from '../fs/exec.js';
import { FilesStruct } from '../fs/file.js';
import type { HostFs } from '../fs/hostfs.js';
import { MountError, type MountSpec, Namespace, programFile } from '../fs/namespace.js';
import { MmStruct } from '../mm/mm.js';
import { recordExit } from './exit.js';
import { release } from './fork.js';
import { InstructionTracer } from './instruction_trace.js';
import { KernelPanic } from './panic.js';
import { setFaultingCopy } from './uaccess.js';
import { InterruptEntry } from '../arch/x86/kernel/irq.js';
import { userCopyOnCpu } from '../arch/x86/lib/usercopy.js';
import { Console, type ConsoleWriter } from './printk.js';
import { SeededRandom } from './random.js';
import { buildSyscallTable } from './syscall_table.js';
import type { SyscallFn, SyscallRow } from './sys/types.js';
import { deadlock, ERESTARTNOINTR, ERESTARTSYS, nextWakeup, runnable, schedule, TaskExited } from './sched.js';
import { runTimers } from './itimer.js';
import { doNotifyParent } from './signal.js';
import { type FsStruct, Task, TaskState, Tif } from './task.js';

/** What the kernel needs from the host: the guest's standard streams. */
export interface HostIO {
  write(fd: number, data: Uint8Array): void;
  /** Reads up to `max` bytes of stdin; an empty array is end of file. */
  read(fd: number, max: number): Uint8Array;
}

/** One CPU's counters (`Kernel.cpuCounters`). */
export interface CpuCounters {
  /** Instructions retired. */
  instructions: number;
  /** Of those, at CPL 3. */
  userInstructions: number;
  /** Simulated time spent halted (idle). */
  haltedNs: number;
  /** Instructions retired inside translation blocks (compiled guest code). */
  translatedInstructions: number;
  /** Translation blocks compiled. */
  translationBlocks: number;
}

export interface KernelOptions {
  host: HostIO;
  /** Kernel console lines (printk, WARN, NOTICE, segfault reports). Default: discarded. */
  console?: ConsoleWriter;
  /** CPUs (default 1, at most 32): each with its APIC, TLB, per-CPU area and idle task. */
  cpus?: number;
  /**
   * Compile hot guest code into translation blocks (default true). False runs every
   * instruction through the interpreter: slower, with the same results, counts and traces.
   */
  translate?: boolean;
  /** Physical memory in bytes (default 256 MiB). */
  memory?: number;
  /** APIC timer frequency (default 100, Lego's HZ); 0 disables the timer. */
  timerHz?: number;
  /** Only Lego's own 111 syscalls; every other number goes to sys_ni_syscall. */
  legoTableOnly?: boolean;
  /** Stop the guest after this many instructions (default: no limit). */
  maxInstructions?: number;
  trace?: TraceSink;
  /**
   * Also record an `instruction` event for every retired instruction (slow: the machine runs
   * one instruction at a time). Needs `trace`.
   */
  traceInstructions?: boolean;
  /** One strace-format line per syscall. */
  strace?: (line: string) => void;
  /** Replace syscall handlers by number (experiments and tests: e.g. one that returns with IRQs off). */
  overrides?: ReadonlyMap<number, SyscallFn>;
  /** Syscall names whose handler should return with interrupts disabled (`--inject irqs-off:NAME`). */
  injectIrqsOff?: readonly string[];
  decoder?: InstructionDecoder;
  /** Host directories visible to the guest (`--mount HOST:GUEST[:ro]`); nothing else of the host is. */
  mounts?: readonly MountSpec[];
  /** The host's files, for `mounts` (the CLI gives Node's file system). */
  hostFs?: HostFs;
  /** The first task's working directory in the guest (default `/`). */
  cwd?: string;
  /** Seed of /dev/urandom, AT_RANDOM and getrandom (default 1). */
  seed?: number;
}

export interface RunResult {
  /** The guest's exit status (0..255), or 128+signal when a signal killed it. */
  status: number;
  /** Signal that killed the guest, or 0. */
  signal: number;
  /** One-line reason when the guest did not exit normally. */
  reason?: string;
  /** Instructions retired, kernel entry code included. */
  instructions: number;
  /** Instructions retired in user mode (CPL 3): what a user-space counter such as callgrind counts. */
  userInstructions: number;
  syscalls: number;
  /** Simulated nanoseconds. */
  simulatedNs: number;
}


/** The last assembly of entry_64.S and the symbols it was assembled against. */
let assembled: { key: string; result: ReturnType<typeof assemble> } | undefined;

/** Physical placement of the kernel image (CONFIG_PHYSICAL_START) and the first free frame. */
const KERNEL_PHYS = 0x1000000;
const KERNEL_TEXT_SIZE = 0x100000;
const NATIVES_OFFSET = 0x80000;
const ALLOC_START = 0x1400000;
const TWO32 = 4294967296;
/** The stop reason that ends a `callKernelFunction`. */
const KERNEL_CALL_RETURN = 'kernel function returned';
const LOCAL_TIMER_VECTOR = 0xef;
/** The most CPUs a machine has: affinity masks are 32-bit here. */
export const MAX_CPUS = 32;
/**
 * On a machine of several CPUs, each takes turns of this many simulated ns (10 µs) in CPU
 * order: the interleaving, and so the whole run, is the same every time.
 */
const SMP_TURN_NS = 10_000;

/**
 * The Lego kernel model: boots one x86-64 CPU (GDT, TSS, IDT, per-CPU area, syscall MSRs,
 * APIC timer), assembles `entry_64.S` into kernel text, and runs a static program as the
 * first task. The C side of the kernel (do_syscall_64, the trap handlers, the syscalls) is
 * TypeScript reached through native addresses in kernel text.
 */
export class Kernel {
  readonly mem: PhysicalMemory;
  readonly pt: PageTables;
  readonly kernelPgd: number;
  readonly cpus: Cpu[] = [];
  readonly apics: LocalApic[] = [];
  /** Each CPU's MMU (the CPU sees it through its Bus interface; the kernel reads its counters). */
  readonly mmus: Mmu[] = [];
  readonly percpu: PerCpuAreas;
  readonly console: Console;
  readonly host: HostIO;
  readonly random: SeededRandom;
  /** The guest's file namespace: tmpfs root, /dev, /proc/self/exe and the mounts. */
  readonly ns: Namespace;
  readonly table: SyscallRow[];
  /** Entry-code symbols (entry_SYSCALL_64, ret_from_fork, ...) and native function addresses. */
  readonly symbols: Map<string, number> = new Map();
  /** Simulated wall-clock epoch for CLOCK_REALTIME: 2020-01-01T00:00:00Z. */
  readonly epochNs = 1577836800e9;
  executablePath = '';
  syscallCount = 0;

  /** @internal The options the kernel was built with (the syscall path reads strace and injections). */
  readonly options: KernelOptions;
  /** @internal The trace sink, if recording. */
  readonly trace: TraceSink | undefined;
  /** @internal */
  readonly syscalls: SyscallPath;
  private readonly current: (Task | undefined)[] = [];
  /** The bus the local APICs and the IO-APIC share: IPIs and device interrupts travel on it. */
  readonly bus: ApicBus = new ApicBus();
  /**
   * The IO-APIC: 24 device lines, every redirection entry masked at boot. The model has no
   * devices; a host (or a test) programs an entry and raises a line, as a driver and its
   * device would, and the vector arrives through irq_entries_start and do_IRQ.
   */
  readonly ioApic: IoApic = new IoApic();
  /** @internal Each CPU's idle task (only on a machine of several CPUs). */
  readonly idleTasks: Task[] = [];
  /** @internal Bit N set while CPU N runs its idle task. */
  idleCpus = 0;
  /** @internal Bit N set once CPU N was sent a reschedule IPI, until it next schedules. */
  kickedCpus = 0;
  /** @internal The CPU executing now: whose clock `now()` reads. */
  running = 0;
  /** @internal Per CPU: the simulated time of the last IPI sent to it (a halted CPU wakes no earlier). */
  readonly ipiSentAt: number[] = [];
  /** @internal Per CPU: functions queued by smp_call_function for its call-function IPI. */
  readonly callFunctionQueue: (() => void)[][] = [];
  /** The simulated time up to which every CPU has had its turn (machines of several CPUs). */
  private turnsDoneNs = 0;
  /** @internal The C side of interrupt and exception entry, with its nesting count. */
  readonly interruptEntry: InterruptEntry = new InterruptEntry(this);
  /** @internal Native functions running now (a user copy can only run x86 code from inside one). */
  nativeDepth = 0;
  /** @internal The exception table of the kernel text, read at its first use. */
  exceptionTable: Map<number, number> | undefined;
  /** Per CPU: the instruction count up to which its APIC timer has been advanced. */
  private readonly apicSyncedAt: number[] = [];
  /** @internal Every task not yet reaped, in creation order (the run queue's order). */
  readonly tasks: Task[] = [];
  private nextNative = 0;
  /** Per CPU: simulated ns without retiring instructions (halted, or skipped ahead by the idle loop). */
  private readonly idleNs: number[] = [];
  /** @internal */
  nextPid = 1;
  private result: { status: number; signal: number; reason?: string } | undefined;

  constructor(options: KernelOptions) {
    this.options = options;
    this.host = options.host;
    this.trace = options.trace;
    if (options.trace && options.traceInstructions) {
      this.instructionTracer = new InstructionTracer(options.trace, () => this.now(), (cpu) => this.currentTask(cpu));
    }
    this.console = new Console(options.console ?? (() => {}));
    this.random = new SeededRandom(options.seed ?? 1);
    this.ns = new Namespace(
      () => (this.cpus.length > 0 ? this.now() : 0),
      options.host,
      (n) => this.random.bytes(n),
      () => this.current[this.running]?.exe ?? { path: this.executablePath, inode: undefined },
    );
    for (const spec of options.mounts ?? []) {
      if (!options.hostFs) throw new MountError('mounts need a host file system (KernelOptions.hostFs)');
      this.ns.mount(options.hostFs, spec);
    }
    this.mem = new PhysicalMemory({ size: options.memory ?? 256 * 1024 * 1024, allocStart: ALLOC_START });
    this.pt = new PageTables(this.mem);
    this.table = buildSyscallTable(options.legoTableOnly ?? false);
    this.syscalls = new SyscallPath(this);
    for (const [nr, fn] of options.overrides ?? []) if (this.table[nr]) this.table[nr]!.fn = fn;
    this.kernelPgd = this.allocRoot();
    this.mapKernel();
    const decoder = options.decoder ?? new Decoder();
    const nrCpus = options.cpus ?? 1;
    if (!Number.isInteger(nrCpus) || nrCpus < 1 || nrCpus > MAX_CPUS)
      throw new KernelPanic(`cannot model ${nrCpus} CPUs (1 to ${MAX_CPUS})`);
    for (let id = 0; id < nrCpus; id++) {
      const mmu = new Mmu(this.mem);
      // APIC ID = CPU number; the boot CPU's APIC is active, the others wait for a STARTUP IPI
      const apic = new LocalApic({ apicId: id, bsp: id === 0 });
      this.bus.attach(apic);
      // RDMSR/WRMSR of IA32_APIC_BASE and the x2APIC registers reach the CPU's own APIC
      this.cpus.push(new Cpu({ id, mmu, decoder, interrupts: apic, msrHook: apic.msrHook, translate: options.translate ?? true }));
      this.mmus.push(mmu);
      this.apics.push(apic);
      this.apicSyncedAt.push(0);
      this.idleNs.push(0);
      this.ipiSentAt.push(0);
      this.callFunctionQueue.push([]);
    }
    if (options.trace) {
      const trace = options.trace;
      this.bus.onIpi = (from, to, vector) => trace.ipi(this.now(), from.apicId, from.apicId, to.apicId, vector);
    }
    this.bus.attachIoApic(this.ioApic);
    this.percpu = this.setupPerCpuAreas(nrCpus);
    this.registerNatives();
    this.assembleEntryCode();
    setFaultingCopy(this.pt, userCopyOnCpu(this));
    this.setupIdt();
    this.cpuInit(0);
    if (nrCpus > 1) {
      for (let id = 0; id < nrCpus; id++) this.idleTasks.push(this.newIdleTask(id));
      smpBootCpus(this);
    }
  }

  // ---------------------------------------------------------------- boot

  private allocRoot(): number {
    const root = this.pt.createRoot();
    if (root < 0) throw new KernelPanic('out of memory for the kernel page tables');
    return root;
  }

  /** Kernel text at __START_KERNEL (read-only, executable) and the direct map of all memory (RW, NX). */
  private mapKernel(): void {
    const ok1 = this.pt.mapRange(this.kernelPgd, START_KERNEL, KERNEL_PHYS, KERNEL_TEXT_SIZE, Pte.P | Pte.G);
    const ok2 = this.pt.mapRange(this.kernelPgd, PAGE_OFFSET, 0, this.mem.size, Pte.P | Pte.RW | Pte.G, PteHi.XD, true);
    if (!ok1 || !ok2) throw new KernelPanic('cannot map the kernel');
  }

  /** Direct-map kernel memory as the per-CPU code sees it. */
  private readonly kmem = {
    read32: (va: number): number => this.mem.read32(virtToPhys(va)),
    write32: (va: number, value: number): void => this.mem.write32(virtToPhys(va), value),
  };

  private setupPerCpuAreas(nrCpus: number): PerCpuAreas {
    const probe = PerCpuAreas.contiguous(this.kmem, 0, 1);
    const size = Math.ceil(probe.layout.size / 4096) * 4096;
    const order = Math.ceil(Math.log2(size / 4096));
    const offsets: number[] = [];
    for (let cpu = 0; cpu < nrCpus; cpu++) {
      const pa = this.mem.allocPages(order);
      if (pa < 0) throw new KernelPanic('out of memory for per-CPU areas');
      offsets.push(physToVirt(pa));
    }
    const areas = new PerCpuAreas(this.kmem, offsets, probe.layout);
    for (let cpu = 0; cpu < nrCpus; cpu++) areas.initCpu(cpu);
    return areas;
  }

  /** Places a native function at the next slot of native text: the bytes are `ud2`, the CPU calls `fn` instead. */
  private native(name: string, fn: NativeFunction): number {
    const offset = NATIVES_OFFSET + this.nextNative * 16;
    this.nextNative++;
    const va = START_KERNEL + offset;
    this.mem.write8(KERNEL_PHYS + offset, 0x0f);
    this.mem.write8(KERNEL_PHYS + offset + 1, 0x0b);
    // a native whose task exited has already switched the CPU to another task's stack:
    // its `ret` then returns into that task's path
    const wrapped: NativeFunction = (cpu) => {
      this.nativeDepth++;
      try {
        fn(cpu);
      } catch (e) {
        if (!(e instanceof TaskExited)) throw e;
      } finally {
        this.nativeDepth--;
      }
    };
    for (const cpu of this.cpus) cpu.natives.set(va, wrapped);
    this.symbols.set(name, va);
    return va;
  }

  private registerNatives(): void {
    this.native('do_syscall_64', (cpu) => this.syscalls.doSyscall64(cpu));
    this.native('syscall_return_slowpath', (cpu) => this.syscalls.syscallReturnSlowpath(cpu));
    this.native('prepare_exit_to_usermode', (cpu) => this.syscalls.prepareExitToUsermode(cpu));
    // schedule_tail → finish_task_switch → raw_spin_unlock_irq: a new task's first
    // instructions after the switch run with interrupts enabled
    this.native('schedule_tail', (cpu) => {
      cpu.rflags |= Rflags.IF;
    });
    const entry = this.interruptEntry;
    this.native('smp_apic_timer_interrupt', (cpu) => entry.irq(cpu, () => this.withIrqRegs(cpu, () => this.smpApicTimerInterrupt(cpu))));
    this.native('smp_reschedule_interrupt', (cpu) => entry.irq(cpu, () => smpRescheduleInterrupt(this, cpu)));
    this.native('smp_call_function_interrupt', (cpu) => entry.irq(cpu, () => smpCallFunctionInterrupt(this, cpu)));
    this.native('smp_call_function_single_interrupt', (cpu) => entry.irq(cpu, () => smpCallFunctionInterrupt(this, cpu)));
    // cpu_idle_loop's C parts: need_resched() and schedule_idle(); a task switched to there
    // left through exit_to_usermode_loop, so the loop goes on for it
    this.native('idle_need_resched', (cpu) => cpu.setGpr(0, (this.currentTask(cpu).flags & Tif.NEED_RESCHED) !== 0 ? 1 : 0));
    this.native('schedule_idle', (cpu) => {
      if (!schedule(this, cpu)) this.syscalls.exitToUsermodeLoop(cpu);
    });
    this.native('smp_spurious_interrupt', (cpu) => entry.irq(cpu, () => {}));
    this.native('smp_error_interrupt', (cpu) => entry.irq(cpu, () => this.apics[cpu.id]!.eoi()));
    this.native('do_IRQ', (cpu) => entry.irq(cpu, () => this.withIrqRegs(cpu, () => this.doIrq(cpu))));
    for (const [vector, , handler] of TRAPS) this.native(handler, (cpu) => entry.exception(cpu, vector, () => doTrap(this, cpu, vector)));
    // where a kernel function called by callKernelFunction returns to: the call is over
    this.native('kernel_call_return', (cpu) => cpu.stop(KERNEL_CALL_RETURN));
  }

  /**
   * Runs the kernel-text function `name` for a native, as a C caller would: arguments in
   * %rdi, %rsi, %rdx, a return address pushed on the current kernel stack, and the CPU
   * executing the function's instructions until it returns. Faults and interrupts taken
   * meanwhile push their frames on this same stack, below the native's caller, and the APIC
   * timer keeps counting. Returns %rax; every other register is left as it was.
   */
  callKernelFunction(cpu: Cpu, name: string, a0 = 0, a1 = 0, a2 = 0): number {
    const saved: number[] = [];
    for (let i = 0; i < 16; i++) saved.push(cpu.gpr(i));
    const rip = cpu.rip;
    cpu.setGpr(7, a0);
    cpu.setGpr(6, a1);
    cpu.setGpr(2, a2);
    cpu.pushN(this.symbol('kernel_call_return'));
    cpu.rip = this.symbol(name);
    const apic = this.apics[cpu.id]!;
    for (;;) {
      // the outer run's instructions so far count too, so the timer fires on time in here
      this.syncApic(cpu);
      const next = apic.nextEventIn();
      const budget = Math.max(1, Math.min(1_000_000, Number.isFinite(next) ? Math.ceil(next) : 1_000_000));
      const why = this.instructionTracer ? this.instructionTracer.run(cpu, budget) : cpu.run(budget);
      if (why === StopReason.Stopped) {
        if (cpu.stopReason === KERNEL_CALL_RETURN) break;
        // a stop for the whole run (a guest exit, a panic) ends the outer run too
        throw new CpuStop(cpu.stopReason ?? 'stopped');
      }
      if (why === StopReason.Halted) throw new KernelPanic(`${name}: hlt in a kernel function`);
    }
    const ret = cpu.gpr(0);
    for (let i = 1; i < 16; i++) cpu.setGpr(i, saved[i]!);
    cpu.rip = rip;
    // the run this native is part of ends after it: the caller then brings the APIC up to date
    cpu.endSlice();
    return ret;
  }

  /** The APIC timer counts retired instructions (1 ns each): bring it up to the CPU's count. */
  private syncApic(cpu: Cpu): void {
    const id = cpu.id;
    this.apics[id]!.advance(cpu.instret - this.apicSyncedAt[id]!);
    this.apicSyncedAt[id] = cpu.instret;
  }

  private assembleEntryCode(): void {
    const symbols: Record<string, number> = {};
    for (const [name, va] of this.symbols) symbols[name] = va;
    const layout = this.percpu.layout;
    for (const s of layout.symbols) symbols[s.name] = s.offset;
    // Every boot assembles the same source against the same symbols: do it once per process.
    const key = JSON.stringify(symbols);
    // the kernel text: the entry code, then the arch/x86/lib routines it and the natives call
    const text = `${ENTRY_64_S}\n${COPY_USER_64_S}\n${CLEAR_PAGE_64_S}\n${IDLE_64_S}`;
    if (assembled?.key !== key) assembled = { key, result: assemble(text, { origin: START_KERNEL, symbols }) };
    const result = assembled.result;
    if (result.bytes.length > NATIVES_OFFSET) throw new KernelPanic('the kernel text does not fit below the native functions');
    this.mem.writeBytes(KERNEL_PHYS, result.bytes);
    for (const [name, value] of result.symbols) if (!this.symbols.has(name)) this.symbols.set(name, value);
  }

  symbol(name: string): number {
    const v = this.symbols.get(name);
    if (v === undefined) throw new KernelPanic(`entry_64.S does not define ${name}`);
    return v;
  }

  /** 256 interrupt gates, DPL 0 (int3 and into DPL 3 so user mode can raise them), IST 0, __KERNEL_CS. */
  private idtPhys = 0;
  private setupIdt(): void {
    this.idtPhys = this.mem.allocFrame();
    const gate = (vector: number, target: number, dpl: number): void => {
      const pa = this.idtPhys + vector * 16;
      const lo = target >>> 0;
      this.mem.write32(pa, ((KERNEL_CS << 16) | (lo & 0xffff)) >>> 0);
      this.mem.write32(pa + 4, ((lo & 0xffff0000) | 0x8000 | (dpl << 13) | (0xe << 8)) >>> 0);
      this.mem.write32(pa + 8, Math.floor(target / TWO32) >>> 0);
      this.mem.write32(pa + 12, 0);
    };
    for (const [vector, entry, , dpl] of TRAPS) {
      const va = this.symbols.get(entry);
      if (va !== undefined) gate(vector, va, dpl);
    }
    // device vectors: one 8-byte stub each in irq_entries_start (apic_intr_init / idt_setup_apic_and_irq_gates)
    const stubs = this.symbol('irq_entries_start');
    for (let vector = FIRST_EXTERNAL_VECTOR; vector < FIRST_SYSTEM_VECTOR; vector++)
      gate(vector, stubs + 8 * (vector - FIRST_EXTERNAL_VECTOR), 0);
    const timer = this.symbols.get('apic_timer_interrupt');
    if (timer !== undefined) gate(LOCAL_TIMER_VECTOR, timer, 0);
    const spurious = this.symbols.get('spurious_interrupt');
    if (spurious !== undefined) gate(0xff, spurious, 0);
    const error = this.symbols.get('error_interrupt');
    if (error !== undefined) gate(0xfe, error, 0);
    gate(CALL_FUNCTION_SINGLE_VECTOR, this.symbol('call_function_single_interrupt'), 0);
    gate(CALL_FUNCTION_VECTOR, this.symbol('call_function_interrupt'), 0);
    gate(RESCHEDULE_VECTOR, this.symbol('reschedule_interrupt'), 0);
  }

  /**
   * cpu_init(): GDT, IDT and TSS loaded, syscall MSRs, GS base = __per_cpu_offset[cpu],
   * TSC_AUX = the CPU number (what RDTSCP and getcpu read), the APIC enabled and its timer.
   */
  /** @internal */
  cpuInit(id: number): void {
    const cpu = this.cpus[id]!;
    const base = this.percpu.offset(id);
    // init_mm: the kernel's page tables until the first task switches to its own
    cpu.cr3 = this.kernelPgd;
    cpu.mmu.loadCr3(this.kernelPgd);
    cpu.gdtBase = base + this.percpu.layout.cpu_gdt_page;
    cpu.gdtLimit = 16 * 8 - 1;
    cpu.idtBase = physToVirt(this.idtPhys);
    cpu.idtLimit = 256 * 16 - 1;
    cpu.tr = TSS_SELECTOR;
    cpu.trBase = base + this.percpu.layout.cpu_tss;
    cpu.sreg[1] = KERNEL_CS;
    cpu.sreg[2] = KERNEL_DS;
    // MSR_STAR high dword: (__USER32_CS << 16) | __KERNEL_CS
    cpu.writeMsr(Msr.STAR, 0, (USER32_CS << 16) | KERNEL_CS);
    const lstar = this.symbol('entry_SYSCALL_64');
    cpu.writeMsr(Msr.LSTAR, lstar | 0, Math.floor(lstar / TWO32));
    // TF|DF|IF|IOPL|AC|NT
    cpu.writeMsr(Msr.SYSCALL_MASK, 0x47700, 0);
    cpu.writeMsr(Msr.GS_BASE, base | 0, Math.floor(base / TWO32));
    cpu.writeMsr(Msr.KERNEL_GS_BASE, 0, 0);
    cpu.onReturnToUser = (path) => this.syscalls.onReturnToUser(cpu, path);
    cpu.tscAux = id;
    this.apics[id]!.writeRegister(0xf0, 0x1ff); // SPIV: APIC enabled, spurious vector 0xff
    const hz = this.options.timerHz ?? 100;
    if (hz > 0) configureLegoTimer(this.apics[id]!, hz);
  }

  /**
   * A CPU's idle task (pid 0, `swapper/N`, on no run queue) in init_mm: its first switch-in
   * returns into cpu_idle_loop, whose address sits where a switched-out task's return
   * address would.
   */
  private newIdleTask(id: number): Task {
    const t = this.allocTask(0, 0, new MmStruct(this.mem, this.pt, this.kernelPgd), `swapper/${id}`, new FilesStruct(), {
      cwd: this.ns.root,
      umask: 0o022,
    });
    t.isIdle = true;
    t.cpusAllowed = 1 << id;
    const loop = this.symbol('cpu_idle_loop');
    this.mem.write32(t.ptRegsPhys - 8, loop >>> 0);
    this.mem.write32(t.ptRegsPhys - 4, Math.floor(loop / TWO32) >>> 0);
    t.savedRsp = t.ptRegs - 8;
    return t;
  }

  /** @internal cpu_startup_entry(): a secondary CPU, just initialised, runs its idle task. */
  startIdle(id: number): void {
    const cpu = this.cpus[id]!;
    const idle = this.idleTasks[id]!;
    this.switchContext(cpu, idle);
    cpu.setCpl(0);
    cpu.setGpr(4, idle.ptRegs);
    cpu.setRflags(Rflags.Reserved1);
    cpu.rip = this.symbol('cpu_idle_loop');
  }

  // ---------------------------------------------------------------- tasks

  /** @internal A new address space's page-table root, with the kernel half shared. */
  newPgd(): number {
    const pgd = this.allocRoot();
    this.pt.copyKernelHalf(pgd, this.kernelPgd);
    return pgd;
  }

  /** @internal A task's kernel stack (64 KiB) and task_struct frame, with thread_info filled in. */
  newTask(pid: number, tid: number, mm: MmStruct, comm: string, files: FilesStruct, fs: FsStruct): Task {
    const task = this.allocTask(pid, tid, mm, comm, files, fs);
    this.tasks.push(task);
    return task;
  }

  private allocTask(pid: number, tid: number, mm: MmStruct, comm: string, files: FilesStruct, fs: FsStruct): Task {
    const stackPhys = this.mem.allocPages(4);
    const tsPhys = this.mem.allocFrame();
    if (stackPhys < 0 || tsPhys < 0) throw new KernelPanic('out of memory for a task');
    const task = new Task(pid, tid, mm, stackPhys, physToVirt(stackPhys), physToVirt(tsPhys), comm, files, fs);
    // thread_info at the bottom of the stack: {task*, flags, status, cpu}
    this.mem.write32(stackPhys, task.taskStruct >>> 0);
    this.mem.write32(stackPhys + 4, Math.floor(task.taskStruct / TWO32) >>> 0);
    this.mem.write32(tsPhys, pid);
    return task;
  }

  /** Loads a static ELF as the first task (pid 1), with its argv and envp. */
  exec(image: Uint8Array, argv: readonly string[], envp: readonly string[], path: string): Task {
    const pgd = this.allocRoot();
    this.pt.copyKernelHalf(pgd, this.kernelPgd);
    const mm = new MmStruct(this.mem, this.pt, pgd);
    this.executablePath = path;
    const start = loadElf(this, mm, image, argv, envp, path);
    const pid = this.nextPid++;
    const comm = (path.split('/').pop() ?? path).slice(0, 15);
    const task = this.newTask(pid, pid, mm, comm, this.ns.stdFiles(), {
      cwd: this.ns.lookup(this.options.cwd ?? '/') ?? this.ns.root,
      umask: 0o022,
    });
    task.exe = { path, inode: programFile(image, this.ns.root) };
    this.startThread(task, start.entry, start.sp);
    this.switchTo(0, task);
    this.trace?.taskNew(this.now(), 0, pid, pid, undefined, comm);
    return task;
  }

  /** start_thread(): the user registers in task_pt_regs, to be restored by ret_from_fork's IRET. */
  /** @internal */
  startThread(t: Task, ip: number, sp: number): void {
    const base = t.ptRegsPhys;
    for (let off = 0; off < PtRegs.SIZE; off += 4) this.mem.write32(base + off, 0);
    this.writeRegs(t, PtRegs.IP, ip);
    this.writeRegs(t, PtRegs.CS, 0x33);
    this.writeRegs(t, PtRegs.FLAGS, Rflags.IF | Rflags.Reserved1);
    this.writeRegs(t, PtRegs.SP, sp);
    this.writeRegs(t, PtRegs.SS, 0x2b);
    this.writeRegs(t, PtRegs.ORIG_AX, -1);
  }

  /**
   * __switch_to: current_task, cpu_current_top_of_stack (TSS sp0), the address space, FS
   * base and the user GS base; the CPU resumes the task in ret_from_fork.
   */
  /** @internal The first task's start: __switch_to, then ret_from_fork with its pt_regs on the stack. */
  switchTo(id: number, next: Task): void {
    const cpu = this.cpus[id]!;
    this.switchContext(cpu, next);
    // a new task starts at ret_from_fork with its pt_regs on the stack and CPL 0, IF = 0
    cpu.setCpl(0);
    cpu.setGpr(4, next.ptRegs);
    cpu.setGpr(0, 0);
    cpu.setGpr(3, 0);
    cpu.setRflags(Rflags.Reserved1);
    cpu.rip = this.symbol('ret_from_fork');
  }

  /**
   * @internal __switch_to(): current_task, cpu_current_top_of_stack (TSS sp0), the address
   * space (CR3), FS base and the user GS base of `next`.
   */
  switchContext(cpu: Cpu, next: Task): void {
    const id = cpu.id;
    const layout = this.percpu.layout;
    this.percpu.writeU64(id, layout.current_task, next.taskStruct);
    this.percpu.setTopOfStack(id, next.sp0);
    const prev = this.current[id];
    if (prev !== undefined) prev.onCpu = -1;
    next.onCpu = id;
    if (next.isIdle) this.idleCpus |= 1 << id;
    else this.idleCpus &= ~(1 << id);
    this.current[id] = next;
    if (cpu.cr3 !== next.mm.pgd) {
      cpu.cr3 = next.mm.pgd;
      cpu.mmu.loadCr3(next.mm.pgd);
    }
    cpu.fsBase = next.fsBase;
    cpu.kernelGsBase = next.gsBase;
  }

  /** The CPU running `t` (the boot CPU for a task switched out). */
  currentCpu(t: Task): Cpu {
    return this.cpus[Math.max(t.onCpu, 0)]!;
  }

  /** @internal The task CPU `id` runs (its idle task when it has nothing else). */
  currentOn(id: number): Task | undefined {
    return this.current[id];
  }

  /** current_pt_regs(): task_pt_regs(current) on `cpu`. */
  currentPtRegs(cpu: Cpu): number {
    return this.currentTask(cpu).ptRegs;
  }

  currentTask(cpu: Cpu): Task {
    const t = this.current[cpu.id];
    if (t === undefined) throw new KernelPanic(`no current task on CPU ${cpu.id}`);
    return t;
  }

  /**
   * do_exit(): ends a task (exit_group or a fatal signal). Its files close (pipe ends see
   * EOF), it becomes a zombie for its parent's wait4, and the CPU moves on to another task.
   * The first task's end ends the run (Lego has no init to hand orphans to): its status is
   * legosim's.
   */
  exitTask(t: Task, code: number, signal: number, reason?: string): never {
    const cpu = this.currentCpu(t);
    // the task_exit event and strace's last line for the process
    recordExit(this, t, t, code, signal);
    t.files.closeAll();
    t.state = TaskState.Zombie;
    t.vforkDone = true;
    if (t.parent === undefined) {
      this.result = signal ? { status: 128 + signal, signal, reason: reason ?? `killed by signal ${signal}` } : { status: code, signal: 0 };
      return cpu.stop('exit');
    }
    // orphans of this task are reaped by nobody: they are released when they exit
    for (const c of t.children) c.parent = undefined;
    // do_notify_parent(): SIGCHLD; a parent that ignores it has the child reaped at once
    if (doNotifyParent(this, t)) release(this, t);
    // schedule away, and finish the next task's own way back to user mode (its signals)
    this.syscalls.exitToUsermodeLoop(cpu);
    throw new TaskExited();
  }

  /** One --strace line, with strace -f's `[pid N]` prefix once there is more than one task. */
  straceLine(t: Task, line: string): void {
    const strace = this.options.strace;
    if (strace === undefined) return;
    strace(this.nextPid > 2 ? `[pid ${t.tid}] ${line}` : line);
  }

  /**
   * The current syscall must wait until `ready()` holds: the task sleeps, and when it runs
   * again the syscall starts over (the syscall path rewinds to the SYSCALL instruction).
   * `interrupted` is what the call returns if a signal cuts the sleep short (-ERESTARTSYS
   * by default: -EINTR unless the handler has SA_RESTART; ERESTARTNOINTR sleeps are not
   * interruptible); `wakeAt` is a deadline in simulated ns for timed sleeps.
   */
  sleep(t: Task, ready: () => boolean, interrupted: number = ERESTARTSYS, wakeAt: number = Number.POSITIVE_INFINITY): number {
    t.sleepInterruptible = interrupted !== ERESTARTNOINTR;
    // a signal already pending ends an interruptible sleep before it starts
    if (!t.sleepInterruptible || (t.flags & Tif.SIGPENDING) === 0) {
      t.state = TaskState.Sleeping;
      t.ready = ready;
      t.wakeAt = wakeAt;
    }
    return -interrupted;
  }

  /** Flushes the TLBs that may hold `t`'s old mappings (its CPU's, and by IPI other CPUs running its mm). */
  flushTlb(t: Task): void {
    flushTlbMm(this, t);
  }

  /**
   * Simulated time in nanoseconds on the CPU executing now: each CPU has its own clock, one
   * nanosecond per retired instruction plus the time it spent halted.
   */
  now(): number {
    const id = this.running;
    return this.cpus[id]!.instret + this.idleNs[id]!;
  }

  /** cpu_online_mask: bit N for each CPU N of the machine. */
  get onlineMask(): number {
    return this.cpus.length >= 32 ? 0xffffffff : (1 << this.cpus.length) - 1;
  }

  /** CPU `id`'s clock. */
  private clock(id: number): number {
    return this.cpus[id]!.instret + this.idleNs[id]!;
  }

  /** @internal The CPU executing now retires nothing for `ns` (halted, or skipping to a deadline); its APIC timer runs on. */
  idle(ns: number): void {
    const id = this.running;
    this.idleNs[id]! += ns;
    this.apics[id]!.advance(ns);
  }

  /** @internal The earliest armed ITIMER_REAL expiry, in simulated ns (kernel/itimer.ts). */
  nextTimer: number = Number.POSITIVE_INFINITY;

  // ---------------------------------------------------------------- pt_regs

  readRegs(t: Task, off: number): number {
    const pa = t.ptRegsPhys + off;
    return this.mem.read32(pa + 4) * TWO32 + this.mem.read32(pa);
  }

  /** A pt_regs field as a signed 64-bit JS number (exact for addresses and small values). */
  readRegsSigned(t: Task, off: number): number {
    const pa = t.ptRegsPhys + off;
    return (this.mem.read32(pa + 4) | 0) * TWO32 + this.mem.read32(pa);
  }

  /** A pt_regs field in hex, exact for all 64 bits. */
  regsHex(t: Task, off: number): string {
    const pa = t.ptRegsPhys + off;
    const hi = this.mem.read32(pa + 4);
    const lo = this.mem.read32(pa).toString(16);
    return hi === 0 ? lo : hi.toString(16) + lo.padStart(8, '0');
  }

  writeRegs(t: Task, off: number, value: number): void {
    const pa = t.ptRegsPhys + off;
    this.mem.write32(pa, value >>> 0);
    this.mem.write32(pa + 4, Math.floor(value / TWO32) >>> 0);
  }

  // ---------------------------------------------------------------- interrupts

  /** set_irq_regs(regs) around an interrupt's handling (per-CPU `irq_regs`, what get_irq_regs() returns), restored after. */
  private withIrqRegs(cpu: Cpu, handle: () => void): void {
    const sym = this.percpu.layout.irq_regs;
    const old = this.percpu.readPointer(cpu.id, sym);
    this.percpu.writeU64(cpu.id, sym, cpu.gpr(7));
    try {
      handle();
    } finally {
      this.percpu.writeU64(cpu.id, sym, old);
    }
  }

  /**
   * do_IRQ(regs): the device vector is `~regs->orig_ax`; its descriptor is this CPU's
   * `vector_irq[vector]`. The model registers no device handlers, so every slot is empty:
   * the interrupt is acknowledged (ack_APIC_irq) and reported, as Lego does for a vector
   * nobody requested.
   */
  private doIrq(cpu: Cpu): void {
    const vector = ~cpu.read32(cpu.gpr(7) + PtRegs.ORIG_AX) & 0xff;
    const desc = this.percpu.readPointer(cpu.id, this.percpu.layout.vector_irq + vector * 8);
    this.apics[cpu.id]!.eoi();
    if (desc === 0) this.console.printk(`do_IRQ: ${cpu.id}.${vector} No irq handler for vector`);
  }

  /** smp_apic_timer_interrupt: the tick. The scheduler tick comes with tasks; here it acknowledges the APIC. */
  private smpApicTimerInterrupt(cpu: Cpu): void {
    this.apics[cpu.id]!.eoi();
    // scheduler_tick(): round robin, one tick per slice, when another task could run here.
    // On a machine of several CPUs, idle CPUs get the waiting tasks first.
    const t = this.current[cpu.id];
    if (t === undefined) {
      // not yet running anything
    } else if (this.cpus.length > 1) {
      if (wakeIdleCpus(this, cpu.id)) t.flags |= Tif.NEED_RESCHED;
    } else if (this.tasks.some((o) => o !== t && (o.state === TaskState.Runnable || (o.state === TaskState.Sleeping && o.ready())))) {
      t.flags |= Tif.NEED_RESCHED;
    }
    if (this.trace) this.traceCounters(cpu);
  }

  /** The sampled counters (trace `counter` events): at every tick and at the end of the run. */
  private traceCounters(cpu: Cpu): void {
    const trace = this.trace!;
    const ts = this.clock(cpu.id);
    let runnable = 0;
    for (const t of this.tasks) if (!t.exited) runnable++;
    trace.counter(ts, cpu.id, 'instructions', cpu.instret);
    trace.counter(ts, cpu.id, 'tlb_hits', this.mmus[cpu.id]!.tlbHits);
    trace.counter(ts, cpu.id, 'tlb_misses', this.mmus[cpu.id]!.tlbMisses);
    trace.counter(ts, cpu.id, 'runqueue', runnable);
  }

  // ---------------------------------------------------------------- run

  /**
   * Runs the machine until the task exits, a fatal signal, or the instruction limit.
   * `onSlice`, when given, is called between slices of at most a million instructions: a
   * host's progress report or its chance to look at the clock.
   */
  run(onSlice?: () => void): RunResult {
    while (this.advance(1_000_000)) onSlice?.();
    return this.finish();
  }

  /** Traced runs end with a last sample of the counters, so the trace has their final values. */
  private endOfRun(): void {
    if (this.trace && !this.finalSampled) {
      this.finalSampled = true;
      for (const cpu of this.cpus) this.traceCounters(cpu);
    }
  }
  private finalSampled = false;
  private readonly instructionTracer: InstructionTracer | undefined;

  /**
   * Executes one instruction (an interrupt or exception delivery counts as part of the
   * next one), for step-by-step views like `legosim explain`. Returns false once the run
   * has ended; `finish()` then gives the result.
   */
  step(): boolean {
    return this.advance(1);
  }

  /** The run's result, once `run()` returned or `step()` returned false. */
  finish(): RunResult {
    const r = this.result;
    if (r === undefined) throw new KernelPanic('the run has not ended');
    let userInstructions = 0;
    for (const cpu of this.cpus) userInstructions += cpu.userInstret;
    const out: RunResult = {
      status: r.status,
      signal: r.signal,
      instructions: this.instructions(),
      userInstructions,
      syscalls: this.syscallCount,
      simulatedNs: this.now(),
    };
    if (r.reason !== undefined) out.reason = r.reason;
    return out;
  }

  /** Per CPU: instructions retired (user mode among them) and simulated ns spent halted or idle. */
  cpuCounters(): CpuCounters[] {
    return this.cpus.map((cpu) => ({
      instructions: cpu.instret,
      userInstructions: cpu.userInstret,
      haltedNs: this.idleNs[cpu.id]!,
      translatedInstructions: cpu.blockInstret,
      translationBlocks: cpu.blocksTranslated,
    }));
  }

  /** Instructions retired by all CPUs. */
  instructions(): number {
    let n = 0;
    for (const cpu of this.cpus) n += cpu.instret;
    return n;
  }

  /** Runs at most `slice` instructions, stopping early for the timer; false when the run has ended. */
  private advance(slice: number): boolean {
    if (this.cpus.length > 1) return this.advanceSmp(slice);
    if (this.result !== undefined) return false;
    const cpu = this.cpus[0]!;
    const apic = this.apics[0]!;
    const left = this.instructionsLeft();
    if (left <= 0) {
      this.endOfRun();
      return false;
    }
    const next = apic.nextEventIn();
    const why = this.runCpu(cpu, Math.max(1, Math.min(left, slice, Number.isFinite(next) ? Math.ceil(next) : slice)));
    if (why === StopReason.Stopped) {
      this.endOfRun();
      return false;
    }
    if (why === StopReason.Halted) {
      const wait = apic.nextEventIn();
      if (!Number.isFinite(wait)) throw new KernelPanic('all CPUs halted with no timer armed');
      this.idle(wait);
    }
    return this.result === undefined;
  }

  /** Instructions the run may still retire (--max-instructions); at 0 the run has ended as if by SIGKILL. */
  private instructionsLeft(): number {
    const left = (this.options.maxInstructions ?? Number.POSITIVE_INFINITY) - this.instructions();
    if (left <= 0) this.result = { status: 128 + 9, signal: 9, reason: `stopped after ${this.instructions()} instructions (--max-instructions)` };
    return left;
  }

  /**
   * `cpu` retires up to `budget` instructions (fewer at a HLT, a timer event or a stop) and its
   * APIC timer catches up. A stop is the end of the run, or a kernel panic when nothing ended it.
   */
  private runCpu(cpu: Cpu, budget: number): StopReason {
    let why: StopReason;
    try {
      why = this.instructionTracer ? this.instructionTracer.run(cpu, budget) : cpu.run(budget);
    } catch (e) {
      if (e instanceof CpuStop) throw new KernelPanic(e.reason);
      throw e;
    }
    this.syncApic(cpu);
    if (why === StopReason.Stopped && this.result === undefined)
      throw new KernelPanic(`CPU ${cpu.id} stopped: ${cpu.stopReason ?? 'unknown reason'}`);
    return why;
  }

  // ---------------------------------------------------------------- several CPUs

  /**
   * Runs the CPUs in turns of SMP_TURN_NS simulated ns each, CPU 0 first, until about `slice`
   * instructions retired; false when the run has ended. A CPU's turn ends at its clock's
   * turn boundary, so the clocks stay within a turn of each other. IPIs reach a CPU that
   * already had its turn at its next one.
   */
  private advanceSmp(slice: number): boolean {
    const start = this.instructions();
    while (this.result === undefined) {
      const until = this.turnsDoneNs + SMP_TURN_NS;
      for (let id = 0; id < this.cpus.length; id++) {
        if (!this.turn(id, until)) {
          this.endOfRun();
          return false;
        }
      }
      this.turnsDoneNs = until;
      this.betweenTurns();
      if (this.instructions() - start >= slice) break;
    }
    return this.result === undefined;
  }

  /** CPU `id` runs until its clock reaches `until`; false when the run has ended. */
  private turn(id: number, until: number): boolean {
    const cpu = this.cpus[id]!;
    const apic = this.apics[id]!;
    this.running = id;
    for (;;) {
      const clock = this.clock(id);
      if (clock >= until) return true;
      if (cpu.halted) {
        if (!(cpu.interruptsEnabled && apic.hasPending)) {
          // halted: nothing happens until its APIC has an interrupt for it, or the turn ends
          const wait = apic.nextEventIn();
          this.idle(Math.max(1, Math.min(until - clock, Number.isFinite(wait) ? Math.ceil(wait) : until - clock)));
          continue;
        }
        // woken by an IPI: not before it was sent
        if (this.ipiSentAt[id]! > clock) this.idle(this.ipiSentAt[id]! - clock);
      }
      const left = this.instructionsLeft();
      if (left <= 0) return false;
      const next = apic.nextEventIn();
      const budget = Math.min(left, until - this.clock(id), Number.isFinite(next) ? Math.ceil(next) : Number.POSITIVE_INFINITY);
      if (this.runCpu(cpu, Math.max(1, budget)) === StopReason.Stopped) return false;
    }
  }

  /**
   * After every CPU's turn: what a tick-driven timer wheel would do for idle CPUs. Expired
   * ITIMER_REALs fire and sleepers whose deadline came are woken; each such task gets an idle
   * CPU, sent the reschedule vector by its own APIC (the model's stand-in for an hrtimer
   * interrupt). When every CPU idles, time skips ahead to the next event; when none can
   * come, every task waits forever: a deadlock.
   */
  private betweenTurns(): void {
    if (this.idleCpus === 0) return;
    this.running = 31 - Math.clz32(this.idleCpus & -this.idleCpus);
    if (this.now() >= this.nextTimer) runTimers(this);
    wakeIdleCpus(this, -1);
    if ((this.idleCpus | 0) !== (this.onlineMask | 0) || this.kickedCpus !== 0) return;
    let next = Math.min(nextWakeup(this), this.nextTimer);
    // ticks alone wake nobody: with no deadline ahead and nothing runnable, nothing ever will
    if (!Number.isFinite(next) && !this.tasks.some((t) => runnable(t))) throw deadlock(this);
    for (let id = 0; id < this.cpus.length; id++) {
      const cpu = this.cpus[id]!;
      const apic = this.apics[id]!;
      if (!cpu.halted || apic.hasPending) return;
      next = Math.min(next, this.clock(id) + apic.nextEventIn());
    }
    if (Number.isFinite(next) && next > this.turnsDoneNs) this.turnsDoneNs = Math.floor(next);
  }
}

export { KernelPanic };
