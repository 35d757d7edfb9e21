/// The register-tiled inner kernel of `Gemm`: one MR×NR tile of C from packed panels.
///
/// The tiles themselves are C (`CPUKernelVariants`, one build per instruction-set level, chosen by
/// `KernelDispatch`): MR = 6 rows × NR = 2 vectors per row (32 columns with AVX-512, 16 with AVX2
/// or NEON, 8 with SSE2), twelve accumulators that stay in registers for the whole kc loop.
enum GemmMicroKernel {
    /// Rows of a full tile; A panels are packed `[kc, mr]`.
    static let mr = Int(KernelDispatch.table.mr)
    /// Columns of a tile; B panels are packed `[kc, nr]`.
    static let nr = Int(KernelDispatch.table.nr)

    /// C[mr, nr] (+)= Ap[kc, mr]ᵀ · Bp[kc, nr]; C row stride `ldc`.
    @inline(__always)
    static func fullTile(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                         _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool) {
        KernelDispatch.gemmTile(Int32(mr), kc, a, b, c, ldc, accumulate ? 1 : 0)
    }

    /// A tile that is cut by the right edge of C (`columns < nr`) or the bottom edge
    /// (`rows < mr`): the kernel writes a full-width scratch tile, then the valid part is copied.
    @inline(__always)
    static func edgeTile(rows: Int, columns: Int, kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
                         scratch: UnsafeMutablePointer<Float>) {
        if columns == nr {
            KernelDispatch.gemmTile(Int32(rows), kc, a, b, c, ldc, accumulate ? 1 : 0)
            return
        }
        KernelDispatch.gemmTile(Int32(rows), kc, a, b, scratch, nr, 0)
        storeValidColumns(of: scratch, rows: rows, columns: columns, into: c, ldc: ldc, accumulate: accumulate)
    }

    /// Copies (or adds, when `accumulate`) the first `columns` columns of a full-width tile
    /// computed into `scratch` (row stride nr) onto C.
    @inline(__always)
    static func storeValidColumns(of scratch: UnsafePointer<Float>, rows: Int, columns: Int,
                                  into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        for r in 0..<rows {
            let src = scratch + r * nr, dst = c + r * ldc
            if accumulate {
                for j in 0..<columns { dst[j] += src[j] }
            } else {
                for j in 0..<columns { dst[j] = src[j] }
            }
        }
    }
}
