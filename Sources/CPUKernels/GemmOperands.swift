/// Operands of the GEMM driver: things that can pack a block of op(A) or op(B) into the panel
/// layouts the micro-kernels read.
///
/// Packed A block `[mc, kc]`: MR-row panels one after another, panel element `[p * mr + r]`
///   (rows past the edge are left unwritten: the smaller edge kernels never read them).
/// Packed B block `[kc, nc]`: NR-column panels one after another, panel element `[p * nr + j]`
///   (columns past the edge are zero, so the full-width kernel computes harmless values there).
///
/// Convolutions supply their own right operands (implicit im2col), so the unfolded input matrix
/// is never materialised.
protocol GemmLeftOperand {
    /// Packs op(A)[rows, depth] into `destination`.
    func pack(rows: Range<Int>, depth: Range<Int>, into destination: UnsafeMutablePointer<Float>)
}

protocol GemmRightOperand {
    /// Packs op(B)[depth, columns] into `destination`.
    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>)
}

/// A row-major matrix with row stride `rowStride`; `transposed` means the stored matrix is the
/// transpose of the operand (A stored `[k, m]`, B stored `[n, k]`).
struct StridedMatrix: GemmLeftOperand, GemmRightOperand {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let transposed: Bool

    func pack(rows: Range<Int>, depth: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let mr = GemmMicroKernel.mr, kc = depth.count
        var panel = destination
        var i = rows.lowerBound
        while i < rows.upperBound {
            let height = min(mr, rows.upperBound - i)
            if transposed {
                // Stored [k, m]: each k contributes `height` contiguous floats.
                var src = base + depth.lowerBound * rowStride + i
                var dst = panel
                for _ in 0..<kc {
                    for r in 0..<height { dst[r] = src[r] }
                    src += rowStride; dst += mr
                }
            } else if height == mr {
                // Stored [m, k]: walk the mr rows together so the panel is written in order
                // (scattered stride-mr stores stall on the store buffer).
                var src = base + i * rowStride + depth.lowerBound
                var dst = panel
                for _ in 0..<kc {
                    for r in 0..<mr { dst[r] = src[r * rowStride] }
                    src += 1; dst += mr
                }
            } else {
                for r in 0..<height {
                    let src = base + (i + r) * rowStride + depth.lowerBound
                    var dst = panel + r
                    for p in 0..<kc { dst.pointee = src[p]; dst += mr }
                }
            }
            panel += mr * kc
            i += mr
        }
    }

    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr, kc = depth.count
        var panel = destination
        var j = columns.lowerBound
        while j < columns.upperBound {
            let width = min(nr, columns.upperBound - j)
            if transposed {
                // Stored [n, k]: read each column of op(B) contiguously, write with stride nr.
                for q in 0..<width {
                    let src = base + (j + q) * rowStride + depth.lowerBound
                    var dst = panel + q
                    for p in 0..<kc { dst.pointee = src[p]; dst += nr }
                }
                if width < nr {
                    for p in 0..<kc { (panel + p * nr + width).update(repeating: 0, count: nr - width) }
                }
            } else if width == nr {
                var src = base + depth.lowerBound * rowStride + j
                var dst = panel
                for _ in 0..<kc {
                    for v in stride(from: 0, to: nr, by: 16) {
                        GemmMicroKernel.store(GemmMicroKernel.load(src + v), dst + v)
                    }
                    src += rowStride; dst += nr
                }
            } else {
                var src = base + depth.lowerBound * rowStride + j
                var dst = panel
                for _ in 0..<kc {
                    for q in 0..<width { dst[q] = src[q] }
                    for q in width..<nr { dst[q] = 0 }
                    src += rowStride; dst += nr
                }
            }
            panel += nr * kc
            j += nr
        }
    }
}
