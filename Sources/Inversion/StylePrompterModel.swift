import NeuralNetwork
import StyleGAN
import Tensors

/// A photo encoded for editing: its W+ code and the encoder features SMART refines with.
public struct EncodedImages {
    /// [B, n_latent, 512].
    public var latents: Tensor
    /// The encoder's feature maps, deepest first ([B, lᵢ, cᵢ]).
    public var features: [Tensor]

    public init(latents: Tensor, features: [Tensor]) {
        self.latents = latents
        self.features = features
    }
}

/// The assembled StylePrompter: Swin encoder with latent tokens → W+ (offsets + `latent_avg`)
/// → StyleGAN2 synthesis whose 16×16 feature (after `convs[refinedLayer − 1]`) SMART refines
/// with the photo's own features. Without a SMART block it is the stage-1 model.
///
/// ```swift
/// let model = try StylePrompterCheckpoint.load(contentsOf: url)
/// let encoded = model.encode(photos)                   // photos [B, 3, 256, 256] in [−1, 1]
/// let image = model.decode(encoded, weights: .init(1, 1))
/// let older = model.decode(EncodedImages(latents: try LatentEditing.apply(age, to: encoded.latents, strength: 3),
///                                        features: encoded.features))
/// ```
public final class StylePrompterModel: Module {
    public var encoder: SwinEncoder
    public var generator: Generator
    public var smart: SMARTBlock?
    /// Added to the encoder's offsets: [1 or n_latent, 512].
    @Buffer public var latentAverage: Tensor
    /// The released `refined_layer` (4: the feature after `convs[3]`, 16×16 at 1024 px).
    public let refinedLayer: Int

    public override class var keyRenames: [String: String] { ["latentAverage": "latent_avg"] }

    public init(encoder: SwinEncoder, generator: Generator, smart: SMARTBlock?, latentAverage: Tensor, refinedLayer: Int = 4) {
        precondition(encoder.configuration.latentTokens == generator.configuration.latentCount,
                     "StylePrompterModel: \(encoder.configuration.latentTokens) latent tokens for a generator using \(generator.configuration.latentCount) latents")
        self.encoder = encoder
        self.generator = generator
        self.smart = smart
        self.latentAverage = latentAverage.reshape([-1, generator.configuration.styleDimension])
        self.refinedLayer = refinedLayer
    }

    /// A model of the released architecture on seeded random weights (for demos and tests):
    /// SMART at the 16×16 layer, its query width taken from the generator's channel table.
    public convenience init(encoder configuration: SwinConfiguration, generator generatorConfiguration: GeneratorConfiguration,
                            withSMART: Bool = true, refinedLayer: Int = 4, seed: UInt64 = 0) {
        let rng = RandomGenerator(seed: seed)
        let encoder = SwinEncoder(configuration, generator: rng)
        let generator = Generator(generatorConfiguration, generator: rng)
        let side = 1 << ((refinedLayer + 4) / 2)
        let smart = withSMART
            ? SMARTBlock(featureShapes: configuration.featureShapes, queryChannels: generatorConfiguration.channels[side] ?? 512,
                         querySide: side, generator: rng)
            : nil
        let average = generator.meanLatent(count: 256, generator: rng)
        self.init(encoder: encoder, generator: generator, smart: smart, latentAverage: average, refinedLayer: refinedLayer)
    }

    /// photos [B, 3, 256, 256] in [−1, 1] → W+ and features.
    public func encode(_ images: Tensor) -> EncodedImages {
        let output = encoder(images)
        return EncodedImages(latents: output.offsets + latentAverage, features: output.features)
    }

    /// W+ (and, for SMART, the photo's features) → image [B, 3, size, size], unclamped.
    /// Without features, or with `useSMART` false, this is the plain generator (stage 1).
    /// `refinedFeature`, if given, receives the SMART-refined map [B, C, 16, 16] (for inspection).
    /// `recomputingFrom` (training only) recomputes the generator's levels of that resolution
    /// and above during backward instead of keeping their activations (see `Generator.synthesize`).
    /// `outputSize` stops synthesis early for a cheap low-resolution preview [B, 3, s, s] (see
    /// `Generator.synthesize`); SMART still refines when s reaches the refined layer's side.
    public func decode(_ encoded: EncodedImages, weights: SMARTWeights = .standard, useSMART: Bool = true,
                       noise: NoiseMode = .stored, recomputingFrom: Int? = nil, outputSize: Int? = nil,
                       refinedFeature: ((Tensor) -> Void)? = nil) -> Tensor {
        let refinedSide = 1 << ((refinedLayer + 4) / 2)
        let recompute = recomputingFrom.map { Swift.max($0, 2 * refinedSide) }
        guard useSMART, let smart, !encoded.features.isEmpty else {
            return generator.synthesize(encoded.latents, noise: noise, recomputingFrom: recompute, outputSize: outputSize)
        }
        let refinedConv = refinedLayer - 1
        return generator.synthesize(encoded.latents, noise: noise, recomputingFrom: recompute, outputSize: outputSize,
                                    refining: refinedConv) { feature in
            let (b, c, h, w) = (feature.shape[0], feature.shape[1], feature.shape[2], feature.shape[3])
            let tokens = feature.reshape([b, c, h * w]).transposed(1, 2)                    // [B, L, C]
            let refined = smart(tokens, features: encoded.features, weights: weights).reshape([b, h, w, c]).permute([0, 3, 1, 2])
            refinedFeature?(refined)
            return refined
        }
    }

    /// Encode then decode.
    public func callAsFunction(_ images: Tensor, weights: SMARTWeights = .standard, useSMART: Bool = true) -> (image: Tensor, encoded: EncodedImages) {
        let encoded = encode(images)
        return (decode(encoded, weights: weights, useSMART: useSMART), encoded)
    }
}
