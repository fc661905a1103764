/* Preloaded into a short-lived process by bench/check/run.sh: at exit it
 * appends, in KiB, to the file named by FITBOT_BENCH_MEMORY_FILE:
 *   - the peak resident memory (VmHWM);
 *   - the peak private memory: VmHWM less the file-backed pages resident at
 *     exit (RssFile + RssShmem: the binary's and shared libraries' pages,
 *     resident at the peak too), i.e. the process's own anonymous memory
 *     (heap, stacks, relocated data) at its peak. Private memory read at exit
 *     alone would miss what was freed before, e.g. a large query result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long field_kib(const char *path, const char *name) {
    FILE *file = fopen(path, "r");
    char line[256];
    long total = 0;
    size_t length = strlen(name);
    if (file == NULL) return -1;
    while (fgets(line, sizeof line, file) != NULL) {
        if (strncmp(line, name, length) == 0) total += strtol(line + length, NULL, 10);
    }
    fclose(file);
    return total;
}

__attribute__((destructor)) static void report_memory(void) {
    const char *target = getenv("FITBOT_BENCH_MEMORY_FILE");
    FILE *out;
    if (target == NULL || (out = fopen(target, "a")) == NULL) return;
    long peak = field_kib("/proc/self/status", "VmHWM:");
    long mapped = field_kib("/proc/self/status", "RssFile:") + field_kib("/proc/self/status", "RssShmem:");
    fprintf(out, "%ld %ld\n", peak, peak - mapped);
    fclose(out);
}
