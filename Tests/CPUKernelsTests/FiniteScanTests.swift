import Testing
import CPUKernels

/// `FiniteScan.allFinite` against `Float.isFinite` on every kind of bit pattern, at every
/// position of a buffer (vector body and scalar tail alike).
struct FiniteScanTests {
    /// The floats at the edges of finiteness: largest finite, smallest normal and subnormal, zeros.
    static let finiteEdges: [Float] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNormalMagnitude,
                                       .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 0, -0.0, 1, -1]
    static let nonFinite: [Float] = [.nan, -.nan, .signalingNaN, .infinity, -.infinity, Float(bitPattern: 0x7FFF_FFFF),
                                     Float(bitPattern: 0xFF80_0001)]

    @Test func finiteBuffersPass() {
        for count in [0, 1, 15, 16, 17, 33, 100] {
            let values = (0..<count).map { Self.finiteEdges[$0 % Self.finiteEdges.count] }
            #expect(values.withUnsafeBufferPointer { FiniteScan.allFinite($0.baseAddress ?? UnsafePointer(bitPattern: 4)!, count: count) })
        }
    }

    @Test func oneBadValueAnywhereIsFound() {
        for count in [1, 15, 16, 17, 40] {
            for position in 0..<count {
                for bad in Self.nonFinite {
                    var values = (0..<count).map { Self.finiteEdges[$0 % Self.finiteEdges.count] }
                    values[position] = bad
                    let found = values.withUnsafeBufferPointer { FiniteScan.allFinite($0.baseAddress!, count: count) }
                    #expect(!found, "count \(count), \(bad.bitPattern) at \(position)")
                }
            }
        }
    }

    /// Random bit patterns (a quarter of them with an all-ones exponent) agree with `isFinite`,
    /// including at an unaligned start.
    @Test func agreesWithIsFiniteOnRandomBits() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt32 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 32)
        }
        for trial in 0..<400 {
            let count = Int(next() % 70)
            let values = (0..<(count + 1)).map { _ -> Float in
                let bits = next()
                return Float(bitPattern: next() % 64 == 0 ? bits | 0x7F80_0000 : bits & ~0x0100_0000)
            }
            values.withUnsafeBufferPointer { buffer in
                let start = buffer.baseAddress! + 1
                #expect(FiniteScan.allFinite(start, count: count) == values[1...].allSatisfy(\.isFinite), "trial \(trial)")
            }
        }
    }
}
