// The README's example, kept runnable: npx tsx packages/trace/README.example.ts
import {
  BinaryTraceWriter,
  MemorySink,
  TeeSink,
  TraceReader,
  fieldIndex,
  readTrace,
  toJsonl,
  u64Words,
} from './src/index.ts';

// The producer (the kernel) calls a TraceSink: here both a binary writer and a memory sink.
const chunks: Uint8Array[] = [];
const writer = new BinaryTraceWriter((chunk) => chunks.push(chunk), {
  header: { program: 'hello', seed: 1, machine: { cpus: 1 } },
});
const memory = new MemorySink();
const sink = new TeeSink(writer, memory);

// 64-bit values: JS numbers when safe (negative = two's complement), bigint otherwise,
// and arrays as 32-bit halves (low, high) — pt_regs' own memory layout.
const args = u64Words([1, 0x402000, 14, 0, 0, 0]);
const regs = new Uint32Array(42); // 21 pt_regs fields, as a kernel stack would hold them
sink.syscallEntry(1000, 0, 1, 1, 1, 'write', args, -0x77fffffb70a8, -0x77fffffb7000, regs, true);
sink.syscallExit(1500, 0, 1, 1, 1, 14, true, false, 'sysret', 'write(1, "hello, world!\\n", 14) = 14');
sink.close();

const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
let at = 0;
for (const c of chunks) {
  bytes.set(c, at);
  at += c.length;
}

const trace = readTrace(bytes);
console.log(trace.header.program, bytes.length, 'bytes');
for (const event of trace.events) console.log(toJsonl(event));
// {"type":"syscall_entry","ts":1000,"cpu":0,"pid":1,"tid":1,"nr":1,"name":"write","args":["0x1",…],
//  "pt_regs":"0xffff880000048f58","sp0":"0xffff880000049000","regs":{…},"irqs_enabled":true}
// {"type":"syscall_exit","ts":1500,"cpu":0,"pid":1,"tid":1,"nr":1,"ret":"0xe","irqs_enabled":true,"warned":false,"path":"sysret","strace":"write(1, \"hello, world!\\n\", 14) = 14"}

// The record API: every field of every event decoded and checked into ONE reused record,
// nothing allocated per event. Fields by index (fieldIndex, fastest) or by name.
const RET = fieldIndex('syscall_exit', 'ret');
const reader = new TraceReader();
reader.feed(bytes); // feed chunks as they arrive; nextRecord() returns undefined until one is complete
for (let r = reader.nextRecord(); r !== undefined; r = reader.nextRecord()) {
  if (r.type === 'syscall_entry') console.log(r.ts, r.string('name'), r.element('regs', 16)); // 1000 write 0 (element 16 of regs is ip)
  if (r.type === 'syscall_exit') console.log(r.ts, r.u64(RET), r.has('strace') ? r.string('strace') : '');
  // r.toEvent() builds the object form when an event must outlive the next nextRecord()
}
reader.end(); // throws if the trace stopped early
// 1000 write 0
// 1500 14 write(1, "hello, world!\n", 14) = 14
