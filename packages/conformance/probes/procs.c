/*
 * fork, pipe, dup2, execve and wait4 from C: a child writes through a pipe to its parent;
 * a child exits with a status the parent decodes; a child re-executes this program (argv[1]
 * names it) in a mode that prints and exits; the parent reaps every child, and wait4 with
 * no children left gives ECHILD.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[2], "child-mode") == 0) {
    printf("exec'd child says %s\n", argv[3]);
    return 42;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  int fds[2];
  if (pipe(fds) != 0) return 1;
  pid_t a = fork();
  if (a == 0) {
    close(fds[0]);
    const char msg[] = "through the pipe";
    write(fds[1], msg, sizeof msg - 1);
    _exit(7);
  }
  close(fds[1]);
  char buf[64] = {0};
  ssize_t n, total = 0;
  while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
  printf("parent read %zd bytes: %s (then EOF: %zd)\n", total, buf, n);
  int status = 0;
  pid_t w = waitpid(a, &status, 0);
  printf("reaped the first child: %s, exited %d status %d\n", w == a ? "yes" : "no", WIFEXITED(status), WEXITSTATUS(status));

  pid_t b = fork();
  if (b == 0) {
    char *args[] = {argv[1], argv[1], "child-mode", "hello", NULL};
    execv(argv[1], args);
    printf("execv failed: %s\n", strerror(errno));
    _exit(99);
  }
  waitpid(b, &status, 0);
  printf("the exec'd child exited %d with %d\n", WIFEXITED(status), WEXITSTATUS(status));

  /* several children, reaped in any order */
  int sum = 0;
  for (int i = 1; i <= 4; i++)
    if (fork() == 0) _exit(i * 10);
  for (int i = 0; i < 4; i++) {
    wait(&status);
    sum += WEXITSTATUS(status);
  }
  printf("four children exited with a total of %d\n", sum);
  errno = 0;
  printf("wait with no children: %d %s\n", (int)wait(&status), strerror(errno));
  /* a dup2'ed pipe as stdin of a child */
  pipe(fds);
  pid_t c = fork();
  if (c == 0) {
    dup2(fds[0], 0);
    close(fds[0]);
    close(fds[1]);
    char line[32] = {0};
    read(0, line, sizeof line - 1);
    printf("child stdin: %s", line);
    _exit(0);
  }
  close(fds[0]);
  write(fds[1], "piped line\n", 11);
  close(fds[1]);
  waitpid(c, &status, 0);
  printf("getppid in the parent: %d\n", getppid() == 0 || getppid() > 0);
  return 5;
}
