/// Naive matrix products: the reference the fast `Gemm` is tested against. Row-major.
package enum GemmReference {
    /// `C[m, n] = (accumulate ? C : 0) + op(A)[m, k] · op(B)[k, n]`.
    /// `op(A)` is `A` stored `[m, k]` with row stride `lda`, or with `transposeA` the transpose of
    /// `A` stored `[k, m]`; likewise `B` (`[k, n]`, or `[n, k]` when `transposeB`).
    package static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Double = 0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(av) * Double(bv)
                }
                c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0) + Float(sum)
            }
        }
    }
}
