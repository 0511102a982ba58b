/*
 * Sparse benchmark workloads: large address space, little of it resident. Each of PROCS processes
 *   - reserves RESERVE_GIB GiB PROT_NONE (as a JVM reserves its heap and code cache),
 *   - maps MAP_GIB GiB read-write MAP_NORESERVE, and writes TOUCH_MIB MiB of it, spread in 1 MiB
 *     pieces over the whole mapping (so page tables reach across it).
 *   sparse PROCS RESERVE_GIB MAP_GIB TOUCH_MIB
 *     JVM-like:  sparse 50 256 1 32          the 64 TiB one: sparse 1 0 65536 200
 * Prints "READY pid..." and holds until stdin closes (as tests/support/memload.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "sparse: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void make(size_t reserve_gib, size_t map_gib, size_t touch_mib) {
    if (reserve_gib && mmap(NULL, reserve_gib << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
        die("mmap reserve");
    size_t len = map_gib << 30;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    size_t pieces = touch_mib, stride = len / (pieces ? pieces : 1) & ~((size_t)(1 << 20) - 1);
    long page = sysconf(_SC_PAGESIZE);
    for (size_t i = 0; i < pieces; i++)
        for (size_t off = 0; off < (1 << 20); off += page) p[i * stride + off] = (char)(i + off / page + getpid()) | 1;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: sparse PROCS RESERVE_GIB MAP_GIB TOUCH_MIB\n"); return 2; }
    int procs = atoi(argv[1]);
    size_t reserve = strtoull(argv[2], NULL, 10), map = strtoull(argv[3], NULL, 10), touch = strtoull(argv[4], NULL, 10);
    if (procs < 1 || map == 0 || touch > map << 10) { fprintf(stderr, "sparse: bad sizes\n"); return 2; }
    int ready[2];
    if (pipe(ready) != 0) die("pipe");
    pid_t kids[4096];
    int n = 0;
    char c;
    for (int i = 1; i < procs && n < 4096; i++) {
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
            make(reserve, map, touch);
            pid_t me = getpid();
            if (write(ready[1], &me, sizeof me) != sizeof me) die("write");
            while (read(0, &c, 1) > 0) {}
            return 0;
        }
        kids[n++] = pid;
    }
    make(reserve, map, touch);
    printf("READY %d", getpid());
    for (int k = 0; k < n; k++) {
        pid_t pid;
        if (read(ready[0], &pid, sizeof pid) != sizeof pid) die("read");
        printf(" %d", pid);
    }
    printf("\n");
    fflush(stdout);
    while (read(0, &c, 1) > 0) {}
    for (int k = 0; k < n; k++) waitpid(kids[k], NULL, 0);
    return 0;
}
