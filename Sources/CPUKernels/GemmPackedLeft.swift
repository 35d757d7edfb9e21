/// op(A) packed whole, once, in the driver's own block layout, so that a product with several
/// nc blocks of columns (or several threads' column slabs) reads the same packed panels instead
/// of each re-packing them.
///
/// Layout: the driver's kc depth blocks one after another (`GemmDriver.depthBlock`); each holds
/// every MR-row panel of op(A) for that depth, `[paddedRows, kc]` as `[panel][p][r]`. The block
/// for rows from `ic` (a multiple of MR) and depth from `pc` is then at `pc·paddedRows + ic·kc`,
/// exactly what `pack(rows: ic..<ic+mc, depth: pc..<pc+kc)` would have written, so the products
/// are bit for bit those of packing per block.
struct PackedLeft: GemmLeftOperand {
    /// Floats of the largest operand packed whole (16 MiB): larger ones are packed per block.
    static let maximumCount = 4 << 20

    private let base: UnsafePointer<Float>
    private let paddedRows: Int

    /// Packs op(A) `[rows, k]` from `operand` into `storage` (at least ⌈rows / MR⌉·MR·k floats),
    /// spreading the panels over `threads`.
    init<A: GemmLeftOperand>(_ storage: UnsafeMutablePointer<Float>, rows: Int, k: Int, from operand: A, threads: Int) {
        let mr = GemmMicroKernel.mr
        let panels = (rows + mr - 1) / mr
        paddedRows = panels * mr
        base = UnsafePointer(storage)
        let kcMax = GemmDriver.depthBlock(k: k), paddedRows = paddedRows
        let shared = SharedPointer(storage)
        let depthBlocks = (k + kcMax - 1) / kcMax
        // Units: (depth block, run of panels); each writes its own part of the storage.
        let panelsPerUnit = max(1, min(panels, GemmBlocking.mc / mr))
        let runs = (panels + panelsPerUnit - 1) / panelsPerUnit
        Parallel.forRanges(count: depthBlocks * runs, minimumPerThread: 1, threads: threads) { units in
            for unit in units {
                let pc = (unit / runs) * kcMax, kc = min(kcMax, k - pc)
                let first = (unit % runs) * panelsPerUnit * mr
                let last = min(rows, first + panelsPerUnit * mr)
                operand.pack(rows: first..<last, depth: pc..<pc + kc, into: shared.base + pc * paddedRows + first * kc)
            }
        }
    }

    /// Storage already in this layout, as `init(_:rows:k:from:threads:)` writes it — Winograd's
    /// transformed weights, written straight into it once and multiplied band after band.
    init(prepacked storage: UnsafePointer<Float>, rows: Int) {
        let mr = GemmMicroKernel.mr
        base = storage
        paddedRows = (rows + mr - 1) / mr * mr
    }

    func pack(rows: Range<Int>, depth: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        // Whole panels: a partial last one still spans MR rows of the layout.
        let mr = GemmMicroKernel.mr, kc = depth.count
        let panelRows = min((rows.count + mr - 1) / mr * mr, paddedRows - rows.lowerBound)
        destination.update(from: base + depth.lowerBound * paddedRows + rows.lowerBound * kc, count: panelRows * kc)
    }

    func packedBlock(rows: Int, depth: Int, kc: Int) -> UnsafePointer<Float>? {
        base + depth * paddedRows + rows * kc
    }
}
