#if canImport(Accelerate)
import Accelerate

/// Apple platforms: `Gemm`'s plain strided products go to Accelerate's BLAS (which uses the matrix
/// units of Apple silicon), behind the same interface. Convolutions keep the package's own driver:
/// their implicit-im2col operands are not matrices BLAS can read.
///
/// Accelerate chooses its own blocking and threads, so there results may depend on the thread
/// count in the last bits; the package's driver (`GemmDriver`) is used where BLAS's stride rules
/// do not hold (a leading dimension smaller than a row, e.g. a broadcast row) or sizes exceed
/// `Int32`.
enum AccelerateGemm {
    /// Runs the product with `cblas_sgemm` and returns true, or returns false (nothing written)
    /// when BLAS cannot take these strides or sizes.
    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) -> Bool {
        let limit = Int(Int32.max)
        guard m > 0, n > 0, k > 0, m <= limit, n <= limit, k <= limit,
              lda >= max(1, transposeA ? m : k), lda <= limit,
              ldb >= max(1, transposeB ? k : n), ldb <= limit,
              ldc >= max(1, n), ldc <= limit else { return false }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), accumulate ? 1 : 0, c, Int32(ldc))
        return true
    }
}
#endif
