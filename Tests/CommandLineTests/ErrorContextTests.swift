import Checkpoints
import Faces
import FileAccess
import Foundation
import Imaging
import Inversion
import MessagePassing
import NeuralNetwork
import Perceptual
import StyleGAN
import Tensors
import Testing
import Training

import StylePrompterCLI

/// Issue 9: one error protocol. Every error type the package throws is a `ContextualError`, and
/// the file, key and shape it names are there for a program, not only in the message text.
@Suite struct ErrorContextTests {
    @Test func everyErrorTypeConforms() {
        let types: [any ContextualError.Type] = [
            CheckpointError.self, ImagingError.self, StateDictionaryError.self, OptimizerStateError.self,
            TrainingError.self, RunLogError.self, EditError.self, FacesError.self, PerceptualError.self,
            PhotoInput.InputError.self, CommunicatorError.self, AtomicFile.Failure.self, CommandErrors.Failure.self,
        ]
        #expect(types.count == 13)
    }

    @Test func contextNamesTheFileKeyAndShape() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("context-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let truncated = folder.appendingPathComponent("weights.safetensors")
        try Data([9, 0, 0, 0, 0, 0, 0, 0, 123]).write(to: truncated)
        do { _ = try Safetensors.read(contentsOf: truncated); Issue.record("read a truncated file") } catch let error as ContextualError {
            #expect(error.context.file == "weights.safetensors")
        }

        let notAnImage = folder.appendingPathComponent("photo.png")
        try Data("not a png".utf8).write(to: notAnImage)
        do { _ = try Image(contentsOf: notAnImage); Issue.record("decoded text as PNG") } catch let error as ContextualError {
            #expect(error.context.file == notAnImage.path)
        }

        let layer = Linear(4, 3)
        do {
            try layer.load(stateDictionary: ["weight": Tensor.zeros([3, 5]), "bias": Tensor.zeros([3])], source: "layer.pt")
            Issue.record("loaded a mis-shaped weight")
        } catch let error as ContextualError {
            #expect(error.context == ErrorContext(file: "layer.pt", key: "weight", shape: [3, 5]))
        }
    }
}
