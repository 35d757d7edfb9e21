// AVX-512F: 16 lanes, fused multiply-add (6 × 32 GEMM tile in 12 of the 32 zmm registers).
#include "CPUKernelVariants.h"
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma,avx"))), apply_to = function)
#define SP_LEVEL avx512
#define SP_LANES 16
#define SP_MADD(a, x, y) __builtin_elementwise_fma((x), (y), (a))
#define SP_VECTOR_REGISTERS 32
#include "VariantKernels.h"
#pragma clang attribute pop
const SPKernelTable *sp_kernel_table_avx512(void) { return &table_avx512; }
#endif
