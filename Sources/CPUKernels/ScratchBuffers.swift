import Foundation

/// Reusable float buffers for kernels that need temporary storage (im2col columns, per-thread
/// partial sums). Buffers return to a process-wide pool after use, so steady-state calls touch
/// memory that is already mapped instead of page-faulting in fresh allocations.
enum ScratchBuffers {
    private final class Buffer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        let capacity: Int
        init(capacity: Int) {
            self.capacity = capacity
            pointer = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
                .bindMemory(to: Float.self, capacity: capacity)
        }
        deinit { pointer.deallocate() }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var idle: [Buffer] = []

    /// Lends an uninitialised buffer of at least `count` floats for the duration of `body`.
    static func with<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        lock.lock()
        var buffer: Buffer
        if let index = idle.firstIndex(where: { $0.capacity >= count }) {
            buffer = idle.remove(at: index)
        } else {
            // Grow: drop the largest idle buffer that is too small, so the pool does not hoard.
            if let index = idle.indices.max(by: { idle[$0].capacity < idle[$1].capacity }) { idle.remove(at: index) }
            buffer = Buffer(capacity: max(count, 1))
        }
        lock.unlock()
        defer {
            lock.lock()
            idle.append(buffer)
            lock.unlock()
        }
        return body(buffer.pointer)
    }
}
