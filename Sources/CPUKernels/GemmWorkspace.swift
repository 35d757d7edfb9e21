import Foundation

/// Packing buffers for one thread of the GEMM driver, kept in a process-wide pool and reused:
/// a fresh multi-megabyte allocation per call would cost page faults on every product.
final class GemmWorkspace: @unchecked Sendable {
    /// Packed A block `[mc, kc]` (MR panels).
    let packedA: UnsafeMutablePointer<Float>
    /// Packed B block `[kc, nc]` (NR panels).
    let packedB: UnsafeMutablePointer<Float>
    /// One MR×NR tile for edges.
    let scratch: UnsafeMutablePointer<Float>

    private init() {
        func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
                .bindMemory(to: Float.self, capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        packedA = allocate(GemmBlocking.mc * GemmBlocking.kc)
        packedB = allocate(GemmBlocking.kc * GemmBlocking.nc)
        scratch = allocate(GemmMicroKernel.mr * GemmMicroKernel.nr)
    }

    deinit {
        packedA.deallocate(); packedB.deallocate(); scratch.deallocate()
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var idle: [GemmWorkspace] = []

    /// Lends a workspace for the duration of `body` (one per concurrently running thread).
    static func with<R>(_ body: (GemmWorkspace) -> R) -> R {
        lock.lock()
        let workspace = idle.popLast() ?? GemmWorkspace()
        lock.unlock()
        defer {
            lock.lock()
            idle.append(workspace)
            lock.unlock()
        }
        return body(workspace)
    }
}

/// Cache blocking of the GEMM (Goto/BLIS loop nest), for the 6×32 tile: an A block of 96×512
/// floats (192 KiB) stays in L2 while each 512×32 B micro-panel streams through L1; nc = 1024
/// keeps the packed B block (2 MiB) in L3. Chosen on the Zen 4 prototype and confirmed on this
/// machine (Zen 5: 48 KiB L1d, 1 MiB L2 per core; ~240 GFLOP/s on one core, ~485 on two at
/// 1024³); kc 256/384 measured within noise of 512.
enum GemmBlocking {
    static let mc = 96
    static let kc = 512
    static let nc = 1024
}
