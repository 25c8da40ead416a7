import { SIGNAL_NAMES } from '../arch/x86/kernel/traps.js';
import { errnoText } from '../errno.js';
import { Sigset, signalName, sigsetText } from './signal.js';
import type { SyscallRow } from './sys/types.js';
import type { Task } from './task.js';
import { copyFromUser, strncpyFromUser, userStringArray } from './uaccess.js';

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
    if ((rest & bit) >>> 0 === bit && bit !== 0) {
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
const ARCH_PRCTL: Record<number, string> = {
  0x1001: 'ARCH_SET_GS',
  0x1002: 'ARCH_SET_FS',
  0x1003: 'ARCH_GET_FS',
  0x1004: 'ARCH_GET_GS',
};
const IOCTL: Record<number, string> = { 0x5401: 'TCGETS', 0x5413: 'TIOCGWINSZ' };
const RLIMIT = [
  'RLIMIT_CPU',
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS',
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
];
const PRCTL: Record<number, string> = { 15: 'PR_SET_NAME', 16: 'PR_GET_NAME' };
const FCNTL: Record<number, string> = {
  0: 'F_DUPFD',
  1: 'F_GETFD',
  2: 'F_SETFD',
  3: 'F_GETFL',
  4: 'F_SETFL',
  1030: 'F_DUPFD_CLOEXEC',
};
const CLOCKS = [
  'CLOCK_REALTIME',
  'CLOCK_MONOTONIC',
  'CLOCK_PROCESS_CPUTIME_ID',
  'CLOCK_THREAD_CPUTIME_ID',
  'CLOCK_MONOTONIC_RAW',
  'CLOCK_REALTIME_COARSE',
  'CLOCK_MONOTONIC_COARSE',
  'CLOCK_BOOTTIME',
];
const SIGHOW = ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'];

export function formatArgs(t: Task, row: SyscallRow, args: ArrayLike<number>, ret: number): string {
  const out: string[] = [];
  row.args.forEach((kind, i) => {
    const v = args[i] ?? 0;
    // open's mode is printed only when O_CREAT (or O_TMPFILE) makes it matter, as strace does
    if (kind === 'omode' && ((args[i - 1] ?? 0) & (O_CREAT | O_TMPFILE)) === 0) return;
    out.push(formatArg(t, kind, v, args, ret));
  });
  return out.join(', ');
}

const CLONE_FLAGS = [
  [0x100, 'CLONE_VM'],
  [0x200, 'CLONE_FS'],
  [0x400, 'CLONE_FILES'],
  [0x800, 'CLONE_SIGHAND'],
  [0x4000, 'CLONE_VFORK'],
  [0x8000, 'CLONE_PARENT'],
  [0x10000, 'CLONE_THREAD'],
  [0x40000, 'CLONE_SYSVSEM'],
  [0x80000, 'CLONE_SETTLS'],
  [0x100000, 'CLONE_PARENT_SETTID'],
  [0x200000, 'CLONE_CHILD_CLEARTID'],
  [0x400000, 'CLONE_DETACHED'],
  [0x1000000, 'CLONE_CHILD_SETTID'],
] as const;

const O_CREAT = 0o100;
const O_TMPFILE = 0o20000000;
const OPEN_FLAGS = [
  [0o100, 'O_CREAT'],
  [0o200, 'O_EXCL'],
  [0o400, 'O_NOCTTY'],
  [0o1000, 'O_TRUNC'],
  [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'],
  [0o10000, 'O_DSYNC'],
  [0o40000, 'O_DIRECT'],
  [0o200000, 'O_DIRECTORY'],
  [0o400000, 'O_NOFOLLOW'],
  [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'],
  [0o10000000, 'O_PATH'],
] as const;

/** `O_RDONLY|O_CLOEXEC`: the access mode by name, then the flags strace names. */
function openFlags(v: number): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', '0x3'][v & 3]!;
  const rest = flags(v & ~3 & ~0o100000, OPEN_FLAGS, '');
  return rest === '' ? acc : `${acc}|${rest}`;
}

const FILE_TYPES: Record<number, string> = {
  0o140000: 'S_IFSOCK',
  0o120000: 'S_IFLNK',
  0o100000: 'S_IFREG',
  0o060000: 'S_IFBLK',
  0o040000: 'S_IFDIR',
  0o020000: 'S_IFCHR',
  0o010000: 'S_IFIFO',
};

function octal(v: number): string {
  return v === 0 ? '000' : `0${v.toString(8).padStart(3, '0')}`;
}

/** `{st_mode=S_IFREG|0644, st_size=1234, ...}`, or st_rdev for devices, as strace prints a stat. */
function statText(t: Task, addr: number): string | null {
  const raw = copyFromUser(t, addr, 144);
  if (raw === null) return null;
  const v = new DataView(raw.buffer);
  const mode = v.getUint32(24, true);
  const type = FILE_TYPES[mode & 0o170000] ?? hex(mode & 0o170000);
  const perm = octal(mode & 0o7777);
  if ((mode & 0o170000) === 0o020000 || (mode & 0o170000) === 0o060000) {
    const rdev = v.getUint32(40, true);
    return `{st_mode=${type}|${perm}, st_rdev=makedev(${hex(rdev >>> 8)}, ${hex(rdev & 0xff)}), ...}`;
  }
  const size = v.getUint32(48, true) + v.getUint32(52, true) * 4294967296;
  return `{st_mode=${type}|${perm}, st_size=${size}, ...}`;
}

function formatArg(t: Task, kind: string, v: number, args: ArrayLike<number>, ret: number): string {
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
      return String(v);
    case 'fd':
    case 'i':
      return String(v | 0);
    case 'dirfd':
      return (v | 0) === -100 ? 'AT_FDCWD' : String(v | 0);
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
      return ret === 0 ? (statText(t, v) ?? hex(v)) : hex(v);
    case 'oflags':
      return openFlags(v);
    case 'mode':
    case 'omode':
      return octal(v);
    case 'whence':
      return ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'][v] ?? String(v);
    case 'amode':
      return v === 0
        ? 'F_OK'
        : flags(v, [
            [4, 'R_OK'],
            [2, 'W_OK'],
            [1, 'X_OK'],
          ]);
    case 'cwd': {
      if (ret <= 0) return hex(v);
      const bytes = copyFromUser(t, v, Math.min(ret - 1, 4096));
      return bytes === null ? hex(v) : quote(bytes, 4096);
    }
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
    case 'argv':
    case 'envp': {
      const list = userStringArray(t, v, 4096);
      if (list === null) return hex(v);
      if (kind === 'envp') return `${hex(v)} /* ${list.length} vars */`;
      const shown = list.slice(0, 32).map((a) => quote(new TextEncoder().encode(a)));
      return `[${shown.join(', ')}${list.length > 32 ? ', ...' : ''}]`;
    }
    case 'pipefds': {
      if (ret < 0) return hex(v);
      const raw = copyFromUser(t, v, 8);
      if (raw === null) return hex(v);
      const d = new DataView(raw.buffer);
      return `[${d.getInt32(0, true)}, ${d.getInt32(4, true)}]`;
    }
    case 'wstatus': {
      if (v === 0 || ret <= 0) return ptr(v);
      const raw = copyFromUser(t, v, 4);
      if (raw === null) return hex(v);
      const st = new DataView(raw.buffer).getInt32(0, true);
      if ((st & 0x7f) === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(st >> 8) & 0xff}}]`;
      return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${SIGNAL_NAMES[st & 0x7f] ?? st & 0x7f}}]`;
    }
    case 'wopts':
      return flags(v, [
        [1, 'WNOHANG'],
        [2, 'WUNTRACED'],
        [0x40000000, '__WALL'],
        [0x80000000, '__WCLONE'],
      ]);
    case 'cloneflags': {
      const sig = v & 0xff;
      const rest = flags(v & ~0xff, CLONE_FLAGS, '');
      const sigName = sig === 0 ? '' : (SIGNAL_NAMES[sig] ?? String(sig));
      return `flags=${[rest, sigName].filter((x) => x !== '').join('|') || '0'}`;
    }
    case 'prctlarg': {
      // PR_SET_NAME reads a name, PR_GET_NAME writes one (16 bytes, NUL-terminated)
      const option = args[0] ?? 0;
      if ((option === 15 || (option === 16 && ret === 0)) && v !== 0) {
        const name = strncpyFromUser(t, v, 16);
        if (name !== null) return quote(new TextEncoder().encode(name), 16);
      }
      return hex(v);
    }
    case 'clock':
      return CLOCKS[v] ?? String(v);
    case 'sighow':
      return SIGHOW[v] ?? String(v);
    case 'signal':
      return v > 0 && v <= 64 ? signalName(v) : String(v);
    case 'sigaction':
    case 'osigaction':
      if (v === 0) return 'NULL';
      if (kind === 'osigaction' && ret < 0) return hex(v);
      return sigactionText(t, v) ?? hex(v);
    case 'sigset':
    case 'osigset': {
      if (v === 0) return 'NULL';
      if (kind === 'osigset' && ret < 0) return hex(v);
      const raw = copyFromUser(t, v, 8);
      if (raw === null) return hex(v);
      const d = new DataView(raw.buffer);
      return sigsetText(new Sigset(d.getUint32(0, true), d.getUint32(4, true)));
    }
    case 'sigreturn':
      // at the exit, the mask rt_sigreturn restored is the task's
      return `{mask=${sigsetText(t.blocked)}}`;
    case 'stack':
    case 'ostack': {
      if (v === 0) return 'NULL';
      if (kind === 'ostack' && ret < 0) return hex(v);
      const raw = copyFromUser(t, v, 24);
      if (raw === null) return hex(v);
      const d = new DataView(raw.buffer);
      const sp = d.getUint32(0, true) + d.getUint32(4, true) * 4294967296;
      const fl = flags(d.getInt32(8, true) >>> 0, [
        [1, 'SS_ONSTACK'],
        [2, 'SS_DISABLE'],
        [0x80000000, 'SS_AUTODISARM'],
      ]);
      return `{ss_sp=${ptr(sp)}, ss_flags=${fl}, ss_size=${d.getUint32(16, true) + d.getUint32(20, true) * 4294967296}}`;
    }
    case 'timespec':
    case 'otimespec': {
      if (v === 0) return 'NULL';
      // the time left is written only when the sleep was interrupted
      if (kind === 'otimespec' && ret !== -4) return hex(v);
      const raw = copyFromUser(t, v, 16);
      if (raw === null) return hex(v);
      const d = new DataView(raw.buffer);
      return `{tv_sec=${d.getInt32(0, true) + d.getInt32(4, true) * 4294967296}, tv_nsec=${d.getInt32(8, true) + d.getInt32(12, true) * 4294967296}}`;
    }
    case 'itimerval':
    case 'oitimerval': {
      if (v === 0) return 'NULL';
      if (kind === 'oitimerval' && ret < 0) return hex(v);
      const raw = copyFromUser(t, v, 32);
      if (raw === null) return hex(v);
      const d = new DataView(raw.buffer);
      const tv = (at: number): string =>
        `{tv_sec=${d.getInt32(at, true) + d.getInt32(at + 4, true) * 4294967296}, tv_usec=${d.getInt32(at + 8, true)}}`;
      return `{it_interval=${tv(0)}, it_value=${tv(16)}}`;
    }
    case 'futexop': {
      const cmd = [
        'FUTEX_WAIT',
        'FUTEX_WAKE',
        'FUTEX_FD',
        'FUTEX_REQUEUE',
        'FUTEX_CMP_REQUEUE',
        'FUTEX_WAKE_OP',
        'FUTEX_LOCK_PI',
        'FUTEX_UNLOCK_PI',
        'FUTEX_TRYLOCK_PI',
        'FUTEX_WAIT_BITSET',
        'FUTEX_WAKE_BITSET',
      ][v & 127];
      if (cmd === undefined) return String(v);
      return `${cmd}${v & 128 ? '_PRIVATE' : ''}${v & 256 ? '|FUTEX_CLOCK_REALTIME' : ''}`;
    }
    case 'futexargs': {
      // strace shows the arguments each operation uses: val, then timeout or val2, uaddr2, val3
      const cmd = (args[1] ?? 0) & 127;
      const val = String((args[2] ?? 0) | 0);
      const timeout = (): string => {
        const at = args[3] ?? 0;
        if (at === 0) return 'NULL';
        const raw = copyFromUser(t, at, 16);
        if (raw === null) return hex(at);
        const d = new DataView(raw.buffer);
        return `{tv_sec=${d.getInt32(0, true) + d.getInt32(4, true) * 4294967296}, tv_nsec=${d.getInt32(8, true)}}`;
      };
      const bitset = (): string =>
        (args[5] ?? 0) >>> 0 === 0xffffffff ? 'FUTEX_BITSET_MATCH_ANY' : hex((args[5] ?? 0) >>> 0);
      const val2 = String((args[3] ?? 0) >>> 0);
      switch (cmd) {
        case 0:
          return `${val}, ${timeout()}`;
        case 9:
          return `${val}, ${timeout()}, ${bitset()}`;
        case 10:
          return `${val}, ${bitset()}`;
        case 3:
          return `${val}, ${val2}, ${ptr(args[4] ?? 0)}`;
        case 4:
          return `${val}, ${val2}, ${ptr(args[4] ?? 0)}, ${(args[5] ?? 0) | 0}`;
        case 5:
          return `${val}, ${val2}, ${ptr(args[4] ?? 0)}, ${hex((args[5] ?? 0) >>> 0)}`;
        default:
          return val;
      }
    }
    case 'clone3': {
      const raw = copyFromUser(t, v, 64);
      if (raw === null) return hex(v);
      const d = new DataView(raw.buffer);
      const u = (at: number): number => d.getUint32(at, true) + d.getUint32(at + 4, true) * 4294967296;
      const fl = flags(u(0), CLONE_FLAGS);
      const sig = u(32);
      const parts = [`flags=${fl}`];
      if (u(16) !== 0) parts.push(`child_tid=${hex(u(16))}`);
      if (u(24) !== 0) parts.push(`parent_tid=${hex(u(24))}`);
      parts.push(
        `exit_signal=${sig === 0 ? '0' : signalName(sig)}`,
        `stack=${hex(u(40))}`,
        `stack_size=${hex(u(48))}`,
      );
      if (u(56) !== 0) parts.push(`tls=${hex(u(56))}`);
      return `{${parts.join(', ')}}`;
    }
    case 'itimer':
      return ['ITIMER_REAL', 'ITIMER_VIRTUAL', 'ITIMER_PROF'][v] ?? String(v);
    case 'timerflags':
      return v === 1 ? 'TIMER_ABSTIME' : String(v);
    case 'atflags':
      return flags(v, [
        [0x1000, 'AT_EMPTY_PATH'],
        [0x100, 'AT_SYMLINK_NOFOLLOW'],
        [0x200, 'AT_REMOVEDIR'],
      ]);
    case 'grnd':
      return flags(v, [
        [1, 'GRND_NONBLOCK'],
        [2, 'GRND_RANDOM'],
      ]);
    default:
      return hex(v);
  }
}

const SA_FLAGS = [
  [0x00000001, 'SA_NOCLDSTOP'],
  [0x00000002, 'SA_NOCLDWAIT'],
  [0x00000004, 'SA_SIGINFO'],
  [0x04000000, 'SA_RESTORER'],
  [0x08000000, 'SA_ONSTACK'],
  [0x10000000, 'SA_RESTART'],
  [0x40000000, 'SA_NODEFER'],
  [0x80000000, 'SA_RESETHAND'],
] as const;

/** `{sa_handler=0x401234, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x402000}`. */
function sigactionText(t: Task, addr: number): string | null {
  const raw = copyFromUser(t, addr, 32);
  if (raw === null) return null;
  const d = new DataView(raw.buffer);
  const handler = d.getUint32(0, true) + d.getUint32(4, true) * 4294967296;
  const fl = d.getUint32(8, true);
  const restorer = d.getUint32(16, true) + d.getUint32(20, true) * 4294967296;
  const mask = sigsetText(new Sigset(d.getUint32(24, true), d.getUint32(28, true)));
  const name = handler === 0 ? 'SIG_DFL' : handler === 1 ? 'SIG_IGN' : hex(handler);
  const flagText = flags(fl, SA_FLAGS);
  const tail = (fl & 0x04000000) !== 0 ? `, sa_restorer=${hex(restorer)}` : '';
  return `{sa_handler=${name}, sa_mask=${mask}, sa_flags=${flagText}${tail}}`;
}

/** The ` = …` part: `= 3`, `= 0x4a0000`, `= -1 ENOENT (No such file or directory)`, `= ?`. */
export function formatReturn(row: SyscallRow, ret: number | undefined): string {
  if (ret === undefined || row.ret === 'none') return '= ?';
  if (ret < 0 && ret >= -4095) return `= -1 ${errnoText(-ret)}`;
  if (row.ret === 'o') return `= ${octal(ret)}`;
  return `= ${row.ret === 'x' ? hex(ret) : String(ret)}`;
}
