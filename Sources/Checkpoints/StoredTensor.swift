import Foundation

/// A tensor as it lies in a checkpoint: element type, shape and C-contiguous little-endian bytes.
///
/// It holds no arithmetic; it is the hand-over point between file formats and the tensor
/// library. The bytes may be a slice of a memory-mapped file, so loading a large checkpoint
/// touches only the tensors that are read.
///
/// ```swift
/// let direction = try NumpyFile.readTensor(from: url)   // [18, 512] float32
/// let values: [Float] = try direction.floats()          // 9216 values, row-major
/// ```
public struct StoredTensor: Hashable, Sendable {
    public let dtype: StoredDType
    public let shape: [Int]
    /// `elementCount * dtype.byteCount` bytes, row-major, little-endian.
    public let bytes: Data

    /// Wraps bytes already in C order.
    /// - Throws: if the byte count does not match the shape, or the shape is negative or overflows.
    public init(dtype: StoredDType, shape: [Int], bytes: Data) throws {
        let count = try Self.elementCount(of: shape, file: "tensor")
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow, needed == bytes.count else {
            throw CheckpointError(.malformed, file: "tensor",
                "\(dtype) tensor of shape \(shape) needs \(overflow ? "too many" : String(needed)) bytes, got \(bytes.count)")
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Builds a float32 tensor from values in row-major order.
    ///
    /// ```swift
    /// let t = try StoredTensor(shape: [2, 2], floats: [1, 2, 3, 4])
    /// ```
    public init(shape: [Int], floats: [Float]) throws {
        let bytes = floats.withUnsafeBufferPointer { Data(buffer: $0) }
        try self.init(dtype: .float32, shape: shape, bytes: bytes)
    }

    /// Unchecked initialiser for callers that have validated the sizes themselves.
    init(validated dtype: StoredDType, shape: [Int], bytes: Data) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// The number of elements (1 for a 0-d tensor).
    public var elementCount: Int { bytes.count / dtype.byteCount }

    /// Most elements one tensor may have (2⁴¹, 8 TiB of float32): beyond any real checkpoint,
    /// small enough that element counts times byte widths never overflow.
    public static let maximumElementCount = Int(Int32.max) * 1024

    /// The product of `shape`, rejecting negative sizes and overflow.
    ///
    /// Empty dimensions count as 1 in the bound, so `[0, 2⁶², 2⁶²]` is refused too: every
    /// later product of the sizes (strides, `reduce(1, *)` in any order) then stays in range.
    package static func elementCount(of shape: [Int], file: String) throws -> Int {
        guard shape.count <= 64 else {
            throw CheckpointError(.malformed, file: file, "shape of rank \(shape.count) (at most 64 dimensions)")
        }
        var count = 1
        var bound = 1
        for size in shape {
            guard size >= 0 else {
                throw CheckpointError(.malformed, file: file, "negative dimension in shape \(shape)")
            }
            let (product, overflow) = bound.multipliedReportingOverflow(by: max(size, 1))
            guard !overflow, product <= maximumElementCount else {
                throw CheckpointError(.malformed, file: file, "shape \(shape) has too many elements")
            }
            bound = product
            count *= size
        }
        return count
    }
}

extension StoredTensor: CustomStringConvertible {
    public var description: String { "StoredTensor(\(dtype), \(shape))" }
}
