import CPUKernels
import Foundation

/// The machine's attainable single-precision FMA peak on `threads` threads, so that every
/// benchmark table can state it and each GFLOP/s row its share of it.
///
/// Each thread runs twelve independent accumulator chains of vector fused multiply-adds
/// (`KernelDispatch.multiplyAddBurst`, the active kernel level's own C code): enough in flight to
/// cover an FMA's latency (4 cycles) on two FMA units (8 chains), on AMD Zen 4/5 and Intel Xeon
/// alike, within the vector registers. The best of several bursts is the peak the kernels' level
/// can reach, not a datasheet number: a core that splits 512-bit operations in two, or lowers its
/// clock under AVX-512, shows it here.
///
/// Bursts last tens of milliseconds and the first is not counted (it starts the pool's worker, and
/// until `WorkerPool` handed a new worker the job that started it, that first job ran on the
/// calling thread alone); short bursts are easily all caught by a pause of one vCPU. With five 7-ms bursts, processes on
/// a quiet AMD EPYC Zen 4 read half the peak (117 against 220–229 GFLOP/s) and printed "163 % of
/// peak". Longer bursts do not remove the pauses (one process in six still read 117), so
/// `bench.sh` takes the best reading of all its rows' processes as the machine's peak.
enum PeakProbe {
    nonisolated(unsafe) static var sink: Float = 0

    /// GFLOP/s (an FMA counts 2), the best of `bursts` runs of 25–100 ms each (by the level's
    /// width and the core's FMA units), after one uncounted burst.
    static func gflops(threads: Int, bursts: Int = 5) -> Double {
        let iterations = 256_000_000 / KernelDispatch.lanes
        let flops = Double(threads) * Double(iterations) * 12 * Double(KernelDispatch.lanes) * 2
        var best = 0.0
        for b in 0...bursts {
            var results = [Float](repeating: 0, count: threads)
            let start = Date()
            results.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                Parallel.forRanges(count: threads, minimumPerThread: 1, threads: threads) { range in
                    for t in range { base[t] = KernelDispatch.multiplyAddBurst(iterations: iterations, seed: Float(b + t)) }
                }
            }
            let seconds = Date().timeIntervalSince(start)
            sink += results.reduce(0, +)
            if b > 0 { best = max(best, flops / seconds / 1e9) }
        }
        return best
    }
}
