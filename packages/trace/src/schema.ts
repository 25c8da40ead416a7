// The one declarative description of every trace event. The binary writer and reader, the
// jsonl exporter, the in-memory sinks, the TypeScript event types and the documentation are
// all driven by this table. Event ids and field order are part of the binary format: append
// new events and new trailing fields only (see FORMAT.md, "Compatibility").

/** The field kinds a trace event can carry. */
export type FieldKind =
  | 'u8' // JSON number, 0..255, one byte
  | 'u32' // JSON number, 0..2^32-1, unsigned varint
  | 'i32' // JSON number, -2^31..2^31-1, zigzag varint
  | 'u64' // JSON "0x…" hex string, 64-bit, zigzag varint of its signed value
  | 'i64' // same encoding as u64; signed in meaning (e.g. a syscall return value)
  | 'bool' // JSON true/false, one byte 0/1
  | 'string' // JSON string, UTF-8, inline or interned
  | 'u64[]' // JSON array of "0x…" hex strings
  | 'bytes' // JSON string of lowercase hex byte pairs ("0f05"), varint length then raw bytes
  | 'pt_regs'; // JSON object of the 21 pt_regs fields as "0x…" hex strings, pt_regs order

export interface FieldDef {
  readonly name: string;
  readonly kind: FieldKind;
  /** Absent in some events (encoded behind a presence byte, omitted from jsonl). */
  readonly optional?: boolean;
  /** A string from a small vocabulary (syscall names, exit paths...): the writer interns it. */
  readonly intern?: boolean;
  /** Format version that appended the field (absent: 1.0). */
  readonly since?: string;
  readonly doc: string;
}

export interface EventDef {
  /** Stable numeric id in the binary format (16..). Never reuse an id. */
  readonly id: number;
  /** snake_case name: the jsonl "type". */
  readonly name: string;
  /** camelCase TraceSink method name. */
  readonly method: string;
  readonly doc: string;
  /** Format version that added the event (absent: 1.0). */
  readonly since?: string;
  readonly fields: readonly FieldDef[];
}

/** struct pt_regs field names in memory order (offset = 8 * index), arch/x86/include/asm/ptrace.h. */
export const PT_REGS_FIELDS = [
  'r15',
  'r14',
  'r13',
  'r12',
  'bp',
  'bx',
  'r11',
  'r10',
  'r9',
  'r8',
  'ax',
  'cx',
  'dx',
  'si',
  'di',
  'orig_ax',
  'ip',
  'cs',
  'flags',
  'sp',
  'ss',
] as const;

export type PtRegsField = (typeof PT_REGS_FIELDS)[number];

export const EVENT_SCHEMA = [
  {
    id: 16,
    name: 'syscall_entry',
    method: 'syscallEntry',
    doc: 'do_syscall_64 is about to call sys_call_table[nr]: the pt_regs entry_SYSCALL_64 built, IF inside the handler.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id' },
      { name: 'tid', kind: 'u32', doc: 'thread id' },
      { name: 'nr', kind: 'u32', doc: 'syscall number (regs->orig_ax)' },
      { name: 'name', kind: 'string', intern: true, doc: 'syscall name, Lego table naming' },
      { name: 'args', kind: 'u64[]', doc: 'the six arguments: di, si, dx, r10, r8, r9' },
      { name: 'pt_regs', kind: 'u64', doc: 'address of the pt_regs (task_pt_regs(current))' },
      { name: 'sp0', kind: 'u64', doc: 'current->thread.sp0, the top of the kernel stack' },
      { name: 'regs', kind: 'pt_regs', doc: 'all 21 pt_regs fields as saved by entry_SYSCALL_64' },
      { name: 'irqs_enabled', kind: 'bool', doc: 'IF when the handler is called' },
      {
        name: 'strace',
        kind: 'string',
        optional: true,
        intern: true,
        since: '1.1',
        doc: 'for a syscall that does not return (exit, exit_group): its strace line, `exit_group(0) = ?`',
      },
    ],
  },
  {
    id: 17,
    name: 'syscall_exit',
    method: 'syscallExit',
    doc: 'return_from_SYSCALL_64 is about to leave the kernel.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id' },
      { name: 'tid', kind: 'u32', doc: 'thread id' },
      { name: 'nr', kind: 'u32', doc: 'syscall number' },
      { name: 'ret', kind: 'i64', doc: 'regs->ax: the return value (-ENOSYS is 0xffffffffffffffda)' },
      { name: 'irqs_enabled', kind: 'bool', doc: 'IF when the handler returned' },
      { name: 'warned', kind: 'bool', doc: 'syscall_return_slowpath printed "left IRQs disabled"' },
      { name: 'path', kind: 'string', intern: true, doc: '"sysret" or "iret"' },
      {
        name: 'strace',
        kind: 'string',
        optional: true,
        intern: true,
        since: '1.1',
        doc: 'the call as `legosim run --strace` prints it, `write(1, "hi\\n", 3) = 3`',
      },
    ],
  },
  {
    id: 18,
    name: 'warn',
    method: 'warn',
    doc: 'A WARN() fired in the kernel.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id' },
      { name: 'tid', kind: 'u32', doc: 'thread id' },
      { name: 'message', kind: 'string', doc: 'the formatted WARN message' },
    ],
  },
  {
    id: 19,
    name: 'exception',
    method: 'exception',
    doc: 'A CPU exception was delivered through the IDT.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id' },
      { name: 'tid', kind: 'u32', doc: 'thread id' },
      { name: 'vector', kind: 'u8', doc: 'exception vector' },
      { name: 'error_code', kind: 'u64', doc: 'error code pushed by the CPU or the stub (-1 when none)' },
      { name: 'cr2', kind: 'u64', doc: 'CR2 at delivery' },
      { name: 'depth', kind: 'u32', doc: 'interrupt/exception nesting depth (1 = outermost)' },
      { name: 'sp', kind: 'u64', doc: 'kernel RSP after the frame was pushed' },
      { name: 'task_pt_regs', kind: 'u64', doc: 'task_pt_regs(current) as seen by the handler' },
    ],
  },
  {
    id: 20,
    name: 'irq_entry',
    method: 'irqEntry',
    doc: 'An interrupt vector was taken.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id' },
      { name: 'tid', kind: 'u32', doc: 'thread id' },
      { name: 'vector', kind: 'u8', doc: 'interrupt vector' },
      { name: 'depth', kind: 'u32', doc: 'nesting depth (1 = outermost)' },
      { name: 'sp', kind: 'u64', doc: 'kernel RSP after the frame was pushed' },
      { name: 'task_pt_regs', kind: 'u64', doc: 'task_pt_regs(current) as seen by the handler' },
    ],
  },
  {
    id: 21,
    name: 'irq_exit',
    method: 'irqExit',
    doc: 'The handler of an interrupt returned; ret_from_intr restores pt_regs and irets next.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id' },
      { name: 'tid', kind: 'u32', doc: 'thread id' },
      { name: 'vector', kind: 'u8', doc: 'interrupt vector' },
      { name: 'depth', kind: 'u32', doc: 'nesting depth being left' },
    ],
  },
  {
    id: 22,
    name: 'page_fault',
    method: 'pageFault',
    doc: 'do_page_fault handled (or failed to handle) a #PF.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id' },
      { name: 'tid', kind: 'u32', doc: 'thread id' },
      { name: 'address', kind: 'u64', doc: 'faulting address (CR2)' },
      { name: 'error', kind: 'u32', doc: '#PF error bits: PROT 1, WRITE 2, USER 4, RSVD 8, INSTR 16, PK 32' },
      {
        name: 'resolution',
        kind: 'string',
        intern: true,
        doc: 'how it was resolved, e.g. "mapped", "sigsegv"',
      },
    ],
  },
  {
    id: 23,
    name: 'context_switch',
    method: 'contextSwitch',
    doc: '__switch_to moved a CPU from one task to another.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'prev_tid', kind: 'u32', doc: 'thread switched away from' },
      { name: 'next_tid', kind: 'u32', doc: 'thread switched to' },
    ],
  },
  {
    id: 24,
    name: 'task_new',
    method: 'taskNew',
    doc: 'A task was created (boot, clone, fork, vfork).',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id of the new task' },
      { name: 'tid', kind: 'u32', doc: 'thread id of the new task' },
      { name: 'parent_tid', kind: 'u32', optional: true, doc: 'creating thread (absent for the first task)' },
      { name: 'comm', kind: 'string', intern: true, doc: 'task name' },
    ],
  },
  {
    id: 25,
    name: 'task_exit',
    method: 'taskExit',
    doc: 'A task exited.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id' },
      { name: 'tid', kind: 'u32', doc: 'thread id' },
      {
        name: 'code',
        kind: 'i32',
        doc: 'exit code (exit/exit_group argument), or 128+N when killed by signal N',
      },
      {
        name: 'signal',
        kind: 'u8',
        optional: true,
        since: '1.1',
        doc: 'the signal that killed it (absent when it exited)',
      },
    ],
  },
  {
    id: 26,
    name: 'tlb_flush',
    method: 'tlbFlush',
    doc: 'A TLB flush (one page or all non-global entries).',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'reason', kind: 'string', intern: true, doc: 'e.g. "invlpg", "cr3", "munmap"' },
      { name: 'address', kind: 'u64', doc: 'flushed address (0 for a full flush)' },
    ],
  },
  {
    id: 27,
    name: 'ipi',
    method: 'ipi',
    doc: 'An inter-processor interrupt was sent.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU that recorded the event' },
      { name: 'from', kind: 'u32', doc: 'sending CPU' },
      { name: 'to', kind: 'u32', doc: 'destination CPU' },
      { name: 'vector', kind: 'u8', doc: 'vector sent (0 for INIT; for STARTUP, the page number of the start address)' },
    ],
  },
  {
    id: 28,
    name: 'instruction',
    method: 'instruction',
    since: '1.1',
    doc: 'An instruction retired (only with --trace-instructions): where it ran and the state it left.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      { name: 'pid', kind: 'u32', doc: 'thread group id' },
      { name: 'tid', kind: 'u32', doc: 'thread id' },
      { name: 'ip', kind: 'u64', doc: 'address of the instruction' },
      { name: 'bytes', kind: 'bytes', doc: 'its encoding, 1..15 bytes' },
      { name: 'cpl', kind: 'u8', doc: 'privilege level it ran at (0 kernel, 3 user)' },
      { name: 'sp', kind: 'u64', doc: 'RSP after it retired' },
      { name: 'flags', kind: 'u64', doc: 'RFLAGS after it retired (IF is bit 9)' },
      {
        name: 'gs_base',
        kind: 'u64',
        doc: 'IA32_GS_BASE after it retired (the per-CPU base in the kernel after swapgs)',
      },
    ],
  },
  {
    id: 29,
    name: 'counter',
    method: 'counter',
    since: '1.1',
    doc: 'A sampled machine counter (at every timer tick and at the end of the run), cumulative or a level.',
    fields: [
      { name: 'cpu', kind: 'u32', doc: 'CPU number' },
      {
        name: 'name',
        kind: 'string',
        intern: true,
        doc: '"instructions", "tlb_hits", "tlb_misses" (cumulative) or "runqueue" (tasks runnable now)',
      },
      { name: 'value', kind: 'u64', doc: 'the counter value' },
    ],
  },
] as const;

// The table must satisfy EventDef (checked here: `satisfies` is not allowed with isolatedDeclarations).
const schemaIsEventDefs: readonly EventDef[] = EVENT_SCHEMA;
void schemaIsEventDefs;

export type EventSchema = typeof EVENT_SCHEMA;
export type EventName = EventSchema[number]['name'];
export type EventDefOf<N extends EventName> = Extract<EventSchema[number], { name: N }>;

/** Event definitions by name. */
export const EVENTS_BY_NAME: ReadonlyMap<string, EventDef> = new Map(EVENT_SCHEMA.map((e) => [e.name, e]));

/** Event definitions by binary id. */
export const EVENTS_BY_ID: ReadonlyMap<number, EventDef> = new Map(EVENT_SCHEMA.map((e) => [e.id, e]));
