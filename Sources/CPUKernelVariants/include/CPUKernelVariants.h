// The hot inner loops of CPUKernels, compiled once per instruction-set level and chosen at run
// time. Swift has no per-function target attribute, and a package that passes `-march` through
// `unsafeFlags` cannot be used as a versioned dependency; C functions carrying
// `__attribute__((target(…)))` give both at once (as ggml, simdjson and Highway do).
//
// Every variant implements the same functions with the same numerics per lane; they differ in
// vector width, and so in the GEMM tile width `nr` and the direct-convolution tile width.
#ifndef CPU_KERNEL_VARIANTS_H
#define CPU_KERNEL_VARIANTS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels, best last on each architecture.
typedef enum {
    SPKernelLevelBaseline = 0,  // x86-64: SSE2 (no FMA: multiply, then add)
    SPKernelLevelAVX2 = 1,      // x86-64: AVX2 + FMA (Haswell, Zen 1 and later)
    SPKernelLevelAVX512 = 2,    // x86-64: AVX-512F (Skylake-SP, Ice Lake, Zen 4 and later)
    SPKernelLevelNEON = 3,      // arm64: NEON (every arm64 CPU)
} SPKernelLevel;

/// One direct stride-1 convolution tile shape: out[r][p] (r < `channels`, p < `vectors`·lanes) =
/// bias[r] (0 when `bias` is NULL) + Σ over `channelCount` input planes (`planeStride` floats
/// apart), `kernelHeight` × `kernelWidth` taps (input rows `rowStride` apart, starting at
/// `input`) of weights packed [channel][tap][`channels`]; output rows `outStride` apart.
typedef struct {
    int channels;
    int vectors;
    void (*tile)(ptrdiff_t channelCount, ptrdiff_t kernelHeight, ptrdiff_t kernelWidth,
                 ptrdiff_t planeStride, ptrdiff_t rowStride, const float *input, const float *weights,
                 const float *bias, float *out, ptrdiff_t outStride);
} SPConvolutionTile;

/// One level's kernels. Plain function pointers: the Swift side calls through them.
typedef struct {
    /// Lanes of one vector register (4, 8 or 16).
    int lanes;
    /// GEMM register tile: `mr` rows × `nr` columns of C.
    int mr;
    int nr;
    /// C[rows, nr] (+)= Ap[kc, mr]ᵀ[0..<rows] · Bp[kc, nr]: packed panels (A panel stride `mr`,
    /// B panel stride `nr`), C row stride `ldc`, `rows` in 1…mr. Writes all `nr` columns.
    void (*gemmTile)(int rows, ptrdiff_t kc, const float *a, const float *b, float *c, ptrdiff_t ldc, int accumulate);
    /// `gemmTile` with A read in place: element (r, p) at a[r·rowStride + p·depthStride]; B packed.
    void (*gemmTileStridedA)(int rows, ptrdiff_t kc, const float *a, ptrdiff_t rowStride, ptrdiff_t depthStride,
                             const float *b, float *c, ptrdiff_t ldc, int accumulate);

    /// One MCU of a baseline JPEG (`factor` 1: 4:4:4, 2: 4:2:0): its 8·factor RGB `rows` from the
    /// MCU's left edge, `valid` pixels in each before the last repeats; level-shifted YCbCr, AAN
    /// DCT, quantised by `lumaScale` / `chromaScale` (1 / (quantiser · AAN factors · 8), stored
    /// transposed: [horizontal·8 + vertical]) rounding half up, into `out`: factor² luminance
    /// blocks then Cb and Cr, 64 coefficients each in zigzag order. Same bytes at every level.
    void (*jpegMCU)(const unsigned char *const *rows, ptrdiff_t valid, int factor, const float *lumaScale,
                    const float *chromaScale, short *out);

    /// One PNG row filtered with `filter` (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) into `out`,
    /// `count` bytes, `bytesPerPixel` apart; `previous` is the raw row above (zeros for the
    /// first). Returns the row's score, Σ |byte read as signed| (libpng's heuristic). Integer
    /// arithmetic: the same bytes at every level.
    long (*pngFilterRow)(int filter, const unsigned char *row, const unsigned char *previous,
                         ptrdiff_t count, ptrdiff_t bytesPerPixel, unsigned char *out);

    /// A GEMM B panel (stride `nr`) from a stored [n, k] matrix whose transpose is op(B):
    /// dst[p·nr + q] = src[q·rowStride + p] for p < kc, q < width (≤ nr); zero for q ≥ width.
    void (*packTransposedPanel)(const float *src, ptrdiff_t rowStride, int width, ptrdiff_t kc, float *dst);

    /// Direct stride-1 convolution register tiles, `convolutionTileCount` candidate shapes (the
    /// first is the level's default); every shape computes the same bits.
    int convolutionTileCount;
    SPConvolutionTile convolutionTiles[4];

    /// y[i] = exp(x[i] − shift) for i < count (y may be NULL: only the sum), returns Σ y.
    /// Within 2 ulp of the correctly rounded value; 0 below −87.3, +∞ above 88.7.
    float (*shiftedExponentials)(const float *x, float *y, ptrdiff_t count, float shift);

    /// `iterations` rounds of 12 independent vector multiply-add chains (24·lanes flops per
    /// round); returns a value that depends on all of them. For the peak-FMA probe.
    float (*multiplyAddBurst)(long iterations, float seed);

    /// Σ x[i]·y[i] (fused multiply-adds where the level has them).
    float (*dotProduct)(const float *x, const float *y, ptrdiff_t count);

    /// Σ (x[i] − mean)² (fused multiply-adds where the level has them).
    float (*squaredDeviations)(const float *x, ptrdiff_t count, float mean);

    /// Layer norm forward, one row: y = (x − mean)·rstd·weight + bias (`weight`, `bias` may be
    /// NULL), rstd = 1/√(variance + epsilon) with the biased variance; writes *mean and *rstd.
    void (*layerNormRow)(const float *x, const float *weight, const float *bias, ptrdiff_t count, float epsilon,
                         float *y, float *mean, float *rstd);

    /// Layer norm backward, one row's first pass: h = (x − mean)·rstd, gw = g·weight (g when
    /// `weight` is NULL); sums[0] = Σ gw, sums[1] = Σ gw·h; gradWeight[i] += g·h, gradBias[i] += g.
    void (*layerNormGradientSums)(const float *x, const float *g, const float *weight, float mean, float rstd,
                                  ptrdiff_t count, float *gradWeight, float *gradBias, float *sums);
} SPKernelTable;

/// Whether this CPU (and its operating system, for the wider registers' state) runs `level`,
/// and this build contains it.
int sp_kernel_level_supported(SPKernelLevel level);

/// The kernels of `level`, or NULL when this build has none for it (another architecture).
const SPKernelTable *sp_kernel_table(SPKernelLevel level);

/// Pins glibc's mmap threshold at `bytes` (`mallopt(M_MMAP_THRESHOLD)`, which also stops glibc
/// raising it as mapped blocks are freed). Returns 1 when set, 0 where the C library is not
/// glibc. Lives here because this is the package's one C target (see `MallocThreshold`).
int sp_pin_mmap_threshold(int bytes);

/// Enlarges the private anonymous mapping [address, address + bytes) to `new_bytes`, moving it
/// where needed (`mremap` with MREMAP_MAYMOVE): its pages keep their contents without a copy.
/// Returns the new address, or NULL where it failed or the system has no mremap (then the old
/// mapping is untouched). For `PageBuffers`.
void *sp_remap_grow(void *address, size_t bytes, size_t new_bytes);

/// Watches [start, start + length), a mapping of the file at `path`, for SIGBUS: touching a page
/// of it after another program truncated the file. The first call installs a SIGBUS handler that
/// prints one line naming the file and ends the process with status 1 (instead of a crash); a
/// SIGBUS elsewhere keeps its default action. Returns a slot for `sp_unwatch_mapping`, or -1 when
/// all 256 slots are taken (the mapping is then unwatched). Lives here because this is the
/// package's one C target (see `MappedRegion`).
int sp_watch_mapping(const void *start, size_t length, const char *path);

/// Stops watching the slot `sp_watch_mapping` returned (before the mapping is unmapped).
void sp_unwatch_mapping(int slot);

#ifdef __cplusplus
}
#endif

#endif
