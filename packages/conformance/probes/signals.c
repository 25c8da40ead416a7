/*
 * POSIX signals, differential: handlers, masks, timers, restarts, children killed by signals.
 * Every line printed is deterministic natively (no pids, no times), so the model must print
 * the same bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile sig_atomic_t segv_seen;
static volatile void *segv_addr;

static void on_segv(int sig, siginfo_t *info, void *uc) {
  (void)uc;
  segv_seen = sig;
  segv_addr = info->si_addr;
  siglongjmp(env, 1);
}

static void segv_test(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, NULL);
  for (int round = 0; round < 2; round++) {
    if (sigsetjmp(env, 1) == 0) {
      volatile int *p = (volatile int *)(long)(round * 16);
      *p = 42;
      printf("segv: no fault?\n");
    } else {
      printf("segv round %d: signal %d addr %p\n", round, (int)segv_seen, (void *)segv_addr);
    }
  }
  /* the mask siglongjmp restored: SIGSEGV is not blocked any more */
  sigset_t cur;
  sigprocmask(SIG_BLOCK, NULL, &cur);
  printf("segv blocked after siglongjmp: %d\n", sigismember(&cur, SIGSEGV));
  signal(SIGSEGV, SIG_DFL);
}

static volatile sig_atomic_t alarm_fired;
static void on_alarm(int sig) {
  alarm_fired = sig;
}

static void itimer_test(void) {
  signal(SIGALRM, on_alarm);
  struct itimerval it = {{0, 0}, {0, 5000}};
  setitimer(ITIMER_REAL, &it, NULL);
  volatile unsigned long spins = 0;
  while (!alarm_fired) spins++;
  printf("itimer: SIGALRM %d interrupted a busy loop (spun: %s)\n", (int)alarm_fired, spins > 0 ? "yes" : "no");
  struct itimerval left;
  getitimer(ITIMER_REAL, &left);
  printf("itimer: disarmed after one shot: %d\n", left.it_value.tv_sec == 0 && left.it_value.tv_usec == 0);
}

static void sigkill_child_test(void) {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  kill(pid, SIGKILL);
  int status = 0;
  pid_t got = waitpid(pid, &status, 0);
  printf("sigkill: waitpid same pid %d, WIFSIGNALED %d, WTERMSIG %d, WIFEXITED %d\n", got == pid, WIFSIGNALED(status), WTERMSIG(status), WIFEXITED(status));
  pid = fork();
  if (pid == 0) {
    raise(SIGTERM);
    _exit(0);
  }
  waitpid(pid, &status, 0);
  printf("sigterm: WIFSIGNALED %d, WTERMSIG %d\n", WIFSIGNALED(status), WTERMSIG(status));
}

static volatile sig_atomic_t usr1_count;
static void on_usr1(int sig) {
  (void)sig;
  usr1_count++;
}

static void mask_test(void) {
  signal(SIGUSR1, on_usr1);
  sigset_t set, old, pending;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  raise(SIGUSR1);
  raise(SIGUSR1);
  sigpending(&pending);
  printf("mask: blocked, count %d, pending %d\n", (int)usr1_count, sigismember(&pending, SIGUSR1));
  sigprocmask(SIG_SETMASK, &old, NULL);
  sigpending(&pending);
  printf("mask: unblocked, count %d (merged), pending %d\n", (int)usr1_count, sigismember(&pending, SIGUSR1));
  signal(SIGUSR1, SIG_IGN);
  raise(SIGUSR1);
  printf("mask: ignored, count %d\n", (int)usr1_count);
  signal(SIGUSR1, SIG_DFL);
}

static void restart_test(int restart) {
  int fds[2];
  if (pipe(fds) != 0) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
  alarm_fired = 0;
  pid_t pid = -1;
  if (restart) {
    /* the read restarts after the handler, so someone must write eventually */
    pid = fork();
    if (pid == 0) {
      struct timespec ts = {0, 200000000};
      nanosleep(&ts, NULL);
      write(fds[1], "x", 1);
      _exit(0);
    }
  }
  struct itimerval it = {{0, 0}, {0, 20000}};
  setitimer(ITIMER_REAL, &it, NULL);
  char c;
  ssize_t n = read(fds[0], &c, 1);
  int err = errno;
  if (n < 0)
    printf("read %s SA_RESTART: -1 %s, alarm %d\n", restart ? "with" : "without", err == EINTR ? "EINTR" : strerror(err), (int)alarm_fired);
  else
    printf("read %s SA_RESTART: %zd '%c', alarm %d\n", restart ? "with" : "without", n, c, (int)alarm_fired);
  if (pid > 0) waitpid(pid, NULL, 0);
  close(fds[0]);
  close(fds[1]);
}

static volatile sig_atomic_t chld_seen;
static volatile int chld_code, chld_status;
static void on_chld(int sig, siginfo_t *info, void *uc) {
  (void)uc;
  chld_seen = sig;
  chld_code = info->si_code;
  chld_status = info->si_status;
}

static void sigchld_suspend_test(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_chld;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGCHLD, &sa, NULL);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  pid_t pid = fork();
  if (pid == 0) _exit(7);
  /* the classic race-free wait: SIGCHLD blocked, then sigsuspend with it unblocked */
  sigset_t wait_mask = old;
  sigdelset(&wait_mask, SIGCHLD);
  while (!chld_seen) {
    int r = sigsuspend(&wait_mask);
    printf("sigsuspend: %d %s\n", r, errno == EINTR ? "EINTR" : "?");
  }
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  printf("sigchld: signal %d code %s status %d, mask restored %d\n", (int)chld_seen, chld_code == CLD_EXITED ? "CLD_EXITED" : "?", chld_status,
         sigismember(&now, SIGCHLD));
  int status;
  waitpid(pid, &status, 0);
  printf("sigchld: exit status %d\n", WEXITSTATUS(status));
  sigprocmask(SIG_SETMASK, &old, NULL);
  signal(SIGCHLD, SIG_DFL);
}

static volatile int info_signo, info_code, info_pid_ok;
static void on_usr2(int sig, siginfo_t *info, void *uc) {
  (void)sig;
  (void)uc;
  info_signo = info->si_signo;
  info_code = info->si_code;
  info_pid_ok = info->si_pid == getpid();
}

static void siginfo_test(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr2;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  printf("siginfo raise: si_signo %d si_code %d (SI_TKILL %d) si_pid is getpid %d\n", info_signo, info_code, SI_TKILL, info_pid_ok);
  kill(getpid(), SIGUSR2);
  printf("siginfo kill: si_signo %d si_code %d (SI_USER %d) si_pid is getpid %d\n", info_signo, info_code, SI_USER, info_pid_ok);
}

static volatile double fpu_in_handler;
static void on_fp(int sig) {
  /* a handler that uses the x87 and SSE registers the interrupted code was using */
  double x = sig;
  for (int i = 0; i < 10; i++) x = x * 1.5 + 0.25;
  long double y = x;
  y = y / 3.0L;
  fpu_in_handler = (double)y;
}

static void fpu_test(void) {
  signal(SIGUSR1, on_fp);
  volatile double a = 1.0 / 3.0;
  double b = a * 7.0;
  long double c = (long double)a * 11.0L;
  raise(SIGUSR1);
  double b2 = b + a;
  long double c2 = c + a;
  printf("fpu: after handler %.17g %.17Lg, handler computed %.6f\n", b2, c2, fpu_in_handler);
  signal(SIGUSR1, SIG_DFL);
}

static volatile sig_atomic_t fp_alarm;
static void on_fp_alarm(int sig) {
  /* round upwards, wipe the xmm registers and leave values on the x87 stack: the interrupted
     loop must see none of it once sigreturn restores the frame's FPU state */
  unsigned int up = 0x1f80 | (2u << 13);
  __asm__ volatile("ldmxcsr %0" ::"m"(up));
  __asm__ volatile("xorps %%xmm0, %%xmm0; xorps %%xmm1, %%xmm1; xorps %%xmm2, %%xmm2; xorps %%xmm3, %%xmm3\n\t"
                   "xorps %%xmm4, %%xmm4; xorps %%xmm5, %%xmm5; xorps %%xmm6, %%xmm6; xorps %%xmm7, %%xmm7\n\t"
                   "xorps %%xmm8, %%xmm8; xorps %%xmm9, %%xmm9; xorps %%xmm10, %%xmm10; xorps %%xmm11, %%xmm11\n\t"
                   "xorps %%xmm12, %%xmm12; xorps %%xmm13, %%xmm13; xorps %%xmm14, %%xmm14; xorps %%xmm15, %%xmm15\n\t"
                   "fldpi; fldpi; fldpi; fldpi; fldpi; fldpi; fldpi; fldpi" ::: "memory");
  fp_alarm = sig;
}

static void async_fpu_test(void) {
  signal(SIGALRM, on_fp_alarm);
  volatile double va = 1.5, vb = 2.25;
  volatile long double vc = 1.25L;
  double a = va, b = vb;
  long double c = vc;
  unsigned long bad = 0, spins = 0;
  struct itimerval it = {{0, 0}, {0, 5000}};
  setitimer(ITIMER_REAL, &it, NULL);
  while (!fp_alarm) {
    /* the values live in xmm and x87 registers while the signal arrives */
    __asm__ volatile("" : "+x"(a), "+x"(b), "+t"(c));
    if (a * b != 3.375 || c * c != 1.5625L) bad++;
    spins++;
  }
  unsigned int mx;
  __asm__ volatile("stmxcsr %0" : "=m"(mx));
  volatile double third = 1.0 / (va * 2.0);
  printf("async fpu: mismatches %lu (spun: %s), rounding field after handler %u, 1/3 %.17g, %g %Lg\n", bad, spins > 0 ? "yes" : "no", (mx >> 13) & 3,
         third / 1.5 * 1.5 - third + 1.0 / 3.0, a * b, c * c);
  signal(SIGALRM, SIG_DFL);
}

static volatile sig_atomic_t reset_count;
static void on_reset(int sig) {
  (void)sig;
  reset_count++;
}

static char altstack[65536];
static volatile int on_alt;
static void on_alt_handler(int sig) {
  (void)sig;
  char probe;
  on_alt = (char *)&probe >= altstack && (char *)&probe < altstack + sizeof altstack;
}

static void flags_test(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_reset;
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  struct sigaction now;
  sigaction(SIGUSR1, NULL, &now);
  printf("SA_RESETHAND: ran %d, handler back to SIG_DFL %d\n", (int)reset_count, now.sa_handler == SIG_DFL);

  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alt_handler;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  printf("SA_ONSTACK: handler ran on the alternate stack %d\n", on_alt);
  sa.sa_flags = 0;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  printf("without SA_ONSTACK: on the alternate stack %d\n", on_alt);
  stack_t old;
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, &old);
  printf("sigaltstack: old size %zu flags %d\n", old.ss_size, old.ss_flags);
}

static void nanosleep_test(void) {
  signal(SIGALRM, on_alarm);
  alarm_fired = 0;
  struct itimerval it = {{0, 0}, {0, 10000}};
  setitimer(ITIMER_REAL, &it, NULL);
  struct timespec req = {5, 0}, rem = {0, 0};
  int r = nanosleep(&req, &rem);
  printf("nanosleep: %d %s, alarm %d, time left %d\n", r, r < 0 && errno == EINTR ? "EINTR" : "-", (int)alarm_fired, rem.tv_sec >= 4 && rem.tv_sec <= 5);
  req.tv_sec = 0;
  req.tv_nsec = 1000000;
  printf("nanosleep 1ms: %d\n", nanosleep(&req, NULL));
  req.tv_nsec = 1000000000;
  r = nanosleep(&req, NULL);
  printf("nanosleep bad: %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
  alarm(0);
  printf("alarm: previous %u\n", alarm(10));
  printf("alarm: left %u\n", alarm(0));
  signal(SIGALRM, SIG_DFL);
}

static void on_iopl(int sig, siginfo_t *info, void *ucv) {
  (void)sig;
  (void)info;
  ucontext_t *uc = ucv;
  /* ask for IOPL 3 and the carry flag: sigreturn may grant only the arithmetic flags */
  uc->uc_mcontext.gregs[REG_EFL] |= 0x3000;
}

static void sigreturn_test(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_iopl;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  unsigned long flags;
  __asm__ volatile("pushfq; popq %0" : "=r"(flags));
  printf("sigreturn: IOPL after asking for 3: %lu\n", (flags >> 12) & 3);
  signal(SIGUSR1, SIG_DFL);
  /* rt_sigreturn with no frame under the stack pointer: SIGSEGV, not a crash of the kernel */
  pid_t pid = fork();
  if (pid == 0) {
    __asm__ volatile("mov $16, %%rsp; mov $15, %%eax; syscall" ::: "memory");
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("sigreturn without a frame: WIFSIGNALED %d WTERMSIG %d\n", WIFSIGNALED(status), WTERMSIG(status));
}

static volatile sig_atomic_t pipe_sig;
static void on_pipe(int sig) {
  pipe_sig = sig;
}

static void sigpipe_test(void) {
  int fds[2];
  if (pipe(fds) != 0) return;
  close(fds[0]);
  signal(SIGPIPE, SIG_IGN);
  ssize_t n = write(fds[1], "x", 1);
  printf("SIGPIPE ignored: write %zd %s\n", n, n < 0 && errno == EPIPE ? "EPIPE" : "?");
  signal(SIGPIPE, on_pipe);
  n = write(fds[1], "x", 1);
  printf("SIGPIPE caught: write %zd %s, handler saw %d\n", n, n < 0 && errno == EPIPE ? "EPIPE" : "?", (int)pipe_sig);
  signal(SIGPIPE, SIG_DFL);
  close(fds[1]);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  segv_test();
  itimer_test();
  sigkill_child_test();
  mask_test();
  restart_test(0);
  restart_test(1);
  sigchld_suspend_test();
  siginfo_test();
  fpu_test();
  async_fpu_test();
  flags_test();
  nanosleep_test();
  sigreturn_test();
  sigpipe_test();
  printf("sigaction SIGKILL: %d\n", sigaction(SIGKILL, &(struct sigaction){.sa_handler = SIG_IGN}, NULL));
  /* last: die of an unhandled signal; the exit status says which */
  raise(SIGTERM);
  printf("not reached\n");
  return 0;
}
