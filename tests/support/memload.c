/*
 * Test workload with known memory. Runs its operations in order, then reports
 * "READY pid [pid...]" on stdout and holds everything until stdin closes.
 *
 *   anon:MIB            write MIB MiB of private anonymous memory (distinct non-zero bytes)
 *   file:PATH:MIB       map PATH shared (created and sized to MIB) and write every page; PATH is created
 *                       new, or reused when it is a regular file of this user with one link (workloads share
 *                       a file), never through a symbolic link: anything else is refused
 *   mapfile:PATH:SIZEMIB:WRITEMIB  map PATH shared (created, or reused as file: does; grown to SIZEMIB when
 *                       smaller) and write its first WRITEMIB MiB only: the rest stays a hole (Oracle's AMM files)
 *   mappageout          madvise(MADV_PAGEOUT) every mapfile: mapping so far (needs swap to take effect)
 *   fork:K              fork K children; the children run the remaining operations, the parent stops here
 *   setuid:UID          switch real, effective and saved uid (and gid to the same number)
 *   shmget:KEY:MIB:FLAGS  create (or open) a SysV segment; FLAGS: h = SHM_HUGETLB, - = none
 *   shmat:KEY:TOUCHMIB[:t]  attach segment KEY read-write and write its first TOUCHMIB MiB;
 *                       t = madvise(MADV_HUGEPAGE) first (shmem THP when shmem_enabled is advise)
 *   shmdt               detach every segment attached so far
 *   hugeanon:MIB        write MIB MiB of private anonymous MAP_HUGETLB memory (needs reserved huge pages)
 *   pageout             madvise(MADV_PAGEOUT) every anonymous region made so far (needs swap to take effect)
 *   read:MIB            read (never write) the first MIB MiB of the first anonymous region: swapped pages come back
 *   zero:MIB            map MIB MiB of private anonymous memory and only read it: every page maps the zero page
 *   thp:MIB             map MIB MiB of anonymous memory 2 MiB-aligned with MADV_HUGEPAGE and write it
 *   shmpageout          madvise(MADV_PAGEOUT) every attached segment (needs swap to take effect)
 *   sleepms:N           sleep N milliseconds
 *   waitfile:PATH       wait until PATH exists (a test's trigger: grow when the test says, not after a guessed time)
 *   name:HEX            set comm (prctl PR_SET_NAME) to the bytes written as hex pairs: any byte but NUL
 *   reserve:MIB         reserve MIB MiB of address space PROT_NONE, MAP_NORESERVE (as a JVM reserves its heap)
 *   spread:MIB:TOUCH    map MIB MiB read-write MAP_NORESERVE and write TOUCH MiB of it in 1 MiB pieces spread
 *                       evenly over it (a large, sparsely populated mapping)
 *   exec:NAME           re-exec memload with argv = {NAME} alone (cmdline becomes exactly NAME, as Oracle's
 *                       ora_pmon_SID), the remaining operations passed in MEMLOAD_OPS; not after a fork
 * One fork at most. Exit status 2 and a message on stderr when an operation fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static void die(const char *what, const char *arg) {
    fprintf(stderr, "memload: %s %s: %s\n", what, arg, strerror(errno));
    exit(2);
}

static void refuse(const char *path, const char *why) {
    fprintf(stderr, "memload: refusing %s: %s\n", path, why);
    exit(2);
}

/* memload runs as root in shared folders (/dev/shm): never follow or truncate what another user planted */
static int open_file(const char *path) {
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0 || errno != EEXIST) return fd;
    fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ELOOP) refuse(path, "a symbolic link");
    if (fd < 0) return fd;
    struct stat st;
    if (fstat(fd, &st) != 0) die("fstat", path);
    if (!S_ISREG(st.st_mode)) refuse(path, "exists and is not a regular file");
    if (st.st_uid != geteuid()) refuse(path, "exists and belongs to another user");
    if (st.st_nlink != 1) refuse(path, "exists with another hard link");
    return fd;
}

static char *regions[256];
static size_t region_len[256];
static int nregions;
static char *file_regions[256];
static size_t file_len[256];
static int nfiles;
static char *shm_regions[256];
static size_t shm_len[256];
static int nshm;

static void fill(char *p, size_t len, int salt) {
    long page = sysconf(_SC_PAGESIZE);
    for (size_t off = 0; off < len; off += page) p[off] = (char)(((off / page) * 131 + salt) % 251 + 1);
}

/* after exec:NAME the operations come from MEMLOAD_OPS, one per line */
static int ops_from_env(char ***argvp) {
    static char *ops[256];
    char *env = getenv("MEMLOAD_OPS");
    int n = 1;
    ops[0] = (*argvp)[0];
    if (env == NULL) return 1;
    env = strdup(env);
    for (char *tok = strtok(env, "\n"); tok != NULL && n < 255; tok = strtok(NULL, "\n")) ops[n++] = tok;
    ops[n] = NULL;
    *argvp = ops;
    return n;
}

int main(int argc, char **argv) {
    if (argc == 1) argc = ops_from_env(&argv);
    int ready_pipe[2] = {-1, -1};
    int children = 0;
    pid_t kids[4096];
    int is_child = 0;
    for (int i = 1; i < argc; i++) {
        char *op = argv[i];
        if (strncmp(op, "anon:", 5) == 0) {
            size_t len = (size_t)atol(op + 5) << 20;
            char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) die("mmap", op);
            fill(p, len, getpid());
            if (nregions < 256) { regions[nregions] = p; region_len[nregions++] = len; }
        } else if (strncmp(op, "hugeanon:", 9) == 0) {
            size_t len = (size_t)atol(op + 9) << 20;
            char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
            if (p == MAP_FAILED) die("mmap", op);
            fill(p, len, getpid());
        } else if (strncmp(op, "file:", 5) == 0) {
            char path[4096];
            char *last = strrchr(op, ':');
            if (last < op + 5 || (size_t)(last - (op + 5)) >= sizeof path) { errno = EINVAL; die("parse", op); }
            size_t plen = (size_t)(last - (op + 5));
            memcpy(path, op + 5, plen);
            path[plen] = 0;
            size_t len = (size_t)atol(last + 1) << 20;
            int fd = open_file(path);
            if (fd < 0) die("open", path);
            if (ftruncate(fd, len) != 0) die("ftruncate", path);
            char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (p == MAP_FAILED) die("mmap", path);
            fill(p, len, 7);
            close(fd);
        } else if (strncmp(op, "mapfile:", 8) == 0) {
            char path[4096];
            long mib, write_mib;
            char *second = strrchr(op, ':');
            if (second <= op + 8) { errno = EINVAL; die("parse", op); }
            *second = 0;
            char *first = strrchr(op, ':');
            *second = ':';
            if (first < op + 8 || (size_t)(first - (op + 8)) >= sizeof path || sscanf(first + 1, "%ld:%ld", &mib, &write_mib) != 2
                || write_mib > mib) { errno = EINVAL; die("parse", op); }
            memcpy(path, op + 8, (size_t)(first - (op + 8)));
            path[first - (op + 8)] = 0;
            size_t len = (size_t)mib << 20;
            int fd = open_file(path);
            if (fd < 0) die("open", path);
            struct stat st;
            if (fstat(fd, &st) != 0) die("fstat", path);
            if ((size_t)st.st_size < len && ftruncate(fd, len) != 0) die("ftruncate", path);
            char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (p == MAP_FAILED) die("mmap", path);
            fill(p, (size_t)write_mib << 20, 5);
            close(fd);
            if (nfiles < 256) { file_regions[nfiles] = p; file_len[nfiles++] = len; }
        } else if (strcmp(op, "mappageout") == 0) {
            for (int r = 0; r < nfiles; r++)
                if (madvise(file_regions[r], file_len[r], MADV_PAGEOUT) != 0) die("madvise", op);
        } else if (strncmp(op, "fork:", 5) == 0) {
            int k = atoi(op + 5);
            if (pipe(ready_pipe) != 0) die("pipe", op);
            for (int c = 0; c < k; c++) {
                pid_t pid = fork();
                if (pid < 0) die("fork", op);
                if (pid == 0) { is_child = 1; break; }
                kids[children++] = pid;
            }
            if (!is_child) break;
        } else if (strncmp(op, "setuid:", 7) == 0) {
            int uid = atoi(op + 7);
            if (setresgid(uid, uid, uid) != 0) die("setresgid", op);
            if (setresuid(uid, uid, uid) != 0) die("setresuid", op);
        } else if (strncmp(op, "shmget:", 7) == 0) {
            char flags[16] = "";
            long key; long mib;
            if (sscanf(op + 7, "%li:%ld:%15s", &key, &mib, flags) < 2) die("parse", op);
            int f = IPC_CREAT | 0600;
            if (strchr(flags, 'h')) f |= SHM_HUGETLB;
            if (shmget((key_t)key, (size_t)mib << 20, f) < 0) die("shmget", op);
        } else if (strncmp(op, "shmat:", 6) == 0) {
            long key; long mib; char flags[16] = "";
            if (sscanf(op + 6, "%li:%ld:%15s", &key, &mib, flags) < 2) die("parse", op);
            int id = shmget((key_t)key, 0, 0);
            if (id < 0) die("shmget", op);
            struct shmid_ds ds;
            if (shmctl(id, IPC_STAT, &ds) != 0) die("shmctl", op);
            char *p = shmat(id, NULL, 0);
            if (p == (void *)-1) die("shmat", op);
            if (strchr(flags, 't') && madvise(p, ds.shm_segsz, MADV_HUGEPAGE) != 0) die("madvise", op);
            fill(p, (size_t)mib << 20, 3);
            if (nshm < 256) { shm_regions[nshm] = p; shm_len[nshm++] = ds.shm_segsz; }
        } else if (strcmp(op, "shmdt") == 0) {
            for (int r = 0; r < nshm; r++)
                if (shmdt(shm_regions[r]) != 0) die("shmdt", op);
            nshm = 0;
        } else if (strcmp(op, "shmpageout") == 0) {
            for (int r = 0; r < nshm; r++)
                if (madvise(shm_regions[r], shm_len[r], MADV_PAGEOUT) != 0) die("madvise", op);
        } else if (strcmp(op, "pageout") == 0) {
            for (int r = 0; r < nregions; r++)
                if (madvise(regions[r], region_len[r], MADV_PAGEOUT) != 0) die("madvise", op);
        } else if (strncmp(op, "exec:", 5) == 0) {
            size_t len = 1;
            for (int j = i + 1; j < argc; j++) len += strlen(argv[j]) + 1;
            char *rest = calloc(len, 1);
            for (int j = i + 1; j < argc; j++) { strcat(rest, argv[j]); strcat(rest, "\n"); }
            if (setenv("MEMLOAD_OPS", rest, 1) != 0) die("setenv", op);
            char *args[] = {op + 5, NULL};
            execv("/proc/self/exe", args);
            die("execv", op);
        } else if (strncmp(op, "read:", 5) == 0) {
            size_t len = (size_t)atol(op + 5) << 20;
            if (nregions == 0 || len > region_len[0]) { errno = EINVAL; die("no anonymous region that large for", op); }
            long page = sysconf(_SC_PAGESIZE);
            volatile char sum = 0;
            for (size_t off = 0; off < len; off += page) sum += regions[0][off];
            (void)sum;
        } else if (strncmp(op, "zero:", 5) == 0) {
            size_t len = (size_t)atol(op + 5) << 20;
            char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) die("mmap", op);
            madvise(p, len, MADV_NOHUGEPAGE);  /* base zero pages, not the huge zero page */
            long page = sysconf(_SC_PAGESIZE);
            volatile char sum = 0;
            for (size_t off = 0; off < len; off += page) sum += p[off];
            (void)sum;
        } else if (strncmp(op, "thp:", 4) == 0) {
            size_t huge = 2 << 20, len = (size_t)atol(op + 4) << 20;
            char *raw = mmap(NULL, len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (raw == MAP_FAILED) die("mmap", op);
            char *p = (char *)(((unsigned long)raw + huge - 1) & ~(huge - 1));
            if (madvise(p, len, MADV_HUGEPAGE) != 0) die("madvise", op);
            fill(p, len, 11);
            if (nregions < 256) { regions[nregions] = p; region_len[nregions++] = len; }
        } else if (strncmp(op, "reserve:", 8) == 0) {
            size_t len = (size_t)atol(op + 8) << 20;
            if (mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED) die("mmap", op);
        } else if (strncmp(op, "spread:", 7) == 0) {
            long mib, touch;
            if (sscanf(op + 7, "%ld:%ld", &mib, &touch) != 2 || touch > mib || mib <= 0) { errno = EINVAL; die("parse", op); }
            size_t len = (size_t)mib << 20, stride = touch > 0 ? ((size_t)(mib / touch)) << 20 : 0;
            char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (p == MAP_FAILED) die("mmap", op);
            for (long i = 0; i < touch; i++) fill(p + i * stride, 1 << 20, (int)i);
            if (nregions < 256) { regions[nregions] = p; region_len[nregions++] = len; }
        } else if (strncmp(op, "name:", 5) == 0) {
            char name[16] = {0};
            const char *h = op + 5;
            for (int k = 0; k < 15 && h[0] && h[1]; k++, h += 2) {
                unsigned v;
                if (sscanf(h, "%2x", &v) != 1 || v == 0) { errno = EINVAL; die("hex name", op); }
                name[k] = (char)v;
            }
            if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0) die("prctl", op);
        } else if (strncmp(op, "waitfile:", 9) == 0) {
            struct timespec ts = {0, 10 * 1000000L};
            while (access(op + 9, F_OK) != 0) nanosleep(&ts, NULL);
        } else if (strncmp(op, "sleepms:", 8) == 0) {
            struct timespec ts = {atol(op + 8) / 1000, (atol(op + 8) % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        } else {
            errno = EINVAL;
            die("unknown operation", op);
        }
    }
    char c;
    if (is_child) {
        pid_t me = getpid();
        if (write(ready_pipe[1], &me, sizeof me) != sizeof me) die("write", "ready pipe");
        close(ready_pipe[1]);
        while (read(0, &c, 1) > 0) {}
        return 0;
    }
    printf("READY %d", getpid());
    for (int k = 0; k < children; k++) {
        pid_t pid;
        if (read(ready_pipe[0], &pid, sizeof pid) != sizeof pid) die("read", "ready pipe");
        printf(" %d", pid);
    }
    printf("\n");
    fflush(stdout);
    while (read(0, &c, 1) > 0) {}
    for (int k = 0; k < children; k++) waitpid(kids[k], NULL, 0);
    return 0;
}
