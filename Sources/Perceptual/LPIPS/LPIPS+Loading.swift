import Checkpoints
import Foundation
import NeuralNetwork
import Tensors

/// Building LPIPS from the files the ecosystem has.
///
/// The linear heads ship with LPIPS (`v0.1_alex.pth`, a legacy-format `.pth`); the AlexNet trunk
/// is torchvision's ImageNet model, which the user supplies. Any mix of these layouts is
/// accepted, in one file or spread over several (`module.` prefixes from `DataParallel` are
/// dropped):
///
/// | layout | trunk keys | head keys |
/// |---|---|---|
/// | torchvision `alexnet().state_dict()` | `features.{0,3,6,8,10}.{weight,bias}` (`classifier.*` ignored) | — |
/// | pSp / e4e / StylePrompter `criteria.lpips.LPIPS` state dict | `net.layers.N.*` (`net.mean`, `net.std` ignored) | `lin.K.1.weight` |
/// | richzhang `lpips.LPIPS` state dict (also rosinality's copy) | `net.sliceS.N.*` | `linK.model.1.weight` |
/// | LPIPS head file (`weights/v0.1/alex.pth`) | — | `linK.model.1.weight` |
/// | pSp's renamed head dict (`get_state_dict`) | — | `K.1.weight` |
///
/// The scaling-layer constants (`scaling_layer.shift/scale`, `net.mean/std`) are ignored: they
/// are fixed by LPIPS v0.1. The trunk widths are read from the weights, so reduced-width trunks
/// load too. Loading is strict: every trunk and head tensor must be found, with its shape.
extension LPIPS {
    /// An LPIPS metric from `files` (trunk and heads, in any of the layouts above).
    ///
    /// ```swift
    /// let lpips = try LPIPS.load(from: [alexnetURL, shared.appending(path: "lpips/v0.1_alex.pth")])
    /// ```
    public static func load(from files: [URL]) throws -> LPIPS {
        var weights: [String: Tensor] = [:]
        for file in files {
            let contents = try CheckpointFile.load(contentsOf: file)
            var recognized = 0
            for (key, tensor) in try contents.tensors.tensors() {
                guard let canonical = canonicalKey(key) else { continue }
                weights[canonical] = tensor
                recognized += 1
            }
            if recognized == 0 {
                throw PerceptualError.unrecognizedLayout(
                    file: file.lastPathComponent,
                    detail: "no LPIPS trunk (features.N / net.layers.N / net.sliceS.N) or head (linK.model.1 / lin.K.1) keys among \(contents.tensors.keys.prefix(6))")
            }
        }
        let channels = try AlexNetFeatures.convolutionIndices.map { index -> Int in
            guard let weight = weights["net.layers.\(index).weight"], weight.rank == 4 else {
                throw PerceptualError.unrecognizedLayout(
                    file: files.map(\.lastPathComponent).joined(separator: ", "),
                    detail: "no AlexNet trunk weight for features.\(index) (torchvision alexnet layout expected)")
            }
            return weight.shape[0]
        }
        let lpips = Initialization.withoutDrawing { LPIPS(channels: channels) }   // loaded strictly next
        try lpips.load(stateDictionary: weights, strict: true, source: files.map(\.lastPathComponent).joined(separator: " + "))
        return lpips
    }

    /// An LPIPS metric from a trunk file and (when the trunk file holds no heads) a head file.
    public static func load(trunk: URL, heads: URL? = nil) throws -> LPIPS {
        try load(from: [trunk] + (heads.map { [$0] } ?? []))
    }

    /// The key `key` has in this module (`net.layers.N.weight`, `lin.K.1.weight`), or nil for
    /// keys that carry nothing LPIPS needs.
    public static func canonicalKey(_ key: String) -> String? {
        var parts = key.split(separator: ".").map(String.init)
        while parts.first == "module" { parts.removeFirst() }
        guard let last = parts.last, last == "weight" || last == "bias" else { return nil }
        switch parts.count {
        case 3 where parts[0] == "features":                    // features.N.weight
            return "net.layers.\(parts[1]).\(last)"
        case 4 where parts[0] == "net" && parts[1] == "layers":  // net.layers.N.weight
            return parts.joined(separator: ".")
        case 4 where parts[0] == "net" && parts[1].hasPrefix("slice"):  // net.sliceS.N.weight
            return "net.layers.\(parts[2]).\(last)"
        case 4 where parts[0] == "lin" && parts[2] == "1":       // lin.K.1.weight
            return parts.joined(separator: ".")
        case 4 where parts[0].hasPrefix("lin") && parts[1] == "model" && parts[2] == "1":  // linK.model.1.weight
            return "lin.\(parts[0].dropFirst(3)).1.\(last)"
        case 3 where Int(parts[0]) != nil && parts[1] == "1":    // K.1.weight (pSp's renamed heads)
            return "lin.\(parts[0]).1.\(last)"
        default:
            return nil
        }
    }
}

extension AlexNetFeatures {
    /// Indices of the five convolutions in `layers` (torchvision's `features`).
    public static let convolutionIndices = [0, 3, 6, 8, 10]
}
