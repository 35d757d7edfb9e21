import Foundation
import Inversion
import Tensors
import TestSupport

/// Fixtures from `Scripts/make_stylePrompter_fixtures.py`: the released StylePrompter classes
/// (I2-Multimedia-Lab/StylePrompter, run on CPU with pure-PyTorch stand-ins for the CUDA ops)
/// on seeded perturbed weights in a reduced configuration — Swin-V2 with embed 24, depths
/// 2/2/2/2, 10 latent tokens, a 64-px StyleGAN2 and SMART — saved in the released checkpoint
/// layout, with per-image outputs at batch 1.
enum StylePrompterFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let checkpoint = folder.appendingPathComponent("stylePrompter_small.pt")
    static let stageOneCheckpoint = folder.appendingPathComponent("stylePrompter_small_stage1.pt")
    static let outputs = load("stylePrompter_small_outputs.safetensors")
    static let grads = load("stylePrompter_small_grads.safetensors")

    static func load(_ name: String) -> FixtureFile {
        do { return try FixtureFile(contentsOf: folder.appendingPathComponent(name)) } catch { fatalError("\(error)") }
    }

    /// `ParityTolerance` on the largest float32-vs-float64 gap PyTorch showed (the fixture script
    /// measured it per kind, not per value): ≤ 2e-7 on W+, ≤ 9.6e-7 on features and SMART's map,
    /// ≤ 8.5e-7 on images. Real slips still show: a GELU approximation or a LayerNorm ε mistake
    /// moves these by 2e-5–5e-5.
    static let latentBound = ParityTolerance.bound(gap: 2e-7)
    static let featureBound = ParityTolerance.bound(gap: 9.6e-7)
    static let imageBound = ParityTolerance.bound(gap: 8.5e-7)
}
