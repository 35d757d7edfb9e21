// Baseline x86-64 (SSE2): 4 lanes and no FMA, so a multiply then an add (rounded twice: results
// differ from the FMA levels in the last bits). Runs on every x86-64 CPU.
#include "CPUKernelVariants.h"
#if defined(__x86_64__)
#pragma clang fp contract(off)
#define SP_LEVEL baseline
#define SP_LANES 4
#define SP_MADD(a, x, y) ((a) + (x) * (y))
#define SP_VECTOR_REGISTERS 16
#include "VariantKernels.h"
const SPKernelTable *sp_kernel_table_baseline(void) { return &table_baseline; }
#endif
