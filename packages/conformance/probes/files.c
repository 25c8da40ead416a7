/*
 * File syscalls in a scratch directory given as argv[1] (a fresh host directory natively, a
 * tmpfs directory under legosim): create, write, read back, seek, pread/pwrite, O_APPEND,
 * truncate, dup2, rename, unlink, mkdir/rmdir, symlinks, getdents, chdir/getcwd, stat, and
 * the errno of each failure. Everything printed is relative to the scratch directory, so
 * the native run and the legosim run print the same text.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void check(const char *what, long r) {
  if (r < 0) printf("%s = -1 %s\n", what, strerror(errno));
  else printf("%s = %ld\n", what, r);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("opendir %s: %s\n", dir, strerror(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 64) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof names[0], by_name);
  printf("%s:", dir);
  for (int i = 0; i < n; i++) {
    struct stat st;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    lstat(path, &st);
    printf(" %s(%c%lld)", names[i], S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : '-',
           S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
    free(names[i]);
  }
  printf("\n");
}

int main(int argc, char **argv) {
  if (argc < 2 || chdir(argv[1]) != 0) return 2;
  char buf[256];
  int fd = open("a.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  check("open a.txt", fd);
  check("write", write(fd, "hello, files\n", 13));
  check("lseek end", lseek(fd, 0, SEEK_END));
  check("pwrite", pwrite(fd, "J", 1, 0));
  check("close", close(fd));
  check("close again", close(fd));
  fd = open("a.txt", O_RDONLY);
  memset(buf, 0, sizeof buf);
  check("read", read(fd, buf, sizeof buf - 1));
  printf("content [%s]\n", buf);
  check("pread 7", pread(fd, buf, 5, 7));
  buf[5] = 0;
  printf("pread [%s]\n", buf);
  check("write to O_RDONLY", write(fd, "x", 1));
  check("lseek bad whence", lseek(fd, 0, 7));
  int fd2 = dup(fd);
  check("dup", fd2 > fd);
  check("lseek shared", lseek(fd2, 2, SEEK_SET));
  check("read after shared seek", read(fd, buf, 3));
  check("dup2 to 10", dup2(fd, 10));
  check("fcntl F_GETFD 10", fcntl(10, F_GETFD));
  check("fcntl F_DUPFD_CLOEXEC", fcntl(fd, F_DUPFD_CLOEXEC, 20));
  check("fcntl F_GETFD 20", fcntl(20, F_GETFD));
  close(10);
  close(20);
  close(fd2);
  close(fd);
  fd = open("a.txt", O_WRONLY | O_APPEND);
  check("append", write(fd, "more\n", 5));
  check("ftruncate 9", ftruncate(fd, 9));
  close(fd);
  struct stat st;
  check("stat a.txt", stat("a.txt", &st));
  printf("size %lld mode %o nlink %ld\n", (long long)st.st_size, st.st_mode, (long)st.st_nlink);
  check("open missing", open("missing", O_RDONLY));
  check("open O_EXCL existing", open("a.txt", O_WRONLY | O_CREAT | O_EXCL, 0600));
  check("open a.txt/", open("a.txt/", O_RDONLY));
  check("open dir for write", open(".", O_WRONLY));
  check("mkdir d", mkdir("d", 0755));
  check("mkdir d again", mkdir("d", 0755));
  check("mkdir d/e/f", mkdir("d/e/f", 0755));
  check("rename a.txt d/b.txt", rename("a.txt", "d/b.txt"));
  check("symlink", symlink("d/b.txt", "link"));
  check("symlink loop", symlink("loop", "loop"));
  check("open loop", open("loop", O_RDONLY));
  fd = open("link", O_RDONLY);
  check("open link", fd >= 0);
  memset(buf, 0, sizeof buf);
  check("read link", read(fd, buf, sizeof buf - 1));
  printf("through link [%s]\n", buf);
  close(fd);
  ssize_t n = readlink("link", buf, sizeof buf);
  check("readlink", n);
  if (n >= 0) printf("target [%.*s]\n", (int)n, buf);
  check("readlink regular", readlink("d/b.txt", buf, sizeof buf));
  check("lstat link is link", lstat("link", &st) == 0 && S_ISLNK(st.st_mode));
  check("stat link is file", stat("link", &st) == 0 && S_ISREG(st.st_mode));
  list(".");
  list("d");
  check("rmdir d (not empty)", rmdir("d"));
  check("unlink d (a directory)", unlink("d"));
  check("rmdir d/b.txt (a file)", rmdir("d/b.txt"));
  check("chdir d", chdir("d"));
  char *cwd = getcwd(buf, sizeof buf);
  const char *tail = cwd ? strrchr(cwd, '/') : NULL;
  printf("cwd ends in [%s]\n", tail ? tail : "(null)");
  check("open ../link", open("../link", O_RDONLY) >= 0);
  check("chdir ..", chdir(".."));
  check("unlink link", unlink("link"));
  check("unlink loop", unlink("loop"));
  check("unlink d/b.txt", unlink("d/b.txt"));
  check("rmdir d", rmdir("d"));
  check("access d", access("d", F_OK));
  list(".");
  /* O_CREAT with a mode, umask applied */
  umask(027);
  fd = open("m", O_CREAT | O_WRONLY, 0777);
  fstat(fd, &st);
  printf("umask 027 mode %o\n", st.st_mode & 0777);
  close(fd);
  unlink("m");
  /* big file, sequential reads */
  fd = open("big", O_CREAT | O_RDWR | O_TRUNC, 0600);
  for (int i = 0; i < 1000; i++) {
    char line[32];
    int len = snprintf(line, sizeof line, "line %d\n", i);
    write(fd, line, len);
  }
  check("size via lseek", lseek(fd, 0, SEEK_CUR));
  lseek(fd, 0, SEEK_SET);
  long total = 0, sum = 0;
  while ((n = read(fd, buf, 100)) > 0) {
    total += n;
    for (ssize_t i = 0; i < n; i++) sum += buf[i];
  }
  printf("read back %ld bytes, sum %ld\n", total, sum);
  close(fd);
  unlink("big");
  FILE *f = fopen("stdio.txt", "w+");
  fprintf(f, "%d %s\n", 42, "stdio");
  rewind(f);
  int v = 0;
  char word[16];
  check("fscanf", fscanf(f, "%d %15s", &v, word));
  printf("%d %s\n", v, word);
  fclose(f);
  unlink("stdio.txt");
  return 0;
}
