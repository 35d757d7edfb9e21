/// `SIMD16<Float>` helpers shared by the row-wise kernels (softmax, layer norm): loads/stores of a
/// row's lanes, lane reductions, and the vectorised `exp` of the active kernel level; and the
/// double-precision sums of gradients and demodulation (`sumInDouble`).
///
/// No fused multiply-adds here: built without a target-CPU flag, Swift would turn each into a
/// call to `fmaf` per lane; the FMA-heavy loops live in `CPUKernelVariants`.
package enum VectorMath {
    typealias Vector = SIMD16<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// Lane-wise max (the generic `pointwiseMax` is not inlined and runs lane by lane).
    @inline(__always)
    static func maximum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: a .< b) }

    /// Σ lanes, as a tree of halves (the generic `sum()` extracts lanes one at a time).
    @inline(__always)
    static func sum(_ v: Vector) -> Float {
        let v8 = v.lowHalf + v.highHalf, v4 = v8.lowHalf + v8.highHalf, v2 = v4.lowHalf + v4.highHalf
        return v2[0] + v2[1]
    }

    /// Σ x[i] for i < count (`squares`: Σ x[i]², each square rounded to Float first), accumulated
    /// in double in eight independent lanes, then the tail in order: one chain of dependent double
    /// adds would wait on each add's latency. The grouping depends on `count` alone, so a sum split
    /// into fixed pieces has the same bits on every thread count.
    @inlinable @inline(__always)
    package static func sumInDouble(_ x: UnsafePointer<Float>, count: Int, squares: Bool = false) -> Double {
        var lanes = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            lanes += SIMD8<Double>(squares ? v * v : v)
            i += 8
        }
        var sum = lanes.sum()
        while i < count { sum += Double(squares ? x[i] * x[i] : x[i]); i += 1 }
        return sum
    }

    /// Largest lane, as a tree of halves.
    @inline(__always)
    static func max(_ v: Vector) -> Float {
        let v8 = v.lowHalf.replacing(with: v.highHalf, where: v.lowHalf .< v.highHalf)
        let v4 = v8.lowHalf.replacing(with: v8.highHalf, where: v8.lowHalf .< v8.highHalf)
        return Swift.max(Swift.max(v4[0], v4[1]), Swift.max(v4[2], v4[3]))
    }

    /// `y[i] = exp(x[i] − shift)` for `i < count` (`y` nil: only the sum), returning Σ y: the C
    /// kernel of the active level (`KernelDispatch`), within 2 ulp of the correctly rounded value;
    /// exactly 0 below −87.3 (so a −∞ attention mask gives 0) and +∞ above 88.7. Libm's scalar
    /// `expf` costs ~10× more per element and made softmax the slowest part of attention.
    @inline(__always)
    package static func shiftedExponentials(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>?, count: Int,
                                    shift: Float) -> Float {
        KernelDispatch.shiftedExponentials(x, y, count, shift)
    }
}
