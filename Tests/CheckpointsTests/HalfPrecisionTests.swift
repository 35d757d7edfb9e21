import Foundation
import Tensors
import Testing

import Checkpoints

@Suite("Float16 storage")
struct HalfPrecisionTests {
    @Test("every half value survives half → float → half unchanged (NaN stays NaN)")
    func roundTripOfEveryHalf() {
        for bits in 0...UInt16.max {
            let value = StoredTensor.floatFromHalf(bits)
            let back = HalfPrecision.halfFromFloat(value)
            if value.isNaN { #expect(back & 0x7C00 == 0x7C00 && back & 0x3FF != 0) } else { #expect(back == bits, "\(bits)") }
        }
    }

    @Test("values halfway between two halves round to the even one; overflow gives infinity, underflow zero")
    func roundingToNearestEven() {
        for bits in UInt16(0)..<0x7BFF where bits != 0x3FF {   // every pair of neighbouring finite positives
            let low = Double(StoredTensor.floatFromHalf(bits)), high = Double(StoredTensor.floatFromHalf(bits + 1))
            let middle = Float((low + high) / 2)   // exact in float32: halves have 11 significant bits
            let expected = bits & 1 == 0 ? bits : bits + 1
            #expect(HalfPrecision.halfFromFloat(middle) == expected, "between \(bits) and \(bits + 1)")
            #expect(HalfPrecision.halfFromFloat(middle.nextDown) == bits)
            #expect(HalfPrecision.halfFromFloat(middle.nextUp) == bits + 1)
        }
        #expect(HalfPrecision.halfFromFloat(70000) == 0x7C00)
        #expect(HalfPrecision.halfFromFloat(-70000) == 0xFC00)
        #expect(HalfPrecision.halfFromFloat(1e-9) == 0)
        #expect(HalfPrecision.halfFromFloat(-1e-9) == 0x8000)
    }

    #if arch(x86_64) && os(Linux)
    @Test("the conversion agrees with the platform's Float16 on a million random floats")
    func agreesWithFloat16() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<1_000_000 {
            // Exponents from below the subnormals to past the largest half, random sign and mantissa.
            let exponent = UInt32.random(in: 100...145, using: &random), mantissa = UInt32.random(in: 0..<(1 << 23), using: &random)
            let value = Float(bitPattern: (UInt32.random(in: 0...1, using: &random) << 31) | (exponent << 23) | mantissa)
            #expect(HalfPrecision.halfFromFloat(value) == Float16(value).bitPattern, "\(value)")
        }
    }
    #endif

    @Test("a tensor is stored as float16 only when rounding changes it by at most 0.1 % in L2")
    func whereExact() throws {
        let ordinary = Tensor(shape: [4], scalars: [0.5, -1.25, 3.0e-3, 2.0])
        let stored = HalfPrecision.storedWhereExact(ordinary)
        #expect(stored.dtype == .float16)
        #expect(zip(try stored.floats(), ordinary.scalars).allSatisfy { abs($0 - $1) <= abs($1) * 1e-3 })
        #expect(HalfPrecision.storedWhereExact(Tensor(shape: [2], scalars: [1, 1e5])).dtype == .float32)   // out of range
        #expect(HalfPrecision.storedWhereExact(Tensor(shape: [2], scalars: [1e-7, 3e-8])).dtype == .float32)   // flushed
        #expect(HalfPrecision.storedWhereExact(Tensor(shape: [1], scalars: [.nan])).dtype == .float32)
    }
}
