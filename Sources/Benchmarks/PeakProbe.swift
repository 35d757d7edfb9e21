import CPUKernels
import Foundation

/// The machine's attainable single-precision FMA peak on `threads` threads, so that every
/// benchmark table can state it and each GFLOP/s row its share of it.
///
/// Each thread runs twelve independent accumulator chains of 16-lane fused multiply-adds: enough
/// in flight to cover an FMA's latency (4 cycles) on two FMA units (8 chains), on AMD Zen 4/5 and
/// Intel Xeon alike, within the 32 vector registers. The best of several bursts is the peak this
/// build can reach (the same code generation the kernels get), not a datasheet number: a core that
/// splits 512-bit operations in two, or lowers its clock under AVX-512, shows it here.
enum PeakProbe {
    nonisolated(unsafe) static var sink: Float = 0

    @inline(never)
    static func burst(iterations: Int, seed: Float) -> Float {
        let x = SIMD16<Float>(repeating: 1.000_000_1), y = SIMD16<Float>(repeating: 1e-7)
        var a0 = SIMD16<Float>(repeating: seed), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3, a4 = a0 + 4, a5 = a0 + 5
        var a6 = a0 + 6, a7 = a0 + 7, a8 = a0 + 8, a9 = a0 + 9, a10 = a0 + 10, a11 = a0 + 11
        for _ in 0..<iterations {
            a0 = a0.addingProduct(x, y); a1 = a1.addingProduct(x, y); a2 = a2.addingProduct(x, y)
            a3 = a3.addingProduct(x, y); a4 = a4.addingProduct(x, y); a5 = a5.addingProduct(x, y)
            a6 = a6.addingProduct(x, y); a7 = a7.addingProduct(x, y); a8 = a8.addingProduct(x, y)
            a9 = a9.addingProduct(x, y); a10 = a10.addingProduct(x, y); a11 = a11.addingProduct(x, y)
        }
        return ((a0 + a1 + a2 + a3) + (a4 + a5 + a6 + a7) + (a8 + a9 + a10 + a11)).sum()
    }

    /// GFLOP/s (an FMA counts 2), the best of `bursts` runs of ~0.1 s each.
    static func gflops(threads: Int, bursts: Int = 5) -> Double {
        let iterations = 2_000_000
        let flops = Double(threads) * Double(iterations) * 12 * 16 * 2
        var best = 0.0
        for b in 0..<bursts {
            var results = [Float](repeating: 0, count: threads)
            let start = Date()
            results.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                Parallel.forRanges(count: threads, minimumPerThread: 1, threads: threads) { range in
                    for t in range { base[t] = burst(iterations: iterations, seed: Float(b + t)) }
                }
            }
            let seconds = Date().timeIntervalSince(start)
            sink += results.reduce(0, +)
            best = max(best, flops / seconds / 1e9)
        }
        return best
    }
}
