import Foundation

/// The float32 buffer behind one or more tensors (views share it).
///
/// Memory is 64-byte aligned so SIMD loads in the kernels never straddle cache lines. Freed
/// buffers go back to `StoragePool` and are handed out again for the next tensor of the same
/// size: a network's forward pass allocates the same shapes every time, and fresh pages cost a
/// page fault each (PyTorch loses a third of its time to them at batch 4).
package final class TensorStorage: @unchecked Sendable {
    package let pointer: UnsafeMutablePointer<Float>
    package let count: Int

    /// An uninitialised buffer of `count` floats.
    package init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        pointer = StoragePool.shared.take(count: count)
    }

    /// A buffer of `count` copies of `value`.
    package convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    deinit { StoragePool.shared.give(pointer, count: count) }
}

/// Recycles tensor buffers by exact element count, up to `capacityBytes` held at once.
public final class StoragePool: @unchecked Sendable {
    public static let shared = StoragePool()

    /// The most memory kept for reuse (default: a quarter of physical memory, at most 8 GiB);
    /// beyond it, freed buffers go back to the system. A 1024-px generator at batch 4 cycles
    /// through ~0.5 GiB activations: with 2 GiB it ran 2× slower than with 8.
    public var capacityBytes = Int(Swift.min(ProcessInfo.processInfo.physicalMemory / 4, 8 << 30))
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var heldBytes = 0
    private var live = 0
    private var peakLive = 0
    /// Bytes of tensor storage in use now (allocated and not yet freed; cached buffers excluded).
    public var liveBytes: Int { lock.lock(); defer { lock.unlock() }; return live }
    /// Bytes of freed buffers kept for reuse now.
    public var cachedBytes: Int { lock.lock(); defer { lock.unlock() }; return heldBytes }
    /// The most `liveBytes` has been since the start or the last `resetPeak()`.
    public var peakLiveBytes: Int { lock.lock(); defer { lock.unlock() }; return peakLive }
    public func resetPeak() { lock.lock(); peakLive = live; lock.unlock() }
    private let lock = NSLock()

    func take(count: Int) -> UnsafeMutablePointer<Float> {
        let slots = Swift.max(1, count)
        let bytes = slots * MemoryLayout<Float>.stride
        lock.lock()
        live += bytes
        peakLive = Swift.max(peakLive, live)
        if let pointer = free[slots]?.popLast() {
            heldBytes -= bytes
            lock.unlock()
            return pointer
        }
        lock.unlock()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: slots * MemoryLayout<Float>.stride, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: slots)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let slots = Swift.max(1, count)
        let bytes = slots * MemoryLayout<Float>.stride
        lock.lock()
        live -= bytes
        if heldBytes + bytes <= capacityBytes {
            free[slots, default: []].append(pointer)
            heldBytes += bytes
            lock.unlock()
        } else {
            lock.unlock()
            pointer.deallocate()
        }
    }

    /// Returns every cached buffer to the system.
    public func drain() {
        lock.lock()
        let all = free.values.flatMap { $0 }
        free = [:]
        heldBytes = 0
        lock.unlock()
        for pointer in all { pointer.deallocate() }
    }
}
