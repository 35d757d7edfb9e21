import Foundation

extension StoredTensor {
    /// Rebuilds a tensor from a view onto storage bytes, as PyTorch pickles it.
    ///
    /// A view saved from a transposed or sliced tensor keeps the whole storage and describes
    /// itself by offset and strides (in elements). Contiguous views share the storage bytes;
    /// any other view is gathered into a fresh C-ordered buffer.
    ///
    /// - Parameters:
    ///   - storage: the storage's bytes, `storageCount * dtype.byteCount` long.
    ///   - offset: index of the first element within the storage.
    ///   - strides: elements to step per index of each dimension.
    ///   - file: the name reported in errors.
    ///   - budget: bytes that gathering non-contiguous views may still allocate across the file;
    ///     a view that would exceed it is refused before anything is allocated.
    static func view(
        storage: Data, dtype: StoredDType, offset: Int, shape: [Int], strides: [Int], file: String,
        budget: inout Int
    ) throws -> StoredTensor {
        guard shape.count == strides.count else {
            throw CheckpointError(.malformed, file: file,
                "tensor has shape \(shape) but strides \(strides) (rank mismatch)")
        }
        let count = try elementCount(of: shape, file: file)
        let storageCount = storage.count / dtype.byteCount
        guard offset >= 0, strides.allSatisfy({ $0 >= 0 }) else {
            throw CheckpointError(.malformed, file: file,
                "tensor view has negative offset \(offset) or strides \(strides)")
        }
        if count == 0 {
            return StoredTensor(validated: dtype, shape: shape, bytes: Data())
        }
        // The furthest element the view reaches must lie inside the storage.
        var last = offset
        for (size, stride) in zip(shape, strides) {
            let (step, overflow1) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, overflow2) = last.addingReportingOverflow(step)
            guard !overflow1, !overflow2 else {
                throw CheckpointError(.malformed, file: file, "tensor view strides \(strides) overflow")
            }
            last = sum
        }
        guard last < storageCount else {
            throw CheckpointError(.malformed, file: file,
                "tensor view (offset \(offset), shape \(shape), strides \(strides)) reaches element \(last), storage holds \(storageCount)")
        }
        let width = dtype.byteCount
        if strides == contiguousStrides(shape) {
            let start = storage.startIndex + offset * width
            return StoredTensor(validated: dtype, shape: shape, bytes: storage[start..<(start + count * width)])
        }
        // Stride-0 (expanded) views may legitimately repeat elements, but a hostile file must not
        // turn a tiny storage into an enormous allocation.
        guard count <= max(storageCount, 1) * 64 else {
            throw CheckpointError(.malformed, file: file,
                "tensor view of shape \(shape) would expand \(storageCount) stored elements into \(count)")
        }
        guard count * width <= budget else {
            throw CheckpointError(.malformed, file: file,
                "tensor view of shape \(shape) needs \(count * width) bytes, beyond what is left of the file's budget for expanded or strided views (\(max(budget, 0)) bytes)")
        }
        budget -= count * width
        var output = Data(count: count * width)
        output.withUnsafeMutableBytes { destination in
            storage.withUnsafeBytes { source in
                var index = [Int](repeating: 0, count: shape.count)
                var sourceElement = offset
                for element in 0..<count {
                    (destination.baseAddress! + element * width)
                        .copyMemory(from: source.baseAddress! + sourceElement * width, byteCount: width)
                    // Odometer increment over the indices, last dimension fastest.
                    var axis = shape.count - 1
                    while axis >= 0 {
                        index[axis] += 1
                        sourceElement += strides[axis]
                        if index[axis] < shape[axis] { break }
                        sourceElement -= strides[axis] * shape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return StoredTensor(validated: dtype, shape: shape, bytes: output)
    }

    /// Row-major strides, in elements, for `shape`.
    /// Wrapping arithmetic: only shapes `elementCount(of:)` accepted reach here, but the strides of
    /// an empty tensor never matter and must not trap.
    package static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running = running &* max(shape[axis], 1)
        }
        return strides
    }

    /// A copy with every element's bytes reversed: big-endian ↔ little-endian.
    func byteSwapped() -> StoredTensor {
        let width = dtype.byteCount
        guard width > 1 else { return self }
        var swapped = Data(bytes)
        swapped.withUnsafeMutableBytes { raw in
            for start in stride(from: 0, to: raw.count, by: width) {
                var low = start, high = start + width - 1
                while low < high {
                    raw.swapAt(low, high)
                    low += 1
                    high -= 1
                }
            }
        }
        return StoredTensor(validated: dtype, shape: shape, bytes: swapped)
    }
}
