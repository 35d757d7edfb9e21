import Foundation
import Imaging
import Inversion
import Perceptual
import StyleGAN
import SynthFaces
import Tensors

/// Ground-truth evaluation on SynthFaces rendered from seeds no training run uses: inversion
/// quality (stage 1 against SMART), attribute fidelity (the attribute predictor on the input
/// against the reconstruction), edit accuracy and disentanglement per direction, and a Fréchet
/// distance of a generator's samples against real renders (with the real-versus-real floor).
///
/// ```swift
/// let evaluation = SynthFacesEvaluation(predictor: predictor, predictorSize: 64)
/// let report = try evaluation.inversion(model: model, count: 200)
/// let edits = try evaluation.edits(model: model, directions: ["smile": d], count: 100)
/// ```
public struct SynthFacesEvaluation {
    public let predictor: AttributePredictor
    public let predictorSize: Int
    /// The proportions the faces are rendered with: those of the data the model was trained on.
    public let style: RenderStyle
    /// First seed of the evaluation faces (bit 62: no training stream reaches it).
    public static let seedBase: UInt64 = (1 << 62) + (1 << 40)
    /// Edit strengths (distance in W along a unit direction). The default model's encoder spreads
    /// faces 2–3 units along each shipped direction, and visible edits through SMART (which pulls
    /// towards the input) need about 10.
    public static let editStrengths: [Float] = [-10, -5, 0, 5, 10]

    public init(predictor: AttributePredictor, predictorSize: Int, style: RenderStyle = .classic) {
        predictor.eval()
        self.predictor = predictor
        self.predictorSize = predictorSize
        self.style = style
    }

    /// Faces `first..<first+count` at `size` in `style`: images [N, 3, S, S] and their true label rows.
    public static func faces(first: UInt64, count: Int, size: Int, style: RenderStyle = .classic) throws -> (images: Tensor, labels: [[Float]]) {
        let attributes = (0..<UInt64(count)).map { FaceAttributes(seed: first + $0) }
        return (try Image.batchTensor(FaceRenderer.render(attributes, size: size, style: style)), attributes.map(\.labels))
    }

    /// The predictor's labels for `images` [B, 3, S, S] (pooled to its input size when S differs).
    public func predicted(_ images: Tensor) -> [[Float]] {
        GradientMode.withoutGradients {
            predictor.predictedLabels(predictor(AttributePredictor.pooled(images, to: predictorSize)))
        }
    }

    /// Mean MSE, PSNR and SSIM of `output` against `target` (the inversion metrics).
    static func meanMetrics(_ output: Tensor, _ target: Tensor) -> [String: Double] {
        var summary = MetricSummary()
        InversionMetrics().evaluate(output, target, into: &summary)
        return Dictionary(uniqueKeysWithValues: ["mse", "psnr", "ssim"].compactMap { name in summary.statistic(name).map { (name, $0.mean) } })
    }

    func embeddings(_ images: Tensor) -> Tensor {
        GradientMode.withoutGradients {
            let x = images.shape[2] == predictorSize ? images : images.adaptiveAveragePool2d(outputHeight: predictorSize, outputWidth: predictorSize)
            return predictor.embedding(x)
        }
    }

    /// MSE, PSNR and SSIM at the encoder's input size for the stage-1 output and the SMART
    /// output, and attribute agreement (predictor on the input vs on each output; and the
    /// predictor's own agreement with the true labels, the ceiling).
    public func inversion(model: StylePrompterModel, count: Int, batch: Int = 8) throws -> [String: Double] {
        model.eval()
        let side = model.encoder.configuration.imageSize
        var stageOne = MetricSummary(), refined = MetricSummary()
        var onInput: [[Float]] = [], onStageOne: [[Float]] = [], onRefined: [[Float]] = [], truth: [[Float]] = []
        for start in stride(from: 0, to: count, by: batch) {
            let n = min(batch, count - start)
            let (images, labels) = try Self.faces(first: Self.seedBase + UInt64(start), count: n, size: side, style: style)
            let (first, final) = GradientMode.withoutGradients { () -> (Tensor, Tensor) in
                let encoded = model.encode(images)
                let pool = { (t: Tensor) in t.adaptiveAveragePool2d(outputHeight: side, outputWidth: side) }
                let first = pool(model.decode(encoded, useSMART: false))
                return (first, model.smart == nil ? first : pool(model.decode(encoded)))
            }
            InversionMetrics().evaluate(first, images, into: &stageOne)
            InversionMetrics().evaluate(final, images, into: &refined)
            onInput += predicted(images); onStageOne += predicted(first); onRefined += predicted(final); truth += labels
        }
        var result: [String: Double] = [:]
        for name in ["mse", "psnr", "ssim"] {
            result["stage1_" + name] = stageOne.statistic(name)?.mean
            result["smart_" + name] = refined.statistic(name)?.mean
        }
        let layout = predictor.layout
        let fidelity = { (a: [[Float]], b: [[Float]]) in AttributePredictorTraining.agreement(predicted: a, truth: b, layout: layout) }
        for (prefix, rows) in [("fidelity_stage1", onStageOne), ("fidelity_smart", onRefined)] {
            for (name, value) in fidelity(rows, onInput) { result["\(prefix).\(name)"] = value }
        }
        for (name, value) in fidelity(onInput, truth) { result["predictor_vs_truth.\(name)"] = value }
        return result
    }

    /// Per direction: the predicted change of its own attribute per unit strength (slope over
    /// `strengths`), the fraction of faces whose prediction moves monotonically, and the mean
    /// absolute change per unit strength of every other continuous attribute (disentanglement:
    /// lower is better), and per other category the fraction of faces on which it appears or
    /// vanishes (`presenceChangeKey`: glasses, hair style). A direction named `NAME=k` targets
    /// class k of category NAME (score: the fraction predicted as k); a bare category name targets
    /// "any class but 0". A name with the
    /// suffix `_rows` (a direction restricted to some W+ rows, `EditRows`) targets the attribute before it.
    public func edits(model: StylePrompterModel, directions: [String: Tensor], count: Int,
                      strengths: [Float] = SynthFacesEvaluation.editStrengths, weights: SMARTWeights = .standard) throws -> [String: [String: Double]] {
        let requests = directions.map { name, direction in
            EditRequest(key: name, attribute: name.hasSuffix(EditRows.suffix) ? String(name.dropLast(EditRows.suffix.count)) : name, direction: direction)
        }
        return try editEffects(model: model, requests: requests, faces: Self.seedBase + 1_000_000, count: count, strengths: strengths, weights: weights)
    }

    /// The key prefix of an edit's appear-or-vanish fractions: `presence_changed_fraction.NAME` is
    /// the fraction of faces on which category NAME (class 0: none) appears or vanishes under the edit.
    public static let presenceChangeKey = "presence_changed_fraction."

    /// Whether an edit of `edited` is checked for making `category` appear or vanish: every
    /// category but the edited one, and but the frame colour, whose class 0 is black, not "none".
    static func checksPresence(of category: String, editing edited: String) -> Bool {
        category != edited && category != "frameColor"
    }

    /// One direction to measure: `attribute` names the predictor's column (`NAME` or `NAME=k`);
    /// `key` names the result.
    struct EditRequest {
        var key: String
        var attribute: String
        var direction: Tensor
    }

    /// The measurements `edits` describes, for each request, on faces `faces..<faces+count`
    /// (requests whose attribute the predictor does not read are left out).
    func editEffects(model: StylePrompterModel, requests: [EditRequest], faces first: UInt64, count: Int,
                     strengths: [Float], weights: SMARTWeights = .standard) throws -> [String: [String: Double]] {
        model.eval()
        let side = model.encoder.configuration.imageSize
        let layout = predictor.layout
        let (images, _) = try Self.faces(first: first, count: count, size: side, style: style)
        let encoded = GradientMode.withoutGradients { model.encode(images) }
        var results: [String: [String: Double]] = [:]
        // The least-edited strength: what an edit's appearing or vanishing categories are judged against.
        guard let reference = strengths.indices.min(by: { abs(strengths[$0]) < abs(strengths[$1]) }) else {
            throw TrainingError.configuration("edits need at least one strength")
        }
        for request in requests.sorted(by: { $0.key < $1.key }) {
            let parts = request.attribute.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let column = layout.names.firstIndex(of: parts[0]) else { continue }
            let isCategory = layout.categories.contains { $0.name == parts[0] }
            let targetClass = parts.count == 2 ? Float(parts[1]) : nil
            // predictions[strength][face] = label row
            var predictions: [[[Float]]] = []
            for strength in strengths {
                let edited = try LatentEditing.apply(request.direction, to: encoded.latents, strength: strength)
                let output = GradientMode.withoutGradients {
                    model.decode(EncodedImages(latents: edited, features: encoded.features), weights: weights)
                        .adaptiveAveragePool2d(outputHeight: side, outputWidth: side)
                }
                predictions.append(predicted(output))
            }
            func score(_ row: [Float]) -> Double {
                guard isCategory else { return Double(row[column]) }
                if let targetClass { return row[column] == targetClass ? 1 : 0 }
                return row[column] != 0 ? 1 : 0
            }
            let s = strengths.map(Double.init)
            let meanS = s.reduce(0, +) / Double(s.count)
            let varS = s.reduce(0) { $0 + ($1 - meanS) * ($1 - meanS) }
            func slope(_ values: [Double]) -> Double {
                let meanV = values.reduce(0, +) / Double(values.count)
                return zip(s, values).reduce(0) { $0 + ($1.0 - meanS) * ($1.1 - meanV) } / varS
            }
            let perStrengthScore = predictions.map { faces in faces.map(score).reduce(0, +) / Double(faces.count) }
            let monotonic = (0..<count).filter { face in
                let values = predictions.map { score($0[face]) }
                let rising = slope(perStrengthScore) >= 0
                return zip(values, values.dropFirst()).allSatisfy { rising ? $1 >= $0 - 1e-6 : $1 <= $0 + 1e-6 }
            }.count
            var others: [Double] = []
            for (otherColumn, otherName) in layout.names.enumerated() where otherColumn != column && !layout.categories.contains(where: { $0.name == otherName }) {
                let perFace = (0..<count).map { face in abs(slope(predictions.map { Double($0[face][otherColumn]) })) }
                others.append(perFace.reduce(0, +) / Double(count))
            }
            var result = ["change_per_unit": slope(perStrengthScore), "monotonic_fraction": Double(monotonic) / Double(count),
                          "others_mean_abs_change_per_unit": others.reduce(0, +) / Double(max(others.count, 1)),
                          "others_max_abs_change_per_unit": others.max() ?? 0]
            // The categories an edit should leave alone (a smile edit that draws glasses rims moves
            // no continuous attribute, but makes glasses appear): per other category, the fraction of
            // faces where it appears or vanishes — its predicted class is "none" (0) at some strength
            // and not at the least-edited one, or the reverse. Thin against thick glasses, or short
            // against long hair, is a finer reading that the predictor flips on soft outputs.
            for category in layout.categories where Self.checksPresence(of: category.name, editing: parts[0]) {
                let otherColumn = layout.names.firstIndex(of: category.name)!
                let changed = (0..<count).filter { face in
                    let present = predictions[reference][face][otherColumn] != 0
                    return predictions.contains { ($0[face][otherColumn] != 0) != present }
                }.count
                result[Self.presenceChangeKey + category.name] = Double(changed) / Double(count)
            }
            results[request.key] = result
        }
        return results
    }

    /// How the generator's samples compare with real renders in the predictor's eyes.
    public struct GeneratorComparison: Sendable {
        /// Fréchet distance of the embeddings: samples against renders, and two disjoint sets of renders (the floor).
        public var generated: Double
        public var floor: Double
        /// Per continuous attribute, the samples' standard deviation of the predicted value over the
        /// renders' (1 = as varied as the data; well below 1 = the generator leaves it nearly constant,
        /// and no direction in W can edit it).
        public var spread: [String: Double]
    }

    /// Fréchet distance of the predictor's embeddings: generator samples (truncation 1, stored
    /// noise) against real renders, and two disjoint sets of real renders (the floor); and the
    /// samples' spread of each attribute against the renders'.
    public func frechetDistance(generator: Generator, count: Int, batch: Int = 32) throws -> GeneratorComparison {
        generator.eval()
        let size = generator.configuration.size
        var real: [Tensor] = [], other: [Tensor] = [], fake: [Tensor] = []
        let random = RandomGenerator(seed: 0xFD)
        for start in stride(from: 0, to: count, by: batch) {
            let n = min(batch, count - start)
            real.append(embeddings(try Self.faces(first: Self.seedBase + 2_000_000 + UInt64(start), count: n, size: size, style: style).images))
            other.append(embeddings(try Self.faces(first: Self.seedBase + 3_000_000 + UInt64(start), count: n, size: size, style: style).images))
            let z = Tensor.randomNormal([n, generator.configuration.styleDimension], generator: random)
            fake.append(embeddings(GradientMode.withoutGradients { generator([z], noise: .stored) }))
        }
        let r = Tensor.concat(real, axis: 0), o = Tensor.concat(other, axis: 0), f = Tensor.concat(fake, axis: 0)
        let (realValues, fakeValues) = GradientMode.withoutGradients { (predictor.head(r), predictor.head(f)) }
        let realDeviation = ColumnMoments(realValues).deviation, fakeDeviation = ColumnMoments(fakeValues).deviation
        var spread: [String: Double] = [:]
        for (column, name) in predictor.layout.continuousNames.enumerated() where realDeviation[column] > 0 {
            spread[name] = fakeDeviation[column] / realDeviation[column]
        }
        return GeneratorComparison(generated: FrechetDistance.between(r, f), floor: FrechetDistance.between(r, o), spread: spread)
    }
}
