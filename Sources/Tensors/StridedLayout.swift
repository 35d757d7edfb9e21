/// Iteration over up to four operands that share one logical shape but have their own strides
/// (0 along broadcast axes). Adjacent axes that are contiguous in every operand are merged first,
/// so the common cases — equal shapes, a scalar, a per-channel bias — run as a few long rows.
struct StridedLayout {
    /// Coalesced sizes, outermost first.
    let shape: [Int]
    /// Per axis, the stride of each operand (lanes 0…3).
    let strides: [SIMD4<Int>]
    let count: Int

    init(shape: [Int], operandStrides: [[Int]]) {
        precondition(operandStrides.count <= 4 && operandStrides.allSatisfy { $0.count == shape.count })
        var mergedShape: [Int] = []
        var mergedStrides: [SIMD4<Int>] = []
        for axis in 0..<shape.count where shape[axis] != 1 {
            var s = SIMD4<Int>(repeating: 0)
            for (lane, strides) in operandStrides.enumerated() { s[lane] = strides[axis] }
            if let lastSize = mergedShape.last, let lastStrides = mergedStrides.last,
               lastStrides == s &* shape[axis] {
                mergedShape[mergedShape.count - 1] = lastSize * shape[axis]
                mergedStrides[mergedStrides.count - 1] = s
            } else {
                mergedShape.append(shape[axis])
                mergedStrides.append(s)
            }
        }
        if mergedShape.isEmpty {
            mergedShape = [1]
            mergedStrides = [SIMD4<Int>(repeating: 0)]
        }
        self.shape = mergedShape
        self.strides = mergedStrides
        self.count = shape.reduce(1, *)
    }

    /// Calls `body(offsets, length, innerStrides)` for each run of consecutive elements (in C
    /// order of the logical shape) within `range`, each run lying inside one innermost row.
    @inline(__always)
    func forEachRun(in range: Range<Int>, _ body: (SIMD4<Int>, Int, SIMD4<Int>) -> Void) {
        guard !range.isEmpty else { return }
        let rank = shape.count
        let inner = shape[rank - 1]
        let innerStrides = strides[rank - 1]
        // Multi-index of the first element.
        var index = [Int](repeating: 0, count: rank)
        var remainder = range.lowerBound
        var offsets = SIMD4<Int>(repeating: 0)
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            index[axis] = remainder % shape[axis]
            remainder /= shape[axis]
            offsets &+= strides[axis] &* index[axis]
        }
        var left = range.count
        while left > 0 {
            let run = Swift.min(inner - index[rank - 1], left)
            body(offsets, run, innerStrides)
            left -= run
            guard left > 0 else { break }
            offsets &+= innerStrides &* run
            index[rank - 1] += run
            var axis = rank - 1
            while axis > 0 && index[axis] == shape[axis] {
                offsets &-= strides[axis] &* shape[axis]
                index[axis] = 0
                axis -= 1
                index[axis] += 1
                offsets &+= strides[axis]
            }
        }
    }
}

enum Broadcasting {
    /// The shape both operands broadcast to (NumPy rules), or a precondition failure naming `op`.
    static func shape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1, "\(op): shapes \(a) and \(b) cannot be broadcast together")
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// Strides that read a contiguous tensor of `shape` as if it had `target` shape.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        let own = Tensor.contiguousStrides(shape)
        let lead = target.count - shape.count
        return (0..<target.count).map { i in
            i < lead || shape[i - lead] == 1 ? 0 : own[i - lead]
        }
    }
}
