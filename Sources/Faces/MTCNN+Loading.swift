import Checkpoints
import Foundation
import NeuralNetwork
import Tensors

/// Reading MTCNN weights from a folder: pSp's `mtcnn_pytorch` files (`pnet.npy`, `rnet.npy`,
/// `onet.npy`, each a pickled dict of numpy arrays keyed like the modules here) or
/// facenet-pytorch's (`pnet.pt`, `rnet.pt`, `onet.pt`, state dicts with `dense*` layers that
/// flatten channels-last).
extension MTCNN {
    /// The three networks from `directory`, `.npy` files preferred over `.pt`.
    ///
    /// ```swift
    /// let detector = try MTCNN(weightsDirectory: URL(fileURLWithPath: "weights/mtcnn"))
    /// ```
    public convenience init(weightsDirectory directory: URL, options: Options = Options()) throws {
        // Built without random draws: each network is loaded strictly below.
        let (proposal, refinement, output) = Initialization.withoutDrawing { (ProposalNetwork(), RefinementNetwork(), OutputNetwork()) }
        for (name, network) in [("pnet", proposal), ("rnet", refinement), ("onet", output)] as [(String, Module)] {
            let numpy = directory.appendingPathComponent("\(name).npy"), torch = directory.appendingPathComponent("\(name).pt")
            if FileManager.default.fileExists(atPath: numpy.path) {
                let weights = try CheckpointFile.load(contentsOf: numpy).tensors.tensors()
                try network.load(stateDictionary: weights, strict: true, source: numpy.lastPathComponent)
            } else if FileManager.default.fileExists(atPath: torch.path) {
                let weights = try CheckpointFile.load(contentsOf: torch).tensors.tensors()
                try network.load(stateDictionary: Self.fromFacenetLayout(weights), strict: true, source: torch.lastPathComponent)
            } else {
                throw FacesError.missingWeights(directory: directory.path, network: name)
            }
        }
        self.init(proposal: proposal, refinement: refinement, output: output, options: options)
    }

    /// facenet-pytorch's keys → pSp's: convolutions and PReLUs move under `features.`, `dense4`/
    /// `dense5` become `features.conv4`/`features.conv5` with their input columns reordered from
    /// (width, height, channel) to (channel, width, height), `dense5_*`/`dense6_*` become
    /// `conv5_*`/`conv6_*`.
    static func fromFacenetLayout(_ weights: [String: Tensor]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        // The flattened feature map before the first dense layer: R-Net 64×3×3, O-Net 128×3×3.
        let denseInputs = ["dense4": (name: "features.conv4", channels: 64), "dense5": (name: "features.conv5", channels: 128)]
        for (key, tensor) in weights {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { result[key] = tensor; continue }
            let (layer, field) = (parts[0], parts[1])
            if let dense = denseInputs[layer] {
                result["\(dense.name).\(field)"] = field == "weight" ? channelsFirstColumns(tensor, channels: dense.channels, side: 3) : tensor
            } else if layer.hasPrefix("dense") {
                result["conv\(layer.dropFirst(5)).\(field)"] = tensor
            } else if layer.hasPrefix("conv") && layer.contains("_") {
                result[key] = tensor
            } else {
                result["features.\(key)"] = tensor
            }
        }
        return result
    }

    /// `[out, W·H·C]` columns (facenet's `permute(0, 3, 2, 1)`) → `[out, C·W·H]` (pSp's transpose).
    private static func channelsFirstColumns(_ weight: Tensor, channels: Int, side: Int) -> Tensor {
        let (rows, columns) = (weight.shape[0], weight.shape[1])
        guard columns == channels * side * side else { return weight }
        let result = Tensor(uninitializedShape: weight.shape)
        let source = weight.readData, target = result.data
        for o in 0..<rows {
            for c in 0..<channels {
                for w in 0..<side {
                    for h in 0..<side {
                        target[o * columns + c * side * side + w * side + h] = source[o * columns + w * side * channels + h * channels + c]
                    }
                }
            }
        }
        return result
    }
}
