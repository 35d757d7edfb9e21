import Foundation
import Imaging
import Inversion
import StyleGAN
import Tensors
import Testing
import TestSupport

/// The third-party files in `../shared/data`: the face photos decode and invert, and every
/// direction file is applied end to end (edit → SMART decode) on a model with the real latent
/// shape (18 × 512) — seeded weights with narrow channels, so it runs in seconds.
enum SharedFiles {
    static let root = SharedTestData.root
    static var available: Bool { SharedTestData.exists("faces") }
}

@Suite(.enabled(if: SharedFiles.available, "../shared/data is absent"))
struct RealDataTests {
    /// 18 latent tokens of 512 like the released model, narrow everywhere else.
    static func makeModel() -> StylePrompterModel {
        let encoder = SwinConfiguration(embedDimension: 24, depths: [2, 2, 2, 2], heads: [2, 2, 4, 4], latentTokens: 18,
                                        headHiddenDimension: 64, styleDimension: 512)
        let generator = GeneratorConfiguration(size: 1024, styleDimension: 512, mappingLayers: 2,
                                               channels: [4: 16, 8: 16, 16: 16, 32: 8, 64: 8, 128: 4, 256: 4, 512: 4, 1024: 4])
        let model = StylePrompterModel(encoder: encoder, generator: generator, seed: 11)
        model.eval()
        return model
    }

    let model = RealDataTests.makeModel()

    @Test func facePhotosDecodeAndInvert() throws {
        let folder = SharedFiles.root.appendingPathComponent("faces")
        let faces = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { ["jpg", "jpeg", "png"].contains($0.pathExtension.lowercased()) }
        #expect(faces.count == 10)
        for url in faces {
            let (photo, image) = try Image.encoderInput(contentsOf: url)
            #expect(photo.shape == [1, 3, 256, 256] && image.width == 256)
            let result = GradientMode.withoutGradients { model(photo).image }
            #expect(result.shape == [1, 3, 1024, 1024])
            #expect(result.scalars.allSatisfy { $0.isFinite }, "\(url.lastPathComponent): non-finite output")
        }
    }

    @Test func everyDirectionFileEditsEndToEnd() throws {
        let folder = SharedFiles.root.appendingPathComponent("directions")
        let photo = try Image.encoderInput(contentsOf: SharedFiles.root.appendingPathComponent("faces/celebahq_00044.jpg")).tensor
        let encoded = GradientMode.withoutGradients { model.encode(photo) }
        let original = GradientMode.withoutGradients { model.decode(encoded) }
        for name in ["interfacegan_age.pt", "interfacegan_smile.pt", "interfacegan_pose.pt", "wplus_Smiling.npy", "flat_Heavy_Makeup.npy", "ganspace_ffhq_pca.pt"] {
            let latents: Tensor
            switch try EditDirection.load(contentsOf: folder.appendingPathComponent(name)) {
            case .vector(let d): latents = try LatentEditing.apply(d, to: encoded.latents, strength: 3)
            case .ganspace(let pca): latents = try pca.edit(encoded.latents, component: 54, layers: 7..<8, strength: 20)
            }
            let edited = GradientMode.withoutGradients { model.decode(EncodedImages(latents: latents, features: encoded.features)) }
            #expect(edited.shape == [1, 3, 1024, 1024] && edited.scalars.allSatisfy { $0.isFinite }, "\(name)")
            let change = relativeError(edited, original)
            #expect(change > 1e-4, "\(name) changed nothing")
        }
    }
}
