import Checkpoints
import Foundation
import NeuralNetwork
import Tensors

/// Loading StyleGAN2 generators from the checkpoints the ecosystem ships, and saving our own.
///
/// Accepted layouts (keys after flattening the pickle):
/// - rosinality / TF-converter: `g_ema.*` (+ `latent_avg`); training checkpoints also hold `g.*`, `d.*`;
/// - pSp / e4e / StylePrompter: `decoder.*`, `decoder.module.*` or `decoder.module.generator.*` (+ `latent_avg`);
/// - our `.safetensors`: bare generator keys, the configuration in the metadata.
///
/// ```swift
/// let loaded = try GeneratorCheckpoint.load(contentsOf: URL(fileURLWithPath: "stylegan2-ffhq-config-f.pt"))
/// let image = loaded.generator([z])
/// ```
public enum GeneratorCheckpoint {
    /// Where a file's generator weights sit, most preferred first.
    public static let prefixes: [String] = {
        let places = ["g_ema.", "decoder.module.generator.", "decoder.generator.", "decoder.module.", "decoder.", "generator.", ""]
        // pSp-style files nest everything under 'state_dict'.
        return places + places.map { "state_dict." + $0 }
    }()

    public struct Loaded {
        public let generator: Generator
        /// The checkpoint's `latent_avg` [D], if it has one.
        public let latentAverage: Tensor?
        /// The key prefix the weights were found under.
        public let prefix: String
    }

    /// Loads a generator, inferring its configuration from the weights (or the safetensors
    /// metadata) unless `configuration` is given. Errors name the file and the offending keys.
    public static func load(contentsOf url: URL, configuration: GeneratorConfiguration? = nil) throws -> Loaded {
        try load(from: CheckpointFile.load(contentsOf: url), file: url.lastPathComponent, configuration: configuration)
    }

    /// The same, from an already-read file (a StylePrompter checkpoint holds its generator too).
    public static func load(from contents: CheckpointContents, file: String, configuration: GeneratorConfiguration? = nil) throws -> Loaded {
        guard let prefix = prefixes.first(where: { contents.tensors[$0 + "style.1.weight"] != nil }) else {
            throw CheckpointError(.missingPart, file: file,
                                  "no StyleGAN2 generator found: expected 'style.1.weight' at the top level or under 'g_ema.', 'decoder.', 'decoder.module.generator.' or another known prefix")
        }
        let weights = try contents.tensors.tensors(under: prefix, lendingMappedBytes: true)
        let config = try configuration
            ?? contents.metadata["generator_configuration"].map { try decodeConfiguration($0, file: file) }
            ?? inferConfiguration(from: weights, file: file)
        // Metadata is as untrusted as the weights: check the configuration, and that the
        // weights fit it, before the generator allocates anything.
        try config.validate(file: file)
        try config.validate(against: weights.mapValues(\.shape), file: file)
        try FiniteWeights.require(weights, file: file, what: "generator weight")
        let generator = Initialization.withoutDrawing { Generator(config) }   // every weight is loaded next
        try generator.load(stateDictionary: weights.filter { generatorKey($0.key) }, source: "\(file) (\(prefix.isEmpty ? "top level" : prefix + "*"))",
                           adoptingStorage: true)   // the converted weights are dropped after this
        let average = try (contents.tensors["latent_avg"] ?? contents.tensors["state_dict.latent_avg"]
            ?? contents.tensors[prefix + "latent_avg"]).map { try Tensor($0) }
        if let average, !average.allFinite {
            throw CheckpointError(.malformed, file: file, "'latent_avg' holds NaN or infinite values")
        }
        if let average, average.count != config.styleDimension && average.count != config.styleDimension * config.latentCount {
            throw CheckpointError(.malformed, file: file, "'latent_avg' has shape \(average.shape), expected [\(config.styleDimension)]")
        }
        return Loaded(generator: generator, latentAverage: average, prefix: prefix)
    }

    /// Keys of the generator itself, excluding a SMART block stored beside it under `decoder.module.`.
    static func generatorKey(_ key: String) -> Bool {
        !key.hasPrefix("smart_block.") && key != "latent_avg"
    }

    /// Reads size, style dimension, mapping depth and the channel table off the weight shapes.
    /// The result still needs `validate(file:)`: shapes are checked here only as far as reading
    /// them requires (ranks), not for plausibility.
    public static func inferConfiguration(from weights: [String: Tensor], file: String) throws -> GeneratorConfiguration {
        func shape(_ key: String, rank: Int) throws -> [Int] {
            guard let t = weights[key] else { throw CheckpointError(.malformed, file: file, "missing generator key '\(key)'") }
            guard t.rank == rank else {
                throw CheckpointError(.malformed, file: file, "generator key '\(key)' has shape \(t.shape), expected \(rank) dimensions")
            }
            return t.shape
        }
        let styleShape = try shape("style.1.weight", rank: 2)
        guard styleShape[0] == styleShape[1] else {
            throw CheckpointError(.malformed, file: file, "'style.1.weight' has shape \(styleShape), expected [D, D]")
        }
        let mapping = (1...65).prefix { weights["style.\($0).weight"] != nil }.count
        // 2 + log₂(maximumSize) levels at most; one more key than that is reported by `validate`.
        let maximumLevels = GeneratorConfiguration.maximumSize.trailingZeroBitCount - 1
        let rgbCount = (0...maximumLevels).prefix { weights["to_rgbs.\($0).bias"] != nil }.count
        guard rgbCount >= 1 else { throw CheckpointError(.malformed, file: file, "no 'to_rgbs.N' keys: cannot tell the generator's size") }
        guard rgbCount < maximumLevels else {
            throw CheckpointError(.malformed, file: file,
                "\(rgbCount) or more 'to_rgbs.N.bias' keys: a generator larger than \(GeneratorConfiguration.maximumSize) px")
        }
        let size = 1 << (rgbCount + 2)
        var channels = [4: try shape("input.input", rank: 4)[1]]
        for level in 3...(rgbCount + 2) {
            channels[1 << level] = try shape("convs.\(2 * (level - 3)).conv.weight", rank: 5)[1]
        }
        var taps: [Float] = [1, 3, 3, 1]
        if let kernel = weights["convs.0.conv.blur.kernel"], kernel.rank == 2, kernel.shape[1] >= 1, kernel.shape[1] <= 16,
           kernel.scalars[0] != 0, kernel.scalars[0].isFinite {
            let row = Array(kernel.scalars.prefix(kernel.shape[1]))
            taps = row.map { $0 / row[0] }
        }
        return GeneratorConfiguration(validating: size, styleDimension: styleShape[1], mappingLayers: mapping, channels: channels, blurKernel: taps)
    }


    /// Saves `generator` (and `latentAverage`) as safetensors with the configuration in the metadata.
    public static func save(_ generator: Generator, latentAverage: Tensor?, to url: URL) throws {
        var tensors = generator.stateDictionary().map { ($0.key, StoredTensor($0.tensor)) }
        if let latentAverage { tensors.append(("latent_avg", StoredTensor(latentAverage))) }
        let json = String(decoding: try JSONEncoder.sortedKeys.encode(generator.configuration), as: UTF8.self)
        try Safetensors.write(tensors, metadata: ["generator_configuration": json, "format": "styleprompter-generator"], to: url)
    }

    static func decodeConfiguration(_ json: String, file: String) throws -> GeneratorConfiguration {
        do { return try JSONDecoder().decode(GeneratorConfiguration.self, from: Data(json.utf8)) } catch {
            throw CheckpointError(.malformed, file: file, "metadata 'generator_configuration' is not a valid configuration: \(error)")
        }
    }
}
