import Foundation
import NeuralNetwork
import Tensors

/// Where the synthesis gets its per-layer noise images.
public enum NoiseMode {
    /// The generator's `noises.noise_i` buffers: deterministic, what inversion tools use.
    case stored
    /// Fresh standard-normal noise per sample and layer ("randomize noise").
    case random(RandomGenerator)
    /// As `random`, for one process's part of a data-parallel batch: each layer's noise is
    /// drawn for the global batch and the process keeps its rows (`BatchShard`).
    case shardedRandom(RandomGenerator, BatchShard)
    /// No noise at all.
    case zero
    /// One tensor per layer, [1 or B, 1, r, r].
    case explicit([Tensor])
}

/// StyleGAN2 generator in rosinality's layout: mapping network `style`, constant `input`,
/// `conv1`/`to_rgb1`, then per resolution an upsampling StyledConv, a StyledConv and a ToRGB
/// (`convs`, `to_rgbs`), noise buffers `noises.noise_i`.
///
/// ```swift
/// let g = Generator(GeneratorConfiguration(size: 256))
/// let w = g.mapping(z)                                        // [B, 512]
/// let image = g.synthesize(g.broadcastLatent(w), noise: .stored)   // [B, 3, 256, 256]
/// ```
public final class Generator: Module {
    public let configuration: GeneratorConfiguration
    public var style: Sequential
    public var input: ConstantInput
    public var conv1: StyledConv
    public var toRGB1: ToRGB
    public var convs: [StyledConv]
    public var toRGBs: [ToRGB]
    public var noises: [String: Tensor]

    public override class var keyRenames: [String: String] { ["toRGB1": "to_rgb1", "toRGBs": "to_rgbs"] }

    public init(_ configuration: GeneratorConfiguration, generator: RandomGenerator? = nil) {
        let c = configuration
        self.configuration = c
        let rng = generator ?? Initialization.defaultGenerator
        style = Sequential([PixelNorm()] + (0..<c.mappingLayers).map { _ in
            EqualLinear(c.styleDimension, c.styleDimension, lrMultiplier: c.mappingLearningRateMultiplier, activate: true, generator: rng)
        })
        input = ConstantInput(channels: c.channelCount(4), generator: rng)
        conv1 = StyledConv(c.channelCount(4), c.channelCount(4), kernelSize: 3, styleDimension: c.styleDimension,
                           blurKernel: c.blurKernel, generator: rng)
        toRGB1 = ToRGB(c.channelCount(4), styleDimension: c.styleDimension, upsample: false, blurKernel: c.blurKernel, generator: rng)
        var convs: [StyledConv] = [], toRGBs: [ToRGB] = []
        var inChannels = c.channelCount(4)
        for level in 3...c.logSize {
            let outChannels = c.channelCount(1 << level)
            convs.append(StyledConv(inChannels, outChannels, kernelSize: 3, styleDimension: c.styleDimension, upsample: true,
                                    blurKernel: c.blurKernel, generator: rng))
            convs.append(StyledConv(outChannels, outChannels, kernelSize: 3, styleDimension: c.styleDimension,
                                    blurKernel: c.blurKernel, generator: rng))
            toRGBs.append(ToRGB(outChannels, styleDimension: c.styleDimension, blurKernel: c.blurKernel, generator: rng))
            inChannels = outChannels
        }
        self.convs = convs
        self.toRGBs = toRGBs
        var noises: [String: Tensor] = [:]
        for i in 0..<c.layerCount {
            let r = 1 << ((i + 5) / 2)
            noises["noise_\(i)"] = Initialization.normal([1, 1, r, r], generator: rng, requiresGrad: false)
        }
        self.noises = noises
    }

    /// z [B, D] → w [B, D] through PixelNorm and the mapping MLP.
    public func mapping(_ z: Tensor) -> Tensor { style(z) }

    /// w [B, D] repeated to W+ [B, n_latent, D].
    public func broadcastLatent(_ w: Tensor) -> Tensor {
        w.unsqueeze(1).broadcast(to: [w.shape[0], configuration.latentCount, w.shape[1]])
    }

    /// `μ + ψ·(w − μ)` for w or W+ (μ [D] or [1, D]).
    public func truncate(_ w: Tensor, toward mean: Tensor, psi: Float) -> Tensor {
        mean.reshape([configuration.styleDimension]) + (w - mean.reshape([configuration.styleDimension])) * psi
    }

    /// The mean of `count` mapped standard-normal z (the usual truncation centre).
    public func meanLatent(count: Int = 4096, generator: RandomGenerator) -> Tensor {
        GradientMode.withoutGradients {
            mapping(Tensor.randomNormal([count, configuration.styleDimension], generator: generator)).mean(axis: 0)
        }
    }

    /// Style mixing: rows `0..<crossover` of W+ from `w1`, the rest from `w2` (both [B, D]).
    public func mixLatents(_ w1: Tensor, _ w2: Tensor, crossover: Int) -> Tensor {
        let n = configuration.latentCount
        precondition(crossover > 0 && crossover < n, "mixLatents: crossover \(crossover) outside 1..<\(n)")
        let b = w1.shape[0], d = w1.shape[1]
        return Tensor.concat([w1.unsqueeze(1).broadcast(to: [b, crossover, d]), w2.unsqueeze(1).broadcast(to: [b, n - crossover, d])], axis: 1)
    }

    /// The noise images for one forward pass.
    public func noiseImages(_ mode: NoiseMode, batch: Int) -> [Tensor] {
        let count = configuration.layerCount
        let resolutions = (0..<count).map { 1 << (($0 + 5) / 2) }
        switch mode {
        case .stored:
            return (0..<count).map { noises["noise_\($0)"]! }
        case .zero:
            return resolutions.map { Tensor.zeros([1, 1, $0, $0]) }
        case .random(let rng):
            return resolutions.map { Tensor.randomNormal([batch, 1, $0, $0], generator: rng) }
        case .shardedRandom(let rng, let shard):
            return resolutions.map { shard.randomNormal([batch, 1, $0, $0], generator: rng) }
        case .explicit(let tensors):
            precondition(tensors.count == count, "Generator: \(tensors.count) noise tensors given, \(count) expected")
            return tensors
        }
    }

    /// W+ [B, n_latent, D] → image [B, 3, size, size] (roughly in [−1, 1], unclamped).
    ///
    /// `afterConv(i, feature)` is called with the output of `convs[i]` and may return a
    /// replacement that every later layer then uses — SMART refines the 16×16 feature after
    /// `convs[3]` this way.
    ///
    /// With `recomputingFrom: r`, the two convolutions of every level of resolution ≥ r save
    /// nothing for backward and are run again during it (`Tensor.recomputed`): a 1024-px
    /// generator's 256–1024 px activations at batch 4 are most of a training step's memory.
    /// `afterConv` is not called for those levels.
    ///
    /// With `outputSize: s` (a power of two, 4…size) synthesis stops after the level of
    /// resolution s and returns that level's skip image [B, 3, s, s]: the low-frequency part of
    /// the full image, for a fraction of the work (the finest levels cost most). The web editor
    /// previews edits this way while a slider moves.
    ///
    /// Without gradients, the last level's second activation — which feeds only its ToRGB — is
    /// computed in bands of rows that ToRGB consumes at once (`StyledConv.streamingInto`), and
    /// its first (the up-convolution's) a window of rows at a time as the second convolution
    /// reads them (`StyledConv.rowSource`): the same image, without two buffers the size of those
    /// activations (128 MiB each at 1024 px). `afterConv` needs every activation whole, so with it
    /// the last level runs whole; `refining` hooks one.
    public func synthesize(_ latents: Tensor, noise: NoiseMode = .stored, recomputingFrom: Int? = nil,
                           outputSize: Int? = nil, afterConv: ((Int, Tensor) -> Tensor)? = nil) -> Tensor {
        synthesize(latents, noise: noise, recomputingFrom: recomputingFrom, outputSize: outputSize,
                   hook: afterConv.map { ConvolutionHook.every($0) })
    }

    /// `synthesize` with `refine` replacing the output of `convs[convIndex]` only (SMART refines the
    /// 16×16 feature after `convs[3]`): the other activations need not exist whole, so the last
    /// level streams into its ToRGB as without a hook.
    public func synthesize(_ latents: Tensor, noise: NoiseMode = .stored, recomputingFrom: Int? = nil,
                           outputSize: Int? = nil, refining convIndex: Int, with refine: @escaping (Tensor) -> Tensor) -> Tensor {
        synthesize(latents, noise: noise, recomputingFrom: recomputingFrom, outputSize: outputSize,
                   hook: .one(convIndex, refine))
    }

    /// What may replace the convolutions' outputs during synthesis.
    private enum ConvolutionHook {
        /// Called with every convolution's output.
        case every((Int, Tensor) -> Tensor)
        /// Called with one convolution's output.
        case one(Int, (Tensor) -> Tensor)

        func callAsFunction(_ index: Int, _ feature: Tensor) -> Tensor {
            switch self {
            case .every(let hook): return hook(index, feature)
            case .one(let hooked, let refine): return index == hooked ? refine(feature) : feature
            }
        }

        func needs(_ index: Int) -> Bool {
            switch self {
            case .every: return true
            case .one(let hooked, _): return index == hooked
            }
        }
    }

    private func synthesize(_ latents: Tensor, noise: NoiseMode, recomputingFrom: Int?, outputSize: Int?,
                            hook afterConv: ConvolutionHook?) -> Tensor {
        let c = configuration
        precondition(latents.rank == 3 && latents.shape[1] == c.latentCount && latents.shape[2] == c.styleDimension,
                     "Generator.synthesize: latents \(latents.shape), expected [B, \(c.latentCount), \(c.styleDimension)]")
        if let outputSize {
            precondition(outputSize >= 4 && outputSize <= c.size && outputSize & (outputSize - 1) == 0,
                         "Generator.synthesize: outputSize \(outputSize) is not a power of two in 4…\(c.size)")
        }
        let batch = latents.shape[0]
        let noiseImages = noiseImages(noise, batch: batch)
        func row(_ i: Int) -> Tensor { latents.narrow(1, start: i, length: 1).squeeze(1) }

        var out = conv1(input(batch: batch), style: row(0), noise: noiseImages[0])
        var skip = toRGB1(out, style: row(1), skip: nil)
        var i = 1
        for level in 0..<toRGBs.count {
            if let outputSize, 8 << level > outputSize { break }
            if let threshold = recomputingFrom, 8 << level >= threshold {
                // Each convolution and the ToRGB is its own block: backward then rebuilds one
                // layer's activations at a time (a two-layer block held both at once: +2.4 GB at
                // 1024 px, batch 4), and only the block inputs stay alive between passes.
                for k in 0..<2 {
                    let (conv, noise) = (convs[2 * level + k], noiseImages[2 * level + k + 1])
                    out = Tensor.recomputed([out, row(i + k)]) { x in conv(x[0], style: x[1], noise: noise) }
                }
                let toRGB = toRGBs[level]
                skip = Tensor.recomputed([out, row(i + 2), skip]) { x in toRGB(x[0], style: x[1], skip: x[2]) }
            } else {
                let isLast = level == toRGBs.count - 1 || outputSize.map { 16 << level > $0 } == true
                let first = 2 * level, second = first + 1
                // Without hooks on this level, its up-convolution's output streams into the next
                // convolution a window of rows at a time, and that one's into ToRGB.
                if isLast, afterConv?.needs(first) != true, afterConv?.needs(second) != true,
                   let source = convs[first].rowSource(out, style: row(i), noise: noiseImages[first + 1]),
                   let image = convs[second].streamingInto(toRGBs[level], source: source, style: row(i + 1),
                                                           noise: noiseImages[second + 1], rgbStyle: row(i + 2), skip: skip) {
                    return image
                }
                out = convs[first](out, style: row(i), noise: noiseImages[first + 1])
                if let afterConv { out = afterConv(first, out) }
                if isLast, afterConv?.needs(second) != true,
                   let image = convs[second].streamingInto(toRGBs[level], input: out, style: row(i + 1),
                                                           noise: noiseImages[second + 1], rgbStyle: row(i + 2), skip: skip) {
                    return image
                }
                out = convs[second](out, style: row(i + 1), noise: noiseImages[second + 1])
                if let afterConv { out = afterConv(second, out) }
                skip = toRGBs[level](out, style: row(i + 2), skip: skip)
            }
            i += 2
        }
        return skip
    }

    /// rosinality's `forward`: z (or w with `inputIsLatent`) → image, with optional truncation.
    /// `styles` holds one tensor, or two for style mixing at `crossover`.
    public func callAsFunction(_ styles: [Tensor], inputIsLatent: Bool = false, truncation psi: Float = 1,
                               truncationLatent: Tensor? = nil, crossover: Int? = nil, noise: NoiseMode = .stored) -> Tensor {
        precondition(styles.count == 1 || styles.count == 2, "Generator: pass one style tensor, or two for mixing")
        var ws = inputIsLatent ? styles : styles.map(mapping)
        if psi < 1 {
            guard let mean = truncationLatent else { preconditionFailure("Generator: truncation \(psi) needs a truncation latent") }
            ws = ws.map { truncate($0, toward: mean, psi: psi) }
        }
        let latents: Tensor
        if ws.count == 2 {
            latents = mixLatents(ws[0], ws[1], crossover: crossover ?? configuration.latentCount / 2)
        } else {
            latents = ws[0].rank == 3 ? ws[0] : broadcastLatent(ws[0])
        }
        return synthesize(latents, noise: noise)
    }
}
