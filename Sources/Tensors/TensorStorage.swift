import Foundation

/// The float32 buffer behind one or more tensors (views share it).
///
/// Memory is 64-byte aligned so SIMD loads in the kernels never straddle cache lines, and is
/// freed when the last tensor or view referring to it goes away.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// An uninitialised buffer of `count` floats.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(1, count))
    }

    /// A buffer of `count` copies of `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit { pointer.deallocate() }
}
