import Checkpoints
import Foundation
import NeuralNetwork
import Tensors

/// Reading ArcFace weights: pSp's `model_ir_se50.pth` is a bare `Backbone.state_dict()`
/// (`input_layer.*`, `body.N.*`, `output_layer.*`, BatchNorm buffers included). Keys under
/// `module.` (DataParallel) or `facenet.` (a saved pSp `IDLoss`) are accepted too.
extension IRSEBackbone {
    /// The backbone stored in `url`, its configuration read from the weights (`inferConfiguration`).
    /// Strict: every key must be present with its shape, and nothing may be left over.
    public static func load(contentsOf url: URL, featureTaps: [Int] = [2, 6, 20, 23]) throws -> IRSEBackbone {
        let contents = try CheckpointFile.load(contentsOf: url)
        var weights: [String: Tensor] = [:]
        for (key, tensor) in try contents.tensors.tensors() {
            var name = Substring(key)
            for prefix in ["module.", "facenet."] where name.hasPrefix(prefix) { name = name.dropFirst(prefix.count) }
            weights[String(name)] = tensor
        }
        var configuration = try inferConfiguration(from: weights, file: url.lastPathComponent)
        configuration.featureTaps = featureTaps
        let backbone = Initialization.withoutDrawing { IRSEBackbone(configuration: configuration) }   // loaded strictly next
        try backbone.load(stateDictionary: weights, strict: true, source: url.lastPathComponent)
        return backbone
    }

    /// The configuration a state dict describes: stem width from `input_layer.0`, one stage per
    /// depth change (a unit with a convolutional shortcut, or the first unit), IR-SE when units
    /// hold `res_layer.5.fc1`, input size from the embedding Linear's fan-in, affine final norm
    /// when `output_layer.4.weight` exists.
    public static func inferConfiguration(from weights: [String: Tensor], file: String) throws -> IRSEConfiguration {
        func shape(_ key: String) throws -> [Int] {
            guard let t = weights[key] else {
                throw PerceptualError.unrecognizedLayout(file: file, detail: "no '\(key)': not an ArcFace IR/IR-SE Backbone state dict")
            }
            return t.shape
        }
        let stem = try shape("input_layer.0.weight")[0]
        var unitCount = 0
        while weights["body.\(unitCount).res_layer.1.weight"] != nil { unitCount += 1 }
        guard unitCount > 0 else {
            throw PerceptualError.unrecognizedLayout(file: file, detail: "no 'body.0.res_layer.1.weight': not an ArcFace Backbone state dict")
        }
        var stages: [IRSEConfiguration.Stage] = []
        for unit in 0..<unitCount {
            let depth = try shape("body.\(unit).res_layer.1.weight")[0]
            if unit == 0 || weights["body.\(unit).shortcut_layer.0.weight"] != nil {
                stages.append(.init(depth: depth, units: 1))
            } else {
                stages[stages.count - 1].units += 1
            }
        }
        let squeeze = weights["body.0.res_layer.5.fc1.weight"] != nil
        let reduction = squeeze ? try stages[0].depth / shape("body.0.res_layer.5.fc1.weight")[0] : 16
        let linear = try shape("output_layer.3.weight")
        let last = stages.last!.depth
        let side = Int(Double(linear[1] / last).squareRoot().rounded())
        guard side * side * last == linear[1] else {
            throw PerceptualError.unrecognizedLayout(file: file, detail: "output_layer.3.weight \(linear) does not fit \(last) channels")
        }
        return IRSEConfiguration(inputSize: side * 16, stemChannels: stem, stages: stages, squeezeExcitation: squeeze,
                                 reduction: reduction, embeddingSize: linear[0],
                                 affineEmbeddingNorm: weights["output_layer.4.weight"] != nil)
    }
}
