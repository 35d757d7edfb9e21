import CPUKernels

/// One named benchmark: `prepare` allocates and fills its buffers and returns the work to time.
/// Rows are listed in `BenchmarkRow.all`; later rows (generator, encoder, training step) are
/// added there with the same name in `Scripts/bench_pytorch.py`.
struct BenchmarkRow {
    /// One kind of run of a row and its weight in the row's figure.
    struct Kind {
        let label: String
        let weight: Double
        let work: () -> Void
    }

    let name: String
    let summary: String
    /// Floating-point operations of one run (0 when GFLOP/s means nothing for the row).
    let flops: Double
    /// Timed runs per kind after the warm-up: at least this many (and ~1.5 s in all).
    let minimumRuns: Int
    /// Allocates and fills the row's buffers and returns the work to time: one kind for most
    /// rows; several for a row whose figure is a weighted mean of different runs (the amortised
    /// GAN iteration: each kind is timed on its own, warm-up + median, and the row's seconds are
    /// Σ weightᵢ·medianᵢ / Σ weightᵢ, its best the same of the fastest runs).
    let prepareKinds: () -> [Kind]
    /// Only the first kind gets a warm-up run (it must exercise every shape the others use).
    let sharedWarmUp: Bool

    init(name: String, summary: String, flops: Double, minimumRuns: Int = 5, prepare: @escaping () -> () -> Void) {
        self.name = name
        self.summary = summary
        self.flops = flops
        self.minimumRuns = minimumRuns
        prepareKinds = { [Kind(label: name, weight: 1, work: prepare())] }
        sharedWarmUp = false
    }

    init(name: String, summary: String, minimumRuns: Int, sharedWarmUp: Bool = false, kinds: @escaping () -> [Kind]) {
        self.name = name
        self.summary = summary
        flops = 0
        self.minimumRuns = minimumRuns
        self.sharedWarmUp = sharedWarmUp
        prepareKinds = kinds
    }
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
        sgemm(1024, 1024, 1024, transposeA: false, transposeB: true, name: "sgemm1024_nt", summary: "C = A·Bᵀ, 1024³"),
        sgemm(1024, 1024, 1024, transposeA: true, transposeB: false, name: "sgemm1024_tn", summary: "C = Aᵀ·B, 1024³"),
        sgemm(1024, 1024, 1024, transposeA: true, transposeB: true, name: "sgemm1024_tt", summary: "C = Aᵀ·Bᵀ, 1024³"),
        convolution(name: "conv3x3_512_64", summary: "conv2d 3×3 512→512, 64×64, batch 1, pad 1", conv512),
        convolution(name: "conv3x3_64_56_b4", summary: "conv2d 3×3 64→64, 56×56, batch 4, pad 1 (IR-SE50 / AlexNet size)",
                    ConvolutionGeometry(batch: 4, inputChannels: 64, inputHeight: 56, inputWidth: 56, outputChannels: 64,
                                        kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)),
        // The small layers of GAN training at batch 32 (the default model's 64-px StyleGAN2 and its
        // discriminator): few pixels per image, many images.
        ganTrainingLayer(channels: 256, size: 4),
        ganTrainingLayer(channels: 256, size: 8),
        ganTrainingLayer(channels: 128, size: 16),
        // The 1024-px generator's full-resolution convolution (32 channels), the shape that
        // decides how fast its high-resolution levels run.
        convolution(name: "conv3x3_32_1024", summary: "conv2d 3×3 32→32, 1024×1024, batch 1, pad 1 (StyleGAN2 1024-px level)",
                    ConvolutionGeometry(batch: 1, inputChannels: 32, inputHeight: 1024, inputWidth: 1024, outputChannels: 32,
                                        kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)),
        // conv_transpose2d(x [1, 64, 512, 512], w [64, 32, 3, 3], stride 2) → [1, 32, 1025, 1025]
        convolutionBackward(name: "upconv_64_512", summary: "StyleGAN up-conv into the 1024-px level: transposed 3×3 stride 2, 64→32, 512→1025",
                            input: true,
                            ConvolutionGeometry(batch: 1, inputChannels: 32, inputHeight: 1025, inputWidth: 1025,
                                                outputChannels: 64, kernelHeight: 3, kernelWidth: 3,
                                                strideHeight: 2, strideWidth: 2)),
        convolution(name: "modconv_b4_64", summary: "grouped conv 3×3, [1, 4·512, 64, 64], groups 4, pad 1",
                    ConvolutionGeometry(batch: 1, inputChannels: 4 * 512, inputHeight: 64, inputWidth: 64,
                                        outputChannels: 4 * 512, kernelHeight: 3, kernelWidth: 3,
                                        paddingHeight: 1, paddingWidth: 1, groups: 4)),
        convolutionBackward(name: "conv3x3_512_64_dinput", summary: "∂input of conv3x3_512_64", input: true, conv512),
        convolutionBackward(name: "conv3x3_512_64_dweight", summary: "∂weight of conv3x3_512_64", input: false, conv512),
        // conv_transpose2d(x [1, 4·512, 32, 32], w [4·512, 512, 3, 3], stride 2, groups 4) → [1, 4·512, 65, 65]
        convolutionBackward(name: "upconv_b4_32", summary: "StyleGAN up-conv: transposed 3×3 stride 2, 4 groups, 32→65",
                            input: true,
                            ConvolutionGeometry(batch: 1, inputChannels: 4 * 512, inputHeight: 65, inputWidth: 65,
                                                outputChannels: 4 * 512, kernelHeight: 3, kernelWidth: 3,
                                                strideHeight: 2, strideWidth: 2, groups: 4)),
        attention(heads: 48, tokens: 256, headDimension: 32),
        layerNorm(rows: 64 * 64, columns: 96),
    ] + modelRows }

    static let conv512 = ConvolutionGeometry(batch: 1, inputChannels: 512, inputHeight: 64, inputWidth: 64,
                                             outputChannels: 512, kernelHeight: 3, kernelWidth: 3,
                                             paddingHeight: 1, paddingWidth: 1)

    static func sgemm(_ size: Int) -> BenchmarkRow {
        sgemm(size, size, size, name: "sgemm\(size)", summary: "C = A·B, \(size)³")
    }

    static func sgemm(_ m: Int, _ n: Int, _ k: Int, transposeA: Bool = false, transposeB: Bool = false,
                      name: String, summary: String) -> BenchmarkRow {
        BenchmarkRow(name: name, summary: summary, flops: 2 * Double(m) * Double(n) * Double(k)) {
            let a = Buffer(count: m * k, seed: 1), b = Buffer(count: k * n, seed: 2)
            let c = Buffer(count: m * n, seed: 3)
            return {
                Gemm.multiply(m: m, n: n, k: k, a: a.pointer, lda: transposeA ? m : k, transposeA: transposeA,
                              b: b.pointer, ldb: transposeB ? k : n, transposeB: transposeB,
                              c: c.pointer, ldc: n, accumulate: false)
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

    /// A 3×3, padding-1 layer of GAN training at batch 32 (the default model's 64-px StyleGAN2 and
    /// its discriminator): `conv3x3_<channels>_<size>_b32`.
    static func ganTrainingLayer(channels: Int, size: Int) -> BenchmarkRow {
        convolution(name: "conv3x3_\(channels)_\(size)_b32",
                    summary: "conv2d 3×3 \(channels)→\(channels), \(size)×\(size), batch 32, pad 1 (GAN training, \(size)-px level)",
                    ConvolutionGeometry(batch: 32, inputChannels: channels, inputHeight: size, inputWidth: size,
                                        outputChannels: channels, kernelHeight: 3, kernelWidth: 3,
                                        paddingHeight: 1, paddingWidth: 1))
    }

    /// The input gradient (also transposed convolution's forward) or the weight gradient.
    static func convolutionBackward(name: String, summary: String, input: Bool, _ g: ConvolutionGeometry) -> BenchmarkRow {
        BenchmarkRow(name: name, summary: summary, flops: g.flops) {
            let x = Buffer(count: g.inputCount, seed: 1), weight = Buffer(count: g.weightCount, seed: 2)
            let gradOutput = Buffer(count: g.outputCount, seed: 3)
            return {
                if input {
                    Convolution.backwardInput(g, gradOutput: gradOutput.pointer, weight: weight.pointer, gradInput: x.pointer)
                } else {
                    Convolution.backwardWeight(g, gradOutput: gradOutput.pointer, input: x.pointer, gradWeight: weight.pointer)
                }
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
