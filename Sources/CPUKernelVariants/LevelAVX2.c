// AVX2 + FMA: 8 lanes, fused multiply-add (6 × 16 GEMM tile in 12 of the 16 ymm registers).
#include "CPUKernelVariants.h"
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma,avx"))), apply_to = function)
#define SP_LEVEL avx2
#define SP_LANES 8
#define SP_MADD(a, x, y) __builtin_elementwise_fma((x), (y), (a))
#define SP_VECTOR_REGISTERS 16
#include "VariantKernels.h"
#pragma clang attribute pop
const SPKernelTable *sp_kernel_table_avx2(void) { return &table_avx2; }
#endif
