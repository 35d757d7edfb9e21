import Checkpoints
import Foundation
import Inversion
import Tensors
import Testing
import TestSupport

/// `StylePrompterCheckpoint.exportPyTorch`: the released layout, byte for byte the tensors of
/// the released-layout fixture, fixed bytes (`Fixtures/exported_stylePrompter.pt`, which
/// `Scripts/check_torch_export.py` loads into the released classes with `strict=True`), and a
/// lossless round trip through our loader.
@Suite struct StylePrompterExportTests {
    let model: StylePrompterModel
    let fx = StylePrompterFixtures.outputs

    init() throws {
        model = try StylePrompterCheckpoint.load(contentsOf: StylePrompterFixtures.checkpoint)
        model.eval()
    }

    static let golden = StylePrompterFixtures.folder.appendingPathComponent("exported_stylePrompter.pt")

    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).pt")
    }

    /// The same keys with the same dtype, shape and bytes; parameters (not buffers, see
    /// `pyTorchOrderedStateDictionary`) in the same order.
    func expectSameTensors(_ actual: StateDict, _ expected: StateDict, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(actual.keys) == Set(expected.keys) && actual.count == expected.count, sourceLocation: sourceLocation)
        let parameters = Set(model.encoder.namedParameters().map { "state_dict.encoder.module." + $0.key }
            + model.generator.namedParameters().map { "state_dict.decoder.module.generator." + $0.key }
            + model.smart!.namedParameters().map { "state_dict.decoder.module.smart_block." + $0.key })
        #expect(actual.keys.filter(parameters.contains) == expected.keys.filter(parameters.contains), sourceLocation: sourceLocation)
        for key in expected.keys {
            #expect(actual[key] == expected[key], "\(key): \(actual[key].map { "\($0)" } ?? "missing") vs \(expected[key]!)",
                    sourceLocation: sourceLocation)
        }
    }

    /// The exported tensors are exactly the released-layout checkpoint's: same keys, parameters
    /// in PyTorch's order, same dtypes (`relative_position_index` int64), same bytes.
    @Test func exportHoldsTheReleasedCheckpointsTensors() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try StylePrompterCheckpoint.exportPyTorch(model, to: url)
        let exported = try TorchCheckpoint.load(contentsOf: url)
        let released = try TorchCheckpoint.load(contentsOf: StylePrompterFixtures.checkpoint)
        expectSameTensors(StateDict(flattening: exported), StateDict(flattening: released))
        let opts = try #require(exported["opts"])
        #expect(opts["output_size"] == .int(64) && opts["tokens_num"] == .int(10) && opts["refined_layer"] == .int(4))
        #expect(opts["type"] == .string("full") && opts["n_styles"] == .int(10))
        #expect(opts["start_from_latent_avg"] == .bool(true) && opts["learn_in_w"] == .bool(false))
    }

    /// Regenerate after a deliberate change with `STYLEPROMPTER_WRITE_GOLDEN=1 swift test
    /// --filter StylePrompterExportTests`, then run `Scripts/check_torch_export.py`.
    @Test func exportedBytesAreTheCommittedFile() throws {
        if ProcessInfo.processInfo.environment["STYLEPROMPTER_WRITE_GOLDEN"] == "1" {
            try StylePrompterCheckpoint.exportPyTorch(model, to: Self.golden)
        }
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try StylePrompterCheckpoint.exportPyTorch(model, to: url)
        #expect(try Data(contentsOf: url) == Data(contentsOf: Self.golden))
    }

    @Test func reloadedExportGivesTheSameLatentsAndImages() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try StylePrompterCheckpoint.exportPyTorch(model, options: ["max_steps": .int(20_000), "note": .string("test")], to: url)
        let again = try StylePrompterCheckpoint.load(contentsOf: url)
        again.eval()
        #expect(again.smart != nil && again.refinedLayer == model.refinedLayer)
        let photo = try fx.tensor("images").narrow(0, start: 1, length: 1)
        let expected = try fx.tensor("image.1")
        GradientMode.withoutGradients {
            let (a, b) = (model.encode(photo), again.encode(photo))
            #expect(a.latents.scalars == b.latents.scalars)
            #expect(model.decode(a).scalars == again.decode(b).scalars)
            #expect(relativeError(again.decode(b), expected) < StylePrompterFixtures.imageBound)
        }
        let opts = try #require(try TorchCheckpoint.load(contentsOf: url)["opts"])
        #expect(opts["max_steps"] == .int(20_000) && opts["note"] == .string("test"))
    }

    /// A model without SMART is written as the released stage-1 (`StylePrompterBaseline`) layout.
    @Test func stageOneModelExportsTheBaselineLayout() throws {
        let stageOne = try StylePrompterCheckpoint.load(contentsOf: StylePrompterFixtures.stageOneCheckpoint)
        stageOne.eval()
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try StylePrompterCheckpoint.exportPyTorch(stageOne, to: url)
        let exported = try TorchCheckpoint.load(contentsOf: url)
        #expect(exported["opts"]?["type"] == .string("baseline"))
        let keys = StateDict(flattening: exported).keys
        // The released stage-1 file's keys (it omits Swin's derived buffers; ours writes them, as
        // the released code's state_dict() holds them), and the generator directly under decoder.module.
        let released = StateDict(flattening: try TorchCheckpoint.load(contentsOf: StylePrompterFixtures.stageOneCheckpoint)).keys
        let derived = ["relative_coords_table", "relative_position_index", "attn_mask"]
        #expect(Set(keys.filter { key in !derived.contains { key.hasSuffix($0) } }) == Set(released))
        #expect(!keys.contains { $0.contains("smart_block") || $0.contains("decoder.module.generator.") })
        let again = try StylePrompterCheckpoint.load(contentsOf: url)
        again.eval()
        #expect(again.smart == nil)
        let photo = try fx.tensor("images").narrow(0, start: 0, length: 1)
        let (a, b) = GradientMode.withoutGradients { (stageOne(photo).image, again(photo).image) }
        #expect(a.scalars == b.scalars)
    }
}
