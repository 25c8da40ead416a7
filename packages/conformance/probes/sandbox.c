/*
 * Run with only `--mount DIR:/work:ro`: nothing of the host outside DIR may be reachable,
 * however the path is spelled or whatever symlinks DIR holds, and /work refuses changes.
 * Prints one line per attempt: the errno name, or "ok".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *name(int e) {
  switch (e) {
  case ENOENT: return "ENOENT";
  case EROFS: return "EROFS";
  case EACCES: return "EACCES";
  case ELOOP: return "ELOOP";
  case ENOTDIR: return "ENOTDIR";
  case EEXIST: return "EEXIST";
  default: return strerror(e);
  }
}

static void try_open(const char *path, int flags) {
  int fd = open(path, flags, 0644);
  printf("open %s%s: %s\n", path, flags ? " for writing" : "", fd >= 0 ? "ok" : name(errno));
  if (fd >= 0) {
    char buf[16];
    ssize_t n = read(fd, buf, sizeof buf);
    if (flags == 0) printf("  read %zd bytes\n", n);
    close(fd);
  }
}

int main(void) {
  try_open("/etc/passwd", 0);
  try_open("/work/../etc/passwd", 0);
  try_open("/work/../../../../etc/passwd", 0);
  try_open("/work/escape", 0);       /* a symlink to /etc/passwd inside the mount */
  try_open("/work/up/etc/passwd", 0); /* a symlink to ../../../../.. */
  try_open("/work/inside.txt", 0);
  try_open("/work/new.txt", O_WRONLY | O_CREAT);
  try_open("/work/inside.txt", O_WRONLY);
  printf("symlink in /work: %s\n", symlink("/etc/passwd", "/work/s") == 0 ? "ok" : name(errno));
  printf("mkdir in /work: %s\n", mkdir("/work/d", 0755) == 0 ? "ok" : name(errno));
  printf("unlink in /work: %s\n", unlink("/work/inside.txt") == 0 ? "ok" : name(errno));
  printf("rename in /work: %s\n", rename("/work/inside.txt", "/work/x") == 0 ? "ok" : name(errno));
  int fd = open("/tmp/scratch", O_WRONLY | O_CREAT, 0644);
  printf("write /tmp: %s\n", fd >= 0 && write(fd, "x", 1) == 1 ? "ok" : name(errno));
  char cwd[256];
  chdir("/work/../../..");
  printf("cwd after climbing: %s\n", getcwd(cwd, sizeof cwd));
  return 0;
}
