import Checkpoints
import Dispatch
import Faces
import Foundation
import Imaging
import Inversion
import StyleGAN
import Tensors

/// The editor's model work, run one call at a time on a serial queue of its own: the model is
/// not safe to call from two threads, and its CPU-bound kernels must keep NIO's event loops and
/// Swift's cooperative pool free. The encoder runs once per upload; an edit re-runs only the
/// generator (with SMART on the photo's cached features).
///
/// Every method hops onto the queue; the model, the catalog's tensors and the sessions' tensors
/// are touched nowhere else.
package final class EditorEngine: @unchecked Sendable {
    /// What the page needs to know about the model.
    package struct Summary: Codable, Sendable {
        /// Side of the generator's output and of previews.
        package let size: Int
        package let previewSize: Int
        /// Side of the encoder's input.
        let encoderSize: Int
        package let latentCount: Int
        package let styleDimension: Int
        package let hasSMART: Bool
        /// Whether uploads may ask for face alignment (the server has MTCNN weights).
        package let canAlign: Bool
    }

    /// A picture for the client and its media type.
    package struct Picture: Sendable {
        let bytes: [UInt8]
        let contentType: String
        /// Seconds the model queue spent on it.
        let seconds: Double
    }

    package let summary: Summary
    package let sliders: [EditSlider]
    private let model: StylePrompterModel
    private let catalog: SliderCatalog
    private let detector: MTCNN?
    private let defaultWeights: SMARTWeights
    private let limits: EditorLimits
    private let queue = DispatchQueue(label: "styleprompter.serve.model", qos: .userInitiated)

    /// `previewSize` nil: a quarter of the output side, at least 32 and at most 256 (64 px → 32, 1024 → 256).
    package init(model: StylePrompterModel, sliders sources: SliderSources, detector: MTCNN?, previewSize: Int?,
         defaultWeights: SMARTWeights, limits: EditorLimits) throws {
        model.eval()
        let size = model.generator.configuration.size
        let preview = previewSize ?? min(256, max(32, size / 4))
        guard preview >= 4, preview <= size, preview & (preview - 1) == 0 else {
            throw SliderError("preview size \(preview) must be a power of two from 4 to the model's \(size)")
        }
        self.model = model
        self.catalog = try SliderCatalog(sources: sources, generator: model.generator)
        self.sliders = catalog.sliders
        self.detector = detector
        self.defaultWeights = defaultWeights
        self.limits = limits
        self.summary = Summary(size: size, previewSize: min(preview, size), encoderSize: model.encoder.configuration.imageSize,
                               latentCount: model.generator.configuration.latentCount,
                               styleDimension: model.generator.configuration.styleDimension,
                               hasSMART: model.smart != nil, canAlign: detector != nil)
    }

    /// Runs `work` on the model queue and returns its result to the awaiting task.
    private func onModelQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Decodes, checks and encodes an upload; with `align`, the largest face is detected and
    /// FFHQ-aligned first (422 when there is none).
    package func invert(_ upload: [UInt8], align: Bool) async throws -> EditorSession {
        if align && detector == nil {
            throw EditorError(.badRequest, "face alignment is off on this server: start it with --align (and MTCNN weights)")
        }
        return try await onModelQueue { [self] in
            let photo = try UploadedPhoto.decode(upload, maximumPixels: limits.maximumPixels)
            let side = summary.encoderSize
            var input: Image
            var kept: Image?
            var transform: AlignmentTransform?
            if align, let detector {
                // Detection, alignment and paste-back all work on the kept (bounded) copy.
                let longer = max(photo.width, photo.height)
                let scaled = longer <= limits.keptPhotoSide ? photo
                    : photo.resized(width: max(1, photo.width * limits.keptPhotoSide / longer),
                                    height: max(1, photo.height * limits.keptPhotoSide / longer))
                guard let face = FaceSelection().faces(in: detector.detect(scaled)).first else {
                    throw EditorError(.unprocessableContent, "no face found in the photo (upload it without alignment to invert it as it is)")
                }
                let aligned = try FaceAlignment.align(scaled, face: face, outputSize: side)
                (input, kept, transform) = (aligned.image, scaled, aligned.transform)
            } else {
                input = photo.width == side && photo.height == side ? photo : photo.resized(width: side, height: side)
            }
            let (encoded, stageOne, smart) = try GradientMode.withoutGradients {
                let encoded = model.encode(input.tensor())
                let stageOne = try Image.images(from: model.decode(encoded, useSMART: false))[0]
                let smart = try Image.images(from: model.decode(encoded, weights: defaultWeights))[0]
                return (encoded, stageOne, smart)
            }
            return EditorSession(encoded: encoded, inputPNG: input.pngData(), stageOnePNG: stageOne.pngData(),
                                 smartPNG: smart.pngData(), photo: kept, alignment: transform)
        }
    }

    /// The edited face (full size or preview) as PNG, or the photo with it pasted back as JPEG.
    package func render(_ session: EditorSession, _ request: RenderRequest) async throws -> Picture {
        try request.settings.validate(against: sliders)
        if request.view == .pasted && session.alignment == nil {
            throw EditorError(.badRequest, "the pasted view needs a photo uploaded with alignment")
        }
        return try await onModelQueue { [self] in
            let started = DispatchTime.now()
            if request.preview && request.view == .face {
                let image = try decode(session, request.settings, outputSize: summary.previewSize)
                return Picture(bytes: image.pngData(), contentType: "image/png", seconds: Self.seconds(since: started))
            }
            let face: Image
            if let last = session.lastRender, last.settings == request.settings {
                face = last.image
            } else {
                face = try decode(session, request.settings, outputSize: nil)
                session.lastRender = (request.settings, face)
            }
            guard request.view == .pasted, let photo = session.photo, let transform = session.alignment else {
                return Picture(bytes: face.pngData(), contentType: "image/png", seconds: Self.seconds(since: started))
            }
            let pasted = try PasteBack.paste(face, into: photo, transform: transform)
            // An uploaded PNG may be wider or taller than a JPEG can be: send those as PNG.
            guard JPEG.canHold(width: pasted.width, height: pasted.height) else {
                return Picture(bytes: pasted.pngData(), contentType: "image/png", seconds: Self.seconds(since: started))
            }
            return Picture(bytes: pasted.jpegData(quality: 92), contentType: "image/jpeg", seconds: Self.seconds(since: started))
        }
    }

    /// The edited W+ code as `.npy` ([1, n_latent, D] float32, as `invert` writes).
    func latents(_ session: EditorSession, _ settings: EditSettings) async throws -> Data {
        try settings.validate(against: sliders)
        return try await onModelQueue { [self] in
            let latents = try catalog.edited(session.encoded.latents, by: settings.edits)
            return try NumpyFile.data(StoredTensor(latents))
        }
    }

    /// Runs only the generator (SMART on the session's features). Call on the model queue.
    private func decode(_ session: EditorSession, _ settings: EditSettings, outputSize: Int?) throws -> Image {
        try GradientMode.withoutGradients {
            let latents = try catalog.edited(session.encoded.latents, by: settings.edits)
            let edited = EncodedImages(latents: latents, features: session.encoded.features)
            let weights = SMARTWeights(settings.beta1, settings.beta2)
            let size = outputSize.map { min($0, summary.size) }
            return try Image.images(from: model.decode(edited, weights: weights, outputSize: size == summary.size ? nil : size))[0]
        }
    }

    private static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
