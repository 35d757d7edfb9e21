// mremap for `PageBuffers` (Swift's Glibc module leaves out the GNU-only declaration).
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "CPUKernelVariants.h"
#include <stddef.h>

#if defined(__linux__)
#include <sys/mman.h>

void *sp_remap_grow(void *address, size_t bytes, size_t new_bytes) {
    void *moved = mremap(address, bytes, new_bytes, MREMAP_MAYMOVE);
    return moved == MAP_FAILED ? NULL : moved;
}
#else
void *sp_remap_grow(void *address, size_t bytes, size_t new_bytes) {
    (void)address; (void)bytes; (void)new_bytes;
    return NULL;
}
#endif
