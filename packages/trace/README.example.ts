// The README's example, kept runnable: npx tsx packages/trace/README.example.ts
import { BinaryTraceWriter, MemorySink, TeeSink, readTrace, toJsonl, u64Words } from './src/index.ts';

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
sink.syscallExit(1500, 0, 1, 1, 1, 14, true, false, 'sysret');
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
// {"type":"syscall_exit","ts":1500,"cpu":0,"pid":1,"tid":1,"nr":1,"ret":"0xe","irqs_enabled":true,"warned":false,"path":"sysret"}
