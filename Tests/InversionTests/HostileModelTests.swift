import Checkpoints
import Foundation
import StyleGAN
import Tensors
import Testing

import Inversion

/// Issue 9: StylePrompter files whose metadata (`refined_layer`, `encoder_configuration`) or
/// weights are impossible give one-line errors naming the file and the value.
@Suite("Hostile models", .serialized)
struct HostileModelTests {
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-m-\(UUID().uuidString)")
    /// The small model as our safetensors: tensors and metadata to tamper with.
    static let saved: Safetensors = {
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("model.safetensors")
        try! StylePrompterCheckpoint.save(try! StylePrompterCheckpoint.load(contentsOf: StylePrompterFixtures.checkpoint), to: url)
        // Read into memory, so the 12 MB file need not stay in the temporary folder after the suite.
        let saved = try! Safetensors(Data(contentsOf: url), file: url.lastPathComponent)
        try? FileManager.default.removeItem(at: url)
        return saved
    }()

    func tampered(metadata change: (inout [String: String]) -> Void = { _ in },
                  tensors edit: (inout [(key: String, tensor: StoredTensor)]) -> Void = { _ in }) throws -> URL {
        var metadata = Self.saved.metadata
        var tensors = Self.saved.tensors
        change(&metadata)
        edit(&tensors)
        let url = Self.folder.appendingPathComponent("hostile-\(UUID().uuidString.prefix(8)).safetensors")
        try Safetensors.write(tensors, metadata: metadata, to: url)
        return url
    }

    func message(_ url: URL) -> String {
        defer { try? FileManager.default.removeItem(at: url) }
        do { _ = try StylePrompterCheckpoint.load(contentsOf: url) } catch {
            let text = "\(error)"
            #expect(!text.contains("\n"))
            #expect(text.hasPrefix(url.lastPathComponent + ": "))
            return text
        }
        Issue.record("\(url.lastPathComponent) loaded")
        return ""
    }

    @Test(arguments: ["-100", "7", "60", "0", "x\u{1b}"])
    func impossibleRefinedLayersAreRefused(layer: String) throws {
        let text = message(try tampered(metadata: { $0["refined_layer"] = layer }))
        #expect(text.contains(Int(layer) == nil ? "is 'x\\x1b', not an integer" : "refined_layer \(layer) is not an even layer from 2 to 8"), "\(text)")
    }

    @Test(arguments: [
        ("embedDimension", "1048576", "embedding dimension 1048576"),
        ("imageSize", "0", "image size 0"),
        ("patchSize", "-4", "patch size -4"),
        ("windowSize", "100000", "window size 100000"),
        ("latentTokens", "1000000", "1000000 latent tokens"),
        // Plausible values the weights contradict: refused before the encoder is allocated.
        ("mlpRatio", "8", "encoder key 'layers.0.blocks.0.mlp.fc1.weight' has shape [96, 24], the configuration needs [192, 24]"),
        ("headHiddenDimension", "4096", "encoder key 'prediction_head.layers.0.weight' has shape"),
    ])
    func impossibleEncoderMetadataIsRefused(field: String, value: String, expected: String) throws {
        let text = message(try tampered(metadata: { metadata in
            var json = try! JSONSerialization.jsonObject(with: Data(metadata["encoder_configuration"]!.utf8)) as! [String: Any]
            json[field] = Int(value)!
            metadata["encoder_configuration"] = String(decoding: try! JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        }))
        #expect(text.contains(expected), "\(text)")
    }

    @Test func emptyStageListsAreRefused() throws {
        let text = message(try tampered(metadata: { metadata in
            var json = try! JSONSerialization.jsonObject(with: Data(metadata["encoder_configuration"]!.utf8)) as! [String: Any]
            json["depths"] = [Int]()
            json["heads"] = [Int]()
            metadata["encoder_configuration"] = String(decoding: try! JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        }))
        #expect(text.contains("stage depths []"), "\(text)")
    }

    @Test func nonFiniteWeightsAreRefused() throws {
        let text = message(try tampered(tensors: { tensors in
            let index = tensors.firstIndex { $0.key == "encoder.latent_tok" }!
            let old = tensors[index].tensor
            tensors[index].tensor = try! StoredTensor(shape: old.shape, floats: [Float](repeating: .nan, count: old.elementCount))
        }))
        #expect(text.contains("encoder weight 'latent_tok' holds NaN or infinite values"), "\(text)")
    }

    @Test func smartWidthsTheAttentionCannotSplitAreRefused() throws {
        let text = message(try tampered(tensors: { tensors in
            let index = tensors.firstIndex { $0.key == "smart.query_proj.weight" }!
            let channels = tensors[index].tensor.shape[1]
            tensors[index].tensor = try! StoredTensor(shape: [2 * channels, channels], floats: [Float](repeating: 0, count: 2 * channels * channels))
        }))
        #expect(text.contains("the attention needs [C, C]"), "\(text)")
    }

    @Test func oneDimensionalEncoderTensorsAreRefused() throws {
        // Without the recorded configuration the encoder is inferred from shapes.
        let text = message(try tampered(metadata: { $0["encoder_configuration"] = nil }, tensors: { tensors in
            let index = tensors.firstIndex { $0.key == "encoder.latent_tok" }!
            tensors[index].tensor = try! StoredTensor(shape: [3], floats: [1, 2, 3])
        }))
        #expect(text.contains("encoder key 'latent_tok' has shape [3], expected 2 non-empty dimensions"), "\(text)")
    }
}
