import Checkpoints
import Foundation
import NeuralNetwork
import StyleGAN
import Tensors

/// Loading StylePrompter models from the released PyTorch checkpoints and from our own files.
///
/// Released layout (`torch.save` of `{'state_dict', 'opts', 'latent_avg'}`): encoder keys under
/// `encoder.module.`, generator under `decoder.module.generator.`, SMART under
/// `decoder.module.smart_block.` (absent in stage-1 checkpoints). Our `.safetensors` (written by
/// `save`) uses `encoder.`, `generator.`, `smart.` and `latent_avg`. Architectures are read off the
/// weight shapes; the buffers Swin derives from its window (`relative_coords_table`,
/// `relative_position_index`, `attn_mask`) may be absent.
public enum StylePrompterCheckpoint {
    static let encoderPrefixes = ["state_dict.encoder.module.", "encoder.module.", "state_dict.encoder.", "encoder."]
    static let smartPrefixes = ["state_dict.decoder.module.smart_block.", "decoder.module.smart_block.", "decoder.smart_block.", "smart."]

    /// Loads a model. `generatorURL` supplies the StyleGAN2 weights when the checkpoint lacks
    /// them (a rosinality `.pt` or our generator `.safetensors`).
    public static func load(contentsOf url: URL, generatorURL: URL? = nil) throws -> StylePrompterModel {
        try load(from: CheckpointFile.load(contentsOf: url), file: url.lastPathComponent, generatorURL: generatorURL)
    }

    /// The same, from an already-read file; `file` names it in errors.
    public static func load(from contents: CheckpointContents, file: String, generatorURL: URL? = nil) throws -> StylePrompterModel {
        let tensors = contents.tensors
        guard let encoderPrefix = encoderPrefixes.first(where: { tensors[$0 + "latent_tok"] != nil }) else {
            throw CheckpointError(.malformed, file: file, "no StylePrompter encoder: expected 'latent_tok' under one of \(encoderPrefixes.map { "'\($0)'" }.joined(separator: ", "))")
        }
        let encoderWeights = try tensors.tensors(under: encoderPrefix, lendingMappedBytes: true)
        // Our files record the configuration (image size and windows cannot all be read off the
        // weights of a small encoder); the released ones are Swin-V2 at 256 px.
        // That metadata is as untrusted as the weights: it is validated like an inferred one.
        let recorded = try contents.metadata["encoder_configuration"].map { json in
            do { return try JSONDecoder().decode(SwinConfiguration.self, from: Data(json.utf8)) } catch {
                throw CheckpointError(.malformed, file: file, "metadata 'encoder_configuration' is not a valid configuration")
            }
        }
        let encoderConfiguration = try recorded ?? inferEncoderConfiguration(encoderWeights, file: file)
        try encoderConfiguration.validate(file: file)
        try encoderConfiguration.validate(against: encoderWeights.mapValues(\.shape), file: file)
        try FiniteWeights.require(encoderWeights, file: file, what: "encoder weight")
        let encoder = Initialization.withoutDrawing { SwinEncoder(encoderConfiguration) }   // every weight is loaded next
        try encoder.load(stateDictionary: withDerivedBuffers(encoderWeights, of: encoder), source: "\(file) (\(encoderPrefix)*)",
                         adoptingStorage: true)   // converted for this load only

        let generatorSource: GeneratorCheckpoint.Loaded
        if let generatorURL {
            generatorSource = try GeneratorCheckpoint.load(contentsOf: generatorURL)
        } else {
            do {
                generatorSource = try GeneratorCheckpoint.load(from: contents, file: file)
            } catch let error as CheckpointError where error.kind == .missingPart {
                throw CheckpointError(.malformed, file: file, "holds no StyleGAN2 generator; pass the generator checkpoint with --generator")
            }
        }
        let generator = generatorSource.generator
        let refinedLayer = try Self.refinedLayer(contents, generator: generator.configuration, file: file)

        var smart: SMARTBlock?
        if let smartPrefix = smartPrefixes.first(where: { tensors[$0 + "query_proj.weight"] != nil }) {
            let weights = try tensors.tensors(under: smartPrefix, lendingMappedBytes: true)
            try FiniteWeights.require(weights, file: file, what: "SMART weight")
            let side = 1 << ((refinedLayer + 4) / 2)
            if let query = weights["query_proj.weight"], query.rank == 2, query.shape[1] != generator.configuration.channels[side] {
                throw CheckpointError(.malformed, file: file,
                    "SMART 'query_proj.weight' takes \(query.shape[1]) channels, the generator's \(side)² feature at refined_layer \(refinedLayer) has \(generator.configuration.channels[side] ?? 0)")
            }
            smart = try Initialization.withoutDrawing { try makeSMART(weights, encoder: encoder.configuration, querySide: side, file: file) }
            try smart!.load(stateDictionary: weights, source: "\(file) (\(smartPrefix)*)", adoptingStorage: true)
        }
        guard let average = try (tensors["latent_avg"] ?? tensors["state_dict.latent_avg"]).map({ try Tensor($0) }) ?? generatorSource.latentAverage else {
            throw CheckpointError(.malformed, file: file, "no 'latent_avg': the encoder predicts offsets from it")
        }
        guard average.allFinite else {
            throw CheckpointError(.malformed, file: file, "'latent_avg' holds NaN or infinite values")
        }
        let style = generator.configuration.styleDimension
        guard average.count == style || average.count == style * generator.configuration.latentCount else {
            throw CheckpointError(.malformed, file: file, "'latent_avg' has shape \(average.shape), expected [\(style)] or [\(generator.configuration.latentCount), \(style)]")
        }
        guard encoder.configuration.latentTokens == generator.configuration.latentCount else {
            throw CheckpointError(.malformed, file: file, "the encoder has \(encoder.configuration.latentTokens) latent tokens but the \(generator.configuration.size)-px generator uses \(generator.configuration.latentCount) latents")
        }
        return StylePrompterModel(encoder: encoder, generator: generator, smart: smart, latentAverage: average, refinedLayer: refinedLayer)
    }

    /// Writes `model` as one `.safetensors` with its configuration in the metadata; with
    /// `halfPrecision`, each tensor is float16 where `HalfPrecision` finds that exact enough.
    public static func save(_ model: StylePrompterModel, to url: URL, halfPrecision: Bool = false) throws {
        let tensors = model.stateDictionary().map {
            ($0.key, halfPrecision ? HalfPrecision.storedWhereExact($0.tensor) : StoredTensor($0.tensor))
        }
        let encoderJSON = String(decoding: try JSONEncoder.sortedKeys.encode(model.encoder.configuration), as: UTF8.self)
        let generatorJSON = String(decoding: try JSONEncoder.sortedKeys.encode(model.generator.configuration), as: UTF8.self)
        try Safetensors.write(tensors, metadata: [
            "format": "styleprompter-model", "encoder_configuration": encoderJSON,
            "generator_configuration": generatorJSON, "refined_layer": String(model.refinedLayer),
        ], to: url)
    }

    /// Where SMART refines the generator: `refined_layer` from the metadata or the released
    /// `opts` (4 when neither has it), an even layer 2…2·(log₂ size − 2), the output of a level's
    /// second convolution (layer 4 is the 16×16 feature).
    static func refinedLayer(_ contents: CheckpointContents, generator: GeneratorConfiguration, file: String) throws -> Int {
        let layer: Int
        if let text = contents.metadata["refined_layer"] {
            guard let value = Int(text) else {
                throw CheckpointError(.malformed, file: file, "metadata 'refined_layer' is \(Self.shown(text)), not an integer")
            }
            layer = value
        } else if let option = contents.root?["opts"]?["refined_layer"] {
            guard let value = option.int else {
                throw CheckpointError(.malformed, file: file, "opts 'refined_layer' is not an integer")
            }
            layer = value
        } else {
            layer = 4
        }
        let highest = 2 * (generator.logSize - 2)
        guard layer >= 2, layer <= highest, layer % 2 == 0 else {
            throw CheckpointError(.malformed, file: file,
                "refined_layer \(layer) is not an even layer from 2 to \(highest) of the \(generator.size)-px generator")
        }
        return layer
    }

    /// A metadata value in a message: quoted, control characters escaped, shortened.
    static func shown(_ text: String) -> String {
        "'" + CheckpointText.printable(text, limit: 60) + "'"
    }


    /// Reads depth, width, heads and token count off the encoder's weights. The result still
    /// needs `validate(file:)`; here shapes are checked only as far as reading them requires.
    static func inferEncoderConfiguration(_ w: [String: Tensor], file: String) throws -> SwinConfiguration {
        func shape(_ key: String, rank: Int) throws -> [Int] {
            guard let t = w[key] else { throw CheckpointError(.malformed, file: file, "missing encoder key '\(key)'") }
            guard t.rank == rank, !t.shape.contains(0) else {
                throw CheckpointError(.malformed, file: file, "encoder key '\(key)' has shape \(t.shape), expected \(rank) non-empty dimensions")
            }
            return t.shape
        }
        let tokens = try shape("latent_tok", rank: 2)
        let patch = try shape("patch_embed.proj.weight", rank: 4)
        var depths: [Int] = [], heads: [Int] = []
        while depths.count <= 8, w["layers.\(depths.count).blocks.0.norm1.weight"] != nil {
            let stage = depths.count
            depths.append((0...64).prefix { w["layers.\(stage).blocks.\($0).norm1.weight"] != nil }.count)
            heads.append(try shape("layers.\(stage).blocks.0.attn.logit_scale", rank: 3)[0])
        }
        guard !depths.isEmpty else { throw CheckpointError(.malformed, file: file, "no 'layers.0.blocks.0' in the encoder") }
        let hidden = try shape("layers.0.blocks.0.mlp.fc1.weight", rank: 2)[0]
        var window = 16
        if let table = w["layers.0.blocks.0.attn.relative_coords_table"] {
            guard table.rank == 4 else {
                throw CheckpointError(.malformed, file: file, "encoder key 'layers.0.blocks.0.attn.relative_coords_table' has shape \(table.shape), expected 4 dimensions")
            }
            window = (table.shape[1] + 1) / 2
        }
        return SwinConfiguration(patchSize: patch[2], embedDimension: tokens[1], depths: depths, heads: heads, windowSize: window,
                                 mlpRatio: hidden / tokens[1], latentTokens: tokens[0],
                                 headHiddenDimension: try shape("prediction_head.layers.0.weight", rank: 2)[0],
                                 styleDimension: try shape("prediction_head.layers.2.weight", rank: 2)[0])
    }

    static func makeSMART(_ w: [String: Tensor], encoder: SwinConfiguration, querySide: Int, file: String) throws -> SMARTBlock {
        guard let query = w["query_proj.weight"], let ffn = w["linear1.weight"] else {
            throw CheckpointError(.malformed, file: file, "SMART block lacks 'query_proj.weight' or 'linear1.weight'")
        }
        guard query.rank == 2, ffn.rank == 2, !query.shape.contains(0), !ffn.shape.contains(0) else {
            throw CheckpointError(.malformed, file: file,
                "SMART 'query_proj.weight' \(query.shape) and 'linear1.weight' \(ffn.shape) must be non-empty matrices")
        }
        let shapes = encoder.featureShapes
        for (i, s) in shapes.enumerated() {
            guard let projection = w["input_proj.\(i).0.weight"], projection.rank == 2, projection.shape[1] == s.channels else {
                throw CheckpointError(.malformed, file: file, "SMART 'input_proj.\(i).0.weight' does not take the encoder's \(s.channels)-channel feature")
            }
            guard s.side >= 1, querySide % s.side == 0 || s.side % querySide == 0 else {
                throw CheckpointError(.malformed, file: file,
                    "SMART cannot attend from a \(querySide)² query map to the encoder's \(s.side)² feature \(i)")
            }
        }
        // The block's own widths come from two tensors' shapes: bound what they would allocate
        // (a [65536, 4] query projection would ask for a 65536² output projection).
        let (embed, channels, feedForward) = (query.shape[0], query.shape[1], ffn.shape[0])
        guard embed <= 65536, channels <= 65536, feedForward <= 1 << 20 else {
            throw CheckpointError(.malformed, file: file, "SMART widths \(embed), \(channels), \(feedForward) are beyond any model")
        }
        // The attention splits the projected query, as wide as the feature, into 4 heads.
        guard embed == channels, channels % 4 == 0 else {
            throw CheckpointError(.malformed, file: file,
                "SMART 'query_proj.weight' has shape \(query.shape); the attention needs [C, C] with C divisible by its 4 heads")
        }
        let parameters = embed * channels + shapes.reduce(0) { $0 + $1.channels * 2 * embed } + embed * embed
            + 2 * embed * feedForward + feedForward * channels
        guard parameters <= SwinConfiguration.parameterBudget else {
            throw CheckpointError(.malformed, file: file,
                "SMART block of width \(embed) and feed-forward \(feedForward) has \(parameters) parameters, beyond the budget of \(SwinConfiguration.parameterBudget)")
        }
        return SMARTBlock(featureShapes: shapes, queryChannels: channels, querySide: querySide, embedDimension: embed,
                          feedForwardDimension: feedForward)
    }

    /// The checkpoint's weights plus, where it lacks them, the buffers Swin derives from its
    /// window size (older exports omit them).
    static func withDerivedBuffers(_ weights: [String: Tensor], of encoder: SwinEncoder) -> [String: Tensor] {
        var result = weights
        for (key, tensor) in encoder.namedBuffers() where result[key] == nil {
            result[key] = tensor
        }
        return result
    }
}
