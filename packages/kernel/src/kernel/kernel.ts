import { Cpu, CpuStop, Msr, type NativeFunction, Rflags, StopReason } from '@legosim/cpu';
import {
  configureLegoTimer,
  LocalApic,
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
import { CLEAR_PAGE_64_S } from '../arch/x86/lib/clear_page_64.js';
import { COPY_USER_64_S } from '../arch/x86/lib/copy_user_64.js';
import { PtRegs } from '../arch/x86/kernel/ptrace.js';
import { doTrap, SIGNAL_NAMES, TRAPS } from '../arch/x86/kernel/traps.js';
import { loadElf } from '../fs/exec.js';
import type { FilesStruct } from '../fs/file.js';
import type { HostFs } from '../fs/hostfs.js';
import { MountError, type MountSpec, Namespace, programFile } from '../fs/namespace.js';
import { MmStruct } from '../mm/mm.js';
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
import { ERESTARTNOINTR, ERESTARTSYS, TaskExited } from './sched.js';
import { doNotifyParent } from './signal.js';
import { type FsStruct, Task, TaskState, Tif } from './task.js';

/** What the kernel needs from the host: the guest's standard streams. */
export interface HostIO {
  write(fd: number, data: Uint8Array): void;
  /** Reads up to `max` bytes of stdin; an empty array is end of file. */
  read(fd: number, max: number): Uint8Array;
}

export interface KernelOptions {
  host: HostIO;
  /** Kernel console lines (printk, WARN, NOTICE, segfault reports). Default: discarded. */
  console?: ConsoleWriter;
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
  private idleNs = 0;
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
      () => this.current[0]?.exe ?? { path: this.executablePath, inode: undefined },
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
    // one CPU for now; SMP comes with the interrupts issue
    const mmu = new Mmu(this.mem);
    const apic = new LocalApic({ apicId: 0, bsp: true });
    const cpu = new Cpu({ id: 0, mmu, decoder, interrupts: apic });
    this.cpus.push(cpu);
    this.mmus.push(mmu);
    this.apics.push(apic);
    this.apicSyncedAt.push(0);
    this.percpu = this.setupPerCpuAreas(1);
    this.registerNatives();
    this.assembleEntryCode();
    setFaultingCopy(this.pt, userCopyOnCpu(this));
    this.setupIdt();
    this.cpuInit(0);
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
    this.native('smp_apic_timer_interrupt', (cpu) => entry.irq(cpu, () => this.smpApicTimerInterrupt(cpu)));
    this.native('smp_spurious_interrupt', (cpu) => entry.irq(cpu, () => {}));
    this.native('smp_error_interrupt', (cpu) => entry.irq(cpu, () => this.apics[cpu.id]!.eoi()));
    this.native('do_IRQ', (cpu) => entry.irq(cpu, () => this.apics[cpu.id]!.eoi()));
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
    const text = `${ENTRY_64_S}\n${COPY_USER_64_S}\n${CLEAR_PAGE_64_S}`;
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
    const timer = this.symbols.get('apic_timer_interrupt');
    if (timer !== undefined) gate(LOCAL_TIMER_VECTOR, timer, 0);
    const spurious = this.symbols.get('spurious_interrupt');
    if (spurious !== undefined) gate(0xff, spurious, 0);
    const error = this.symbols.get('error_interrupt');
    if (error !== undefined) gate(0xfe, error, 0);
  }

  /** cpu_init(): GDT, IDT and TSS loaded, syscall MSRs, GS base = __per_cpu_offset[cpu], the APIC timer. */
  private cpuInit(id: number): void {
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
    const hz = this.options.timerHz ?? 100;
    if (hz > 0) {
      this.apics[id]!.writeRegister(0xf0, 0x1ff); // SPIV: APIC enabled, spurious vector 0xff
      configureLegoTimer(this.apics[id]!, hz);
    }
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
    const stackPhys = this.mem.allocPages(4);
    const tsPhys = this.mem.allocFrame();
    if (stackPhys < 0 || tsPhys < 0) throw new KernelPanic('out of memory for a task');
    const task = new Task(pid, tid, mm, stackPhys, physToVirt(stackPhys), physToVirt(tsPhys), comm, files, fs);
    // thread_info at the bottom of the stack: {task*, flags, status, cpu}
    this.mem.write32(stackPhys, task.taskStruct >>> 0);
    this.mem.write32(stackPhys + 4, Math.floor(task.taskStruct / TWO32) >>> 0);
    this.mem.write32(tsPhys, pid);
    this.tasks.push(task);
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
    this.current[id] = next;
    if (cpu.cr3 !== next.mm.pgd) {
      cpu.cr3 = next.mm.pgd;
      cpu.mmu.loadCr3(next.mm.pgd);
    }
    cpu.fsBase = next.fsBase;
    cpu.kernelGsBase = next.gsBase;
  }

  currentCpu(t: Task): Cpu {
    const i = this.current.indexOf(t);
    return this.cpus[Math.max(i, 0)]!;
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
    t.exited = true;
    t.exitCode = code;
    t.killedBy = signal;
    const cpu = this.currentCpu(t);
    this.trace?.taskExit(this.now(), cpu.id, t.pid, t.tid, signal ? 128 + signal : code, signal || undefined);
    // strace's last line for the process
    this.straceLine(t, signal ? `+++ killed by ${SIGNAL_NAMES[signal] ?? `signal ${signal}`} +++` : `+++ exited with ${code} +++`);
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

  /** Flushes the TLB of the CPU running `t` after its mappings changed. */
  flushTlb(t: Task): void {
    const cpu = this.currentCpu(t);
    cpu.mmu.loadCr3(t.mm.pgd);
    this.trace?.tlbFlush(this.now(), cpu.id, 'mm', 0);
  }

  /** Simulated time in nanoseconds: one retired instruction is one nanosecond, plus idle time. */
  now(): number {
    return this.cpus[0]!.instret + this.idleNs;
  }

  /** @internal The idle loop: every task sleeps until a deadline, so the CPU halts for `ns`. */
  idle(ns: number): void {
    this.idleNs += ns;
    this.apics[0]!.advance(ns);
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

  /** smp_apic_timer_interrupt: the tick. The scheduler tick comes with tasks; here it acknowledges the APIC. */
  private smpApicTimerInterrupt(cpu: Cpu): void {
    this.apics[cpu.id]!.eoi();
    // scheduler_tick(): round robin, one tick per slice, when another task could run
    const t = this.current[cpu.id];
    if (t !== undefined && this.tasks.some((o) => o !== t && (o.state === TaskState.Runnable || (o.state === TaskState.Sleeping && o.ready())))) {
      t.flags |= Tif.NEED_RESCHED;
    }
    if (this.trace) this.traceCounters(cpu);
  }

  /** The sampled counters (trace `counter` events): at every tick and at the end of the run. */
  private traceCounters(cpu: Cpu): void {
    const trace = this.trace!;
    const ts = this.now();
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
      this.traceCounters(this.cpus[0]!);
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
    const cpu = this.cpus[0]!;
    const r = this.result;
    if (r === undefined) throw new KernelPanic('the run has not ended');
    const out: RunResult = {
      status: r.status,
      signal: r.signal,
      instructions: cpu.instret,
      userInstructions: cpu.userInstret,
      syscalls: this.syscallCount,
      simulatedNs: this.now(),
    };
    if (r.reason !== undefined) out.reason = r.reason;
    return out;
  }

  /** Runs at most `slice` instructions, stopping early for the timer; false when the run has ended. */
  private advance(slice: number): boolean {
    if (this.result !== undefined) return false;
    const cpu = this.cpus[0]!;
    const apic = this.apics[0]!;
    const left = (this.options.maxInstructions ?? Number.POSITIVE_INFINITY) - cpu.instret;
    if (left <= 0) {
      this.result = { status: 128 + 9, signal: 9, reason: `stopped after ${cpu.instret} instructions (--max-instructions)` };
      this.endOfRun();
      return false;
    }
    const next = apic.nextEventIn();
    const budget = Math.max(1, Math.min(left, slice, Number.isFinite(next) ? Math.ceil(next) : slice));
    let why: StopReason;
    try {
      why = this.instructionTracer ? this.instructionTracer.run(cpu, budget) : cpu.run(budget);
    } catch (e) {
      if (e instanceof CpuStop) throw new KernelPanic(e.reason);
      throw e;
    }
    this.syncApic(cpu);
    if (why === StopReason.Stopped) {
      if (this.result === undefined) throw new KernelPanic(`the CPU stopped: ${cpu.stopReason ?? 'unknown reason'}`);
      this.endOfRun();
      return false;
    }
    if (why === StopReason.Halted) {
      const wait = apic.nextEventIn();
      if (!Number.isFinite(wait)) throw new KernelPanic('all CPUs halted with no timer armed');
      this.idleNs += wait;
      apic.advance(wait);
    }
    return this.result === undefined;
  }
}

export { KernelPanic };
