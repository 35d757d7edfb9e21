import Foundation
import Inversion
import Tensors
import Testing
import TestSupport

/// The released architecture at full size — Swin-V2-T (embed 96, depths 2/2/6/2, 18 tokens),
/// the 1024-px FFHQ generator shape and the 512-channel SMART — on seeded perturbed weights
/// (280 MB, not committed). Opt in with `STYLEPROMPTER_LARGE_FIXTURES=1` after
/// `.venv/bin/python Scripts/make_stylePrompter_fixtures.py --full`.
@Suite(.enabled(if: FullSizeStylePrompter.available, "set STYLEPROMPTER_LARGE_FIXTURES=1 and run Scripts/make_stylePrompter_fixtures.py --full"))
struct FullSizeStylePrompterTests {
    @Test func fullModelMatchesTheReleasedCode() throws {
        let model = try StylePrompterCheckpoint.load(contentsOf: FullSizeStylePrompter.folder.appendingPathComponent("stylePrompter_full.pt"))
        model.eval()
        #expect(model.encoder.configuration == SwinConfiguration())
        let fx = try FixtureFile(contentsOf: FullSizeStylePrompter.folder.appendingPathComponent("stylePrompter_full_outputs.safetensors"))
        try GradientMode.withoutGradients {
            let encoded = model.encode(try fx.tensor("image_in"))
            var refined: Tensor?
            let image = model.decode(encoded) { refined = $0 }
            for (actual, key, bound) in [(encoded.latents, "wplus", StylePrompterFixtures.latentBound),
                                         (try #require(refined), "smart_feature", StylePrompterFixtures.featureBound),
                                         (image, "image", StylePrompterFixtures.imageBound)] {
                let error = relativeError(actual, try fx.tensor(key))
                print("parity full \(key): relative L2 \(error)")
                #expect(error < bound, "\(key): relative L2 \(error)")
            }
        }
    }
}

enum FullSizeStylePrompter {
    static let folder = LargeFixtures.folder
    static var available: Bool { LargeFixtures.available("stylePrompter_full.pt") }
}
