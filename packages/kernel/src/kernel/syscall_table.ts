import * as fs from './sys/fs.js';
import * as mm from './sys/mm.js';
import * as proc from './sys/process.js';
import type { SyscallRow } from './sys/types.js';

/** NR_syscalls: 612 slots (max 611), every one defaulting to sys_ni_syscall. */
export const NR_SYSCALLS = 612;

/** Lego's 111 entries (lego-facts.md), by number and name. */
const LEGO: Record<number, string> = {
  0: 'read', 1: 'write', 2: 'open', 3: 'close', 4: 'stat', 5: 'fstat', 6: 'lstat', 7: 'poll', 8: 'lseek',
  9: 'mmap', 10: 'mprotect', 11: 'munmap', 12: 'brk', 13: 'rt_sigaction', 14: 'rt_sigprocmask',
  15: 'rt_sigreturn', 16: 'ioctl', 17: 'pread64', 18: 'pwrite64', 19: 'readv', 20: 'writev', 21: 'access',
  22: 'pipe', 24: 'sched_yield', 25: 'mremap', 26: 'msync', 28: 'madvise', 32: 'dup', 33: 'dup2',
  34: 'pause', 35: 'nanosleep', 38: 'setitimer', 39: 'getpid', 41: 'socket', 42: 'connect', 43: 'accept',
  44: 'sendto', 45: 'recvfrom', 46: 'sendmsg', 47: 'recvmsg', 49: 'bind', 50: 'listen', 56: 'clone',
  57: 'fork', 58: 'vfork', 59: 'execve', 60: 'exit', 61: 'wait4', 62: 'kill', 63: 'uname', 72: 'fcntl',
  74: 'fsync', 76: 'truncate', 77: 'ftruncate', 78: 'getdents', 79: 'getcwd', 82: 'rename', 83: 'mkdir',
  84: 'rmdir', 85: 'creat', 87: 'unlink', 89: 'readlink', 96: 'gettimeofday', 97: 'getrlimit',
  98: 'getrusage', 99: 'sysinfo', 102: 'getuid', 104: 'getgid', 105: 'setuid', 106: 'setgid',
  107: 'geteuid', 108: 'getegid', 110: 'getppid', 111: 'getpgrp', 127: 'rt_sigpending',
  128: 'rt_sigtimedwait', 129: 'rt_sigqueueinfo', 130: 'rt_sigsuspend', 131: 'sigaltstack', 137: 'statfs',
  157: 'prctl', 158: 'arch_prctl', 160: 'setrlimit', 162: 'sync', 186: 'gettid', 200: 'tkill', 201: 'time',
  202: 'futex', 203: 'sched_setaffinity', 204: 'sched_getaffinity', 213: 'epoll_create',
  218: 'set_tid_address', 219: 'restart_syscall', 228: 'clock_gettime', 231: 'exit_group',
  232: 'epoll_wait', 233: 'epoll_ctl', 234: 'tgkill', 237: 'mbind', 247: 'waitid', 257: 'openat',
  262: 'newfstatat', 263: 'unlinkat', 273: 'set_robust_list', 274: 'get_robust_list',
  291: 'epoll_create1', 293: 'pipe2', 309: 'getcpu', 600: 'checkpoint_process', 601: 'pcache_stat',
  611: 'drop_page_cache',
};

/** Linux numbers Lego lacks but today's static libcs call (strace of busybox echo). */
const EXTRA: Record<number, string> = {
  302: 'prlimit64',
  318: 'getrandom',
  334: 'rseq',
  // the *at and 64-bit variants today's libcs and busybox use for the file calls Lego has
  40: 'sendfile',
  75: 'fdatasync',
  80: 'chdir',
  81: 'fchdir',
  88: 'symlink',
  95: 'umask',
  138: 'fstatfs',
  217: 'getdents64',
  258: 'mkdirat',
  264: 'renameat',
  266: 'symlinkat',
  267: 'readlinkat',
  269: 'faccessat',
  292: 'dup3',
  316: 'renameat2',
  439: 'faccessat2',
};

/**
 * The implemented rows: name → implementation and strace argument formats. Rows of Lego's
 * table without an implementation yet still dispatch to sys_ni_syscall (they arrive with
 * the kernel issue); their names are known to the strace printer.
 */
const IMPL: Record<string, Omit<SyscallRow, 'nr' | 'name' | 'lego'>> = {
  read: { fn: fs.sys_read, args: ['fd', 'ob', 'u'] },
  write: { fn: fs.sys_write, args: ['fd', 'b:2', 'u'] },
  open: { fn: fs.sys_open, args: ['s', 'oflags', 'omode'] },
  openat: { fn: fs.sys_openat, args: ['dirfd', 's', 'oflags', 'omode'] },
  creat: { fn: fs.sys_creat, args: ['s', 'mode'] },
  close: { fn: fs.sys_close, args: ['fd'] },
  stat: { fn: fs.sys_stat, args: ['s', 'stat'] },
  lstat: { fn: fs.sys_lstat, args: ['s', 'stat'] },
  fstat: { fn: fs.sys_fstat, args: ['fd', 'stat'] },
  newfstatat: { fn: fs.sys_newfstatat, args: ['dirfd', 's', 'stat', 'atflags'] },
  statfs: { fn: fs.sys_statfs, args: ['s', 'x'] },
  fstatfs: { fn: fs.sys_fstatfs, args: ['fd', 'x'] },
  lseek: { fn: fs.sys_lseek, args: ['fd', 'd', 'whence'] },
  pread64: { fn: fs.sys_pread64, args: ['fd', 'ob', 'u', 'd'] },
  pwrite64: { fn: fs.sys_pwrite64, args: ['fd', 'b:2', 'u', 'd'] },
  readv: { fn: fs.sys_readv, args: ['fd', 'x', 'd'] },
  writev: { fn: fs.sys_writev, args: ['fd', 'iov:2', 'd'] },
  access: { fn: fs.sys_access, args: ['s', 'amode'] },
  faccessat: { fn: fs.sys_faccessat, args: ['dirfd', 's', 'amode'] },
  faccessat2: { fn: fs.sys_faccessat2, args: ['dirfd', 's', 'amode', 'atflags'] },
  ioctl: { fn: fs.sys_ioctl, args: ['fd', 'ioctl', 'x'] },
  fcntl: { fn: fs.sys_fcntl, args: ['fd', 'fcntl', 'x'] },
  dup: { fn: fs.sys_dup, args: ['fd'] },
  dup2: { fn: fs.sys_dup2, args: ['fd', 'fd'] },
  dup3: { fn: fs.sys_dup3, args: ['fd', 'fd', 'oflags'] },
  getdents64: { fn: fs.sys_getdents64, args: ['fd', 'x', 'u'] },
  getcwd: { fn: fs.sys_getcwd, args: ['cwd', 'u'] },
  chdir: { fn: fs.sys_chdir, args: ['s'] },
  fchdir: { fn: fs.sys_fchdir, args: ['fd'] },
  umask: { fn: fs.sys_umask, args: ['mode'], ret: 'o' },
  mkdir: { fn: fs.sys_mkdir, args: ['s', 'mode'] },
  mkdirat: { fn: fs.sys_mkdirat, args: ['dirfd', 's', 'mode'] },
  rmdir: { fn: fs.sys_rmdir, args: ['s'] },
  unlink: { fn: fs.sys_unlink, args: ['s'] },
  unlinkat: { fn: fs.sys_unlinkat, args: ['dirfd', 's', 'atflags'] },
  rename: { fn: fs.sys_rename, args: ['s', 's'] },
  renameat: { fn: fs.sys_renameat, args: ['dirfd', 's', 'dirfd', 's'] },
  renameat2: { fn: fs.sys_renameat2, args: ['dirfd', 's', 'dirfd', 's', 'x'] },
  symlink: { fn: fs.sys_symlink, args: ['s', 's'] },
  symlinkat: { fn: fs.sys_symlinkat, args: ['s', 'dirfd', 's'] },
  readlink: { fn: fs.sys_readlink, args: ['s', 'ob', 'u'] },
  readlinkat: { fn: fs.sys_readlinkat, args: ['dirfd', 's', 'ob', 'u'] },
  truncate: { fn: fs.sys_truncate, args: ['s', 'd'] },
  ftruncate: { fn: fs.sys_ftruncate, args: ['fd', 'd'] },
  sendfile: { fn: fs.sys_sendfile, args: ['fd', 'fd', 'x', 'u'] },
  fsync: { fn: fs.sys_fsync, args: ['fd'] },
  fdatasync: { fn: fs.sys_fsync, args: ['fd'] },
  mmap: { fn: mm.sys_mmap, args: ['x', 'u', 'prot', 'mapflags', 'fd', 'x'], ret: 'x' },
  mprotect: { fn: mm.sys_mprotect, args: ['x', 'u', 'prot'] },
  munmap: { fn: mm.sys_munmap, args: ['x', 'u'] },
  brk: { fn: mm.sys_brk, args: ['x'], ret: 'x' },
  madvise: { fn: mm.sys_madvise, args: ['x', 'u', 'd'] },
  rt_sigaction: { fn: proc.sys_rt_sigaction, args: ['signal', 'x', 'x', 'u'] },
  rt_sigprocmask: { fn: proc.sys_rt_sigprocmask, args: ['sighow', 'x', 'x', 'u'] },
  sched_yield: { fn: proc.sys_sched_yield, args: [] },
  fork: { fn: proc.sys_fork, args: [] },
  vfork: { fn: proc.sys_vfork, args: [] },
  clone: { fn: proc.sys_clone, args: ['cloneflags', 'x', 'x', 'x', 'x'] },
  wait4: { fn: proc.sys_wait4, args: ['i', 'wstatus', 'wopts', 'x'] },
  sysinfo: { fn: proc.sys_sysinfo, args: ['x'] },
  execve: { fn: proc.sys_execve, args: ['s', 'argv', 'envp'], entry: true },
  pipe: { fn: fs.sys_pipe, args: ['pipefds'] },
  pipe2: { fn: fs.sys_pipe2, args: ['pipefds', 'oflags'] },
  getpid: { fn: proc.sys_getpid, args: [] },
  exit: { fn: proc.sys_exit, args: ['d'], ret: 'none' },
  uname: { fn: proc.sys_uname, args: ['x'] },
  gettimeofday: { fn: proc.sys_gettimeofday, args: ['x', 'x'] },
  getrlimit: { fn: proc.sys_getrlimit, args: ['rlimit', 'x'] },
  getuid: { fn: proc.sys_getuid, args: [] },
  getgid: { fn: proc.sys_getuid, args: [] },
  geteuid: { fn: proc.sys_getuid, args: [] },
  getegid: { fn: proc.sys_getuid, args: [] },
  getppid: { fn: proc.sys_getppid, args: [] },
  prctl: { fn: proc.sys_prctl, args: ['prctl', 'prctlarg'] },
  arch_prctl: { fn: proc.sys_arch_prctl, args: ['arch_prctl', 'x'] },
  gettid: { fn: proc.sys_gettid, args: [] },
  time: { fn: proc.sys_time, args: ['x'] },
  sched_getaffinity: { fn: proc.sys_sched_getaffinity, args: ['d', 'u', 'x'] },
  set_tid_address: { fn: proc.sys_set_tid_address, args: ['x'] },
  clock_gettime: { fn: proc.sys_clock_gettime, args: ['clock', 'x'] },
  exit_group: { fn: proc.sys_exit_group, args: ['d'], ret: 'none' },
  set_robust_list: { fn: proc.sys_set_robust_list, args: ['x', 'u'] },
  getcpu: { fn: proc.sys_getcpu, args: ['x', 'x', 'x'] },
  prlimit64: { fn: proc.sys_prlimit64, args: ['d', 'rlimit', 'rlim', 'orlim'] },
  getrandom: { fn: proc.sys_getrandom, args: ['obhex', 'u', 'grnd'] },
  // Lego has no rseq. Outside --lego-table-only it fails quietly with -ENOSYS (glibc then
  // carries on without it) instead of printing sys_ni_syscall's NOTICE at every start.
  rseq: { fn: () => -38, args: ['x', 'x', 'd', 'x'] },
};

/** Builds the 612 rows. With `legoOnly`, numbers outside Lego's table are not dispatched. */
export function buildSyscallTable(legoOnly: boolean): SyscallRow[] {
  const rows: SyscallRow[] = [];
  for (let nr = 0; nr < NR_SYSCALLS; nr++) {
    const legoName = LEGO[nr];
    const extraName = EXTRA[nr];
    const name = legoName ?? extraName ?? `syscall_${nr}`;
    const impl = IMPL[name];
    const dispatched = legoName !== undefined || (!legoOnly && extraName !== undefined);
    const row: SyscallRow = { nr, name, lego: legoName !== undefined, args: impl?.args ?? ['x', 'x', 'x', 'x', 'x', 'x'] };
    if (dispatched && impl?.fn) row.fn = impl.fn;
    if (impl?.ret) row.ret = impl.ret;
    if (impl?.entry) row.entry = true;
    rows.push(row);
  }
  return rows;
}

/** Names of Lego's syscalls, for documentation and tests. */
export const LEGO_SYSCALL_NAMES: Readonly<Record<number, string>> = LEGO;
