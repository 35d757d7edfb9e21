/// Single-precision matrix products on raw row-major buffers, using every core
/// (`Parallel.threadCount`).
///
/// ```swift
/// // C[m, n] = A[m, k] · B[n, k]ᵀ  (e.g. a Linear layer: x [batch, in] · weight [out, in]ᵀ)
/// Gemm.multiply(m: batch, n: out, k: inFeatures, a: x, lda: inFeatures, transposeA: false,
///               b: weight, ldb: inFeatures, transposeB: true, c: y, ldc: out, accumulate: false)
/// ```
///
/// A packed, cache-blocked product with a register-tiled micro-kernel in C, per instruction-set
/// level (see `GemmDriver`, `GemmMicroKernel`); `GemmReference` is the naive version it is tested against.
package enum Gemm {
    /// `C[m, n] = (accumulate ? C : 0) + op(A)[m, k] · op(B)[k, n]`.
    /// `op(A)` is `A` stored `[m, k]` with row stride `lda`, or with `transposeA` the transpose of
    /// `A` stored `[k, m]`; likewise `B` (`[k, n]`, or `[n, k]` when `transposeB`). C has row
    /// stride `ldc`. `k == 0` gives zeros (or leaves C when accumulating).
    package static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        #if canImport(Accelerate)
        if AccelerateGemm.multiply(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb,
                                   transposeB: transposeB, c: c, ldc: ldc, accumulate: accumulate) { return }
        #endif
        GemmDriver.run(m: m, n: n, k: k,
                       a: StridedMatrix(base: a, rowStride: lda, transposed: transposeA),
                       b: StridedMatrix(base: b, rowStride: ldb, transposed: transposeB),
                       c: c, ldc: ldc, accumulate: accumulate, threads: Parallel.threadCount)
    }

    /// `batch` independent products; matrix `i` starts at `a + i*strideA`, `b + i*strideB`,
    /// `c + i*strideC`. Small products (attention heads, e.g. 48 × [256×32]·[32×256]) are spread
    /// over threads by batch; large ones are split inside each product.
    package static func batchedMultiply(
        batch: Int, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, strideA: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, strideB: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int, accumulate: Bool
    ) {
        let cShared = SharedPointer(c)
        Parallel.forBatch(count: batch, flopsPerItem: 2 * Double(m) * Double(n) * Double(k)) { items, threadsPerItem in
            for i in items {
                GemmDriver.run(m: m, n: n, k: k,
                               a: StridedMatrix(base: a + i * strideA, rowStride: lda, transposed: transposeA),
                               b: StridedMatrix(base: b + i * strideB, rowStride: ldb, transposed: transposeB),
                               c: cShared.base + i * strideC, ldc: ldc, accumulate: accumulate,
                               threads: threadsPerItem)
            }
        }
    }
}
