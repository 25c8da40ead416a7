/*
 * The process benchmark: N rounds of fork, execve of this same program (as /proc/self/exe) (which exits at
 * once) and wait4 (default 200). Prints the number of rounds and the sum of the statuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) return 7;
  long n = argc > 1 ? atol(argv[1]) : 200, sum = 0;
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) return perror("fork"), 1;
    if (pid == 0) {
      char *args[] = {argv[0], "child", NULL};
      execv("/proc/self/exe", args);
      _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) return perror("waitpid"), 1;
    sum += WEXITSTATUS(status);
  }
  printf("%ld fork+exec+wait rounds, status sum %ld\n", n, sum);
  return 0;
}
