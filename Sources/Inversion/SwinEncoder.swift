import NeuralNetwork
import Tensors

/// The W+ head: Linear → tanh → Linear → tanh → Linear, per token (keys `layers.{0,1,2}.*`).
public final class PredictionHead: Module {
    public var layers: [Linear]

    public init(input: Int, hidden: Int, output: Int, generator: RandomGenerator?) {
        layers = [Linear(input, hidden, generator: generator), Linear(hidden, hidden, generator: generator),
                  Linear(hidden, output, generator: generator)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers[2](layers[1](layers[0](x).tanh()).tanh())
    }
}

/// Patch embedding: 4×4 stride-4 conv, flattened to tokens, then LayerNorm (keys `proj.*`, `norm.*`).
public final class PatchEmbedding: Module {
    public var proj: Conv2d
    public var norm: LayerNorm

    public init(patchSize: Int, dimension: Int, generator: RandomGenerator?) {
        proj = Conv2d(3, dimension, kernelSize: patchSize, stride: patchSize, generator: generator)
        norm = LayerNorm(dimension)
    }

    /// [B, 3, H, W] → [B, (H/p)·(W/p), C].
    public func callAsFunction(_ images: Tensor) -> Tensor {
        let x = proj(images)
        return norm(x.flatten(from: 2).transposed(1, 2))
    }
}

/// What the encoder hands on: the W+ offsets its tokens predict and the multi-scale features.
public struct EncoderOutput {
    /// [B, n_latent, style] — add `latent_avg` for W+.
    public var offsets: Tensor
    /// Stage outputs after patch merging, deepest first: [B, 8·8, 768], [B, 8·8, 768],
    /// [B, 16·16, 384], [B, 32·32, 192] for Swin-V2-T at 256 px.
    public var features: [Tensor]
}

/// StylePrompter's encoder: Swin-V2 whose every window also attends to `n_latent` learnable
/// latent tokens; the tokens, widened between stages by `dim_up_layers`, become W+ offsets
/// through the tanh MLP head (REFERENCE §2).
///
/// Keys (under `encoder.module.` in released checkpoints): `latent_tok`, `patch_embed.*`,
/// `layers.{s}.blocks.{j}.*`, `layers.{s}.downsample.*`, `dim_up_layers.{i}.{0,1}.*`,
/// `prediction_head.layers.{0,1,2}.*`.
public final class SwinEncoder: Module {
    public let configuration: SwinConfiguration
    public var patchEmbed: PatchEmbedding
    public var layers: [SwinStage]
    public var latentTok: Tensor
    public var dimUpLayers: [Sequential]
    public var predictionHead: PredictionHead

    public override class var keyRenames: [String: String] {
        ["patchEmbed": "patch_embed", "latentTok": "latent_tok", "dimUpLayers": "dim_up_layers", "predictionHead": "prediction_head"]
    }

    public init(_ configuration: SwinConfiguration = SwinConfiguration(), generator: RandomGenerator? = nil) {
        let c = configuration
        self.configuration = c
        let rng = generator ?? Initialization.defaultGenerator
        patchEmbed = PatchEmbedding(patchSize: c.patchSize, dimension: c.embedDimension, generator: rng)
        let rates = c.dropPathRates
        var start = 0
        layers = (0..<c.depths.count).map { i in
            defer { start += c.depths[i] }
            return SwinStage(configuration: c, stage: i, dropPaths: Array(rates[start..<(start + c.depths[i])]), generator: rng)
        }
        // The released code's initialisation: uniform ±√(6/(3·p² + C)).
        let bound = (6 / Float(3 * c.patchSize * c.patchSize + c.embedDimension)).squareRoot()
        latentTok = Initialization.uniform([c.latentTokens, c.embedDimension], low: -bound, high: bound, generator: rng)
        dimUpLayers = (0..<(c.depths.count - 1)).map { i in
            Sequential([Linear(c.dimension(stage: i), c.dimension(stage: i) * 2, generator: rng), LayerNorm(c.dimension(stage: i) * 2)])
        }
        predictionHead = PredictionHead(input: c.dimension(stage: c.depths.count - 1), hidden: c.headHiddenDimension,
                                        output: c.styleDimension, generator: rng)
    }

    /// images [B, 3, 256, 256] in [−1, 1] → W+ offsets and features.
    public func callAsFunction(_ images: Tensor) -> EncoderOutput {
        let c = configuration
        precondition(images.rank == 4 && images.shape[1] == 3 && images.shape[2] == c.imageSize && images.shape[3] == c.imageSize,
                     "SwinEncoder: images \(images.shape), expected [B, 3, \(c.imageSize), \(c.imageSize)]")
        let batch = images.shape[0]
        var x = patchEmbed(images)
        var tokens = latentTok.unsqueeze(0).broadcast(to: [batch] + latentTok.shape)
        var features: [Tensor] = []
        for (i, stage) in layers.enumerated() {
            (x, tokens) = stage(x, tokens: tokens)
            features.append(x)
            if i < dimUpLayers.count { tokens = dimUpLayers[i](tokens) }
        }
        return EncoderOutput(offsets: predictionHead(tokens), features: features.reversed())
    }
}
