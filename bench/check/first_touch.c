/* The price of memory a new process touches for the first time: maps 16 MiB
 * of fresh anonymous memory, writes one byte per 4 kB page, and prints the
 * microseconds per page. A fresh backend pays this for every page of shared
 * buffers and heap it touches, so it sets the floor of a cold start. */
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(void) {
    const size_t bytes = 16u << 20, page = 4096;
    char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return 1;
    double started = now_us();
    for (size_t at = 0; at < bytes; at += page) memory[at] = 1;
    double elapsed = now_us() - started;
    printf("%.2f %.1f\n", elapsed / (bytes / page), elapsed / 1000);
    return 0;
}
