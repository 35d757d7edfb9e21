import Checkpoints
import Foundation
import Tensors

/// Every tensor of a checkpoint file, by key.
enum CheckpointTensors {
    static func load(_ url: URL) throws -> [String: Tensor] {
        try CheckpointFile.load(contentsOf: url).tensors.tensors()
    }
}
