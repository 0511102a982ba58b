/*
 * The floor for memstats: the least work that gives the same answer's raw material. Reads
 * /proc/PID/maps and the pagemap entries of the same mappings memstats reads (all but
 * [vsyscall] and SysV shm) with large pread()s, marks present PFNs in a bitmap, counts them.
 * Usage: floor PID... ; prints processes, entries read, distinct frames and the scan time.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 16)

static uint64_t buf[CHUNK];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double t0 = now();
    uint64_t max_pfn = 0;
    FILE *io = fopen("/proc/iomem", "r");
    char line[4096];
    while (io && fgets(line, sizeof line, io)) {
        unsigned long long s, e;
        if (line[0] != ' ' && strstr(line, "System RAM") && sscanf(line, "%llx-%llx", &s, &e) == 2)
            if ((e + 1) / 4096 > max_pfn) max_pfn = (e + 1) / 4096;
    }
    if (io) fclose(io);
    uint64_t *bits = calloc(max_pfn / 64 + 1, 8);
    long page = sysconf(_SC_PAGESIZE);
    uint64_t entries = 0, processes = 0;
    for (int i = 1; i < argc; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%s/maps", argv[i]);
        FILE *maps = fopen(path, "r");
        snprintf(path, sizeof path, "/proc/%s/pagemap", argv[i]);
        int pm = open(path, O_RDONLY);
        if (!maps || pm < 0) { if (maps) fclose(maps); if (pm >= 0) close(pm); continue; }
        processes++;
        while (fgets(line, sizeof line, maps)) {
            unsigned long long start, end;
            if (sscanf(line, "%llx-%llx", &start, &end) != 2) continue;
            if (strstr(line, "[vsyscall]") || strstr(line, "/SYSV")) continue;
            for (uint64_t v = start / page; v < end / page;) {
                uint64_t n = end / page - v;
                if (n > CHUNK) n = CHUNK;
                ssize_t got = pread(pm, buf, n * 8, v * 8);
                if (got <= 0) break;
                n = got / 8;
                for (uint64_t k = 0; k < n; k++) {
                    uint64_t e = buf[k];
                    if (e >> 63) {
                        uint64_t pfn = e & ((1ULL << 55) - 1);
                        if (pfn <= max_pfn) bits[pfn >> 6] |= 1ULL << (pfn & 63);
                    }
                }
                entries += n;
                v += n;
            }
        }
        fclose(maps);
        close(pm);
    }
    uint64_t distinct = 0;
    for (uint64_t w = 0; w <= max_pfn / 64; w++) distinct += __builtin_popcountll(bits[w]);
    printf("processes=%llu entries=%llu distinct=%llu scan_ms=%.0f\n", (unsigned long long)processes,
           (unsigned long long)entries, (unsigned long long)distinct, (now() - t0) * 1000);
    return 0;
}
