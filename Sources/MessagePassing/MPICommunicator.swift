#if MPI
import CMPI
#if canImport(Glibc)
import Glibc
#endif

/// Open MPI's `MPI_COMM_WORLD`. Only the thread that made it calls MPI (`MPI_THREAD_FUNNELED`:
/// the kernels' and the data loader's threads never do). Errors are fatal, MPI's default: a
/// rank that dies ends the job through `mpirun` rather than leaving the others waiting.
public final class MPICommunicator: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let comm: MPI_Comm
    private var finished = false

    /// Initialised on first use, once per process (MPI cannot be initialised twice).
    public static let world = MPICommunicator()

    private init() {
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        comm = cmpi_comm_world()
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &s)
        rank = Int(r)
        size = Int(s)
    }

    public func barrier() { MPI_Barrier(comm) }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        // MPI counts are 32-bit: reduce in chunks of at most 2^30 floats.
        var start = 0
        while start < buffer.count {
            let n = min(buffer.count - start, 1 << 30)
            MPI_Allreduce(cmpi_in_place(), buffer.baseAddress! + start, Int32(n), cmpi_float(), cmpi_sum(), comm)
            start += n
        }
    }

    public func allReduceMax(_ buffer: UnsafeMutableBufferPointer<UInt64>) {
        guard buffer.count > 0 else { return }
        MPI_Allreduce(cmpi_in_place(), buffer.baseAddress!, Int32(buffer.count), cmpi_uint64(), cmpi_max(), comm)
    }

    public func allGather(_ value: UInt64) -> [UInt64] {
        var mine = value
        var all = [UInt64](repeating: 0, count: size)
        all.withUnsafeMutableBufferPointer { MPI_Allgather(&mine, 1, cmpi_uint64(), $0.baseAddress!, 1, cmpi_uint64(), comm) }
        return all
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        var start = 0
        while start < buffer.count {
            let n = min(buffer.count - start, 1 << 30)
            MPI_Bcast(buffer.baseAddress! + start, Int32(n), cmpi_byte(), Int32(root), comm)
            start += n
        }
    }

    public func abort(code: Int32) -> Never {
        MPI_Abort(comm, code)
        exit(code)
    }

    public func finish() {
        guard !finished else { return }
        finished = true
        MPI_Finalize()
    }
}
#endif
