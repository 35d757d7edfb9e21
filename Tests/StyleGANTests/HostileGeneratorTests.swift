import Checkpoints
import Foundation
import Tensors
import Testing

import StyleGAN

/// Issue 9: generator files, directions and latents whose metadata, shapes or values are
/// impossible give one-line errors naming the file and the value, before anything is allocated.
@Suite("Hostile generators")
struct HostileGeneratorTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("HostileCorpus")
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-g-\(UUID().uuidString)")

    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch {
            let text = "\(error)"
            #expect(!text.contains("\n"))
            return text
        }
        Issue.record("no error")
        return ""
    }

    /// g64's tensors (bare generator keys) with `metadata`, as one of our safetensors.
    func g64(metadata: [String: String], editing edit: (inout [(String, StoredTensor)]) -> Void = { _ in }) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let loaded = try GeneratorCheckpoint.load(contentsOf: StyleGANFixtures.folder.appendingPathComponent("g64.pt"))
        var tensors = loaded.generator.stateDictionary().map { ($0.key, StoredTensor($0.tensor)) }
        edit(&tensors)
        let url = folder.appendingPathComponent("hostile.safetensors")
        try Safetensors.write(tensors, metadata: metadata, to: url)
        return url
    }

    func configurationJSON(_ change: (inout GeneratorConfiguration) -> Void) throws -> String {
        var configuration = StyleGANFixtures.configuration
        change(&configuration)
        return String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
    }

    @Test func seventeenLevelsWithoutMetadataAreRefused() {
        let text = message { _ = try GeneratorCheckpoint.load(contentsOf: Self.corpus.appendingPathComponent("generator_17_levels.safetensors")) }
        #expect(text.hasPrefix("generator_17_levels.safetensors: ") && text.contains("larger than 4096 px"))
    }

    @Test func oneDimensionalTensorsAreRefused() {
        let text = message { _ = try GeneratorCheckpoint.load(contentsOf: Self.corpus.appendingPathComponent("generator_rank_1.safetensors")) }
        #expect(text == "generator_rank_1.safetensors: generator key 'style.1.weight' has shape [4], expected 2 dimensions")
    }

    /// A change to a valid configuration, by name, and what the error must say.
    static func change(_ name: String, _ c: inout GeneratorConfiguration) -> String {
        switch name {
        case "size 0": c.size = 0; return "size 0 is not a power of two"
        case "size 100": c.size = 100; return "size 100 is not a power of two"
        case "size -8": c.size = -8; return "size -8 is not a power of two"
        case "style 2^20": c.styleDimension = 1 << 20; return "style dimension 1048576"
        case "mapping 1e6": c.mappingLayers = 1_000_000; return "1000000 mapping layers"
        case "empty channels": c.channels = [:]; return "no channel count for 4 px"
        case "wide channels": c.channels[64] = 1 << 20; return "1048576 channels at 64 px"
        case "zero blur": c.blurKernel = [0]; return "blur kernel"
        default: c.channels[32] = 8; return "generator key 'convs.4.conv.weight' has shape"
        }
    }

    @Test(arguments: ["size 0", "size 100", "size -8", "style 2^20", "mapping 1e6", "empty channels", "wide channels", "zero blur",
                      "metadata disagrees"])
    func impossibleMetadataIsRefused(name: String) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var expected = ""
        let url = try g64(metadata: ["generator_configuration": try configurationJSON { expected = Self.change(name, &$0) }])
        let text = message { _ = try GeneratorCheckpoint.load(contentsOf: url) }
        #expect(text.hasPrefix("hostile.safetensors: ") && text.contains(expected), "\(name): \(text)")
    }

    @Test func malformedMetadataIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try g64(metadata: ["generator_configuration": "{\"size\": \"big\"}"])
        #expect(message { _ = try GeneratorCheckpoint.load(contentsOf: url) }.contains("'generator_configuration' is not a valid configuration"))
    }

    @Test func nonFiniteWeightsAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try g64(metadata: [:]) { tensors in
            let index = tensors.firstIndex { $0.0 == "to_rgb1.bias" }!
            tensors[index].1 = try! StoredTensor(shape: tensors[index].1.shape, floats: [Float](repeating: .infinity, count: 3))
        }
        #expect(message { _ = try GeneratorCheckpoint.load(contentsOf: url) } == "hostile.safetensors: generator weight 'to_rgb1.bias' holds NaN or infinite values")
    }

    @Test func nonFiniteLatentAverageIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try g64(metadata: [:]) { tensors in
            tensors.append(("latent_avg", try! StoredTensor(shape: [64], floats: [Float](repeating: .nan, count: 64))))
        }
        // At the top level it is found among the weights; under a prefix by its own check.
        #expect(message { _ = try GeneratorCheckpoint.load(contentsOf: url) }.hasSuffix("'latent_avg' holds NaN or infinite values"))
    }

    @Test func nonFiniteAndEmptyEditsAreRefused() throws {
        #expect(message { _ = try EditDirection.load(contentsOf: Self.corpus.appendingPathComponent("direction_nan.npy")) }
            == "direction_nan.npy: the direction holds NaN or infinite values")
        #expect(message { _ = try EditDirection.load(contentsOf: Self.corpus.appendingPathComponent("ganspace_nan_std.pt")) }
            == "ganspace_nan_std.pt: GANSpace: 'std' holds NaN or infinite values")
        let configuration = StyleGANFixtures.configuration
        #expect(message { _ = try LatentFile.read(Self.corpus.appendingPathComponent("latents_inf.npy"), configuration: configuration) }
            == "latents_inf.npy: latents hold NaN or infinite values")
        #expect(message { _ = try LatentFile.read(Self.corpus.appendingPathComponent("latents_empty.npy"), configuration: configuration) }
            .hasPrefix("latents_empty.npy: latents of shape [0, 10, 64]: no latent codes"))
    }

    @Test func theReleasedShapesStillLoad() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try g64(metadata: ["generator_configuration": try configurationJSON { _ in }])
        #expect(try GeneratorCheckpoint.load(contentsOf: url).generator.configuration == StyleGANFixtures.configuration)
    }
}
