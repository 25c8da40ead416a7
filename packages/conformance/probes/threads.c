/*
 * POSIX threads, differential: clone with CLONE_THREAD, futexes under mutexes and condition
 * variables, thread exit and join, thread ids. Every line is deterministic natively.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREADS 4
#define ROUNDS 50000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static int same_pid[THREADS], own_tid[THREADS];

static void *add(void *arg) {
  int id = (int)(long)arg;
  same_pid[id] = getpid() == (pid_t)(long)syscall(SYS_getpid);
  own_tid[id] = syscall(SYS_gettid) != getpid();
  for (int i = 0; i < ROUNDS; i++) {
    pthread_mutex_lock(&lock);
    long v = counter;
    /* a window in which a preempted holder makes the others wait on the futex */
    for (volatile int j = 0; j < 10; j++) {
    }
    counter = v + 1;
    pthread_mutex_unlock(&lock);
  }
  return (void *)(long)(id * 10);
}

#define ITEMS 200
#define SLOTS 4
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static int queue[SLOTS], head, count;

static void *producer(void *arg) {
  (void)arg;
  for (int i = 1; i <= ITEMS; i++) {
    pthread_mutex_lock(&qlock);
    while (count == SLOTS) pthread_cond_wait(&not_full, &qlock);
    queue[(head + count) % SLOTS] = i;
    count++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&qlock);
  }
  return NULL;
}

static void *consumer(void *arg) {
  long sum = 0, n = 0, in_order = 1, last = 0;
  (void)arg;
  while (n < ITEMS) {
    pthread_mutex_lock(&qlock);
    while (count == 0) pthread_cond_wait(&not_empty, &qlock);
    int v = queue[head];
    head = (head + 1) % SLOTS;
    count--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&qlock);
    if (v != last + 1) in_order = 0;
    last = v;
    sum += v;
    n++;
  }
  printf("consumer: %ld items, sum %ld, in order %ld\n", n, sum, in_order);
  return NULL;
}

static pthread_barrier_t barrier;
static void *at_barrier(void *arg) {
  int serial = pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD;
  return (void *)(long)serial + (long)arg * 0;
}

static __thread int tls_value = 7;
static void *tls_thread(void *arg) {
  tls_value += (int)(long)arg;
  return (void *)(long)tls_value;
}

static volatile int handler_tid, target_tid;
static volatile sig_atomic_t got;
static void on_usr(int sig) {
  handler_tid = (int)syscall(SYS_gettid);
  got = sig;
}

static void *signal_target(void *arg) {
  (void)arg;
  target_tid = (int)syscall(SYS_gettid);
  while (!got) sched_yield();
  return NULL;
}

/* pthread_kill reaches that thread; a process signal goes to a thread that does not block it */
static void thread_signals(void) {
  signal(SIGUSR1, on_usr);
  signal(SIGUSR2, on_usr);
  pthread_t t;
  pthread_create(&t, NULL, signal_target, NULL);
  while (!target_tid) sched_yield();
  pthread_kill(t, SIGUSR1);
  pthread_join(t, NULL);
  printf("pthread_kill: handler ran in the target thread %d (signal %d)\n", handler_tid == target_tid, (int)got);
  got = 0;
  target_tid = 0;
  /* the new thread inherits the mask: block SIGUSR2 in main only once it runs */
  pthread_create(&t, NULL, signal_target, NULL);
  while (!target_tid) sched_yield();
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  kill(getpid(), SIGUSR2);
  pthread_join(t, NULL);
  printf("kill: the thread that does not block it took it %d (signal %d)\n", handler_tid == target_tid, (int)got);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void *last_thread(void *arg) {
  (void)arg;
  struct timespec ts = {0, 1000000};
  nanosleep(&ts, NULL);
  printf("last thread: still running after main's pthread_exit, same pid %d\n", getpid() == (pid_t)(long)arg);
  return NULL;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, add, (void *)i);
  long codes = 0;
  for (int i = 0; i < THREADS; i++) {
    void *r;
    pthread_join(t[i], &r);
    codes += (long)r;
  }
  printf("counter %ld (expected %d), join values %ld\n", counter, THREADS * ROUNDS, codes);
  int pids = 0, tids = 0;
  for (int i = 0; i < THREADS; i++) pids += same_pid[i], tids += own_tid[i];
  printf("threads share the pid %d, have their own tid %d\n", pids, tids);

  pthread_t p, c;
  pthread_create(&c, NULL, consumer, NULL);
  pthread_create(&p, NULL, producer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, NULL);

  pthread_barrier_init(&barrier, NULL, 3);
  pthread_t b[2];
  for (long i = 0; i < 2; i++) pthread_create(&b[i], NULL, at_barrier, (void *)i);
  long serial = at_barrier(NULL) != NULL;
  for (int i = 0; i < 2; i++) {
    void *r;
    pthread_join(b[i], &r);
    serial += (long)r;
  }
  printf("barrier: one serial thread %d\n", serial == 1);

  pthread_t tt;
  void *tr;
  pthread_create(&tt, NULL, tls_thread, (void *)5);
  pthread_join(tt, &tr);
  printf("tls: thread saw %ld, main still %d\n", (long)tr, tls_value);
  thread_signals();
  /* main's thread ends first; the process ends with its last thread */
  pthread_t last;
  pthread_create(&last, NULL, last_thread, (void *)(long)getpid());
  pthread_exit(NULL);
}
