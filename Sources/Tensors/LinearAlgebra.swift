import CPUKernels

extension Tensor {
    /// Matrix product over the last two axes, `[…, m, k] · […, k, n] → […, m, n]`, with leading
    /// (batch) axes broadcast. `transposeA`/`transposeB` read an operand's last two axes swapped
    /// without copying it.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: operands need two axes, got \(a.shape) and \(b.shape)")
        let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        precondition(k == kb, "matmul: inner sizes differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")

        // A plain matrix on the right of a batch folds the batch into rows: one large product.
        if b.rank == 2 && !transposeA && a.rank > 2 {
            let rows = a.reshape([a.count / k, k])
            return matmul(rows, b, transposeB: transposeB).reshape(Array(a.shape.dropLast()) + [n])
        }
        let batchShape = Broadcasting.shape(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul")
        let batchA = a.broadcast(to: batchShape + Array(a.shape.suffix(2)))
        let batchB = b.broadcast(to: batchShape + Array(b.shape.suffix(2)))
        let batch = batchShape.reduce(1, *)
        let out = Tensor(uninitializedShape: batchShape + [m, n])
        let lda = batchA.shape[batchA.rank - 1], ldb = batchB.shape[batchB.rank - 1]
        if batch == 1 {
            Gemm.multiply(m: m, n: n, k: k, a: batchA.readData, lda: lda, transposeA: transposeA,
                          b: batchB.readData, ldb: ldb, transposeB: transposeB, c: out.data, ldc: n, accumulate: false)
        } else {
            Gemm.batchedMultiply(batch: batch, m: m, n: n, k: k,
                                 a: batchA.readData, lda: lda, strideA: m * k, transposeA: transposeA,
                                 b: batchB.readData, ldb: ldb, strideB: k * n, transposeB: transposeB,
                                 c: out.data, ldc: n, strideC: m * n, accumulate: false)
        }
        return record("matmul", out, inputs: [batchA, batchB]) { g in
            // C = op(A)·op(B): d op(A) = G·op(B)ᵀ, d op(B) = op(A)ᵀ·G, transposed back where needed.
            let gradA: Tensor? = !batchA.needsGradient ? nil
                : transposeA ? matmul(batchB, g, transposeA: transposeB, transposeB: true)
                : matmul(g, batchB, transposeB: !transposeB)
            let gradB: Tensor? = !batchB.needsGradient ? nil
                : transposeB ? matmul(g, batchA, transposeA: true, transposeB: transposeA)
                : matmul(batchA, g, transposeA: !transposeA)
            return [gradA, gradB]
        }
    }

    /// `x · weightᵀ + bias` over the last axis (PyTorch `Linear`: weight `[out, in]`).
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.rank == 2 && x.shape.last == weight.shape[1],
                     "linear: input \(x.shape) does not match weight \(weight.shape)")
        let y = matmul(x, weight, transposeB: true)
        guard let bias else { return y }
        precondition(bias.shape == [weight.shape[0]], "linear: bias \(bias.shape) does not match weight \(weight.shape)")
        return y + bias
    }
}
