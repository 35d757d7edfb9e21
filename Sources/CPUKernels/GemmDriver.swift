/// The blocked, packed GEMM loop nest shared by `Gemm` and the convolutions:
/// `C[m, n] (+)= op(A)[m, k] · op(B)[k, n]`, C row-major with row stride `ldc`.
///
/// Threads take contiguous, tile-aligned slabs of C — column slabs of whole nc blocks, claimed
/// dynamically, when there are enough columns, else one row slab per thread — and each runs the
/// Goto/BLIS nest on its slab:
///   jc (nc) → pc (kc) → pack B[kc, nc] → ic (mc) → pack A[mc, kc] → jr (nr) → ir (mr) → tile.
/// Every element of C is summed over k in the same order whatever the split, so results do not
/// depend on the thread count.
enum GemmDriver {
    package static func run<A: GemmLeftOperand, B: GemmRightOperand>(
        m: Int, n: Int, k: Int, a: A, b: B,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, threads: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if !accumulate {
                for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
            }
            return
        }
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let columnTiles = (n + nr - 1) / nr, rowTiles = (m + mr - 1) / mr
        // Below ~1 MFLOP a thread hand-off costs more than it saves.
        let parts = 2 * m * n * k < 1 << 20 ? 1 : threads
        let cShared = SharedPointer(c)
        if parts <= 1 {
            serial(rows: 0..<m, columns: 0..<n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
        } else if columnTiles >= 4 * parts || columnTiles >= rowTiles {
            // Column slabs of whole nc blocks (each thread packs A once per nc block anyway, so
            // finer slabs cost nothing), at least one per thread, claimed dynamically.
            let slabs = max(parts, (n + GemmBlocking.nc - 1) / GemmBlocking.nc)
            Parallel.forParts(slabs, threads: parts) { slab in
                let tiles = (columnTiles * slab / slabs)..<(columnTiles * (slab + 1) / slabs)
                let columns = tiles.lowerBound * nr..<min(n, tiles.upperBound * nr)
                serial(rows: 0..<m, columns: columns, k: k, a: a, b: b, c: cShared.base, ldc: ldc, accumulate: accumulate)
            }
        } else {
            Parallel.forRanges(count: rowTiles, minimumPerThread: 1, threads: parts) { tiles in
                let rows = tiles.lowerBound * mr..<min(m, tiles.upperBound * mr)
                serial(rows: rows, columns: 0..<n, k: k, a: a, b: b, c: cShared.base, ldc: ldc, accumulate: accumulate)
            }
        }
    }

    /// One thread's share: C[rows, columns] (+)= op(A)[rows, :] · op(B)[:, columns].
    static func serial<A: GemmLeftOperand, B: GemmRightOperand>(
        rows: Range<Int>, columns: Range<Int>, k: Int, a: A, b: B,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        // Equal depth blocks (k = 600 → 300 + 300, not 512 + 88) keep every block efficient.
        let depthBlocks = (k + GemmBlocking.kc - 1) / GemmBlocking.kc
        let kcMax = (k + depthBlocks - 1) / depthBlocks
        GemmWorkspace.with { ws in
            var jc = columns.lowerBound
            while jc < columns.upperBound {
                let nc = min(GemmBlocking.nc, columns.upperBound - jc)
                var pc = 0
                while pc < k {
                    let kc = min(kcMax, k - pc)
                    let add = accumulate || pc > 0
                    b.pack(depth: pc..<pc + kc, columns: jc..<jc + nc, into: ws.packedB)
                    var ic = rows.lowerBound
                    while ic < rows.upperBound {
                        let mc = min(GemmBlocking.mc, rows.upperBound - ic)
                        a.pack(rows: ic..<ic + mc, depth: pc..<pc + kc, into: ws.packedA)
                        var jr = 0
                        while jr < nc {
                            let width = min(nr, nc - jr)
                            let bPanel = UnsafePointer(ws.packedB + jr * kc)
                            var ir = 0
                            while ir < mc {
                                let height = min(mr, mc - ir)
                                let aPanel = UnsafePointer(ws.packedA + ir * kc)
                                let cTile = c + (ic + ir) * ldc + jc + jr
                                if height == mr && width == nr {
                                    GemmMicroKernel.fullTile(kc, aPanel, bPanel, cTile, ldc, add)
                                } else {
                                    GemmMicroKernel.edgeTile(rows: height, columns: width, kc: kc, a: aPanel, b: bPanel,
                                                             c: cTile, ldc: ldc, accumulate: add, scratch: ws.scratch)
                                }
                                ir += mr
                            }
                            jr += nr
                        }
                        ic += mc
                    }
                    pc += kc
                }
                jc += nc
            }
        }
    }
}
