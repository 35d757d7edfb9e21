import Tensors
import Testing

@Suite("Storage pool")
struct StoragePoolTests {
    @Test func sizeClassesRoundUpByAtMostAQuarter() {
        #expect(StoragePool.sizeClass(0) == 16)
        #expect(StoragePool.sizeClass(17) == 32)
        #expect(StoragePool.sizeClass(1024) == 1024)
        #expect(StoragePool.sizeClass(1025) == 1280)
        #expect(StoragePool.sizeClass(4096) == 4096)
        #expect(StoragePool.sizeClass(4097) == 5120)
        for count in stride(from: 1, to: 50_000_000, by: 99_991) {
            let slots = StoragePool.sizeClass(count)
            #expect(slots >= count && slots <= max(16, count + count / 4 + 15), "\(count) → \(slots)")
            #expect(StoragePool.sizeClass(slots) == slots, "a class is its own class")
        }
    }

    @Test func aFreedBufferServesAnotherShapeOfItsClass() {
        let pool = StoragePool()
        let a = pool.take(count: 4100)
        pool.give(a, count: 4100)
        let b = pool.take(count: 5000)      // same class (5120)
        #expect(a == b)
        #expect(pool.systemAllocations == 1)
        pool.give(b, count: 5000)
        pool.drain()
    }

    /// A miss takes a cached buffer of a larger class (up to twice the size) before fresh pages,
    /// and the buffer goes back under its own class.
    @Test func aLargerCachedBufferServesASmallerClassBeforeFreshMemory() {
        let pool = StoragePool()
        let big = pool.take(count: 5000)            // class 5120
        pool.give(big, count: 5000)
        let smaller = pool.take(count: 4000)        // class 4096: none cached, the 5120 one serves
        #expect(smaller == big && pool.systemAllocations == 1)
        pool.give(smaller, count: 4000)
        #expect(pool.cachedBytes == 5120 * 4 && pool.liveBytes == 0)
        #expect(pool.take(count: 5000) == big)      // filed under its own class again
        pool.give(big, count: 5000)
        let tiny = pool.take(count: 1000)           // more than twice smaller: fresh memory
        #expect(tiny != big && pool.systemAllocations == 2)
        pool.give(tiny, count: 1000)
        pool.drain()
    }

    /// A miss for a large buffer grows the largest cached smaller one (`PageBuffers.grow`): its
    /// resident pages move over with their contents, and only the added part is fresh. Buffers
    /// under a MiB come from malloc and are never grown.
    @Test func aMissGrowsTheLargestCachedSmallerLargeBuffer() {
        let pool = StoragePool()
        let count = 1 << 19                                         // 2 MiB
        let small = pool.take(count: 1000)
        let a = pool.take(count: count), b = pool.take(count: count / 2)
        for i in 0..<count { a[i] = Float(i) }
        pool.give(a, count: count)
        pool.give(b, count: count / 2)
        pool.give(small, count: 1000)
        let grown = pool.take(count: 3 * count)                     // no cached class within 2×: grow
        #if os(Linux)
        #expect((0..<count).allSatisfy { grown[$0] == Float($0) }, "the grown buffer kept the larger one's contents")
        #expect(pool.cachedBytes == (count / 2 + StoragePool.sizeClass(1000)) * 4)
        #endif
        grown.update(repeating: 7, count: 3 * count)                // the added part is writable
        pool.give(grown, count: 3 * count)
        #expect(pool.liveBytes == 0)
        pool.drain()
        #expect(pool.cachedBytes == 0)
    }

    /// One pass through growing layers (a generator's levels, three buffers each, the previous
    /// level's freed after the next is taken).
    static func pass(_ pool: StoragePool, check: Bool) {
        var previous: [(UnsafeMutablePointer<Float>, Int)] = []
        for level in 0..<7 {
            let count = (1 << 16) << level
            let current = (0..<3).map { _ in (pool.take(count: count), count) }
            for (pointer, count) in previous { pool.give(pointer, count: count) }
            previous = current
            if check { #expect(pool.liveBytes + pool.cachedBytes <= pool.peakLiveBytes + pool.peakLiveBytes / 2) }
        }
        for (pointer, count) in previous { pool.give(pointer, count: count) }
        #expect(pool.liveBytes == 0)
    }

    /// Bounded: the footprint never exceeds half as much again as the peak in use, and repeating the
    /// pass fetches only part of its memory again (what the bound left out: 44 % of the first
    /// pass's bytes on Linux, where cached buffers grow; 54 % with the earlier bound of 1.25).
    @Test func aSinglePassDoesNotHoard() {
        let pool = StoragePool()
        Self.pass(pool, check: true)
        #expect(pool.cachedBytes <= pool.peakLiveBytes + pool.peakLiveBytes / 2)
        let first = pool.systemBytes
        Self.pass(pool, check: true)
        #expect(pool.systemBytes - first < first * 3 / 4, "a pass fetched \(pool.systemBytes - first) of \(first) bytes again")
        pool.drain()
        #expect(pool.cachedBytes == 0)
    }

    /// Unbounded (training loops): after the first pass nothing is fetched again.
    @Test func aLoopWithoutTheBoundSettlesAtOnce() {
        let pool = StoragePool()
        pool.footprintFactor = nil
        Self.pass(pool, check: false)
        let first = pool.systemAllocations, firstBytes = pool.systemBytes
        Self.pass(pool, check: false)
        Self.pass(pool, check: false)
        #expect(pool.systemAllocations == first && pool.systemBytes == firstBytes)
        pool.drain()
    }

    /// The footprint limit frees cached buffers before in-use + cached passes it.
    @Test func theFootprintLimitBoundsInUsePlusCached() {
        let pool = StoragePool()
        pool.footprintFactor = nil
        pool.footprintLimitBytes = 3 * 4096 * 4
        let buffers = (0..<3).map { _ in pool.take(count: 4096) }
        for buffer in buffers { pool.give(buffer, count: 4096) }
        #expect(pool.cachedBytes == 3 * 4096 * 4)
        let bigger = pool.take(count: 8192)         // in use 8192 floats: only one 4096 buffer may stay cached
        #expect(pool.liveBytes + pool.cachedBytes <= pool.footprintLimitBytes)
        pool.give(bigger, count: 8192)
        #expect(pool.liveBytes + pool.cachedBytes <= pool.footprintLimitBytes)
        pool.drain()
    }

    @Test func theCapacityBoundsTheCache() {
        let pool = StoragePool()
        pool.capacityBytes = 4096 * 4
        let buffers = (0..<4).map { _ in pool.take(count: 4096) }
        for buffer in buffers { pool.give(buffer, count: 4096) }
        #expect(pool.cachedBytes == 4096 * 4)
        pool.drain()
    }
}
