import Checkpoints
import Foundation
import Imaging
import NeuralNetwork
import Perceptual
import SynthFaces
import Tensors

/// Trains an `AttributePredictor` on SynthFaces rendered on the fly (every label known), and
/// measures it on faces from seeds it never saw.
///
/// ```swift
/// let training = AttributePredictorTraining(size: 64, seed: 0)
/// try training.train(steps: 3000) { print($0) }
/// let quality = training.evaluate(count: 1000)        // accuracy per category, r per continuous label
/// try training.predictor.save(to: url)
/// ```
public final class AttributePredictorTraining {
    public let predictor: AttributePredictor
    public let optimizer: Adam
    public let size: Int
    public let seed: UInt64
    public let batchSize: Int
    /// The largest σ of the Gaussian blur shown on about half the training faces (0: none).
    public let blurMaximum: Float
    /// Adam's learning rate at step 0; `schedule` says how it moves from there.
    public let baseLearningRate: Float
    public let schedule: LearningRateSchedule
    /// The proportions of the training and evaluation faces.
    public let style: RenderStyle

    /// How the learning rate moves over a run.
    public enum LearningRateSchedule: String, CaseIterable, Sendable {
        /// The same rate at every step (the shipped predictor): the last step's weights are kept,
        /// so a run can end on a loss spike.
        case constant
        /// Half a cosine from the base rate at step 0 down to 0 at the last step, so the last
        /// steps move the weights little and a spike near the end cannot stay in them.
        case cosine

        /// The rate for `step` (0-based) of `steps`.
        public func learningRate(base: Float, step: Int, steps: Int) -> Float {
            switch self {
            case .constant: return base
            case .cosine:
                guard steps > 1 else { return base }
                let progress = Double(step) / Double(steps - 1)
                return Float(Double(base) * 0.5 * (1 + Foundation.cos(Double.pi * progress)))
            }
        }
    }

    /// The layout of SynthFaces' labels.
    public static var synthFacesLayout: AttributeLayout {
        AttributeLayout(names: FaceAttributes.labelNames, categorical: [
            "hairStyle": FaceAttributes.HairStyle.allCases.count, "glasses": FaceAttributes.Glasses.allCases.count,
            "frameColor": FaceAttributes.FrameColor.allCases.count,
        ])
    }

    public init(size: Int, seed: UInt64, batchSize: Int = 64, learningRate: Float = 1e-3,
                architecture: AttributePredictorArchitecture = .deep, blurMaximum: Float = 0,
                schedule: LearningRateSchedule = .constant, style: RenderStyle = .classic) {
        precondition(blurMaximum >= 0 && blurMaximum <= GaussianBlurAugmentation.maximumSigma, "blurMaximum in 0…\(GaussianBlurAugmentation.maximumSigma)")
        self.size = size
        self.blurMaximum = blurMaximum
        self.baseLearningRate = learningRate
        self.schedule = schedule
        self.style = style
        self.seed = seed
        self.batchSize = batchSize
        predictor = AttributePredictor(layout: Self.synthFacesLayout, architecture: architecture, generator: RandomGenerator(seed: seed))
        optimizer = Adam(parameters: predictor.parameters(), learningRate: learningRate)
    }

    /// Faces with seeds `first..<first+count` in `style`: images [N, 3, S, S] in [−1, 1] and label rows [N, L].
    public static func batch(first: UInt64, count: Int, size: Int, style: RenderStyle = .classic) throws -> (images: Tensor, labels: Tensor) {
        let faces = (0..<UInt64(count)).map { FaceAttributes(seed: first + $0) }
        let images = try Image.batchTensor(FaceRenderer.render(faces, size: size, style: style))
        return (images, Tensor(shape: [count, FaceAttributes.labelNames.count], scalars: faces.flatMap(\.labels)))
    }

    /// Adam steps on fresh faces (training seeds: block `seed`·2³²; evaluation uses another block),
    /// about half of them blurred when `blurMaximum` > 0 (the σ drawn from the seed and the step),
    /// at the learning rate `schedule` gives each step.
    public func train(steps: Int, report: (String) -> Void = { _ in }) throws {
        for step in 0..<steps {
            optimizer.learningRate = schedule.learningRate(base: baseLearningRate, step: step, steps: steps)
            var (images, labels) = try Self.batch(first: (seed << 32) + UInt64(step * batchSize), count: batchSize, size: size, style: style)
            if blurMaximum > 0 {
                let random = RandomGenerator(seed: (seed << 32) ^ (UInt64(step) &* 0x9E37_79B9_7F4A_7C15))
                images = GaussianBlurAugmentation.blurred(images, sigmas: GaussianBlurAugmentation.trainingSigmas(
                    count: batchSize, maximum: blurMaximum, random: random))
            }
            let (loss, terms) = predictor.loss(predictor(images), labels: labels)
            optimizer.zeroGradients()
            loss.backward()
            optimizer.step()
            if (step + 1) % 100 == 0 || step + 1 == steps {
                report(String(format: "step %d/%d · loss %.4f · continuous %.4f", step + 1, steps, terms["loss"]!, terms["loss_continuous"]!))
            }
        }
    }

    /// On `count` faces from the evaluation block, each blurred with σ `blur` (0: as rendered):
    /// accuracy per category and Pearson r per continuous label.
    public func evaluate(count: Int = 1000, blur: Float = 0) throws -> [String: Double] {
        var predicted: [[Float]] = [], truth: [[Float]] = []
        for start in stride(from: 0, to: count, by: batchSize) {
            let n = min(batchSize, count - start)
            var (images, labels) = try Self.batch(first: Self.evaluationSeedBase + UInt64(start), count: n, size: size, style: style)
            if blur > 0 { images = GaussianBlurAugmentation.blurred(images, sigmas: Array(repeating: blur, count: n)) }
            predicted += GradientMode.withoutGradients { predictor.predictedLabels(predictor(images)) }
            let width = labels.shape[1], values = labels.scalars
            truth += (0..<n).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
        }
        return Self.agreement(predicted: predicted, truth: truth, layout: predictor.layout)
    }

    /// Seeds no training uses (bit 62 set).
    public static let evaluationSeedBase: UInt64 = 1 << 62

    /// Accuracy for categories, Pearson r for continuous labels, between two sets of label rows.
    public static func agreement(predicted: [[Float]], truth: [[Float]], layout: AttributeLayout) -> [String: Double] {
        var result: [String: Double] = [:]
        for (column, name) in layout.names.enumerated() {
            let p = predicted.map { Double($0[column]) }, t = truth.map { Double($0[column]) }
            if layout.categories.contains(where: { $0.name == name }) {
                result[name] = Double(zip(p, t).filter { $0 == $1 }.count) / Double(max(p.count, 1))
            } else {
                result[name] = pearson(p, t)
            }
        }
        return result
    }

    public static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        guard n > 1 else { return 0 }
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        let cov = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
        let va = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }, vb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }
        return va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
    }
}
