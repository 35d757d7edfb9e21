import CPUKernels

/// One named benchmark: `prepare` allocates and fills its buffers and returns the work to time.
/// Rows are listed in `BenchmarkRow.all`; later rows (generator, encoder, training step) are
/// added there with the same name in `Scripts/bench_pytorch.py`.
struct BenchmarkRow {
    let name: String
    let summary: String
    /// Floating-point operations of one run (0 when GFLOP/s means nothing for the row).
    let flops: Double
    let prepare: () -> () -> Void
}

/// A float buffer filled with deterministic values in [-1, 1), freed on deinit.
final class Buffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int, seed: UInt64 = 1) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        for i in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            pointer[i] = Float(Int32(truncatingIfNeeded: state >> 32)) / 2_147_483_648
        }
    }

    deinit { pointer.deallocate() }
}

extension BenchmarkRow {
    static var all: [BenchmarkRow] { [
        sgemm(1024), sgemm(4096),
        convolution(name: "conv3x3_512_64", summary: "conv2d 3×3 512→512, 64×64, batch 1, pad 1",
                    ConvolutionGeometry(batch: 1, inputChannels: 512, inputHeight: 64, inputWidth: 64,
                                        outputChannels: 512, kernelHeight: 3, kernelWidth: 3,
                                        paddingHeight: 1, paddingWidth: 1)),
        convolution(name: "modconv_b4_64", summary: "grouped conv 3×3, [1, 4·512, 64, 64], groups 4, pad 1",
                    ConvolutionGeometry(batch: 1, inputChannels: 4 * 512, inputHeight: 64, inputWidth: 64,
                                        outputChannels: 4 * 512, kernelHeight: 3, kernelWidth: 3,
                                        paddingHeight: 1, paddingWidth: 1, groups: 4)),
        attention(heads: 48, tokens: 256, headDimension: 32),
        layerNorm(rows: 64 * 64, columns: 96),
    ] }

    static func sgemm(_ size: Int) -> BenchmarkRow {
        BenchmarkRow(name: "sgemm\(size)", summary: "C = A·B, \(size)³", flops: 2 * pow3(size)) {
            let a = Buffer(count: size * size, seed: 1), b = Buffer(count: size * size, seed: 2)
            let c = Buffer(count: size * size, seed: 3)
            return {
                Gemm.multiply(m: size, n: size, k: size, a: a.pointer, lda: size, transposeA: false,
                              b: b.pointer, ldb: size, transposeB: false, c: c.pointer, ldc: size, accumulate: false)
            }
        }
    }

    static func convolution(name: String, summary: String, _ g: ConvolutionGeometry) -> BenchmarkRow {
        BenchmarkRow(name: name, summary: summary, flops: g.flops) {
            let input = Buffer(count: g.inputCount, seed: 1), weight = Buffer(count: g.weightCount, seed: 2)
            let bias = Buffer(count: g.outputChannels, seed: 3), output = Buffer(count: g.outputCount, seed: 4)
            return {
                Convolution.forward(g, input: input.pointer, weight: weight.pointer, bias: bias.pointer,
                                    output: output.pointer)
            }
        }
    }

    /// softmax(Q·Kᵀ)·V per head; FLOPs count the two products only.
    static func attention(heads: Int, tokens: Int, headDimension d: Int) -> BenchmarkRow {
        BenchmarkRow(name: "attention", summary: "\(heads) heads × \(tokens) tokens × \(d)-dim: Q·Kᵀ → softmax → ·V",
                     flops: 2 * 2 * Double(heads * tokens * tokens * d)) {
            let q = Buffer(count: heads * tokens * d, seed: 1), k = Buffer(count: heads * tokens * d, seed: 2)
            let v = Buffer(count: heads * tokens * d, seed: 3)
            let scores = Buffer(count: heads * tokens * tokens, seed: 4), out = Buffer(count: heads * tokens * d, seed: 5)
            return {
                // scores[h] = Q[h] · K[h]ᵀ   [tokens, tokens]
                Gemm.batchedMultiply(batch: heads, m: tokens, n: tokens, k: d,
                                     a: q.pointer, lda: d, strideA: tokens * d, transposeA: false,
                                     b: k.pointer, ldb: d, strideB: tokens * d, transposeB: true,
                                     c: scores.pointer, ldc: tokens, strideC: tokens * tokens, accumulate: false)
                Softmax.forward(rows: heads * tokens, columns: tokens, input: scores.pointer, output: scores.pointer)
                // out[h] = P[h] · V[h]   [tokens, d]
                Gemm.batchedMultiply(batch: heads, m: tokens, n: d, k: tokens,
                                     a: scores.pointer, lda: tokens, strideA: tokens * tokens, transposeA: false,
                                     b: v.pointer, ldb: d, strideB: tokens * d, transposeB: false,
                                     c: out.pointer, ldc: d, strideC: tokens * d, accumulate: false)
            }
        }
    }

    static func layerNorm(rows: Int, columns: Int) -> BenchmarkRow {
        BenchmarkRow(name: "layernorm", summary: "layer norm [\(rows), \(columns)] with weight and bias", flops: 0) {
            let x = Buffer(count: rows * columns, seed: 1), y = Buffer(count: rows * columns, seed: 2)
            let weight = Buffer(count: columns, seed: 3), bias = Buffer(count: columns, seed: 4)
            let mean = Buffer(count: rows, seed: 5), rstd = Buffer(count: rows, seed: 6)
            return {
                LayerNormalization.forward(rows: rows, columns: columns, input: x.pointer, weight: weight.pointer,
                                           bias: bias.pointer, epsilon: 1e-5, output: y.pointer,
                                           mean: mean.pointer, rstd: rstd.pointer)
            }
        }
    }

    private static func pow3(_ n: Int) -> Double { Double(n) * Double(n) * Double(n) }
}
