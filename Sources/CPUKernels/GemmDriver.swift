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
        // At most two tiles wide (attention's ·V, n = 32), each packed value of op(A) would be
        // read once or twice: packing it cost more than the products (a third of the attention
        // row). The tiles read it in place instead.
        if columnTiles <= 2, let view = a.inPlace {
            runReadingAInPlace(m: m, n: n, k: k, a: view, b: b, c: c, ldc: ldc, accumulate: accumulate, parts: parts)
            return
        }
        let columnBlocks = (n + GemmBlocking.nc - 1) / GemmBlocking.nc
        let bySlabs = parts > 1 && (columnTiles >= 4 * parts || columnTiles >= rowTiles)
        // Every nc block of columns re-packs all of op(A), and with column slabs every thread
        // packs all of it for its own slabs; then op(A) is packed once, on every core, for all of
        // them instead (the 512-channel convolutions' weights: four packs on 4096 pixels were
        // ~4 % of the time; a 1024³ product split in two column slabs packed its A twice).
        if (bySlabs || (parts <= 1 && columnBlocks > 1)) && rowTiles * mr * k <= PackedLeft.maximumCount {
            ScratchBuffers.with(count: rowTiles * mr * k) { storage in
                let packed = PackedLeft(storage, rows: m, k: k, from: a, threads: parts)
                dispatch(m: m, n: n, k: k, a: packed, b: b, c: c, ldc: ldc, accumulate: accumulate, parts: parts,
                         bySlabs: bySlabs)
            }
            return
        }
        dispatch(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, parts: parts, bySlabs: bySlabs)
    }

    /// Splits C over `parts` threads (column slabs when `bySlabs`, else row slabs) and runs the
    /// loop nest on each part.
    private static func dispatch<A: GemmLeftOperand, B: GemmRightOperand>(
        m: Int, n: Int, k: Int, a: A, b: B,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, parts: Int, bySlabs: Bool
    ) {
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let columnTiles = (n + nr - 1) / nr, rowTiles = (m + mr - 1) / mr
        let cShared = SharedPointer(c)
        if parts <= 1 {
            serial(rows: 0..<m, columns: 0..<n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate)
        } else if bySlabs {
            // Column slabs of at most nc columns (each thread packs A once per nc block anyway, so
            // finer slabs cost nothing), claimed dynamically, as many for every thread: five nc
            // blocks on two threads (the 512-channel weight gradient, n = 4608) left one thread
            // a third of the work idle-waiting for the other.
            let blocks = (n + GemmBlocking.nc - 1) / GemmBlocking.nc
            let slabs = (blocks + parts - 1) / parts * parts
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

    /// C (+)= op(A) · op(B) for a narrow C (at most two NR tiles): op(B) packed (it is small),
    /// op(A) read where it lies by `gemmTileStridedA`; row tiles split over `parts` threads.
    /// The same kc blocks and multiply-add order as the packed nest, so the same bits.
    private static func runReadingAInPlace<B: GemmRightOperand>(
        m: Int, n: Int, k: Int, a: (base: UnsafePointer<Float>, rowStride: Int, depthStride: Int), b: B,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, parts: Int
    ) {
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let kcMax = depthBlock(k: k)
        let cShared = SharedPointer(c)
        Parallel.forRanges(count: (m + mr - 1) / mr, minimumPerThread: 1, threads: parts) { tiles in
            GemmWorkspace.with { ws in
                var pc = 0
                while pc < k {
                    let kc = min(kcMax, k - pc)
                    let add = accumulate || pc > 0
                    b.pack(depth: pc..<pc + kc, columns: 0..<n, into: ws.packedB)
                    for tile in tiles {
                        let row = tile * mr, height = Int32(min(mr, m - row))
                        let panelA = a.base + row * a.rowStride + pc * a.depthStride
                        var jr = 0
                        while jr < n {
                            let width = min(nr, n - jr)
                            let cTile = cShared.base + row * ldc + jr
                            if width == nr {
                                KernelDispatch.gemmTileStridedA(height, kc, panelA, a.rowStride, a.depthStride,
                                                                ws.packedB + jr * kc, cTile, ldc, add ? 1 : 0)
                            } else {
                                // As `GemmMicroKernel.edgeTile`: a full-width scratch tile, then the valid columns.
                                KernelDispatch.gemmTileStridedA(height, kc, panelA, a.rowStride, a.depthStride,
                                                                ws.packedB + jr * kc, ws.scratch, nr, 0)
                                GemmMicroKernel.storeValidColumns(of: ws.scratch, rows: Int(height), columns: width,
                                                                  into: cTile, ldc: ldc, accumulate: add)
                            }
                            jr += nr
                        }
                    }
                    pc += kc
                }
            }
        }
    }

    /// The depth of the driver's kc blocks for a product of depth `k`: equal blocks
    /// (k = 600 → 300 + 300, not 512 + 88) keep every block efficient.
    static func depthBlock(k: Int) -> Int {
        let depthBlocks = (k + GemmBlocking.kc - 1) / GemmBlocking.kc
        return (k + depthBlocks - 1) / depthBlocks
    }

    /// One thread's share: C[rows, columns] (+)= op(A)[rows, :] · op(B)[:, columns].
    static func serial<A: GemmLeftOperand, B: GemmRightOperand>(
        rows: Range<Int>, columns: Range<Int>, k: Int, a: A, b: B,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let kcMax = depthBlock(k: k)
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
                        let packedA = a.packedBlock(rows: ic, depth: pc, kc: kc) ?? {
                            a.pack(rows: ic..<ic + mc, depth: pc..<pc + kc, into: ws.packedA)
                            return UnsafePointer(ws.packedA)
                        }()
                        var jr = 0
                        while jr < nc {
                            let width = min(nr, nc - jr)
                            let bPanel = UnsafePointer(ws.packedB + jr * kc)
                            var ir = 0
                            while ir < mc {
                                let height = min(mr, mc - ir)
                                let aPanel = packedA + ir * kc
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
