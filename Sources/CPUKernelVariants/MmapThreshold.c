// glibc's malloc tuning, for `MallocThreshold` (Swift's Glibc module does not carry <malloc.h>).
#include "CPUKernelVariants.h"
#include <stdlib.h>  // defines __GLIBC__ where the C library is glibc

#if defined(__GLIBC__)
#include <malloc.h>

int sp_pin_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes) == 1; }
#else
int sp_pin_mmap_threshold(int bytes) { (void)bytes; return 0; }
#endif
