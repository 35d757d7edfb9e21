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
    /// The packed block of op(A) from row `rows` (a multiple of MR) and depth `depth` (the start
    /// of one of the driver's kc blocks, `kc` deep) when the operand holds it packed already;
    /// nil when the driver must `pack` it.
    func packedBlock(rows: Int, depth: Int, kc: Int) -> UnsafePointer<Float>?
    /// Where op(A)'s elements lie, when the tiles may read them in place (see the extension).
    var inPlace: (base: UnsafePointer<Float>, rowStride: Int, depthStride: Int)? { get }
}

extension GemmLeftOperand {
    func packedBlock(rows: Int, depth: Int, kc: Int) -> UnsafePointer<Float>? { nil }
    /// Where op(A)'s elements lie, when the tiles may read them in place: (r, p) at
    /// `base[r·rowStride + p·depthStride]`; nil for operands that exist only packed.
    var inPlace: (base: UnsafePointer<Float>, rowStride: Int, depthStride: Int)? { nil }
}

protocol GemmRightOperand {
    /// Packs op(B)[depth, columns] into `destination`.
    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>)
}

/// A row-major matrix with row stride `rowStride`; `transposed` means the stored matrix is the
/// transpose of the operand (A stored `[k, m]`, B stored `[n, k]`).
///
/// Every packing loop reads the stored matrix along its rows. Walking down a column instead
/// jumps `rowStride` floats per step; with strides of 16 KiB (4096 floats) that misses the TLB
/// and defeats the prefetchers, and a [512 × 4608 × 4096] product ran at 100 GFLOP/s, not 450.
struct StridedMatrix: GemmLeftOperand, GemmRightOperand {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let transposed: Bool

    var inPlace: (base: UnsafePointer<Float>, rowStride: Int, depthStride: Int)? {
        transposed ? (base, 1, rowStride) : (base, rowStride, 1)
    }

    func pack(rows: Range<Int>, depth: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let mr = GemmMicroKernel.mr, kc = depth.count
        if transposed {
            // Stored [k, m]: the stored rows dealt out to the panels, six floats at a time where
            // the tile has six rows (`mr` is the kernel table's, not a literal: the general loop
            // does not unroll). A partial panel's rows past the matrix are never read.
            dealRowsToPanels(base + depth.lowerBound * rowStride + rows.lowerBound, rowStride: rowStride, depth: kc,
                             columns: rows.count, panelWidth: mr, zeroingPartialPanel: false, into: destination) { row, dst in
                if mr == 6 {
                    let from = UnsafeRawPointer(row), to = UnsafeMutableRawPointer(dst)
                    to.storeBytes(of: from.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                    to.storeBytes(of: from.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self), toByteOffset: 16, as: SIMD2<Float>.self)
                } else {
                    for r in 0..<mr { dst[r] = row[r] }
                }
            }
            return
        }
        // Stored [m, k]: walk the rows of a panel together so the panel is written in order.
        var panel = destination
        var i = rows.lowerBound
        while i < rows.upperBound {
            let height = min(mr, rows.upperBound - i)
            var src = base + i * rowStride + depth.lowerBound
            var dst = panel
            if height == 6 && mr == 6 {
                // Every level's tile has 6 rows; six row pointers spare the loop a multiply (and
                // its overflow check) per element — ~4 % of a 4096³ product went to this pack.
                let r0 = src, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride
                let r4 = r3 + rowStride, r5 = r4 + rowStride
                for p in 0..<kc {
                    dst[0] = r0[p]; dst[1] = r1[p]; dst[2] = r2[p]; dst[3] = r3[p]; dst[4] = r4[p]; dst[5] = r5[p]
                    dst += 6
                }
            } else if height == mr {
                for _ in 0..<kc {
                    for r in 0..<mr { dst[r] = src[r * rowStride] }
                    src += 1; dst += mr
                }
            } else {
                for _ in 0..<kc {
                    for r in 0..<height { dst[r] = src[r * rowStride] }
                    src += 1; dst += mr
                }
            }
            panel += mr * kc
            i += mr
        }
    }

    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr, kc = depth.count
        if transposed {
            // Stored [n, k]: each column of op(B) is a stored row, read contiguously and
            // transposed in registers (`packTransposedPanel`, C per level).
            var panel = destination
            var j = columns.lowerBound
            while j < columns.upperBound {
                let width = min(nr, columns.upperBound - j)
                KernelDispatch.packTransposedPanel(base + j * rowStride + depth.lowerBound, rowStride, Int32(width), kc, panel)
                panel += nr * kc
                j += nr
            }
            return
        }
        // Stored [k, n]: the stored rows dealt out to the panels.
        dealRowsToPanels(base + depth.lowerBound * rowStride + columns.lowerBound, rowStride: rowStride, depth: kc,
                         columns: columns.count, panelWidth: nr, zeroingPartialPanel: true, into: destination, copyFullRow: copyPanelRow)
    }
}

/// Deals `depth` stored rows (row p at `source + p·rowStride`, `columns` floats each) out to
/// consecutive panels `[depth, panelWidth]` at `destination`, `copyFullRow(row, panelRow)` moving
/// one row's `panelWidth` floats into a full panel. 16 stored rows at a time: one row at a time
/// sent its pieces to panels `panelWidth·depth` floats apart — 64 KiB for B at kc 512, one L1 set
/// for all of them — and a panel at a time would read down the stored columns. A partial last
/// panel gets the remaining columns, then zeros with `zeroingPartialPanel`.
@inline(__always)
func dealRowsToPanels(_ source: UnsafePointer<Float>, rowStride: Int, depth: Int, columns: Int, panelWidth: Int,
                      zeroingPartialPanel: Bool, into destination: UnsafeMutablePointer<Float>,
                      copyFullRow: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
    let fullPanels = columns / panelWidth, width = columns % panelWidth
    let rowsPerStep = 16
    var p0 = 0
    while p0 < depth {
        let p1 = min(depth, p0 + rowsPerStep)
        let rows = source + p0 * rowStride
        var panel = destination + p0 * panelWidth
        for i in 0..<fullPanels {
            for p in 0..<(p1 - p0) { copyFullRow(rows + p * rowStride + i * panelWidth, panel + p * panelWidth) }
            panel += panelWidth * depth
        }
        if width > 0 {
            for p in 0..<(p1 - p0) {
                let row = rows + p * rowStride + fullPanels * panelWidth, target = panel + p * panelWidth
                for q in 0..<width { target[q] = row[q] }
                if zeroingPartialPanel { for q in width..<panelWidth { target[q] = 0 } }
            }
        }
        p0 = p1
    }
}

/// Copies one panel row: `GemmMicroKernel.nr` floats (a multiple of 8 at every level), inline —
/// a `memmove` call per 128 bytes cost more than the copy.
@inline(__always)
func copyPanelRow(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(destination)
    var offset = 0
    while offset < GemmMicroKernel.nr * MemoryLayout<Float>.stride {
        to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self), toByteOffset: offset,
                      as: SIMD8<Float>.self)
        offset += MemoryLayout<SIMD8<Float>>.stride
    }
}
