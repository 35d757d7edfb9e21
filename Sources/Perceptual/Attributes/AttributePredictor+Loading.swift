import Checkpoints
import Foundation
import NeuralNetwork
import Tensors

extension AttributePredictor {
    /// Writes the weights as safetensors with the layout (and training size) in the metadata;
    /// with `halfPrecision`, float16 where `HalfPrecision` finds that exact enough.
    public func save(to url: URL, imageSize: Int, halfPrecision: Bool = false) throws {
        let layoutJSON = String(decoding: try JSONEncoder.sortedKeys.encode(layout), as: UTF8.self)
        let architectureJSON = String(decoding: try JSONEncoder.sortedKeys.encode(architecture), as: UTF8.self)
        let metadata = ["format": "styleprompter-attribute-predictor", "attribute_layout": layoutJSON,
                        "architecture": architectureJSON, "image_size": String(imageSize)]
        if halfPrecision { try saveHalfPrecisionSafetensors(to: url, metadata: metadata) } else { try saveSafetensors(to: url, metadata: metadata) }
    }

    /// Reads a predictor saved by `save(to:imageSize:)`; returns it and the image size it was trained at.
    public static func load(contentsOf url: URL) throws -> (predictor: AttributePredictor, imageSize: Int) {
        let file = try Safetensors.read(contentsOf: url)
        guard file.metadata["format"] == "styleprompter-attribute-predictor", let json = file.metadata["attribute_layout"],
              let layout = try? JSONDecoder().decode(AttributeLayout.self, from: Data(json.utf8)) else {
            throw PerceptualError.unrecognizedLayout(file: url.lastPathComponent, detail: "not an attribute predictor (no 'attribute_layout' metadata)")
        }
        do { try layout.validate() } catch PerceptualError.invalidInput(let why) { throw PerceptualError.invalidInput("\(url.lastPathComponent): \(why)") }
        // Files written before the architecture was recorded are the compact predictor.
        var architecture = AttributePredictorArchitecture.compact
        if let json = file.metadata["architecture"] {
            guard let decoded = try? JSONDecoder().decode(AttributePredictorArchitecture.self, from: Data(json.utf8)) else {
                throw PerceptualError.unrecognizedLayout(file: url.lastPathComponent, detail: "its 'architecture' metadata is not a list of {channels, stride} layers")
            }
            architecture = decoded
        }
        do { try architecture.validate() } catch PerceptualError.invalidInput(let why) { throw PerceptualError.invalidInput("\(url.lastPathComponent): \(why)") }
        let size = Int(file.metadata["image_size"] ?? "") ?? 64
        guard (16...1024).contains(size) else { throw PerceptualError.invalidInput("\(url.lastPathComponent): image_size \(size) outside 16…1024") }
        let predictor = Initialization.withoutDrawing { AttributePredictor(layout: layout, architecture: architecture) }   // loaded strictly next
        var weights: [String: Tensor] = [:]
        for (key, stored) in file.tensors { weights[key] = try Tensor(stored) }
        try predictor.load(stateDictionary: weights, source: url.lastPathComponent)
        return (predictor, size)
    }
}
