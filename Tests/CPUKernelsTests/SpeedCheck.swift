import Foundation
import Testing
import CPUKernels

/// Fails loudly when the kernels run at scalar speed.
///
/// The C kernels (`CPUKernelVariants`) are only optimised in a release build; `swift test`
/// without `-c release` compiles them at -O0 and the GEMM runs ~50× slower. Every other test
/// still passes in that state, only slowly, so this check is what catches it. The bound holds for
/// every level, the baseline SSE2 one included (~20 GFLOP/s per core without FMA).
@Suite(.serialized) struct SpeedCheck {
    @Test func gemmRunsAtSIMDSpeed() {
        let size = 384   // 113 MFLOP: ~0.5 ms at SIMD speed, ~70 ms at scalar speed
        let a = TestBuffer(count: size * size, seed: 1), b = TestBuffer(count: size * size, seed: 2)
        let c = TestBuffer(count: size * size, seed: 3)
        let saved = Parallel.threadCount
        Parallel.threadCount = 1
        defer { Parallel.threadCount = saved }
        func run() {
            Gemm.multiply(m: size, n: size, k: size, a: a.pointer, lda: size, transposeA: false,
                          b: b.pointer, ldb: size, transposeB: false, c: c.pointer, ldc: size, accumulate: false)
        }
        run()
        // Best of several: other processes share this machine's two cores.
        var best = Double.infinity
        for _ in 0..<7 {
            let start = DispatchTime.now().uptimeNanoseconds
            run()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        let gflops = 2 * pow(Double(size), 3) / best / 1e9
        #expect(gflops >= 15, """
            GEMM runs at \(String(format: "%.1f", gflops)) GFLOP/s on one thread with the \
            \(KernelDispatch.level.rawValue) kernels (expected 20+ even at the baseline level). \
            The C kernels were built unoptimised: run the tests with `swift test -c release`.
            """)
    }
}
