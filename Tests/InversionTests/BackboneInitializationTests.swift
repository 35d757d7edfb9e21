import Checkpoints
import Foundation
import Inversion
import Tensors
import Testing

/// Initialising the encoder from a Swin-V2 ImageNet checkpoint in the public layout
/// (`Scripts/make_swin_imagenet_fixture.py`: the released `SwinTransformerV2` class, tiny width).
@Suite struct BackboneInitializationTests {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/swinv2_small_imagenet.pth")

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
}
