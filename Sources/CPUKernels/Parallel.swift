import Foundation

/// How kernels spread work over the CPU's cores.
///
/// Work is always split into the same contiguous ranges for a given `threadCount`, so the same
/// inputs and thread count give the same bits, whatever the scheduler does. A kernel called from
/// inside another kernel's parallel body runs serially on its thread (no oversubscription).
///
/// ```swift
/// Parallel.threadCount = 2
/// Parallel.forRanges(count: rows, minimumPerThread: 16) { range in
///     for row in range { ... }
/// }
/// ```
public enum Parallel {
    /// Number of threads a kernel splits its work into (default: every active core).
    /// Set it once at start-up, before kernels run.
    nonisolated(unsafe) public static var threadCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` on `threadCount` (or fewer) disjoint contiguous ranges covering `0..<count`,
    /// concurrently. Ranges are never shorter than `minimumPerThread` unless `count` is.
    public static func forRanges(count: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
        forRanges(count: count, minimumPerThread: minimumPerThread, threads: threadCount, body)
    }

    /// `forRanges` with at most `threads` parts.
    public static func forRanges(count: Int, minimumPerThread: Int = 1, threads: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let available = isInsideParallelBody ? 1 : threads
        let parts = Swift.min(available, Swift.max(1, count / Swift.max(1, minimumPerThread)))
        if parts <= 1 {
            body(0..<count)
            return
        }
        let base = count / parts, extra = count % parts
        // The kernels hand each part disjoint memory, so the closure may run concurrently even
        // though it captures raw pointers; the cast only restates that to the type checker.
        withoutActuallyEscaping(body) { body in
            let concurrentBody = unsafeBitCast(body, to: (@Sendable (Range<Int>) -> Void).self)
            let runPart: @Sendable (Int) -> Void = { part in
                let start = part * base + Swift.min(part, extra)
                let end = start + base + (part < extra ? 1 : 0)
                let wasInside = isInsideParallelBody
                isInsideParallelBody = true
                concurrentBody(start..<end)
                isInsideParallelBody = wasInside
            }
            // `run` returns only after every part has finished, so `body` does not escape.
            if !WorkerPool.shared.run(parts: parts, threads: parts, runPart) {
                // Another thread's kernel holds the workers: same parts, in order, here.
                for part in 0..<parts { runPart(part) }
            }
        }
    }

    /// Calls `body(i)` for every `i` in `0..<count`, spread over `threadCount` threads in
    /// contiguous blocks.
    public static func forEach(count: Int, minimumPerThread: Int = 1, _ body: (Int) -> Void) {
        forRanges(count: count, minimumPerThread: minimumPerThread) { range in
            for i in range { body(i) }
        }
    }

    /// Calls `body(part)` for every part in `0..<parts` on up to `threads` threads, each thread
    /// taking the next unclaimed part, so a thread that the OS preempts holds up less work.
    /// Only for bodies whose results do not depend on which thread runs which part (then the
    /// bits stay the same for any thread count).
    package static func forParts(_ parts: Int, threads: Int, _ body: (Int) -> Void) {
        guard parts > 0 else { return }
        let threads = isInsideParallelBody ? 1 : Swift.min(threads, parts)
        if threads <= 1 {
            for part in 0..<parts { body(part) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let concurrentBody = unsafeBitCast(body, to: (@Sendable (Int) -> Void).self)
            let runPart: @Sendable (Int) -> Void = { part in
                let wasInside = isInsideParallelBody
                isInsideParallelBody = true
                concurrentBody(part)
                isInsideParallelBody = wasInside
            }
            if !WorkerPool.shared.run(parts: parts, threads: threads, runPart) {
                for part in 0..<parts { runPart(part) }
            }
        }
    }

    /// Runs `count` independent work items of `flopsPerItem` each, choosing between spreading
    /// the items over threads (`body(range, 1)` on contiguous chunks: small items, or items that
    /// divide evenly) and running them in order with every thread inside each item
    /// (`body(0..<count, threadCount)`: few large items that would leave a core idle).
    /// Chunks are claimed dynamically, so an item's result must not depend on the thread that
    /// computes it (true of every kernel here: the bits stay the same for any thread count).
    public static func forBatch(count: Int, flopsPerItem: Double, _ body: (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        let threads = isInsideParallelBody ? 1 : threadCount
        // Below ~8 MFLOP (~35 µs on one core) splitting one item costs about what it saves.
        let small = flopsPerItem < 8e6
        if threads > 1 && count > 1 && (small || count % threads == 0 || count >= 4 * threads) {
            // A few chunks per thread: a preempted thread holds up less of the batch.
            let chunks = Swift.min(count, count % threads == 0 && !small ? threads : 4 * threads)
            forParts(chunks, threads: threads) { chunk in
                body((count * chunk / chunks)..<(count * (chunk + 1) / chunks), 1)
            }
        } else {
            body(0..<count, threads)
        }
    }

    /// Whether the current thread is running a `Parallel` body (then nested calls run serially).
    static var isInsideParallelBody: Bool {
        get { pthread_getspecific(insideKey) != nil }
        set { pthread_setspecific(insideKey, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }

    private static let insideKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}

/// A pointer that may be captured by the closures `Parallel` runs. Each thread must touch a
/// disjoint part of the memory; the kernels guarantee that by construction.
public struct SharedPointer<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    @inlinable public init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    @inlinable public subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }
}
