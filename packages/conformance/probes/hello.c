/* The printf hello world: formatted output, argc, and a non-zero exit status. */
#include <stdio.h>

int main(int argc, char **argv) {
  printf("hello, %s! argc=%d %s\n", "world", argc, argc > 1 ? argv[1] : "-");
  return 3;
}
