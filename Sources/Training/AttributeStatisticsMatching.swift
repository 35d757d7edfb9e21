import Perceptual
import Tensors

/// A generator loss that makes what the attribute predictor reads on generated faces vary as
/// much as it does on real ones: per reading (each continuous attribute, each class probability
/// of a category), the batch mean and standard deviation of the fakes are pulled towards those of
/// the real data, in units of the real deviation:
///
///     weight · mean over readings of ((μ_fake − μ_real)² + (σ_fake − σ_real)²) / σ_real²
///
/// Why: a small StyleGAN2 trained on SynthFaces learns the large things (hair, skin, pose) and
/// leaves small ones nearly constant — its mouths barely vary, so no direction in W can smile.
/// The discriminator alone tolerates that for hundreds of kimg; this term names the collapse
/// directly (the predictor's smile reading has a fraction of the real spread) while D keeps the
/// added variety looking like the data. It is moment matching (Salimans et al. 2016's feature
/// matching) on the predictor's readings rather than on D's features.
///
/// ```swift
/// let (predictor, size) = try AttributePredictor.load(contentsOf: url)
/// let term = try AttributeStatisticsMatching(predictor: predictor, imageSize: size, weight: 1, realImages: batches, only: ["smile"])
/// let loss = term.loss(fakeImages)            // scalar, differentiable with respect to the images
/// ```
public struct AttributeStatisticsMatching {
    public let predictor: AttributePredictor
    public let imageSize: Int
    public let weight: Float
    /// The columns of `readings` the term matches (all of them by default; `--attribute-readings`
    /// names a few, so that a generator short of one attribute's variety is pulled on that alone).
    public let columns: [Int]
    /// The real data's mean and standard deviation of each matched reading (`columns` order).
    public let realMean: [Float]
    public let realDeviation: [Float]

    /// Deviations below this (a reading that hardly varies in the data) are raised to it, so the
    /// term does not divide by almost nothing.
    public static let minimumDeviation: Float = 1e-3

    /// Measures the real statistics on `realImages` (batches [B, 3, H, W] in [−1, 1]; together a
    /// few thousand images give stable values). `only` names the readings to match
    /// (`readingNames`); nil matches all. A name the predictor does not read is refused.
    public init(predictor: AttributePredictor, imageSize: Int, weight: Float, realImages: [Tensor], only: [String]? = nil) throws {
        let names = Self.readingNames(predictor.layout)
        if let only {
            guard !only.isEmpty else { throw AttributeStatisticsError.noReadings }
            columns = try only.map { name in
                guard let column = names.firstIndex(of: name) else { throw AttributeStatisticsError.unknownReading(name, known: names) }
                return column
            }
        } else {
            columns = Array(names.indices)
        }
        predictor.setRequiresGradient(false)
        predictor.eval()
        self.predictor = predictor
        self.imageSize = imageSize
        self.weight = weight
        let columns = columns
        let readings = GradientMode.withoutGradients {
            Self.select(columns, of: Tensor.concat(realImages.map { Self.readings(of: $0, predictor: predictor, imageSize: imageSize) }, axis: 0))
        }
        let moments = ColumnMoments(readings)
        realMean = moments.mean.map { Float($0) }
        realDeviation = moments.deviation.map { max(Float($0), Self.minimumDeviation) }
    }

    /// The term on a batch of generated images (at least 2: a deviation needs two samples).
    public func loss(_ fakeImages: Tensor) -> Tensor {
        let readings = Self.select(columns, of: Self.readings(of: fakeImages, predictor: predictor, imageSize: imageSize))
        let columns = readings.shape[1]
        let mean = readings.mean(axes: [0])
        let deviation = ((readings - mean.reshape([1, columns])).pow(2).mean(axes: [0]) + 1e-8).sqrt()
        let scale = Tensor(shape: [columns], scalars: realDeviation.map { 1 / $0 })
        let target = Tensor(shape: [columns], scalars: realMean)
        let targetDeviation = Tensor(shape: [columns], scalars: realDeviation)
        let meanGap = ((mean - target) * scale).pow(2)
        let deviationGap = ((deviation - targetDeviation) * scale).pow(2)
        return (meanGap + deviationGap).mean() * weight
    }

    /// The fakes' spread of each reading as a fraction of the real spread (1 = as varied as the data).
    public func spreadRatios(_ fakeImages: Tensor) -> [String: Float] {
        let readings = GradientMode.withoutGradients { Self.select(columns, of: Self.readings(of: fakeImages, predictor: predictor, imageSize: imageSize)) }
        let deviation = ColumnMoments(readings).deviation
        let names = Self.readingNames(predictor.layout)
        var ratios: [String: Float] = [:]
        for (i, column) in columns.enumerated() where i < deviation.count && column < names.count {
            ratios[names[column]] = Float(deviation[i]) / realDeviation[i]
        }
        return ratios
    }

    /// The given columns of readings [B, R], in that order (all of them: the tensor itself).
    static func select(_ columns: [Int], of readings: Tensor) -> Tensor {
        if columns == Array(0..<readings.shape[1]) { return readings }
        return Tensor.concat(columns.map { readings.narrow(1, start: $0, length: 1) }, axis: 1)
    }

    /// The predictor's readings [B, R]: continuous values, then each category's class probabilities.
    static func readings(of images: Tensor, predictor: AttributePredictor, imageSize: Int) -> Tensor {
        let outputs = predictor(AttributePredictor.pooled(images, to: imageSize))
        let layout = predictor.layout
        var parts = [outputs.narrow(1, start: 0, length: layout.continuousNames.count)]
        var offset = layout.continuousNames.count
        for category in layout.categories {
            parts.append(outputs.narrow(1, start: offset, length: category.classes).softmax(axis: 1))
            offset += category.classes
        }
        return Tensor.concat(parts, axis: 1)
    }

    /// Names of the readings, in order: `smile`, …, then `glasses=0`, `glasses=1`, ….
    public static func readingNames(_ layout: AttributeLayout) -> [String] {
        layout.continuousNames + layout.categories.flatMap { category in (0..<category.classes).map { "\(category.name)=\($0)" } }
    }
}

/// Why an attribute-statistics term cannot be built.
public enum AttributeStatisticsError: Error, CustomStringConvertible {
    case noReadings
    case unknownReading(String, known: [String])

    public var description: String {
        switch self {
        case .noReadings: return "--attribute-readings: name at least one reading"
        case .unknownReading(let name, let known):
            return "--attribute-readings: the predictor has no reading '\(name)' (it reads \(known.joined(separator: ", ")))"
        }
    }
}
