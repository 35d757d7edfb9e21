import Dispatch
import Foundation

/// How kernels spread work over the CPU's cores.
///
/// Work is always split into the same contiguous ranges for a given `threadCount`, so the same
/// inputs and thread count give the same bits, whatever the scheduler does.
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
        guard count > 0 else { return }
        let parts = Swift.min(threadCount, Swift.max(1, count / Swift.max(1, minimumPerThread)))
        if parts <= 1 {
            body(0..<count)
            return
        }
        let base = count / parts, extra = count % parts
        // The kernels hand each part disjoint memory, so the closure may run concurrently even
        // though it captures raw pointers; the cast only restates that to the type checker.
        withoutActuallyEscaping(body) { body in
            let concurrentBody = unsafeBitCast(body, to: (@Sendable (Range<Int>) -> Void).self)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let start = part * base + Swift.min(part, extra)
                let end = start + base + (part < extra ? 1 : 0)
                concurrentBody(start..<end)
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
