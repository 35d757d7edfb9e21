import Foundation
import Imaging
import Inversion
import Perceptual
import StyleGAN
import SynthFaces
import Tensors

/// What `styleprompter demo` shows: fresh SynthFaces (seeds no training run reads) inverted by
/// stage 1 and by SMART, then edited along named directions — as images, per-face reconstruction
/// metrics and, per edit, the attribute predictor's reading of the edited attribute and of
/// everything else.
///
/// ```swift
/// let demo = SynthFacesDemo(model: model, predictor: predictor, predictorSize: 64)
/// let result = try demo.run(count: 6, edits: [("smile", smileDirection)], strength: 3)
/// ```
public struct SynthFacesDemo {
    public let model: StylePrompterModel
    public let predictor: AttributePredictor
    public let predictorSize: Int
    /// The proportions the faces are rendered with: those of the model's training data.
    public let style: RenderStyle
    /// First seed of the demo faces: inside the evaluation range, past the faces `eval-synthfaces` uses.
    public static let seedBase = SynthFacesEvaluation.seedBase + 5_000_000

    public init(model: StylePrompterModel, predictor: AttributePredictor, predictorSize: Int, style: RenderStyle = .classic) {
        self.style = style
        model.eval()
        predictor.eval()
        self.model = model
        self.predictor = predictor
        self.predictorSize = predictorSize
    }

    /// One face: the render, the two reconstructions, and per edit the images at −strength and +strength.
    public struct Face {
        public var seed: UInt64
        public var input: Image
        public var stageOne: Image
        public var smart: Image
        public var edits: [(negative: Image, positive: Image)]
        /// MSE, PSNR, SSIM of stage 1 and of SMART against the input.
        public var stageOneMetrics: [String: Double]
        public var smartMetrics: [String: Double]
    }

    /// Per edit: the predictor's mean reading of the edited attribute at −s, 0 and +s, and the
    /// largest mean absolute change (+s against −s) among the other continuous attributes.
    public struct EditSummary {
        public var name: String
        public var target: [Double]
        public var largestOther: (name: String, change: Double)
    }

    public struct Result {
        public var faces: [Face]
        public var edits: [EditSummary]
        public var strength: Float
    }

    /// Renders `count` faces at the encoder's size, inverts them and applies each edit at ±`strength`.
    public func run(count: Int, edits: [(name: String, direction: Tensor)], strength: Float) throws -> Result {
        let side = model.encoder.configuration.imageSize
        let (images, _) = try SynthFacesEvaluation.faces(first: Self.seedBase, count: count, size: side, style: style)
        let pool = { (t: Tensor) in t.shape[2] == side ? t : t.adaptiveAveragePool2d(outputHeight: side, outputWidth: side) }
        let encoded = GradientMode.withoutGradients { model.encode(images) }
        let (stageOne, smart) = GradientMode.withoutGradients {
            (pool(model.decode(encoded, useSMART: false)), pool(model.decode(encoded)))
        }
        var faces: [Face] = []
        let inputs = try Image.images(from: images), firsts = try Image.images(from: stageOne), finals = try Image.images(from: smart)
        for index in 0..<count {
            let one = { (t: Tensor) in t.narrow(0, start: index, length: 1) }
            faces.append(Face(seed: Self.seedBase + UInt64(index), input: inputs[index], stageOne: firsts[index], smart: finals[index],
                              edits: [], stageOneMetrics: metrics(one(stageOne), one(images)), smartMetrics: metrics(one(smart), one(images))))
        }
        let layout = predictor.layout
        var summaries: [EditSummary] = []
        for (name, direction) in edits {
            var readings: [[[Float]]] = []   // [−s, 0, +s][face][label]
            var pictures: [[Image]] = []
            for s in [-strength, 0, strength] {
                let latents = try LatentEditing.apply(direction, to: encoded.latents, strength: s)
                let edited = s == 0 ? smart : GradientMode.withoutGradients {
                    pool(model.decode(EncodedImages(latents: latents, features: encoded.features)))
                }
                readings.append(predicted(edited))
                pictures.append(try Image.images(from: edited))
            }
            for index in 0..<count { faces[index].edits.append((pictures[0][index], pictures[2][index])) }
            let column = layout.names.firstIndex(of: name)
            // Categories (glasses, hair style) read as the fraction of faces predicted in a class other than 0.
            let isCategory = column.map { c in layout.categories.contains { $0.name == layout.names[c] } } ?? false
            let mean = { (rows: [[Float]], c: Int) in
                rows.reduce(0.0) { $0 + (isCategory ? ($1[c] != 0 ? 1 : 0) : Double($1[c])) } / Double(rows.count)
            }
            let target = column.map { c in readings.map { mean($0, c) } } ?? []
            var largest = (name: "", change: 0.0)
            for (c, other) in layout.names.enumerated() where c != column && !layout.categories.contains(where: { $0.name == other }) {
                let change = (0..<count).reduce(0.0) { $0 + abs(Double(readings[2][$1][c] - readings[0][$1][c])) } / Double(count)
                if change > largest.change { largest = (other, change) }
            }
            summaries.append(EditSummary(name: name, target: target, largestOther: largest))
        }
        return Result(faces: faces, edits: summaries, strength: strength)
    }

    func metrics(_ output: Tensor, _ target: Tensor) -> [String: Double] {
        SynthFacesEvaluation.meanMetrics(output, target)
    }

    /// The predictor's labels, exactly as `eval-synthfaces` reads them.
    func predicted(_ images: Tensor) -> [[Float]] {
        SynthFacesEvaluation(predictor: predictor, predictorSize: predictorSize).predicted(images)
    }
}
