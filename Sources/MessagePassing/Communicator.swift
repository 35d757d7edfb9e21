#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The processes of one job, as MPI sees them: each has a rank in `0..<size`, and together they
/// reduce and broadcast buffers. Training and batch inversion are written against this protocol;
/// `SingleProcess` (one rank, every collective a no-op) is what runs without MPI, and
/// `MPICommunicator` (builds with the `MPI` trait) is Open MPI's `MPI_COMM_WORLD`.
///
/// Every collective must be called by every rank, in the same order, with buffers of the same
/// length — as in MPI itself; a rank that leaves early makes the others wait for it.
///
/// ```swift
/// let world = try Communicators.world(distributed: true)
/// var gradient: [Float] = …
/// gradient.withUnsafeMutableBufferPointer { world.allReduceSum($0) }   // the sum over ranks
/// ```
public protocol Communicator: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Waits until every rank has called it.
    func barrier()
    /// Replaces `buffer` on every rank by the elementwise sum over the ranks.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// Replaces `buffer` on every rank by the elementwise maximum over the ranks.
    func allReduceMax(_ buffer: UnsafeMutableBufferPointer<UInt64>)
    /// Every rank's `value`, in rank order.
    func allGather(_ value: UInt64) -> [UInt64]
    /// Copies `root`'s bytes into `buffer` on every other rank.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int)
    /// Ends every rank of the job with `code` (after an error on one rank: the others would
    /// otherwise wait for it in their next collective for ever).
    func abort(code: Int32) -> Never
    /// Closes the job cleanly (every rank calls it once, at the end).
    func finish()
}

extension Communicator {
    /// Whether this rank writes the job's files (checkpoints, logs, reports, merged results).
    public var isRoot: Bool { rank == 0 }

    /// The elementwise sum over ranks of `values`.
    public func allReduceSum(_ values: [Float]) -> [Float] {
        var result = values
        result.withUnsafeMutableBufferPointer { allReduceSum($0) }
        return result
    }

    /// The maximum over ranks of `value`.
    public func allReduceMax(_ value: UInt64) -> UInt64 {
        var result = [value]
        result.withUnsafeMutableBufferPointer { allReduceMax($0) }
        return result[0]
    }

    /// Root's string on every rank (UTF-8, any length).
    public func broadcast(_ text: String, root: Int = 0) -> String {
        var length = [UInt64(rank == root ? text.utf8.count : 0)]
        length.withUnsafeMutableBytes { broadcast($0, root: root) }
        var bytes = rank == root ? Array(text.utf8) : [UInt8](repeating: 0, count: Int(length[0]))
        bytes.withUnsafeMutableBytes { broadcast($0, root: root) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// One process alone: rank 0 of 1, every collective leaves its buffer as it is.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func barrier() {}
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceMax(_ buffer: UnsafeMutableBufferPointer<UInt64>) {}
    public func allGather(_ value: UInt64) -> [UInt64] { [value] }
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {}
    public func abort(code: Int32) -> Never { exit(code) }
    public func finish() {}
}
