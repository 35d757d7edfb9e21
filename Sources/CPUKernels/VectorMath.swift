/// `SIMD16<Float>` helpers shared by the row-wise kernels (softmax, layer norm): a vectorised
/// `exp`, and loads/stores of a row's ragged tail.
enum VectorMath {
    typealias Vector = SIMD16<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// The first `count` (< 16) floats at `p`, the other lanes set to `padding`.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, count: Int, padding: Float) -> Vector {
        var v = Vector(repeating: padding)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the first `count` (< 16) lanes of `v`.
    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    /// Lane-wise max (the generic `pointwiseMax` is not inlined and runs lane by lane).
    @inline(__always)
    static func maximum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: a .< b) }

    @inline(__always)
    static func minimum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: b .< a) }

    /// Σ lanes, as a tree of halves (the generic `sum()` extracts lanes one at a time).
    @inline(__always)
    static func sum(_ v: Vector) -> Float {
        let v8 = v.lowHalf + v.highHalf, v4 = v8.lowHalf + v8.highHalf, v2 = v4.lowHalf + v4.highHalf
        return v2[0] + v2[1]
    }

    /// Largest lane, as a tree of halves.
    @inline(__always)
    static func max(_ v: Vector) -> Float {
        let v8 = v.lowHalf.replacing(with: v.highHalf, where: v.lowHalf .< v.highHalf)
        let v4 = v8.lowHalf.replacing(with: v8.highHalf, where: v8.lowHalf .< v8.highHalf)
        return Swift.max(Swift.max(v4[0], v4[1]), Swift.max(v4[2], v4[3]))
    }

    /// eˣ per lane, within 2 ulp of the correctly rounded value over the float range;
    /// exactly 0 below −87.3 (so a −∞ attention mask gives 0) and +∞ above 88.7.
    ///
    /// Libm's scalar `expf` costs ~10× more per element and made softmax the slowest part of
    /// attention. Cephes' method: eˣ = 2ⁿ · eʳ with n = round(x·log₂e), r = x − n·ln 2 split in
    /// two constants for accuracy, eʳ by a degree-6 minimax polynomial on |r| ≤ ln2/2, and 2ⁿ
    /// built directly in the exponent bits.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let clamped = minimum(maximum(x, Vector(repeating: -87.33654)), Vector(repeating: 88.72283))
        // Adding 1.5·2²³ rounds x·log₂e to an integer n that then sits in the low mantissa bits.
        let shifter = Vector(repeating: 12_582_912)
        let shifted = shifter.addingProduct(clamped, Vector(repeating: 1.442_695_04))
        let n = shifted - shifter
        var r = clamped.addingProduct(n, Vector(repeating: -0.693_359_375))
        r = r.addingProduct(n, Vector(repeating: 2.121_944_4e-4))
        var p = Vector(repeating: 1.987_569_15e-4)
        p = Vector(repeating: 1.398_199_95e-3).addingProduct(p, r)
        p = Vector(repeating: 8.333_451_9e-3).addingProduct(p, r)
        p = Vector(repeating: 4.166_579_6e-2).addingProduct(p, r)
        p = Vector(repeating: 1.666_666_55e-1).addingProduct(p, r)
        p = Vector(repeating: 5.000_000_1e-1).addingProduct(p, r)
        p = (r + 1).addingProduct(p, r * r)
        // 2ⁿ: (n + 127) << 23 as float bits. n = 128 (x > 88.38) has no float 2ⁿ: use 2·2¹²⁷.
        let over = n .> 127.5
        p.replace(with: p + p, where: over)
        var nBits = unsafeBitCast(shifted, to: SIMD16<UInt32>.self) &- SIMD16<UInt32>(repeating: 0x4B40_0000)
        nBits.replace(with: nBits &- 1, where: over)
        let scale = unsafeBitCast((nBits &+ SIMD16<UInt32>(repeating: 127)) &<< 23, to: Vector.self)
        var result = p * scale
        result.replace(with: 0, where: x .< -87.33654)
        result.replace(with: .infinity, where: x .> 88.72283)
        return result
    }
}
