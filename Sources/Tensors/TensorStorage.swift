import CPUKernels
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
    /// What keeps borrowed memory alive (a mapped checkpoint); nil for the pool's own buffers.
    private let owner: AnyObject?

    /// An uninitialised buffer of `count` floats.
    package init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        pointer = StoragePool.shared.take(count: count)
        owner = nil
    }

    /// `count` floats at `pointer`, memory that `owner` keeps valid (and writable) while it
    /// lives — a tensor lent from a memory-mapped checkpoint. Never returned to the pool.
    package init(borrowing pointer: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.pointer = pointer
        self.count = count
        self.owner = owner
    }

    /// A buffer of `count` copies of `value`.
    package convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    /// Whether the memory is borrowed (lent from a mapped file) rather than the pool's.
    package var isBorrowed: Bool { owner != nil }

    deinit { if owner == nil { StoragePool.shared.give(pointer, count: count) } }
}

/// Recycles tensor buffers by size class, within three bounds: `capacityBytes` cached at most, a
/// footprint — in use + cached — of at most `footprintLimitBytes`, and (unless `footprintFactor`
/// is nil) a footprint of at most half as much again as the most ever in use at once.
///
/// The second bound keeps a single pass from hoarding: a 1024-px generator's forward pass frees
/// each level's activations and then needs larger ones, so caching everything held a copy of every
/// earlier level beside the live ones (peak RSS 1.78 GB for one generation, 651 MiB of it in use;
/// 1.06 GB with the bound). Training loops switch it off: they need their whole cycle cached.
public final class StoragePool: @unchecked Sendable {
    public static let shared = StoragePool()

    /// A pool of its own (tests); everything else shares `shared`.
    package init() {}

    /// The most memory kept for reuse (default: a quarter of physical memory, at most 8 GiB);
    /// beyond it, freed buffers go back to the system. A 1024-px generator at batch 4 cycles
    /// through ~0.5 GiB activations: with 2 GiB it ran 2× slower than with 8.
    public var capacityBytes = Int(Swift.min(ProcessInfo.processInfo.physicalMemory / 4, 8 << 30))
    /// The most the footprint (in use + cached) may be, as a multiple of the most ever in use
    /// at once; `nil` for no bound but `capacityBytes`. The default suits single passes
    /// (inference, batches of it); a training loop, which needs every buffer of its step again
    /// the next step, sets `nil` so that the cache never makes it fetch buffers anew. At 1.25,
    /// once the 1024-px generator's last level streamed into its ToRGB (a lower peak in use), every
    /// other pass fetched its 128 MiB up-convolution output anew: 28 K page faults per warm pass
    /// of `generator1024_b1`; at 1.5 none after the second, for ≤ 10 MiB more peak RSS in one pass.
    public var footprintFactor: Double? = 1.5
    /// The most the footprint (in use + cached) may be, whatever the factor: cached buffers are
    /// freed before it is passed (buffers in use are never refused). Default 40 % of physical
    /// memory: a 1024-px stage-1 step at batch 4 uses up to 10 GiB at once, and with the whole
    /// cycle cached (training sets no factor) it peaked at 13.9 GiB RSS; on a 24 GB machine with
    /// `MallocThreshold`, 11.28 GiB at 45 % and 10.87 GiB (11.7 GB) at 40 %, at the same speed
    /// (26.2–27.7 against 26.7–28.2 s a step, alternating, AMD Zen 4).
    public var footprintLimitBytes = Int(Double(ProcessInfo.processInfo.physicalMemory) * 0.40)
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    /// Buffers handed out for a smaller class than their own: their own class, for `give`.
    private var promoted: [UnsafeMutablePointer<Float>: Int] = [:]
    /// When each class was last taken or given, for evicting the most recently used other class first.
    private var lastUse: [Int: UInt64] = [:]
    private var clock: UInt64 = 0
    private var heldBytes = 0
    private var live = 0
    private var peakLive = 0
    private var allocations = 0
    private var fetchedBytes = 0
    /// How many buffers the pool has had to get from the system, fresh or grown (a measure of its reuse).
    public var systemAllocations: Int { lock.lock(); defer { lock.unlock() }; return allocations }
    /// Bytes of fresh memory the pool has had to get from the system: a fresh buffer's size, or
    /// what growing a cached one added — the pages that cost a fault when first written.
    public var systemBytes: Int { lock.lock(); defer { lock.unlock() }; return fetchedBytes }
    /// Bytes of tensor storage in use now (allocated and not yet freed; cached buffers excluded).
    public var liveBytes: Int { lock.lock(); defer { lock.unlock() }; return live }
    /// Bytes of freed buffers kept for reuse now.
    public var cachedBytes: Int { lock.lock(); defer { lock.unlock() }; return heldBytes }
    /// The most `liveBytes` has been since the start or the last `resetPeak()`.
    public var peakLiveBytes: Int { lock.lock(); defer { lock.unlock() }; return peakLive }
    public func resetPeak() { lock.lock(); peakLive = live; lock.unlock() }
    private let lock = NSLock()

    /// The capacity a buffer for `count` floats gets: its size class. Small buffers round up to
    /// 16 floats; larger ones to one of four steps per octave (2ᵉ·{1, 1¼, 1½, 1¾}), at most 25 %
    /// (on average ~10 %) over. Recycling by class rather than by exact count lets a freed
    /// activation serve the next layer's differently shaped one: a 1024-px generator's single
    /// forward pass then reuses most buffers instead of caching one of every shape (peak RSS
    /// 1.79 → see README) and faults far fewer fresh pages.
    package static func sizeClass(_ count: Int) -> Int {
        let slots = Swift.max(16, count)
        if slots <= 1024 { return (slots + 15) & ~15 }
        let step = 1 << (Int.bitWidth - 1 - slots.leadingZeroBitCount - 2)
        return (slots + step - 1) / step * step
    }

    package func take(count: Int) -> UnsafeMutablePointer<Float> {
        let slots = Self.sizeClass(count)
        let bytes = slots * MemoryLayout<Float>.stride
        lock.lock()
        live += bytes
        peakLive = Swift.max(peakLive, live)
        clock += 1
        lastUse[slots] = clock
        if let pointer = free[slots]?.popLast() {
            heldBytes -= bytes
            lock.unlock()
            return pointer
        }
        // A cached buffer of a larger class, up to twice the size, is already resident: faulting
        // fresh pages costs more than the slack (a 1025²-pixel transposed-convolution output then
        // serves the 1024² one after it, which is one class below).
        if let larger = free.lazy.filter({ $0.key > slots && $0.key <= 2 * slots && !$0.value.isEmpty }).map(\.key).min(),
           let pointer = free[larger]?.popLast() {
            heldBytes -= larger * MemoryLayout<Float>.stride
            live += (larger - slots) * MemoryLayout<Float>.stride
            peakLive = Swift.max(peakLive, live)
            promoted[pointer] = larger
            lock.unlock()
            return pointer
        }
        allocations += 1
        // Otherwise, in a single pass (bounded footprint), the largest cached smaller buffer,
        // grown: its pages are resident, so only the added part faults (a generator level's
        // buffers are twice the previous level's, which no later layer asks for — a third of a
        // 1024-px `generate`'s page faults). A training loop (no bound) needs every class again
        // next step, so there a grown buffer would only be fetched anew.
        var grown: (pointer: UnsafeMutableRawPointer, bytes: Int)?
        if let smaller = growableClass(below: slots), let pointer = free[smaller]?.popLast() {
            grown = (UnsafeMutableRawPointer(pointer), smaller * MemoryLayout<Float>.stride)
            heldBytes -= grown!.bytes
        }
        fetchedBytes += bytes - (grown?.bytes ?? 0)
        // A fresh (or grown) buffer enlarges the footprint: make room among the cached ones.
        let released = evictNewest(toFit: 0, sparing: slots)
        lock.unlock()
        for (buffer, slots) in released { Self.systemRelease(buffer, slots: slots) }
        if let grown {
            if let moved = PageBuffers.grow(grown.pointer, from: grown.bytes, to: bytes) {
                return moved.bindMemory(to: Float.self, capacity: slots)
            }
            // The system could not move it: a fresh buffer after all.
            PageBuffers.release(grown.pointer, bytes: grown.bytes)
            lock.lock()
            fetchedBytes += grown.bytes
            lock.unlock()
        }
        return Self.systemAllocate(bytes: bytes).bindMemory(to: Float.self, capacity: slots)
    }

    /// The class of the largest cached buffer that `take` may grow to `slots` floats, if any:
    /// both sizes mapped buffers, and the system able to move pages. Called with the lock held.
    private func growableClass(below slots: Int) -> Int? {
        let stride = MemoryLayout<Float>.stride
        guard footprintFactor != nil, PageBuffers.canGrow, slots * stride >= PageBuffers.mappedMinimumBytes else { return nil }
        return free.lazy.filter { $0.key < slots && $0.key * stride >= PageBuffers.mappedMinimumBytes && !$0.value.isEmpty }
            .map(\.key).max()
    }

    /// A fresh buffer from the system. (Transparent huge pages were tried for large buffers —
    /// `madvise(MADV_HUGEPAGE)` on 2 MiB-aligned memory — and made one 1024-px `generate` 30 %
    /// slower on this machine kind: faults then wait for the kernel to compact memory.)
    static func systemAllocate(bytes: Int) -> UnsafeMutableRawPointer {
        PageBuffers.allocate(bytes: bytes)
    }

    /// Returns a buffer of class `slots` to the system.
    static func systemRelease(_ pointer: UnsafeMutablePointer<Float>, slots: Int) {
        PageBuffers.release(UnsafeMutableRawPointer(pointer), bytes: slots * MemoryLayout<Float>.stride)
    }

    package func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        lock.lock()
        let slots = promoted.removeValue(forKey: pointer) ?? Self.sizeClass(count)
        let bytes = slots * MemoryLayout<Float>.stride
        live -= bytes
        clock += 1
        lastUse[slots] = clock
        var released = evictNewest(toFit: bytes, sparing: slots)
        if fits(bytes) {
            free[slots, default: []].append(pointer)
            heldBytes += bytes
        } else {
            released.append((pointer, slots))
        }
        lock.unlock()
        for (buffer, slots) in released { Self.systemRelease(buffer, slots: slots) }
    }

    /// Whether `extra` more cached bytes stay within every bound. Called with the lock held.
    private func fits(_ extra: Int) -> Bool {
        guard heldBytes + extra <= capacityBytes, live + heldBytes + extra <= footprintLimitBytes else { return false }
        guard let factor = footprintFactor else { return true }
        return Double(live + heldBytes + extra) <= Double(peakLive) * factor
    }

    /// Takes cached buffers out of the cache until `extra` more bytes fit, or nothing but
    /// `sparing` (the class in use now) is left; returns them for deallocation outside the lock.
    /// Called with the lock held. The most recently used other class goes first: in a pass
    /// through growing layers it is the previous layer's, which no later layer asks for, and in
    /// a repeating pattern evicting the newest (not the stalest, which LRU would) keeps the rest
    /// of the cycle cached instead of evicting each buffer just before it is needed again.
    private func evictNewest(toFit extra: Int, sparing: Int) -> [(UnsafeMutablePointer<Float>, slots: Int)] {
        var released: [(UnsafeMutablePointer<Float>, slots: Int)] = []
        while !fits(extra), heldBytes > 0 {
            var newest: Int?
            for (slots, buffers) in free where slots != sparing && !buffers.isEmpty {
                if newest == nil || lastUse[slots, default: 0] > lastUse[newest!, default: 0] { newest = slots }
            }
            guard let newest, let evicted = free[newest]?.popLast() else { break }
            released.append((evicted, newest))
            heldBytes -= newest * MemoryLayout<Float>.stride
        }
        return released
    }

    /// Returns every cached buffer to the system.
    public func drain() {
        lock.lock()
        let all = free.flatMap { slots, buffers in buffers.map { ($0, slots) } }
        free = [:]
        heldBytes = 0
        lock.unlock()
        for (pointer, slots) in all { Self.systemRelease(pointer, slots: slots) }
    }
}
