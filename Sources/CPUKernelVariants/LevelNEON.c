// arm64 NEON: 4 lanes, fused multiply-add (fmla); NEON is part of every arm64 CPU, so no
// target attribute is needed. Its 32 vector registers take the wide convolution tiles; 6 × 8 keeps the
// same tile shape as the x86 levels.
#include "CPUKernelVariants.h"
#if defined(__aarch64__)
#define SP_LEVEL neon
#define SP_LANES 4
#define SP_MADD(a, x, y) __builtin_elementwise_fma((x), (y), (a))
#define SP_VECTOR_REGISTERS 32
#include "VariantKernels.h"
const SPKernelTable *sp_kernel_table_neon(void) { return &table_neon; }
#endif
