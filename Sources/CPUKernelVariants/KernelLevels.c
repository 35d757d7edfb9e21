// Which levels this CPU runs, and their tables.
#include "CPUKernelVariants.h"

#if defined(__x86_64__)
#include <cpuid.h>

const SPKernelTable *sp_kernel_table_avx512(void);
const SPKernelTable *sp_kernel_table_avx2(void);
const SPKernelTable *sp_kernel_table_baseline(void);

/// The register state the operating system saves on context switches (XCR0). A CPU may have
/// AVX-512 while the OS does not save the zmm registers; then the instructions must not be used.
static unsigned long long sp_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static int sp_has_avx2_fma(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28;
    if ((ecx & (fma | osxsave | avx)) != (fma | osxsave | avx)) return 0;
    if ((sp_xcr0() & 0x6) != 0x6) return 0;  // xmm and ymm state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx & (1u << 5)) != 0;  // AVX2
}

static int sp_has_avx512f(void) {
    if (!sp_has_avx2_fma()) return 0;
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    if ((ebx & (1u << 16)) == 0) return 0;  // AVX-512F
    return (sp_xcr0() & 0xE6) == 0xE6;      // opmask, upper zmm0-15, zmm16-31
}

int sp_kernel_level_supported(SPKernelLevel level) {
    switch (level) {
    case SPKernelLevelBaseline: return 1;
    case SPKernelLevelAVX2: return sp_has_avx2_fma();
    case SPKernelLevelAVX512: return sp_has_avx512f();
    default: return 0;
    }
}

const SPKernelTable *sp_kernel_table(SPKernelLevel level) {
    switch (level) {
    case SPKernelLevelBaseline: return sp_kernel_table_baseline();
    case SPKernelLevelAVX2: return sp_kernel_table_avx2();
    case SPKernelLevelAVX512: return sp_kernel_table_avx512();
    default: return 0;
    }
}

#elif defined(__aarch64__)
const SPKernelTable *sp_kernel_table_neon(void);

int sp_kernel_level_supported(SPKernelLevel level) { return level == SPKernelLevelNEON; }

const SPKernelTable *sp_kernel_table(SPKernelLevel level) {
    return level == SPKernelLevelNEON ? sp_kernel_table_neon() : 0;
}

#else
int sp_kernel_level_supported(SPKernelLevel level) { (void)level; return 0; }
const SPKernelTable *sp_kernel_table(SPKernelLevel level) { (void)level; return 0; }
#endif
