import Checkpoints
import Foundation
import Inversion
import NeuralNetwork
import StyleGAN
import Tensors
import Testing

/// Initialising the encoder from a Swin-V2 ImageNet checkpoint in the public layout
/// (`Scripts/make_swin_imagenet_fixture.py`: the released `SwinTransformerV2` class, tiny width).
@Suite struct BackboneInitializationTests {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/swinv2_small_imagenet.pth")

    /// The derived `relative_position_index` buffer as Swin-V2's code builds it: flattened
    /// meshgrid coordinates, pairwise differences shifted to start at 0, row·(2w−1) + column.
    @Test(arguments: [2, 3, 8])
    func relativePositionIndexIsSwinV2s(window w: Int) {
        let attention = WindowAttention(dimension: 8, window: w, heads: 2)
        let coordinates = (0..<w * w).map { (y: $0 / w, x: $0 % w) }
        let expected = coordinates.flatMap { a in
            coordinates.map { b in Float((a.y - b.y + w - 1) * (2 * w - 1) + (a.x - b.x + w - 1)) }
        }
        #expect(attention.relativePositionIndex.shape == [w * w, w * w])
        #expect(attention.relativePositionIndex.scalars == expected)
    }

    @Test func classifierWeightsFillTheBodyAndTheReportSaysWhatWasLeft() throws {
        let encoder = SwinEncoder(SwinConfiguration(embedDimension: 8, depths: [2, 2, 1, 1], heads: [1, 2, 2, 4],
                                                    latentTokens: 10, headHiddenDimension: 32, styleDimension: 64))
        let tokensBefore = encoder.latentTok.scalars
        let report = try encoder.initializeBackbone(contentsOf: Self.url)
        #expect(report.ignored == ["head.bias", "head.weight", "norm.bias", "norm.weight"])
        #expect(report.leftAtInitialization.contains("latent_tok"))
        #expect(report.leftAtInitialization.allSatisfy {
            $0 == "latent_tok" || $0.hasPrefix("dim_up_layers.") || $0.hasPrefix("prediction_head.")
                || $0.hasSuffix("relative_coords_table") || $0.hasSuffix("relative_position_index") || $0.hasSuffix("attn_mask")
        }, "\(report.leftAtInitialization)")
        #expect(report.loaded.count == 115)
        #expect(encoder.latentTok.scalars == tokensBefore)

        let file = try CheckpointFile.load(contentsOf: Self.url).tensors
        for key in ["layers.0.blocks.1.attn.logit_scale", "layers.2.downsample.reduction.weight", "patch_embed.proj.weight"] {
            let own = try #require(encoder.stateDictionary().first { $0.key == key }?.tensor)
            #expect(own.scalars == (try Tensor(try #require(file["model." + key])).scalars), "\(key)")
        }
    }

    @Test func aCheckpointOfAnotherWidthIsRejectedNamingTheKey() throws {
        let encoder = SwinEncoder(SwinConfiguration(embedDimension: 16, depths: [2, 2, 1, 1], heads: [1, 2, 2, 4],
                                                    latentTokens: 10, headHiddenDimension: 32, styleDimension: 64))
        do {
            try encoder.initializeBackbone(contentsOf: Self.url)
            Issue.record("a width-8 checkpoint loaded into a width-16 encoder")
        } catch {
            #expect("\(error)".contains("swinv2_small_imagenet.pth") && "\(error)".contains("model.patch_embed.proj.weight"))
        }
    }

    /// A StylePrompter model file gives a whole trained encoder (latent tokens and head too):
    /// the way to retrain stage 1 against a fine-tuned generator from the encoder it had.
    @Test func aStylePrompterModelGivesTheWholeEncoder() throws {
        let configuration = SwinConfiguration(imageSize: 32, patchSize: 2, embedDimension: 8, depths: [1, 1, 1, 1], heads: [1, 1, 2, 2],
                                              windowSize: 4, latentTokens: 8, headHiddenDimension: 16, styleDimension: 16)
        let trained = SwinEncoder(configuration, generator: RandomGenerator(seed: 1))
        let generator = Generator(GeneratorConfiguration(size: 32, styleDimension: 16, mappingLayers: 1, channels: [4: 8, 8: 8, 16: 8, 32: 8]),
                                  generator: RandomGenerator(seed: 2))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try StylePrompterCheckpoint.save(StylePrompterModel(encoder: trained, generator: generator, smart: nil,
                                                            latentAverage: Tensor.zeros([16])), to: url)
        let fresh = SwinEncoder(configuration, generator: RandomGenerator(seed: 3))
        let report = try fresh.initializeBackbone(contentsOf: url)
        #expect(report.leftAtInitialization.isEmpty, "\(report.leftAtInitialization)")
        #expect(report.loaded.contains("latent_tok") && report.loaded.contains { $0.hasPrefix("prediction_head.") })
        for ((key, a), (_, b)) in zip(fresh.stateDictionary(), trained.stateDictionary()) { #expect(a.scalars == b.scalars, "\(key)") }
    }
}
