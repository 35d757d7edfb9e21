/// Single-precision matrix products on raw row-major buffers, using every core.
///
/// PLACEHOLDER: forwards to `GemmReference` until the packed SIMD kernel lands.
public enum Gemm {
    /// `C[m, n] = (accumulate ? C : 0) + op(A)[m, k] · op(B)[k, n]` (see `GemmReference`).
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        GemmReference.multiply(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA,
                               b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc, accumulate: accumulate)
    }

    /// `batch` independent products; matrix `i` starts at `a + i*strideA`, `b + i*strideB`,
    /// `c + i*strideC`. Small products (attention heads) are spread over threads by batch.
    public static func batchedMultiply(
        batch: Int, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, strideA: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, strideB: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int, accumulate: Bool
    ) {
        for i in 0..<batch {
            multiply(m: m, n: n, k: k, a: a + i * strideA, lda: lda, transposeA: transposeA,
                     b: b + i * strideB, ldb: ldb, transposeB: transposeB,
                     c: c + i * strideC, ldc: ldc, accumulate: accumulate)
        }
    }
}
