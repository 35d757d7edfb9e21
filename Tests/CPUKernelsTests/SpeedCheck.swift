import Foundation
import Testing
@testable import CPUKernels

/// Fails loudly when the kernels were compiled without a target-CPU flag.
///
/// Without `-Xcc -march=native` (see Package.swift) Swift builds for baseline x86-64: every
/// `SIMD16<Float>` is split into four SSE registers and every `.addingProduct` becomes a call to
/// the `fmaf` library function — the GEMM then runs at ~1.7 GFLOP/s instead of 200+. Every
/// other test still passes in that state, only slower, so this check is what catches it.
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
            GEMM runs at \(String(format: "%.1f", gflops)) GFLOP/s on one thread (expected 100+). \
            The kernels were built without a target-CPU flag: SIMD16<Float> is split into SSE \
            registers and every FMA is a library call. Build through Package.swift, which passes \
            `-Xcc -march=native` to every numeric target (check with `swift build -v`); do not \
            override swiftSettings or build CPUKernels on its own without that flag.
            """)
    }
}
