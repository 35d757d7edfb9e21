import CPUKernels

extension Tensor {
    /// The same elements with another shape (a view: no copy). One size may be -1.
    public func reshape(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let hole = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) to \(newShape)")
            target[hole] = count / known
        }
        precondition(Tensor.elementCount(target) == count, "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        let out = Tensor(shape: target, storage: storage, offset: offset)
        let inputShape = shape
        return Tensor.record("reshape", out, inputs: [self]) { g in [g.reshape(inputShape)] }
    }

    /// Inserts a size-1 axis at `axis`.
    public func unsqueeze(_ axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        var s = shape
        s.insert(1, at: a)
        return reshape(s)
    }

    /// Removes the size-1 axis `axis`.
    public func squeeze(_ axis: Int) -> Tensor {
        let a = normalizedAxis(axis, op: "squeeze")
        precondition(shape[a] == 1, "squeeze: axis \(axis) of shape \(shape) is not 1")
        var s = shape
        s.remove(at: a)
        return reshape(s)
    }

    /// Merges axes `start...end` into one.
    public func flatten(from start: Int = 0, to end: Int = -1) -> Tensor {
        let s = normalizedAxis(start, op: "flatten"), e = normalizedAxis(end, op: "flatten")
        return reshape(Array(shape[..<s]) + [shape[s...e].reduce(1, *)] + Array(shape[(e + 1)...]))
    }

    /// Axes reordered: output axis `i` is input axis `order[i]` (a contiguous copy).
    public func permute(_ order: [Int]) -> Tensor {
        let order = order.map { normalizedAxis($0, op: "permute") }
        precondition(order.count == rank && Set(order).count == rank, "permute: \(order) is not a permutation of the axes of \(shape)")
        if order == Array(0..<rank) { return self }
        let outShape = order.map { shape[$0] }
        let inStrides = Tensor.contiguousStrides(shape)
        let out = Tensor(uninitializedShape: outShape)
        let layout = StridedLayout(shape: outShape, operandStrides: [Tensor.contiguousStrides(outShape), order.map { inStrides[$0] }])
        let x = readData, y = out.data
        Parallel.forRanges(count: layout.count, minimumPerThread: parallelElementThreshold) { range in
            layout.forEachRun(in: range) { o, length, s in
                let yo = y + o[0], xo = x + o[1]
                if s[0] == 1 && s[1] == 1 {
                    yo.update(from: xo, count: length)
                } else {
                    for i in 0..<length { yo[i * s[0]] = xo[i * s[1]] }
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.record("permute", out, inputs: [self]) { g in [g.permute(inverse)] }
    }

    /// Swaps two axes.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalizedAxis(a, op: "transpose"), normalizedAxis(b, op: "transpose"))
        return permute(order)
    }

    /// Pads (positive) or crops (negative) each axis by `(before, after)` elements, filling new
    /// elements with `value`. `padding` lists the last axes' amounts, innermost LAST, and may
    /// cover fewer axes than the tensor has.
    public func pad(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        precondition(padding.count <= rank, "pad: \(padding.count) padded axes for shape \(shape)")
        let full = [(before: Int, after: Int)](repeating: (0, 0), count: rank - padding.count) + padding
        let outShape = zip(shape, full).map { $0 + $1.before + $1.after }
        precondition(outShape.allSatisfy { $0 >= 0 }, "pad: padding \(padding) crops shape \(shape) below zero")
        let out = Tensor.full(outShape, value: value)
        // The overlap of input and output, in both coordinate systems.
        var regionShape: [Int] = [], inStart: [Int] = [], outStart: [Int] = []
        for axis in 0..<rank {
            let lo = Swift.max(0, full[axis].before), hi = Swift.min(outShape[axis], full[axis].before + shape[axis])
            regionShape.append(Swift.max(0, hi - lo))
            outStart.append(lo)
            inStart.append(lo - full[axis].before)
        }
        let inStrides = Tensor.contiguousStrides(shape), outStrides = Tensor.contiguousStrides(outShape)
        let inBase = zip(inStart, inStrides).reduce(0) { $0 + $1.0 * $1.1 }
        let outBase = zip(outStart, outStrides).reduce(0) { $0 + $1.0 * $1.1 }
        let layout = StridedLayout(shape: regionShape, operandStrides: [outStrides, inStrides])
        let x = readData + inBase, y = out.data + outBase
        Parallel.forRanges(count: layout.count, minimumPerThread: parallelElementThreshold) { range in
            layout.forEachRun(in: range) { o, length, s in
                if s[0] == 1 && s[1] == 1 {
                    (y + o[0]).update(from: x + o[1], count: length)
                } else {
                    for i in 0..<length { y[o[0] + i * s[0]] = x[o[1] + i * s[1]] }
                }
            }
        }
        let inverse = padding.map { (before: -$0.before, after: -$0.after) }
        return Tensor.record("pad", out, inputs: [self]) { g in [g.pad(inverse)] }
    }

    /// `length` elements of axis `axis` starting at `start` (a view when that is contiguous).
    public func narrow(_ axis: Int, start: Int, length: Int) -> Tensor {
        let a = normalizedAxis(axis, op: "narrow")
        precondition(start >= 0 && length >= 0 && start + length <= shape[a],
                     "narrow: range \(start)..<\(start + length) out of bounds for axis \(axis) of shape \(shape)")
        if shape[..<a].allSatisfy({ $0 == 1 }) {
            var outShape = shape
            outShape[a] = length
            let inner = shape[(a + 1)...].reduce(1, *)
            let out = Tensor(shape: outShape, storage: storage, offset: offset + start * inner)
            let after = shape[a] - start - length
            let trailing = [(before: Int, after: Int)](repeating: (0, 0), count: rank - a - 1)
            return Tensor.record("narrow", out, inputs: [self]) { g in [g.pad([(start, after)] + trailing)] }
        }
        var padding = [(before: Int, after: Int)](repeating: (0, 0), count: rank - a)
        padding[0] = (-start, -(shape[a] - start - length))
        return pad(padding)
    }

    /// Elements `start, start+step, …` below `end` along `axis`.
    public func slice(_ axis: Int, start: Int, end: Int, step: Int = 1) -> Tensor {
        let a = normalizedAxis(axis, op: "slice")
        precondition(step >= 1 && start >= 0 && start <= end && end <= shape[a],
                     "slice: \(start)..<\(end) step \(step) invalid for axis \(axis) of shape \(shape)")
        if step == 1 { return narrow(a, start: start, length: end - start) }
        return stridedGather(axis: a, start: start, step: step, count: (end - start + step - 1) / step)
    }

    /// Copies `count` elements of `axis` at `start + i·step`; its gradient scatters back.
    private func stridedGather(axis: Int, start: Int, step: Int, count n: Int) -> Tensor {
        var outShape = shape
        outShape[axis] = n
        var inStrides = Tensor.contiguousStrides(shape)
        let base = start * inStrides[axis]
        inStrides[axis] *= step
        let out = Tensor(uninitializedShape: outShape)
        let layout = StridedLayout(shape: outShape, operandStrides: [Tensor.contiguousStrides(outShape), inStrides])
        let x = readData + base, y = out.data
        layout.forEachRun(in: 0..<layout.count) { o, length, s in
            for i in 0..<length { y[o[0] + i * s[0]] = x[o[1] + i * s[1]] }
        }
        let inputShape = shape
        return Tensor.record("slice", out, inputs: [self]) { g in
            [g.stridedScatter(axis: axis, start: start, step: step, into: inputShape)]
        }
    }

    /// The transpose of `stridedGather`: zeros of `shape` with this tensor at `start + i·step`.
    private func stridedScatter(axis: Int, start: Int, step: Int, into targetShape: [Int]) -> Tensor {
        let out = Tensor.zeros(targetShape)
        var outStrides = Tensor.contiguousStrides(targetShape)
        let base = start * outStrides[axis]
        outStrides[axis] *= step
        let layout = StridedLayout(shape: shape, operandStrides: [Tensor.contiguousStrides(shape), outStrides])
        let x = readData, y = out.data + base
        layout.forEachRun(in: 0..<layout.count) { o, length, s in
            for i in 0..<length { y[o[1] + i * s[1]] = x[o[0] + i * s[0]] }
        }
        let n = shape[axis]
        return Tensor.record("sliceBackward", out, inputs: [self]) { g in
            [g.stridedGather(axis: axis, start: start, step: step, count: n)]
        }
    }

    /// Tensors joined along `axis` (all other sizes equal).
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0]
        let a = first.normalizedAxis(axis, op: "concat")
        for t in tensors {
            precondition(t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == a || t.shape[$0] == first.shape[$0] },
                         "concat: shape \(t.shape) does not match \(first.shape) outside axis \(axis)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor(uninitializedShape: outShape)
        let outer = first.shape[..<a].reduce(1, *)
        let inner = first.shape[(a + 1)...].reduce(1, *)
        let outRow = outShape[a] * inner
        var position = 0
        for t in tensors {
            let rowLength = t.shape[a] * inner
            let x = t.readData, y = out.data + position
            Parallel.forRanges(count: outer, minimumPerThread: Swift.max(1, parallelElementThreshold / Swift.max(1, rowLength))) { range in
                for o in range { (y + o * outRow).update(from: x + o * rowLength, count: rowLength) }
            }
            position += rowLength
        }
        let sizes = tensors.map { $0.shape[a] }
        return record("concat", out, inputs: tensors) { g in
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return g.narrow(a, start: start, length: size)
            }
        }
    }

    /// Tensors of equal shape stacked along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        concat(tensors.map { $0.unsqueeze(axis) }, axis: axis)
    }

    /// Cyclic shift along `axis` by `shift` (positive moves elements towards higher indices),
    /// as `torch.roll`.
    public func roll(_ shift: Int, axis: Int) -> Tensor {
        let a = normalizedAxis(axis, op: "roll")
        let n = shape[a]
        let s = ((shift % n) + n) % n
        if s == 0 { return self }
        return Tensor.concat([narrow(a, start: n - s, length: s), narrow(a, start: 0, length: n - s)], axis: a)
    }

    /// Rows `indices` of axis `axis`, in that order (`torch.index_select`).
    public func indexSelect(_ axis: Int, indices: [Int]) -> Tensor {
        let a = normalizedAxis(axis, op: "indexSelect")
        let size = shape[a]
        for i in indices {
            precondition(i >= 0 && i < size, "indexSelect: index \(i) out of range for axis \(axis) of shape \(shape)")
        }
        var outShape = shape
        outShape[a] = indices.count
        let out = Tensor(uninitializedShape: outShape)
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        let x = readData, y = out.data
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                (y + (o * indices.count + j) * inner).update(from: x + (o * size + i) * inner, count: inner)
            }
        }
        return Tensor.record("indexSelect", out, inputs: [self]) { g in [g.indexAdd(a, indices: indices, size: size)] }
    }

    /// The transpose of `indexSelect`: zeros with `size` rows along `axis`, this tensor's rows
    /// added at `indices`.
    public func indexAdd(_ axis: Int, indices: [Int], size: Int) -> Tensor {
        let a = normalizedAxis(axis, op: "indexAdd")
        precondition(indices.count == shape[a], "indexAdd: \(indices.count) indices for axis \(axis) of shape \(shape)")
        var outShape = shape
        outShape[a] = size
        let out = Tensor.zeros(outShape)
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        let x = readData, y = out.data
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                precondition(i >= 0 && i < size, "indexAdd: index \(i) out of range 0..<\(size)")
                let src = x + (o * indices.count + j) * inner, dst = y + (o * size + i) * inner
                for k in 0..<inner { dst[k] += src[k] }
            }
        }
        return Tensor.record("indexAdd", out, inputs: [self]) { g in [g.indexSelect(a, indices: indices)] }
    }

    /// `torch.gather`: `out[…, j, …] = self[…, index[…, j, …], …]` along `axis`; `index` has
    /// `indexShape` (same rank; other sizes no larger than this tensor's).
    public func gather(_ axis: Int, index: [Int], indexShape: [Int]) -> Tensor {
        let a = normalizedAxis(axis, op: "gather")
        precondition(indexShape.count == rank && index.count == Tensor.elementCount(indexShape)
                        && (0..<rank).allSatisfy { $0 == a || indexShape[$0] <= shape[$0] },
                     "gather: index of shape \(indexShape) does not fit input \(shape) along axis \(axis)")
        let out = Tensor(uninitializedShape: indexShape)
        let inStrides = Tensor.contiguousStrides(shape), outStrides = Tensor.contiguousStrides(indexShape)
        let x = readData, y = out.data
        for linear in 0..<index.count {
            var rem = linear, source = 0
            for d in 0..<rank {
                let coordinate = rem / outStrides[d]
                rem %= outStrides[d]
                let c = d == a ? index[linear] : coordinate
                precondition(c >= 0 && c < shape[d], "gather: index \(index[linear]) out of range for axis \(axis) of shape \(shape)")
                source += c * inStrides[d]
            }
            y[linear] = x[source]
        }
        let inputShape = shape
        return Tensor.record("gather", out, inputs: [self]) { g in
            [g.scatterAdd(a, index: index, into: inputShape)]
        }
    }

    /// The transpose of `gather`: zeros of `targetShape` with this tensor's elements added at
    /// the gathered positions (`torch.scatter_add`).
    public func scatterAdd(_ axis: Int, index: [Int], into targetShape: [Int]) -> Tensor {
        let a = normalizedAxis(axis, op: "scatterAdd")
        precondition(index.count == count, "scatterAdd: \(index.count) indices for \(count) values")
        let out = Tensor.zeros(targetShape)
        let outStrides = Tensor.contiguousStrides(targetShape), inStrides = Tensor.contiguousStrides(shape)
        let x = readData, y = out.data
        for linear in 0..<count {
            var rem = linear, target = 0
            for d in 0..<rank {
                let coordinate = rem / inStrides[d]
                rem %= inStrides[d]
                let c = d == a ? index[linear] : coordinate
                precondition(c >= 0 && c < targetShape[d], "scatterAdd: index \(index[linear]) out of range for shape \(targetShape)")
                target += c * outStrides[d]
            }
            y[target] += x[linear]
        }
        let selfShape = shape
        return Tensor.record("scatterAdd", out, inputs: [self]) { g in [g.gather(a, index: index, indexShape: selfShape)] }
    }
}
