/// The register-tiled inner kernel of `Gemm`: one MR×NR tile of C from packed panels.
///
/// The tile functions themselves are generated (`GemmMicroKernels.swift`, written by
/// `Scripts/generate_gemm_kernels.py`); this file holds what they share.
enum GemmMicroKernel {
    typealias Vector = SIMD16<Float>

    /// `(kc, aPanel [kc, mr], bPanel [kc, nr], c, ldc, accumulate)`: C[rows, nr] (+)= Aᵀ·B.
    typealias Kernel = (Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Bool) -> Void

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// A tile that is cut by the right edge of C (`columns < nr`) or the bottom edge
    /// (`rows < mr`): the kernel writes a full-width scratch tile, then the valid part is copied.
    @inline(__always)
    static func edgeTile(rows: Int, columns: Int, kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
                         scratch: UnsafeMutablePointer<Float>) {
        if columns == nr {
            kernel(rows: rows)(kc, a, b, c, ldc, accumulate)
            return
        }
        kernel(rows: rows)(kc, a, b, scratch, nr, false)
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
