import CPUKernels

/// A float buffer with deterministic values in [-1, 1) (a seeded LCG), for kernel tests.
final class TestBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int, seed: UInt64) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        for i in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            pointer[i] = Float(Int32(truncatingIfNeeded: state >> 32)) / 2_147_483_648
        }
    }

    /// A copy of another buffer.
    init(copying other: TestBuffer) {
        count = other.count
        pointer = .allocate(capacity: max(1, count))
        pointer.update(from: other.pointer, count: count)
    }

    deinit { pointer.deallocate() }

    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// Largest |x − y| over the buffers.
func maxAbsoluteDifference(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
    var worst: Float = 0
    for i in 0..<count {
        let d = abs(x[i] - y[i])
        if !(d <= worst) { worst = d.isNaN ? .infinity : d }
    }
    return worst
}
