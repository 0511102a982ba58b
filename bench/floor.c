/*
 * The floor for memstats: the least work that gives the same answer's raw material. For each PID,
 * reads /proc/PID/maps, asks the kernel (PAGEMAP_SCAN, Linux 6.7+) for the present and swapped
 * ranges of the mappings memstats reads (all but [vsyscall] and SysV shm), preads the pagemap
 * entries of those ranges only, and sets each present PFN in a shared bitmap (and each swap entry
 * in another): the distinct frames and swap slots memstats counts. N threads take PIDs in turn,
 * as memstats -t N does.
 *   floor [-t N] [-f|-s] PID...  -f: no PAGEMAP_SCAN, every entry of every mapping (older kernels)
 *                                -s: no PAGEMAP_SCAN, skip the mappings smaps shows with no Rss, Swap or hugetlb
 * Prints processes, entries read, distinct frames, swap entries, scan time, and which path ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* linux/fs.h of kernels >= 6.7; spelled out here because distribution headers may be older */
struct page_region { uint64_t start, end, categories; };
struct pm_scan_arg {
    uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
    uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)

#define CHUNK (1 << 16)      /* entries per pread: 512 KiB of pagemap */
#define REGIONS 4096         /* page_regions per ioctl */
#define MAX_MAPS 65536

static uint64_t max_pfn, *frames, *swaps;
static unsigned char swap_blocks[1 << 16];  /* blocks of 65536 swap keys touched: only those are counted */
static long page;
static int full, smaps_rule, nprocs;
static char **pids;
static int next_pid;
static uint64_t total_entries, total_processes, total_ioctls;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct worker { uint64_t buf[CHUNK]; struct page_region regions[REGIONS]; uint64_t ms[MAX_MAPS], me[MAX_MAPS]; char line[8192]; };

/* the older kernels' rule: keeps the mappings whose smaps shows Rss, Swap or hugetlb pages; returns how many */
static int smaps_keep(struct worker *w, const char *pid, int n) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/smaps", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int kept = 0, cur = -1, m = 0;
    unsigned long long used = 0;
    while (fgets(w->line, sizeof w->line, f)) {
        unsigned long long s, e, kb;
        char key[64];
        if (sscanf(w->line, "%llx-%llx ", &s, &e) == 2 && strchr(w->line, ':') > strchr(w->line, ' ')) {
            if (cur >= 0 && used) { w->ms[kept] = w->ms[cur]; w->me[kept++] = w->me[cur]; }
            while (m < n && w->ms[m] < s) m++;
            cur = (m < n && w->ms[m] == s) ? m : -1;
            used = 0;
        } else if (sscanf(w->line, "%63[^:]: %llu", key, &kb) == 2 && kb
                   && (!strcmp(key, "Rss") || !strcmp(key, "Swap") || !strcmp(key, "Shared_Hugetlb") || !strcmp(key, "Private_Hugetlb"))) {
            used = 1;
        }
    }
    if (cur >= 0 && used) { w->ms[kept] = w->ms[cur]; w->me[kept++] = w->me[cur]; }
    fclose(f);
    return kept;
}

/* preads the entries of [start, end) and sets their frames / swap slots; returns entries read */
static uint64_t read_range(struct worker *w, int pm, uint64_t start, uint64_t end) {
    uint64_t entries = 0;
    for (uint64_t v = start / page; v < end / page;) {
        uint64_t n = end / page - v;
        if (n > CHUNK) n = CHUNK;
        ssize_t got = pread(pm, w->buf, n * 8, v * 8);
        if (got <= 0) break;
        n = got / 8;
        for (uint64_t k = 0; k < n; k++) {
            uint64_t e = w->buf[k];
            if (e >> 63) {
                uint64_t pfn = e & ((1ULL << 55) - 1);
                if (pfn <= max_pfn) __atomic_fetch_or(&frames[pfn >> 6], 1ULL << (pfn & 63), __ATOMIC_RELAXED);
            } else if (e & (1ULL << 62)) {
                /* memstats' key: 5 bits of swap type over 27 bits of offset */
                uint64_t key = ((e & 31) << 27 | ((e & ((1ULL << 55) - 1)) >> 5)) & 0xffffffffULL;
                __atomic_fetch_or(&swaps[key >> 6], 1ULL << (key & 63), __ATOMIC_RELAXED);
                swap_blocks[key >> 16] = 1;
            }
        }
        entries += n;
        v += n;
    }
    return entries;
}

static void *work(void *arg) {
    struct worker *w = arg;
    for (;;) {
        int i = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
        if (i >= nprocs) break;
        char path[64];
        snprintf(path, sizeof path, "/proc/%s/maps", pids[i]);
        FILE *maps = fopen(path, "r");
        snprintf(path, sizeof path, "/proc/%s/pagemap", pids[i]);
        int pm = open(path, O_RDONLY);
        if (!maps || pm < 0) { if (maps) fclose(maps); if (pm >= 0) close(pm); continue; }
        int n = 0;
        while (fgets(w->line, sizeof w->line, maps) && n < MAX_MAPS) {
            unsigned long long start, end;
            if (sscanf(w->line, "%llx-%llx", &start, &end) != 2) continue;
            if (strstr(w->line, "[vsyscall]") || strstr(w->line, "/SYSV")) continue;
            w->ms[n] = start;
            w->me[n++] = end;
        }
        fclose(maps);
        uint64_t entries = 0, ioctls = 0;
        if (smaps_rule) n = smaps_keep(w, pids[i], n);
        if (full || smaps_rule || n == 0) {
            for (int m = 0; m < n; m++) entries += read_range(w, pm, w->ms[m], w->me[m]);
        } else {
            /* one walk over the process's address space; regions may span adjacent mappings, so cut them to each */
            struct pm_scan_arg a = {0};
            a.size = sizeof a;
            a.vec = (uintptr_t)w->regions;
            a.vec_len = REGIONS;
            a.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
            a.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
            uint64_t from = w->ms[0], to = w->me[n - 1];
            int m = 0;
            while (from < to) {
                a.start = from;
                a.end = to;
                int got = ioctl(pm, PAGEMAP_SCAN, &a);
                ioctls++;
                if (got < 0) { fprintf(stderr, "floor: PAGEMAP_SCAN %s: %s\n", pids[i], strerror(errno)); exit(1); }
                for (int r = 0; r < got; r++) {
                    uint64_t rs = w->regions[r].start, re = w->regions[r].end;
                    while (m < n && w->me[m] <= rs) m++;
                    for (int k = m; k < n && w->ms[k] < re; k++) {
                        uint64_t s = rs > w->ms[k] ? rs : w->ms[k], e = re < w->me[k] ? re : w->me[k];
                        if (s < e) entries += read_range(w, pm, s, e);
                    }
                }
                if (a.walk_end <= from) break;
                from = a.walk_end;
            }
        }
        close(pm);
        pthread_mutex_lock(&lock);
        total_entries += entries;
        total_ioctls += ioctls;
        total_processes++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(int argc, char **argv) {
    double t0 = now();
    int threads = 1, opt;
    while ((opt = getopt(argc, argv, "t:fs")) != -1) {
        if (opt == 't') threads = atoi(optarg);
        else if (opt == 'f') full = 1;
        else if (opt == 's') smaps_rule = 1;
        else { fprintf(stderr, "usage: floor [-t N] [-f|-s] PID...\n"); return 2; }
    }
    if (threads < 1) threads = 1;
    pids = argv + optind;
    nprocs = argc - optind;
    FILE *io = fopen("/proc/iomem", "r");
    char line[4096];
    while (io && fgets(line, sizeof line, io)) {
        unsigned long long s, e;
        if (line[0] != ' ' && strstr(line, "System RAM") && sscanf(line, "%llx-%llx", &s, &e) == 2)
            if ((e + 1) / 4096 > max_pfn) max_pfn = (e + 1) / 4096;
    }
    if (io) fclose(io);
    frames = calloc(max_pfn / 64 + 1, 8);
    swaps = calloc((1ULL << 32) / 64, 8); /* untouched pages cost nothing */
    page = sysconf(_SC_PAGESIZE);
    if (!full && !smaps_rule) {
        /* the probe: a kernel without PAGEMAP_SCAN answers ENOTTY (or EINVAL) */
        int pm = open("/proc/self/pagemap", O_RDONLY);
        struct pm_scan_arg a = {0};
        a.size = sizeof a;
        a.start = a.end = 0;
        if (pm < 0 || ioctl(pm, PAGEMAP_SCAN, &a) < 0) { fprintf(stderr, "floor: no PAGEMAP_SCAN (%s): reading every entry\n", strerror(errno)); full = 1; }
        if (pm >= 0) close(pm);
    }
    pthread_t th[64];
    struct worker *ws[64];
    if (threads > 64) threads = 64;
    for (int t = 0; t < threads; t++) {
        ws[t] = malloc(sizeof(struct worker));
        pthread_create(&th[t], NULL, work, ws[t]);
    }
    for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
    uint64_t distinct = 0, swapped = 0;
    for (uint64_t w = 0; w <= max_pfn / 64; w++) distinct += __builtin_popcountll(frames[w]);
    for (uint64_t b = 0; b < (1 << 16); b++)
        if (swap_blocks[b])
            for (uint64_t w = b << 10; w < (b + 1) << 10; w++) swapped += __builtin_popcountll(swaps[w]);
    printf("processes=%llu entries=%llu distinct=%llu swap=%llu ioctls=%llu threads=%d path=%s scan_ms=%.0f\n",
           (unsigned long long)total_processes, (unsigned long long)total_entries, (unsigned long long)distinct,
           (unsigned long long)swapped, (unsigned long long)total_ioctls, threads, full ? "full" : smaps_rule ? "smaps_rule" : "pagemap_scan",
           (now() - t0) * 1000);
    return 0;
}
