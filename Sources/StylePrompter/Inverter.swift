import DefaultModel
import Foundation
import Imaging
import Inversion
import StyleGAN
import Tensors

/// A StylePrompter ready for inference: loaded once, in evaluation mode, every call without
/// gradients — nothing an app can forget. Photos go in, `InvertedFace`s (W+ latents, the encoder's
/// features for SMART, the reconstruction) come out, batched; `render` decodes an inversion with
/// an `Edit` applied.
///
/// ```swift
/// let inverter = try Inverter()                                  // the bundled default model
/// let face = try inverter.invert(contentsOf: [photoURL])[0]
/// let smiling = try inverter.render(face, edit: .direction(smile), strength: 10)
/// ```
public final class Inverter {
    public let model: StylePrompterModel
    /// Photos per encoder pass.
    public var batchSize: Int
    /// SMART's weights (β₁, β₂): 1,1 is most faithful, lower values edit more freely.
    public var weights: SMARTWeights
    /// Whether decoding refines the 16×16 feature with SMART (false: the stage-1 output).
    public var useSMART = true

    public init(model: StylePrompterModel, batchSize: Int = 4, weights: SMARTWeights = .standard) {
        model.eval()
        self.model = model
        self.batchSize = max(1, batchSize)
        self.weights = weights
    }

    /// Loads a checkpoint (released `.pt`, our `.safetensors`, a training checkpoint); the bundled
    /// default model when none is named. `generator` supplies StyleGAN2 weights the file lacks.
    public convenience init(contentsOf url: URL = DefaultModel.model, generator: URL? = nil, batchSize: Int = 4) throws {
        self.init(model: try StylePrompterCheckpoint.load(contentsOf: url, generatorURL: generator), batchSize: batchSize)
    }

    /// The encoder's input side: photos are resized to it (antialiased bilinear, as the released code).
    public var imageSize: Int { model.encoder.configuration.imageSize }

    /// Inverts photos (any size; each is resized to `imageSize`²), in batches of `batchSize`:
    /// latents, features and the decoded reconstruction. Results do not depend on the batching.
    public func invert(_ images: [Image]) throws -> [InvertedFace] {
        try batches(of: images) { input in
            let (encoded, output) = GradientMode.withoutGradients { () -> (EncodedImages, Tensor) in
                let encoded = model.encode(input)
                return (encoded, model.decode(encoded, weights: weights, useSMART: useSMART))
            }
            let reconstructions = try Image.images(from: output)
            return (0..<input.shape[0]).map { index in
                let one = { (t: Tensor) in t.narrow(0, start: index, length: 1) }
                return InvertedFace(latents: one(encoded.latents), features: encoded.features.map(one),
                                    reconstruction: reconstructions[index], raw: one(output))
            }
        }
    }

    /// Encodes photos without decoding them (faster: what `--latents-only` needs): W+ latents and
    /// the features SMART would read, in batches of `batchSize`.
    public func encode(_ images: [Image]) throws -> [EncodedFace] {
        try batches(of: images) { input in
            let encoded = GradientMode.withoutGradients { model.encode(input) }
            return (0..<input.shape[0]).map { index in
                let one = { (t: Tensor) in t.narrow(0, start: index, length: 1) }
                return EncodedFace(latents: one(encoded.latents), features: encoded.features.map(one))
            }
        }
    }

    /// `body` on each batch of `images` as one tensor at the encoder's size.
    private func batches<R>(of images: [Image], _ body: (Tensor) throws -> [R]) throws -> [R] {
        var results: [R] = []
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let batch = images[start..<min(start + batchSize, images.count)].map { image in
                image.width == imageSize && image.height == imageSize ? image : image.resized(width: imageSize, height: imageSize)
            }
            results += try body(try Image.batchTensor(Array(batch)))
        }
        return results
    }

    /// Reads and inverts image files (PNG or JPEG; EXIF orientation applied).
    public func invert(contentsOf urls: [URL]) throws -> [InvertedFace] {
        try invert(urls.map { try Image(contentsOf: $0) })
    }

    /// Decodes `inversion` with `edit` applied at `strength` (SMART on the photo's own features).
    public func render(_ inversion: InvertedFace, edit: Edit, strength: Float) throws -> Image {
        let latents = try edit.apply(to: inversion.latents, strength: strength, generator: model.generator)
        let output = GradientMode.withoutGradients {
            model.decode(EncodedImages(latents: latents, features: inversion.features), weights: weights, useSMART: useSMART)
        }
        return try Image.images(from: output)[0]
    }
}

/// One inverted photo: its W+ latents [1, n, D], the encoder's features that SMART reads, and the
/// reconstruction (as an image, and unclamped [1, 3, H, W]).
public struct InvertedFace {
    public var latents: Tensor
    public var features: [Tensor]
    public var reconstruction: Image
    public var raw: Tensor
}

/// One encoded photo, not decoded: its W+ latents [1, n, D] and the encoder's features.
public struct EncodedFace {
    public var latents: Tensor
    public var features: [Tensor]
}
