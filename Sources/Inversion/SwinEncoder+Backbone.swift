import Checkpoints
import Foundation
import NeuralNetwork
import Tensors

/// What initialising the encoder from a classifier checkpoint did.
public struct BackboneInitializationReport: CustomStringConvertible, Sendable {
    /// Encoder keys whose values came from the file.
    public var loaded: [String] = []
    /// Encoder keys the file lacks, left at their initialisation (the latent tokens,
    /// `dim_up_layers`, the W+ head — and any buffer derived from the window size).
    public var leftAtInitialization: [String] = []
    /// File keys the encoder has no use for (the classifier's final `norm` and `head`).
    public var ignored: [String] = []

    public var description: String {
        "loaded \(loaded.count) tensors; left at initialisation: \(leftAtInitialization.joined(separator: ", ")); ignored: \(ignored.joined(separator: ", "))"
    }
}

extension SwinEncoder {
    /// Initialises the Swin body from a Swin-V2 ImageNet checkpoint in the public layout
    /// (`{'model': state_dict}` of `swinv2_tiny_patch4_window16_256.pth`, or a bare state dict),
    /// as StylePrompter's training does with `load_state_dict(ckpt['model'], strict=False)`:
    /// matching keys are copied, the rest reported. A key present in both with a different
    /// shape is an error (as in PyTorch), naming the key — a checkpoint of another width or
    /// window does not fit this encoder. A StylePrompter model (`encoder.*`) gives a whole
    /// trained encoder to start from — for retraining it against a fine-tuned generator.
    @discardableResult
    public func initializeBackbone(contentsOf url: URL) throws -> BackboneInitializationReport {
        let contents = try CheckpointFile.load(contentsOf: url)
        // A StylePrompter model file (ours or the released checkpoint) holds a whole encoder
        // under `encoder.`: every key then matches, latent tokens and head included.
        let prefix = ["model.", "encoder."].first { contents.tensors.containsKeys(under: $0) } ?? ""
        let weights = try contents.tensors.tensors(under: prefix)
        var report = BackboneInitializationReport()
        var values: [String: Tensor] = [:]
        let own = stateDictionary()
        for (key, tensor) in own {
            guard let value = weights[key] else {
                report.leftAtInitialization.append(key)
                continue
            }
            guard value.shape == tensor.shape else {
                throw CheckpointError(.malformed, file: url.lastPathComponent,
                                      "'\(prefix)\(key)' has shape \(value.shape), the encoder's is \(tensor.shape)")
            }
            values[key] = value
            report.loaded.append(key)
        }
        let ownKeys = Set(own.map(\.key))
        report.ignored = weights.keys.filter { !ownKeys.contains($0) }.sorted()
        try load(stateDictionary: values, strict: false, source: url.lastPathComponent)
        return report
    }
}
