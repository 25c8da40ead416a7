import { errnoText } from '../errno.js';
import type { SyscallRow } from './sys/types.js';
import type { Task } from './task.js';
import { copyFromUser, strncpyFromUser } from './uaccess.js';

/**
 * strace-style rendering of one syscall: `write(1, "hi\n", 3) = 3`,
 * `ioctl(1, TIOCGWINSZ, 0x7ffd...) = -1 ENOTTY (Inappropriate ioctl for device)`.
 * Driven by the argument formats in the syscall table's rows.
 */

const MAX_STR = 32;

function hex(v: number): string {
  if (v < 0) return `0x${(BigInt(v) & 0xffffffffffffffffn).toString(16)}`;
  return `0x${v.toString(16)}`;
}

function ptr(v: number): string {
  return v === 0 ? 'NULL' : hex(v);
}

/** A C string literal as strace prints it, truncated to 32 bytes with `...`. */
export function quote(bytes: Uint8Array, limit: number = MAX_STR, allHex = false): string {
  let s = '"';
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (allHex) s += `\\x${b.toString(16).padStart(2, '0')}`;
    else if (b === 0x22) s += '\\"';
    else if (b === 0x5c) s += '\\\\';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x09) s += '\\t';
    else if (b === 0x0d) s += '\\r';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  s += '"';
  if (bytes.length > limit) s += '...';
  return s;
}

function flags(v: number, names: readonly (readonly [number, string])[], zero = '0'): string {
  if (v === 0) return zero;
  const parts: string[] = [];
  let rest = v;
  for (const [bit, name] of names) {
    if ((rest & bit) === bit && bit !== 0) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push(hex(rest));
  return parts.join('|');
}

const PROT = [
  [1, 'PROT_READ'],
  [2, 'PROT_WRITE'],
  [4, 'PROT_EXEC'],
] as const;
const MAP = [
  [0x01, 'MAP_SHARED'],
  [0x02, 'MAP_PRIVATE'],
  [0x10, 'MAP_FIXED'],
  [0x20, 'MAP_ANONYMOUS'],
  [0x100, 'MAP_GROWSDOWN'],
  [0x4000, 'MAP_NORESERVE'],
  [0x8000, 'MAP_POPULATE'],
  [0x20000, 'MAP_STACK'],
  [0x100000, 'MAP_FIXED_NOREPLACE'],
] as const;
const ARCH_PRCTL: Record<number, string> = { 0x1001: 'ARCH_SET_GS', 0x1002: 'ARCH_SET_FS', 0x1003: 'ARCH_GET_FS', 0x1004: 'ARCH_GET_GS' };
const IOCTL: Record<number, string> = { 0x5401: 'TCGETS', 0x5413: 'TIOCGWINSZ' };
const RLIMIT = ['RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC', 'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS'];
const PRCTL: Record<number, string> = { 15: 'PR_SET_NAME', 16: 'PR_GET_NAME' };
const FCNTL: Record<number, string> = { 0: 'F_DUPFD', 1: 'F_GETFD', 2: 'F_SETFD', 3: 'F_GETFL', 4: 'F_SETFL', 1030: 'F_DUPFD_CLOEXEC' };
const CLOCKS = ['CLOCK_REALTIME', 'CLOCK_MONOTONIC', 'CLOCK_PROCESS_CPUTIME_ID', 'CLOCK_THREAD_CPUTIME_ID', 'CLOCK_MONOTONIC_RAW', 'CLOCK_REALTIME_COARSE', 'CLOCK_MONOTONIC_COARSE', 'CLOCK_BOOTTIME'];
const SIGHOW = ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'];

export function formatArgs(t: Task, row: SyscallRow, args: readonly number[], ret: number): string {
  const out: string[] = [];
  row.args.forEach((kind, i) => {
    const v = args[i] ?? 0;
    out.push(formatArg(t, kind, v, args, ret));
  });
  return out.join(', ');
}

function formatArg(t: Task, kind: string, v: number, args: readonly number[], ret: number): string {
  if (kind.startsWith('b:')) {
    const len = Math.max(0, Math.min(args[Number(kind.slice(2))] ?? 0, 4096));
    const bytes = copyFromUser(t, v, Math.min(len, MAX_STR + 1));
    return bytes === null ? hex(v) : quote(bytes);
  }
  if (kind.startsWith('iov:')) {
    const n = Math.min(args[Number(kind.slice(4))] ?? 0, 16);
    const raw = copyFromUser(t, v, n * 16);
    if (raw === null) return hex(v);
    const view = new DataView(raw.buffer);
    const items: string[] = [];
    for (let i = 0; i < n; i++) {
      const base = view.getUint32(i * 16, true) + view.getInt32(i * 16 + 4, true) * 4294967296;
      const len = view.getUint32(i * 16 + 8, true);
      const data = copyFromUser(t, base, Math.min(len, MAX_STR + 1));
      items.push(`{iov_base=${data === null ? hex(base) : quote(data)}, iov_len=${len}}`);
    }
    return `[${items.join(', ')}]`;
  }
  switch (kind) {
    case 'd':
    case 'fd':
      return String(v);
    case 'dirfd':
      return v === -100 ? 'AT_FDCWD' : String(v);
    case 'u':
      return String(v < 0 ? BigInt(v) & 0xffffffffffffffffn : v);
    case 'x':
      return ptr(v);
    case 's': {
      const s = strncpyFromUser(t, v, 4096);
      return s === null ? hex(v) : quote(new TextEncoder().encode(s), 4096);
    }
    case 'ob': {
      if (ret < 0) return hex(v);
      const bytes = copyFromUser(t, v, Math.min(ret, MAX_STR + 1));
      return bytes === null ? hex(v) : quote(bytes);
    }
    case 'obhex': {
      if (ret < 0) return hex(v);
      const bytes = copyFromUser(t, v, Math.min(ret, MAX_STR + 1));
      return bytes === null ? hex(v) : quote(bytes, MAX_STR, true);
    }
    case 'rlim':
    case 'orlim': {
      if (v === 0) return 'NULL';
      if (kind === 'orlim' && ret < 0) return hex(v);
      const raw = copyFromUser(t, v, 16);
      if (raw === null) return hex(v);
      const view = new DataView(raw.buffer);
      const lim = (off: number): string => {
        const x = view.getBigUint64(off, true);
        if (x === 0xffffffffffffffffn) return 'RLIM64_INFINITY';
        if (x % 1024n === 0n && x > 0n) return `${x / 1024n}*1024`;
        return String(x);
      };
      return `{rlim_cur=${lim(0)}, rlim_max=${lim(8)}}`;
    }
    case 'stat':
      return ret === 0 ? '{st_mode=S_IFIFO|0600, st_size=0, ...}' : hex(v);
    case 'prot':
      return flags(v, PROT, 'PROT_NONE');
    case 'mapflags':
      return flags(v, MAP);
    case 'arch_prctl':
      return ARCH_PRCTL[v] ?? hex(v);
    case 'ioctl':
      return IOCTL[v] ?? hex(v);
    case 'rlimit':
      return RLIMIT[v] ?? String(v);
    case 'fcntl':
      return FCNTL[v] ?? String(v);
    case 'prctl':
      return PRCTL[v] ?? String(v);
    case 'clock':
      return CLOCKS[v] ?? String(v);
    case 'sighow':
      return SIGHOW[v] ?? String(v);
    case 'signal':
      return `${v}`;
    case 'atflags':
      return flags(v, [[0x1000, 'AT_EMPTY_PATH'], [0x100, 'AT_SYMLINK_NOFOLLOW']]);
    case 'grnd':
      return flags(v, [[1, 'GRND_NONBLOCK'], [2, 'GRND_RANDOM']]);
    default:
      return hex(v);
  }
}

/** The ` = …` part: `= 3`, `= 0x4a0000`, `= -1 ENOENT (No such file or directory)`, `= ?`. */
export function formatReturn(row: SyscallRow, ret: number | undefined): string {
  if (ret === undefined || row.ret === 'none') return '= ?';
  if (ret < 0 && ret >= -4095) return `= -1 ${errnoText(-ret)}`;
  return `= ${row.ret === 'x' ? hex(ret) : String(ret)}`;
}
