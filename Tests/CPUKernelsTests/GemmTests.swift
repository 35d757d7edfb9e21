import Testing
import CPUKernels

/// Error bound for a float32 dot product of length k with terms in [-1, 1], against an exact
/// (float64) reference: blocked float32 summation grows as ~k·ε·|terms| in the worst case and
/// ~√k·ε typically; 4·k·ε(2⁻²³) plus a floor covers every order the kernel may use.
func dotProductTolerance(_ k: Int) -> Float { 4 * Float(max(k, 1)) * Float.ulpOfOne + 1e-6 }

@Suite(.serialized) struct GemmTests {
    /// Runs `Gemm.multiply` and `GemmReference.multiply` on the same padded operands.
    func check(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool, pad: Int = 0,
               threads: Int = 2) {
        let lda = (transposeA ? m : k) + pad, ldb = (transposeB ? k : n) + pad, ldc = n + pad
        let a = TestBuffer(count: (transposeA ? k : m) * lda, seed: 1)
        let b = TestBuffer(count: (transposeB ? n : k) * ldb, seed: 2)
        let c = TestBuffer(count: m * ldc, seed: 3), expected = TestBuffer(copying: c)
        let saved = Parallel.threadCount
        Parallel.threadCount = threads
        defer { Parallel.threadCount = saved }
        Gemm.multiply(m: m, n: n, k: k, a: a.pointer, lda: lda, transposeA: transposeA,
                      b: b.pointer, ldb: ldb, transposeB: transposeB, c: c.pointer, ldc: ldc, accumulate: accumulate)
        GemmReference.multiply(m: m, n: n, k: k, a: a.pointer, lda: lda, transposeA: transposeA,
                               b: b.pointer, ldb: ldb, transposeB: transposeB,
                               c: expected.pointer, ldc: ldc, accumulate: accumulate)
        // Padding columns of C must be untouched: compare the whole buffer.
        let error = maxAbsoluteDifference(c.pointer, expected.pointer, count: c.count)
        #expect(error <= dotProductTolerance(k) + (accumulate ? 1e-6 : 0),
                "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB) acc \(accumulate) pad \(pad): error \(error)")
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func shapes(transposeA: Bool, transposeB: Bool) {
        let sizes = [1, 7, 33, 97]
        for m in sizes {
            for n in sizes {
                for k in sizes {
                    check(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, accumulate: (m + n + k) % 2 == 0)
                }
            }
        }
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func largeAndBlocked(transposeA: Bool, transposeB: Bool) {
        // Crosses the kc (512), mc (96) and nc (1024) block edges and both thread splits.
        check(m: 300, n: 1100, k: 600, transposeA: transposeA, transposeB: transposeB, accumulate: false)
        check(m: 301, n: 45, k: 1030, transposeA: transposeA, transposeB: transposeB, accumulate: true, pad: 3)
    }

    /// B stored [n, k] (transposed) is packed through 8×8 register transposes
    /// (`packTransposedPanel`); the panels must hold exactly what packing the same matrix stored
    /// [k, n] gives, so the products are the same bits. Widths and depths off the 8-blocks.
    @Test(arguments: [(m: 13, n: 75, k: 37), (m: 7, n: 32, k: 64), (m: 20, n: 9, k: 5), (m: 6, n: 300, k: 517)])
    func transposedRightOperandPacksAsItsCopy(m: Int, n: Int, k: Int) {
        let a = TestBuffer(count: m * k, seed: 31)
        let stored = TestBuffer(count: n * (k + 3), seed: 32)                   // [n, k] with row stride k + 3
        let copy = TestBuffer(count: k * n, seed: 33)                           // the same matrix, [k, n]
        for j in 0..<n { for p in 0..<k { copy.pointer[p * n + j] = stored.pointer[j * (k + 3) + p] } }
        let viaTranspose = TestBuffer(count: m * n, seed: 34), viaCopy = TestBuffer(count: m * n, seed: 35)
        Gemm.multiply(m: m, n: n, k: k, a: a.pointer, lda: k, transposeA: false, b: stored.pointer, ldb: k + 3,
                      transposeB: true, c: viaTranspose.pointer, ldc: n, accumulate: false)
        Gemm.multiply(m: m, n: n, k: k, a: a.pointer, lda: k, transposeA: false, b: copy.pointer, ldb: n,
                      transposeB: false, c: viaCopy.pointer, ldc: n, accumulate: false)
        let same = (0..<m * n).allSatisfy { viaTranspose.pointer[$0].bitPattern == viaCopy.pointer[$0].bitPattern }
        #expect(same, "m \(m) n \(n) k \(k): largest difference \(maxAbsoluteDifference(viaTranspose.pointer, viaCopy.pointer, count: m * n))")
    }

    @Test func rowStridesWiderThanOperands() {
        for (tA, tB) in [(false, false), (false, true), (true, false), (true, true)] {
            check(m: 37, n: 65, k: 19, transposeA: tA, transposeB: tB, accumulate: true, pad: 5)
            check(m: 37, n: 65, k: 19, transposeA: tA, transposeB: tB, accumulate: false, pad: 11, threads: 1)
        }
    }

    @Test func emptyDepthZeroesOrKeeps() {
        let c = TestBuffer(count: 12, seed: 3), kept = TestBuffer(copying: c)
        let dummy = TestBuffer(count: 1, seed: 1)
        Gemm.multiply(m: 3, n: 4, k: 0, a: dummy.pointer, lda: 1, transposeA: false, b: dummy.pointer, ldb: 4,
                      transposeB: false, c: c.pointer, ldc: 4, accumulate: true)
        #expect(c.array == kept.array)
        Gemm.multiply(m: 3, n: 4, k: 0, a: dummy.pointer, lda: 1, transposeA: false, b: dummy.pointer, ldb: 4,
                      transposeB: false, c: c.pointer, ldc: 4, accumulate: false)
        #expect(c.array == [Float](repeating: 0, count: 12))
    }

    @Test func sameBitsForEveryThreadCount() {
        let m = 200, n = 300, k = 700
        let a = TestBuffer(count: m * k, seed: 1), b = TestBuffer(count: k * n, seed: 2)
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            let c = TestBuffer(count: m * n, seed: 3)
            let saved = Parallel.threadCount
            Parallel.threadCount = threads
            Gemm.multiply(m: m, n: n, k: k, a: a.pointer, lda: k, transposeA: false, b: b.pointer, ldb: n,
                          transposeB: false, c: c.pointer, ldc: n, accumulate: false)
            Parallel.threadCount = saved
            results.append(c.array)
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }

    /// Products at most two tiles wide read op(A) in place instead of packing it (attention's ·V):
    /// the same bits as the packed nest — a narrow product equals the same columns of a wide one
    /// (200 columns: packed), with a partial MR panel, three kc blocks, an edge tile, either
    /// layout of A, with and without accumulation, on 1–3 threads.
    @Test(arguments: [false, true])
    func narrowProductsReadAInPlaceWithTheSameBits(transposeA: Bool) {
        let m = 301, k = 1030, wide = 200
        let lda = transposeA ? m : k
        let a = TestBuffer(count: m * k, seed: 1), b = TestBuffer(count: k * wide, seed: 2)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        for accumulate in [false, true] {
            Parallel.threadCount = 2
            let whole = TestBuffer(count: m * wide, seed: 3)
            Gemm.multiply(m: m, n: wide, k: k, a: a.pointer, lda: lda, transposeA: transposeA, b: b.pointer, ldb: wide,
                          transposeB: false, c: whole.pointer, ldc: wide, accumulate: accumulate)
            for (n, threads) in [(32, 1), (33, 2), (64, 3), (7, 2)] {
                Parallel.threadCount = threads
                let narrow = TestBuffer(count: m * wide, seed: 3)
                Gemm.multiply(m: m, n: n, k: k, a: a.pointer, lda: lda, transposeA: transposeA, b: b.pointer, ldb: wide,
                              transposeB: false, c: narrow.pointer, ldc: wide, accumulate: accumulate)
                var differing = 0
                for i in 0..<m { for j in 0..<n where narrow.pointer[i * wide + j] != whole.pointer[i * wide + j] { differing += 1 } }
                // Columns past n are untouched.
                let start = TestBuffer(count: m * wide, seed: 3)
                for i in 0..<m { for j in n..<wide where narrow.pointer[i * wide + j] != start.pointer[i * wide + j] { differing += 1 } }
                #expect(differing == 0, "n \(n) threads \(threads) tA \(transposeA) accumulate \(accumulate): \(differing) differ")
            }
        }
    }

    /// With more than one nc block of columns op(A) is packed once for all of them (`PackedLeft`)
    /// and the column slabs are rounded to a multiple of the thread count; neither may change a
    /// bit: the product equals the same product computed one block of ≤ 1024 columns at a time
    /// (each packing op(A) itself), for 1, 2 and 3 threads — with a partial MR panel (m = 301),
    /// three kc blocks (k = 1030) and five nc blocks (n = 4608, the 512-channel weight gradient's
    /// width, which used to leave two threads three slabs and two).
    @Test(arguments: [false, true])
    func packingOpAOnceKeepsTheBits(transposeA: Bool) {
        let m = 301, n = 4608, k = 1030
        let lda = transposeA ? m : k
        let a = TestBuffer(count: m * k, seed: 1), b = TestBuffer(count: k * n, seed: 2)
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = 1
        let byBlocks = TestBuffer(count: m * n, seed: 3)
        for start in stride(from: 0, to: n, by: 1000) {
            Gemm.multiply(m: m, n: min(1000, n - start), k: k, a: a.pointer, lda: lda, transposeA: transposeA,
                          b: b.pointer + start, ldb: n, transposeB: false, c: byBlocks.pointer + start, ldc: n,
                          accumulate: false)
        }
        for threads in [1, 2, 3] {
            Parallel.threadCount = threads
            let whole = TestBuffer(count: m * n, seed: 3)
            Gemm.multiply(m: m, n: n, k: k, a: a.pointer, lda: lda, transposeA: transposeA, b: b.pointer, ldb: n,
                          transposeB: false, c: whole.pointer, ldc: n, accumulate: false)
            #expect(whole.array == byBlocks.array, "threads \(threads), transposeA \(transposeA)")
        }
    }

    @Test(arguments: [(false, true), (false, false), (true, false), (true, true)])
    func batched(transposeA: Bool, transposeB: Bool) {
        // Attention-like small products (spread over the batch) and large ones (split inside).
        for (batch, m, n, k) in [(6, 25, 27, 8), (3, 5, 1, 9), (3, 130, 140, 150), (1, 64, 33, 17)] {
            for accumulate in [false, true] {
                let lda = transposeA ? m : k, ldb = transposeB ? k : n
                let strideA = m * k + 3, strideB = k * n + 5, strideC = m * n + 7
                let a = TestBuffer(count: batch * strideA, seed: 1), b = TestBuffer(count: batch * strideB, seed: 2)
                let c = TestBuffer(count: batch * strideC, seed: 3), expected = TestBuffer(copying: c)
                Gemm.batchedMultiply(batch: batch, m: m, n: n, k: k, a: a.pointer, lda: lda, strideA: strideA,
                                     transposeA: transposeA, b: b.pointer, ldb: ldb, strideB: strideB,
                                     transposeB: transposeB, c: c.pointer, ldc: n, strideC: strideC,
                                     accumulate: accumulate)
                for i in 0..<batch {
                    GemmReference.multiply(m: m, n: n, k: k, a: a.pointer + i * strideA, lda: lda,
                                           transposeA: transposeA, b: b.pointer + i * strideB, ldb: ldb,
                                           transposeB: transposeB, c: expected.pointer + i * strideC, ldc: n,
                                           accumulate: accumulate)
                }
                let error = maxAbsoluteDifference(c.pointer, expected.pointer, count: c.count)
                #expect(error <= dotProductTolerance(k) + 1e-6, "batch \(batch) \(m)×\(n)×\(k): \(error)")
            }
        }
    }
}
