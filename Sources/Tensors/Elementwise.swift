import CPUKernels
import Foundation

/// Below this many elements an elementwise op runs on one thread: spawning costs more.
let parallelElementThreshold = 1 << 15

extension Tensor {
    /// `f` applied to every element, in a new tensor (no graph).
    func mapElements(_ f: @escaping (Float) -> Float) -> Tensor { mapElements(UnaryClosure(body: f)) }

    /// `f` applied to every element, in a new tensor (no graph); the loop is specialised for `F`.
    func mapElements<F: UnaryFunction>(_ f: F) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        let x = readData, y = out.data
        Parallel.forRanges(count: count, minimumPerThread: parallelElementThreshold) { range in
            for i in range { y[i] = f(x[i]) }
        }
        return out
    }

    /// `f(self, other)` with broadcasting, in a new tensor (no graph).
    func zipElements(_ other: Tensor, op: String, _ f: @escaping (Float, Float) -> Float) -> Tensor {
        zipElements(other, op: op, BinaryClosure(body: f))
    }

    /// `f(self, other)` with broadcasting; the loops are specialised for `F`.
    func zipElements<F: BinaryFunction>(_ other: Tensor, op: String, _ f: F) -> Tensor {
        if shape == other.shape {
            let out = Tensor(uninitializedShape: shape)
            let a = readData, b = other.readData, y = out.data
            Parallel.forRanges(count: count, minimumPerThread: parallelElementThreshold) { range in
                for i in range { y[i] = f(a[i], b[i]) }
            }
            return out
        }
        let outShape = Broadcasting.shape(shape, other.shape, op: op)
        let out = Tensor(uninitializedShape: outShape)
        let layout = StridedLayout(shape: outShape, operandStrides: [
            Tensor.contiguousStrides(outShape),
            Broadcasting.strides(of: shape, broadcastTo: outShape),
            Broadcasting.strides(of: other.shape, broadcastTo: outShape),
        ])
        let a = readData, b = other.readData, y = out.data
        Parallel.forRanges(count: layout.count, minimumPerThread: parallelElementThreshold) { range in
            layout.forEachRun(in: range) { offsets, length, inner in
                let yo = y + offsets[0], ao = a + offsets[1], bo = b + offsets[2]
                let sa = inner[1], sb = inner[2]
                if sa == 1 && sb == 1 {
                    for i in 0..<length { yo[i] = f(ao[i], bo[i]) }
                } else if sa == 1 && sb == 0 {
                    let bv = bo[0]
                    for i in 0..<length { yo[i] = f(ao[i], bv) }
                } else if sa == 0 && sb == 1 {
                    let av = ao[0]
                    for i in 0..<length { yo[i] = f(av, bo[i]) }
                } else {
                    for i in 0..<length { yo[i] = f(ao[i * sa], bo[i * sb]) }
                }
            }
        }
        return out
    }

    /// Sums this tensor over the axes along which `target` was broadcast to reach `shape`
    /// (the gradient of a broadcast). Recorded: its gradient is a broadcast back.
    ///
    /// Sums accumulate in double: they can span millions of elements (bias gradients). The work
    /// is split so that the result has the same bits for every thread count: either by output
    /// element (each is summed whole, in the input's order, by one thread) or, for a sum to one
    /// number, in blocks of a fixed size added in order.
    public func sumToShape(_ target: [Int]) -> Tensor {
        if target == shape { return self }
        let out = Tensor(shape: target, storage: TensorStorage(count: Tensor.elementCount(target), repeating: 0))
        precondition(Broadcasting.shape(target, shape, op: "sumToShape") == shape,
                     "sumToShape: \(shape) is not a broadcast of \(target)")
        let inputStrides = Tensor.contiguousStrides(shape)
        let targetStrides = Broadcasting.strides(of: target, broadcastTo: shape)
        let layout = StridedLayout(shape: shape, operandStrides: [inputStrides, targetStrides])
        var accumulator = [Double](repeating: 0, count: out.count)
        let x = readData
        accumulator.withUnsafeMutableBufferPointer { acc in
            let sums = acc.baseAddress!
            // The outermost axis the target keeps: each of its indices owns its own outputs.
            let keptAxis = shape.indices.first { targetStrides[$0] != 0 && shape[$0] > 1 }
            let innermostReduced = layout.strides[layout.strides.count - 1][1] == 0
            if let keptAxis, innermostReduced {
                // E.g. a bias gradient, N×C×H×W to 1×C×1×1: one slice per channel, each read in
                // runs of H·W. (When the innermost axis is kept, N×C to C, slices would read with a
                // stride; the serial pass below reads in order.)
                var sliceShape = shape
                sliceShape[keptAxis] = 1
                let slice = StridedLayout(shape: sliceShape, operandStrides: [inputStrides, targetStrides])
                let inputStep = inputStrides[keptAxis], targetStep = targetStrides[keptAxis]
                Parallel.forRanges(count: shape[keptAxis],
                                   minimumPerThread: Swift.max(1, parallelElementThreshold / Swift.max(1, slice.count))) { range in
                    for index in range {
                        Self.accumulateRuns(of: slice, in: 0..<slice.count, from: x + index * inputStep,
                                            into: sums + index * targetStep)
                    }
                }
            } else if out.count == 1 && layout.count > Self.sumBlock {
                // A sum to one number (a loss, a scalar weight's gradient): fixed blocks, in order.
                let blocks = (layout.count + Self.sumBlock - 1) / Self.sumBlock
                var partial = [Double](repeating: 0, count: blocks)
                partial.withUnsafeMutableBufferPointer { partial in
                    let partialSums = partial.baseAddress!
                    Parallel.forRanges(count: blocks) { range in
                        for block in range {
                            let elements = block * Self.sumBlock..<Swift.min(layout.count, (block + 1) * Self.sumBlock)
                            Self.accumulateRuns(of: layout, in: elements, from: x, into: partialSums + block)
                        }
                    }
                }
                sums[0] = partial.reduce(0, +)
            } else {
                Self.accumulateRuns(of: layout, in: 0..<layout.count, from: x, into: sums)
            }
        }
        for i in 0..<out.count { out.data[i] = Float(accumulator[i]) }
        let inputShape = shape
        return Tensor.record("sumToShape", out, inputs: [self]) { g in [g.broadcast(to: inputShape)] }
    }

    /// Elements per block of a sum to one number (fixed, so the bits do not depend on threads).
    static let sumBlock = 1 << 16

    /// Adds the input elements of `range` (operand 0 of `layout`, read from `input`) to the
    /// double sums at operand 1's offsets from `sums`; a run along a summed axis is added up first.
    @inline(__always)
    static func accumulateRuns(of layout: StridedLayout, in range: Range<Int>,
                               from input: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Double>) {
        layout.forEachRun(in: range) { offsets, length, inner in
            let xo = input + offsets[0]
            if inner[1] == 0 && inner[0] == 1 && length >= 16 {
                sums[offsets[1]] += VectorMath.sumInDouble(xo, count: length)
            } else if inner[1] == 0 {
                var s: Double = 0
                for i in 0..<length { s += Double(xo[i * inner[0]]) }
                sums[offsets[1]] += s
            } else {
                for i in 0..<length { sums[offsets[1] + i * inner[1]] += Double(xo[i * inner[0]]) }
            }
        }
    }

    /// This tensor repeated along its size-1 (or missing leading) axes to `target`.
    public func broadcast(to target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(Broadcasting.shape(shape, target, op: "broadcast") == target,
                     "broadcast: shape \(shape) cannot be broadcast to \(target)")
        let out = Tensor(uninitializedShape: target)
        let layout = StridedLayout(shape: target, operandStrides: [
            Tensor.contiguousStrides(target), Broadcasting.strides(of: shape, broadcastTo: target),
        ])
        let x = readData, y = out.data
        Parallel.forRanges(count: layout.count, minimumPerThread: parallelElementThreshold) { range in
            layout.forEachRun(in: range) { offsets, length, inner in
                for i in 0..<length { y[offsets[0] + i * inner[0]] = x[offsets[1] + i * inner[1]] }
            }
        }
        let inputShape = shape
        return Tensor.record("broadcast", out, inputs: [self]) { g in [g.sumToShape(inputShape)] }
    }
}

// MARK: - Arithmetic

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = a.zipElements(b, op: "add", Elementwise.Add())
        return record("add", out, inputs: [a, b]) { g in [g.sumToShape(a.shape), g.sumToShape(b.shape)] }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = a.zipElements(b, op: "sub", Elementwise.Subtract())
        return record("sub", out, inputs: [a, b]) { g in [g.sumToShape(a.shape), (-g).sumToShape(b.shape)] }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = a.zipElements(b, op: "mul", Elementwise.Multiply())
        return record("mul", out, inputs: [a, b]) { g in
            [a.needsGradient ? (g * b).sumToShape(a.shape) : nil,
             b.needsGradient ? (g * a).sumToShape(b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = a.zipElements(b, op: "div", Elementwise.Divide())
        return record("div", out, inputs: [a, b]) { g in
            [a.needsGradient ? (g / b).sumToShape(a.shape) : nil,
             b.needsGradient ? (-(g * a) / (b * b)).sumToShape(b.shape) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        record("neg", x.mapElements(Elementwise.Negate()), inputs: [x]) { g in [-g] }
    }

    public static func + (a: Tensor, s: Float) -> Tensor {
        record("addScalar", a.mapElements(Elementwise.AddScalar(value: s)), inputs: [a]) { g in [g] }
    }
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    public static func - (s: Float, a: Tensor) -> Tensor { (-a) + s }

    public static func * (a: Tensor, s: Float) -> Tensor {
        record("mulScalar", a.mapElements(Elementwise.MultiplyScalar(value: s)), inputs: [a]) { g in [g * s] }
    }
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }

    /// `self` raised to a constant power.
    public func pow(_ exponent: Float) -> Tensor {
        let out = mapElements { Foundation.pow($0, exponent) }
        return Tensor.record("pow", out, inputs: [self]) { [self] g in
            [g * self.pow(exponent - 1) * exponent]
        }
    }

    /// `where(condition, a, b)`: `a` where `condition` is non-zero, else `b` (all broadcast).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let outShape = Broadcasting.shape(Broadcasting.shape(condition.shape, a.shape, op: "where"), b.shape, op: "where")
        let out = Tensor(uninitializedShape: outShape)
        let layout = StridedLayout(shape: outShape, operandStrides: [
            Tensor.contiguousStrides(outShape),
            Broadcasting.strides(of: condition.shape, broadcastTo: outShape),
            Broadcasting.strides(of: a.shape, broadcastTo: outShape),
            Broadcasting.strides(of: b.shape, broadcastTo: outShape),
        ])
        let c = condition.readData, x = a.readData, z = b.readData, y = out.data
        Parallel.forRanges(count: layout.count, minimumPerThread: parallelElementThreshold) { range in
            layout.forEachRun(in: range) { o, length, s in
                for i in 0..<length {
                    y[o[0] + i * s[0]] = c[o[1] + i * s[1]] != 0 ? x[o[2] + i * s[2]] : z[o[3] + i * s[3]]
                }
            }
        }
        return record("where", out, inputs: [a, b]) { g in
            let zero = Tensor.zeros([])
            return [a.needsGradient ? Tensor.where(condition, g, zero).sumToShape(a.shape) : nil,
                    b.needsGradient ? Tensor.where(condition, zero, g).sumToShape(b.shape) : nil]
        }
    }

    /// 1 where `self > other`, else 0 (a constant mask, no gradient).
    public func greater(_ other: Tensor) -> Tensor { zipElements(other, op: "greater") { $0 > $1 ? 1 : 0 } }
    /// 1 where `self > value`, else 0 (a constant mask, no gradient).
    public func greater(_ value: Float) -> Tensor { mapElements(Elementwise.Step(threshold: value)) }
    /// 1 where `self < value`, else 0 (a constant mask, no gradient).
    public func less(_ value: Float) -> Tensor { mapElements { $0 < value ? 1 : 0 } }
}
