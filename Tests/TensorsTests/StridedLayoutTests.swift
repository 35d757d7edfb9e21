import CPUKernels
import Foundation
import Tensors
import Testing
import TestSupport

/// The fixtures are small, so elementwise and layout ops there run on one thread. These tensors
/// hold more than twice the 2¹⁵ elements each thread must get before those ops split their work
/// into ranges, and the shapes are odd so that the split points fall inside rows: each result is
/// checked against a plain loop over multi-indices.
@Suite("Large tensors: multi-threaded strided paths against plain loops")
struct StridedLayoutTests {
    static let big = [131, 33, 17]   // 73 491 elements: two ranges of ≥ 2¹⁵, split mid-row

    static func random(_ shape: [Int], seed: UInt64, offset: Float = 0) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.nextSigned() + offset })
    }

    /// C-order multi-index of `linear` in `shape`.
    static func multiIndex(_ linear: Int, _ shape: [Int]) -> [Int] {
        var rem = linear
        var index = [Int](repeating: 0, count: shape.count)
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            index[axis] = rem % shape[axis]
            rem /= shape[axis]
        }
        return index
    }

    /// Linear position in `shape` of the element that broadcasting maps to output `index`.
    static func broadcastSource(_ index: [Int], _ shape: [Int]) -> Int {
        let lead = index.count - shape.count
        var position = 0
        for (axis, size) in shape.enumerated() {
            position = position * size + (size == 1 ? 0 : index[lead + axis])
        }
        return position
    }

    static func naiveZip(_ a: Tensor, _ b: Tensor, outShape: [Int], _ f: (Float, Float) -> Float) -> [Float] {
        let x = a.scalars, y = b.scalars
        return (0..<outShape.reduce(1, *)).map { i in
            let index = multiIndex(i, outShape)
            return f(x[broadcastSource(index, a.shape)], y[broadcastSource(index, b.shape)])
        }
    }

    @Test(arguments: [[33, 1], [17], [131, 1, 17], [], [1, 33, 17]])
    func broadcastArithmetic(otherShape: [Int]) {
        let a = Self.random(Self.big, seed: 1), b = Self.random(otherShape, seed: 2, offset: 2)
        #expect((a + b).scalars == Self.naiveZip(a, b, outShape: Self.big, +))
        #expect((b - a).scalars == Self.naiveZip(b, a, outShape: Self.big, -))
        #expect((a * b).scalars == Self.naiveZip(a, b, outShape: Self.big, *))
        #expect((a / b).scalars == Self.naiveZip(a, b, outShape: Self.big, /))
    }

    @Test func whereWithThreeBroadcastOperands() {
        let condition = Self.random([131, 1, 17], seed: 3).greater(0)
        let a = Self.random([33, 17], seed: 4), b = Self.random([], seed: 5)
        let out = Tensor.where(condition, a, b)
        let c = condition.scalars, x = a.scalars, y = b.scalars
        let expected = (0..<out.count).map { i -> Float in
            let index = Self.multiIndex(i, Self.big)
            return c[Self.broadcastSource(index, condition.shape)] != 0 ? x[Self.broadcastSource(index, a.shape)] : y[0]
        }
        #expect(out.shape == Self.big && out.scalars == expected)
    }

    @Test(arguments: [[33, 1], [131, 1, 17], [17], []])
    func broadcastAndItsGradientSumToShape(smallShape: [Int]) {
        let small = Self.random(smallShape, seed: 6)
        let spread = small.broadcast(to: Self.big)
        let s = small.scalars
        #expect(spread.scalars == (0..<spread.count).map { s[Self.broadcastSource(Self.multiIndex($0, Self.big), smallShape)] })

        let x = Self.random(Self.big, seed: 7)
        var sums = [Double](repeating: 0, count: Swift.max(1, smallShape.reduce(1, *)))
        for (i, v) in x.scalars.enumerated() { sums[Self.broadcastSource(Self.multiIndex(i, Self.big), smallShape)] += Double(v) }
        let reduced = x.sumToShape(smallShape)
        #expect(relativeError(reduced, Tensor(shape: smallShape, scalars: sums.map(Float.init))) < 1e-6)
    }

    /// `sumToShape` splits a bias-like sum by output channel and a sum to one number into fixed
    /// blocks: the result is the float64 sum, rounded once, with the same bits for every thread count.
    @Test(arguments: [[1, 8, 1, 1], [], [4, 8, 1, 1], [1, 1, 64, 64], [8, 64, 1]])
    func sumToShapeHasTheSameBitsForEveryThreadCount(targetShape: [Int]) {
        let shape = [4, 8, 64, 64]   // 131 072 elements: slices of 2¹⁴–2¹⁵, or 2 blocks of 2¹⁶
        let x = Self.random(shape, seed: 10, offset: 0.25)
        var sums = [Double](repeating: 0, count: Swift.max(1, targetShape.reduce(1, *)))
        for (i, v) in x.scalars.enumerated() {
            sums[Self.broadcastSource(Self.multiIndex(i, shape), targetShape)] += Double(v)
        }
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        let results = [1, 2, 3, 4].map { threads -> [Float] in
            Parallel.threadCount = threads
            return x.sumToShape(targetShape).scalars
        }
        #expect(results.allSatisfy { $0 == results[0] })
        let expected = sums.map(Float.init)
        let worst = zip(results[0], expected).map { abs($0 - $1) / Swift.max(1, abs($1)) }.max() ?? 0
        #expect(worst < 1e-6)
    }

    @Test func largeElementwiseMapsAreExact() {
        let x = Self.random(Self.big, seed: 8)
        #expect(x.exp().scalars == x.scalars.map { Foundation.exp($0) })
        #expect(x.tanh().scalars == x.scalars.map { Foundation.tanh($0) })
        #expect((x * 3 + 1).scalars == x.scalars.map { $0 * 3 + 1 })
    }

    @Test func permuteLarge() {
        let x = Self.random(Self.big, seed: 9)
        let y = x.permute([2, 0, 1])
        let outShape = [17, 131, 33], s = x.scalars
        let expected = (0..<y.count).map { i -> Float in
            let o = Self.multiIndex(i, outShape)   // (k, i, j) → x[i, j, k]
            return s[(o[1] * 33 + o[2]) * 17 + o[0]]
        }
        #expect(y.shape == outShape && y.scalars == expected)
    }

    @Test(arguments: [[(2, 1), (0, 3)], [(-1, 2), (3, -4)], [(1, -1), (0, 0), (-2, 1)]] as [[(Int, Int)]])
    func padLarge(padding: [(Int, Int)]) {
        let x = Self.random(Self.big, seed: 10)
        let y = x.pad(padding.map { (before: $0.0, after: $0.1) }, value: -7)
        let full = [(Int, Int)](repeating: (0, 0), count: 3 - padding.count) + padding
        let outShape = zip(Self.big, full).map { $0 + $1.0 + $1.1 }
        let s = x.scalars
        let expected = (0..<outShape.reduce(1, *)).map { i -> Float in
            let o = Self.multiIndex(i, outShape)
            let source = zip(o, full).map { $0 - $1.0 }
            guard zip(source, Self.big).allSatisfy({ $0 >= 0 && $0 < $1 }) else { return -7 }
            return s[(source[0] * 33 + source[1]) * 17 + source[2]]
        }
        #expect(y.shape == outShape && y.scalars == expected)
    }

    @Test func concatLarge() {
        let a = Self.random(Self.big, seed: 11), b = Self.random([131, 5, 17], seed: 12)
        let y = Tensor.concat([a, b], axis: 1)
        let sa = a.scalars, sb = b.scalars
        let expected = (0..<y.count).map { i -> Float in
            let o = Self.multiIndex(i, [131, 38, 17])
            return o[1] < 33 ? sa[(o[0] * 33 + o[1]) * 17 + o[2]] : sb[(o[0] * 5 + o[1] - 33) * 17 + o[2]]
        }
        #expect(y.scalars == expected)
    }

    @Test func sameInputsGiveTheSameBits() {
        let x = Self.random([2, 8, 20, 20], seed: 13), w = Self.random([16, 8, 3, 3], seed: 14)
        let first = Tensor.conv2d(x, weight: w, options: .init(padding: 1)).softmax(axis: 1).sum(axes: [2, 3])
        let second = Tensor.conv2d(x, weight: w, options: .init(padding: 1)).softmax(axis: 1).sum(axes: [2, 3])
        #expect(first.scalars.map(\.bitPattern) == second.scalars.map(\.bitPattern))
    }
}
