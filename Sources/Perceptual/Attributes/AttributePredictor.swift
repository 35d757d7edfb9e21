import Foundation
import NeuralNetwork
import Tensors

/// A small CNN that reads a face's attributes back from its pixels: 3×3 convolutions (leaky
/// ReLU; `AttributePredictorArchitecture` says how many, how wide and which halve the size),
/// global average pooling and a linear head — continuous labels regressed, categories as logits
/// (`AttributeLayout`). Trained on SynthFaces' labels it is the
/// project's own measuring instrument: its pooled embedding gives a Fréchet distance, its
/// feature maps a perceptual distance (a trainable stand-in for LPIPS where those weights
/// cannot be had), and its predictions measure attribute fidelity and edit accuracy.
///
/// ```swift
/// let predictor = AttributePredictor(layout: layout, architecture: .deep, generator: RandomGenerator(seed: 0))
/// let (loss, terms) = predictor.loss(predictor(images), labels: labels)   // labels [B, names.count]
/// let distance = predictor.perceptualDistance(reconstruction, target)    // scalar, differentiable
/// ```
public final class AttributePredictor: Module {
    public let layout: AttributeLayout
    public let architecture: AttributePredictorArchitecture
    public var convs: [Conv2d]
    public var head: Linear

    /// `architecture` must be valid (`validate()`); files are checked before they get here.
    public init(layout: AttributeLayout, architecture: AttributePredictorArchitecture = .deep, generator: RandomGenerator? = nil) {
        self.layout = layout
        self.architecture = architecture
        var convs: [Conv2d] = []
        var channels = 3
        for layer in architecture.layers {
            convs.append(Conv2d(channels, layer.channels, kernelSize: 3, stride: layer.stride, padding: 1, generator: generator))
            channels = layer.channels
        }
        self.convs = convs
        head = Linear(channels, layout.outputCount, generator: generator)
    }

    /// The activation after each stride-2 convolution (one per scale: H/2 … ), and after the
    /// last convolution if that one keeps the size.
    public func featureMaps(_ images: Tensor) -> [Tensor] {
        var x = images
        var maps: [Tensor] = []
        for (conv, layer) in zip(convs, architecture.layers) {
            x = conv(x).leakyRelu(slope: 0.2)
            if layer.stride == 2 { maps.append(x) }
        }
        if architecture.layers.last?.stride != 2 { maps.append(x) }
        return maps
    }

    /// Global average of the last feature map: [B, embeddingWidth] (the Fréchet-distance features).
    public func embedding(_ images: Tensor) -> Tensor {
        featureMaps(images).last!.mean(axes: [2, 3])
    }

    /// Raw outputs [B, outputCount]: continuous predictions, then each category's logits.
    public func callAsFunction(_ images: Tensor) -> Tensor { head(embedding(images)) }

    /// `images` [B, 3, S, S] average-pooled to `size` × `size` (the side the predictor was trained
    /// at), or as they are when S is already that side: what every caller feeds the predictor.
    public static func pooled(_ images: Tensor, to size: Int) -> Tensor {
        images.shape[2] == size ? images : images.adaptiveAveragePool2d(outputHeight: size, outputWidth: size)
    }

    /// MSE over the continuous labels plus the mean cross-entropy of each category.
    /// `labels` [B, names.count] as a labels row (class indices for categories).
    public func loss(_ outputs: Tensor, labels: Tensor) -> (loss: Tensor, terms: [String: Float]) {
        let batch = outputs.shape[0]
        let continuous = layout.continuousNames.map { layout.names.firstIndex(of: $0)! }
        let labelRows = labels.scalars, width = layout.names.count
        let targets = Tensor(shape: [batch, continuous.count], scalars: (0..<batch).flatMap { b in continuous.map { labelRows[b * width + $0] } })
        let regression = (outputs.narrow(1, start: 0, length: continuous.count) - targets).pow(2).mean()
        var loss = regression
        var terms: [String: Float] = ["loss_continuous": regression.item()]
        var offset = continuous.count
        for category in layout.categories {
            let column = layout.names.firstIndex(of: category.name)!
            let logProbabilities = outputs.narrow(1, start: offset, length: category.classes).logSoftmax(axis: 1)
            var mask = [Float](repeating: 0, count: batch * category.classes)
            for b in 0..<batch {
                let c = min(max(Int(labelRows[b * width + column].rounded()), 0), category.classes - 1)
                mask[b * category.classes + c] = 1
            }
            let crossEntropy = -(logProbabilities * Tensor(shape: [batch, category.classes], scalars: mask)).sum() * (1 / Float(batch))
            terms["loss_\(category.name)"] = crossEntropy.item()
            loss = loss + crossEntropy
            offset += category.classes
        }
        terms["loss"] = loss.item()
        return (loss, terms)
    }

    /// Predicted label rows: continuous values and the most likely class of each category.
    public func predictedLabels(_ outputs: Tensor) -> [[Float]] {
        let batch = outputs.shape[0], count = layout.outputCount, values = outputs.scalars
        let continuous = layout.continuousNames
        return (0..<batch).map { b in
            let row = Array(values[(b * count)..<((b + 1) * count)])
            var labels = [Float](repeating: 0, count: layout.names.count)
            for (i, name) in continuous.enumerated() { labels[layout.names.firstIndex(of: name)!] = row[i] }
            var offset = continuous.count
            for category in layout.categories {
                let logits = row[offset..<(offset + category.classes)]
                labels[layout.names.firstIndex(of: category.name)!] = Float(logits.indices.max { logits[$0] < logits[$1] }! - offset)
                offset += category.classes
            }
            return labels
        }
    }

    /// LPIPS-style distance in this network's features: per layer, channel-normalised maps,
    /// squared difference averaged over channels and positions; summed over layers. [] → scalar.
    public func perceptualDistance(_ x: Tensor, _ y: Tensor) -> Tensor {
        let a = featureMaps(x), b = featureMaps(y)
        return zip(a, b).map { (fx, fy) in
            (fx.l2Normalized(axis: 1, epsilon: 1e-10) - fy.l2Normalized(axis: 1, epsilon: 1e-10)).pow(2).sum(axis: 1).mean()
        }.reduce(Tensor(Float(0)), +)
    }
}
