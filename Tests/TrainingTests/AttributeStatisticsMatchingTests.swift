import Foundation
import NeuralNetwork
import Perceptual
import Tensors
import Testing
import Training

@Suite struct AttributeStatisticsMatchingTests {
    static let layout = AttributeLayout(names: ["a", "kind", "b"], categorical: ["kind": 3])
    static let architecture = AttributePredictorArchitecture(layers: [.init(channels: 8, stride: 2), .init(channels: 8, stride: 2)])

    static func predictor() -> AttributePredictor {
        AttributePredictor(layout: layout, architecture: architecture, generator: RandomGenerator(seed: 11))
    }

    static func images(_ count: Int, seed: UInt64) -> Tensor {
        Tensor.randomUniform([count, 3, 16, 16], low: -1, high: 1, generator: RandomGenerator(seed: seed))
    }

    /// The readings an independent reading of the definition gives: continuous outputs, then
    /// each category's softmax.
    static func readings(_ predictor: AttributePredictor, _ images: Tensor) -> [[Double]] {
        let outputs = GradientMode.withoutGradients { predictor(images) }
        let width = outputs.shape[1], values = outputs.scalars
        return (0..<outputs.shape[0]).map { row in
            let r = values[(row * width)..<((row + 1) * width)].map(Double.init)
            let logits = Array(r[2..<5]), top = logits.max()!
            let e = logits.map { Foundation.exp($0 - top) }, total = e.reduce(0, +)
            return [r[0], r[1]] + e.map { $0 / total }
        }
    }

    /// The statistics are those of the real batches; the real batch itself costs nothing.
    @Test func realStatisticsAndAPerfectMatch() throws {
        let predictor = Self.predictor()
        let real = [Self.images(6, seed: 1), Self.images(6, seed: 2)]
        let term = try AttributeStatisticsMatching(predictor: predictor, imageSize: 16, weight: 3, realImages: real)
        #expect(AttributeStatisticsMatching.readingNames(Self.layout) == ["a", "b", "kind=0", "kind=1", "kind=2"])
        let rows = Self.readings(predictor, real[0]) + Self.readings(predictor, real[1])
        for c in 0..<5 {
            let column = rows.map { $0[c] }
            let mean = column.reduce(0, +) / 12
            let deviation = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 12).squareRoot()
            #expect(abs(Double(term.realMean[c]) - mean) < 1e-5, "mean of reading \(c)")
            #expect(abs(Double(term.realDeviation[c]) - max(deviation, 1e-3)) < 1e-5, "deviation of reading \(c)")
        }
        let both = Tensor.concat(real, axis: 0)
        #expect(term.loss(both).item() < 1e-5)
        #expect(term.spreadRatios(both).values.allSatisfy { abs($0 - 1) < 1e-3 || $0 == 0 })
    }

    /// A collapsed batch (one face repeated) has no spread: every reading costs its whole real
    /// deviation, plus its mean gap.
    @Test func aCollapsedBatchCostsItsMissingSpread() throws {
        let predictor = Self.predictor()
        let term = try AttributeStatisticsMatching(predictor: predictor, imageSize: 16, weight: 2, realImages: [Self.images(16, seed: 3)])
        let one = Self.images(1, seed: 4)
        let collapsed = Tensor.concat(Array(repeating: one, count: 5), axis: 0)
        let reading = Self.readings(predictor, one)[0]
        var expected = 0.0
        for c in 0..<5 {
            let mean = Double(term.realMean[c]), deviation = Double(term.realDeviation[c])
            // The fakes' deviation is √(0 + 1e-8): the term's guard against a zero square root.
            let missing = (1e-4 - deviation) / deviation
            expected += ((reading[c] - mean) / deviation) * ((reading[c] - mean) / deviation) + missing * missing
        }
        expected = 2 * expected / 5
        let loss = Double(term.loss(collapsed).item())
        #expect(abs(loss - expected) < 1e-3 * max(1, expected), "loss \(loss), expected \(expected)")
        #expect(term.spreadRatios(collapsed).values.allSatisfy { $0 < 1e-3 })
    }

    /// The gradient with respect to the images is the loss's (central differences at a few pixels),
    /// including the pooling to the predictor's size.
    @Test func gradientMatchesFiniteDifferences() throws {
        let predictor = Self.predictor()
        let term = try AttributeStatisticsMatching(predictor: predictor, imageSize: 16, weight: 1, realImages: [Self.images(8, seed: 5)])
        let large = Tensor.randomUniform([4, 3, 32, 32], low: -1, high: 1, generator: RandomGenerator(seed: 6))
        large.requiresGrad = true
        term.loss(large).backward()
        let analytic = large.grad!.scalars
        var values = large.detached().scalars
        let h: Float = 1e-2
        let random = RandomGenerator(seed: 7)
        for _ in 0..<12 {
            let i = Int(random.next() % UInt64(values.count))
            let original = values[i]
            values[i] = original + h
            let plus = GradientMode.withoutGradients { term.loss(Tensor(shape: large.shape, scalars: values)).item() }
            values[i] = original - h
            let minus = GradientMode.withoutGradients { term.loss(Tensor(shape: large.shape, scalars: values)).item() }
            values[i] = original
            let numeric = (plus - minus) / (2 * h)
            #expect(abs(numeric - analytic[i]) <= 2e-3 + 0.05 * abs(analytic[i]), "pixel \(i): numeric \(numeric), analytic \(analytic[i])")
        }
    }

    /// `only` keeps the named readings, in the order named: their statistics are the full term's,
    /// and the loss is the full term's formula over those readings alone.
    @Test func namedReadingsAreMatchedAlone() throws {
        let predictor = Self.predictor()
        let real = [Self.images(12, seed: 8)]
        let full = try AttributeStatisticsMatching(predictor: predictor, imageSize: 16, weight: 2, realImages: real)
        let some = try AttributeStatisticsMatching(predictor: predictor, imageSize: 16, weight: 2, realImages: real, only: ["kind=1", "a"])
        #expect(some.columns == [3, 0])
        #expect(some.realMean == [full.realMean[3], full.realMean[0]])
        #expect(some.realDeviation == [full.realDeviation[3], full.realDeviation[0]])
        let fakes = Self.images(6, seed: 9)
        let rows = Self.readings(predictor, fakes)
        var expected = 0.0
        for (i, c) in [3, 0].enumerated() {
            let column = rows.map { $0[c] }
            let mean = column.reduce(0, +) / 6
            let deviation = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6 + 1e-8).squareRoot()
            let scale = Double(some.realDeviation[i])
            let meanGap = (mean - Double(some.realMean[i])) / scale, deviationGap = (deviation - scale) / scale
            expected += meanGap * meanGap + deviationGap * deviationGap
        }
        expected = 2 * expected / 2
        let loss = Double(some.loss(fakes).item())
        #expect(abs(loss - expected) < 1e-4 * max(1, expected), "loss \(loss), expected \(expected)")
        #expect(Set(some.spreadRatios(fakes).keys) == ["kind=1", "a"])
    }

    /// A name the predictor does not read, or none at all, is refused with the names it does read.
    @Test func unknownReadingsAreRefused() {
        let predictor = Self.predictor()
        #expect(throws: AttributeStatisticsError.self) {
            _ = try AttributeStatisticsMatching(predictor: predictor, imageSize: 16, weight: 1, realImages: [Self.images(4, seed: 1)], only: ["smile"])
        }
        #expect(throws: AttributeStatisticsError.self) {
            _ = try AttributeStatisticsMatching(predictor: predictor, imageSize: 16, weight: 1, realImages: [Self.images(4, seed: 1)], only: [])
        }
        let error = AttributeStatisticsError.unknownReading("smile", known: ["a", "b"])
        #expect(error.description == "--attribute-readings: the predictor has no reading 'smile' (it reads a, b)")
    }
}
