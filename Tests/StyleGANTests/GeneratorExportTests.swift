import Checkpoints
import Foundation
import NeuralNetwork
import StyleGAN
import Tensors
import Testing
import TestSupport

/// `GeneratorCheckpoint.exportPyTorch`: rosinality's `train.py` layout with Adam states in
/// PyTorch's format, fixed bytes (`Fixtures/exported_generator.pt`, which
/// `Scripts/check_torch_export.py` loads into rosinality's classes and `torch.optim.Adam`), and
/// a lossless round trip through `GeneratorCheckpoint.load`.
@Suite struct GeneratorExportTests {
    static let golden = StyleGANFixtures.folder.appendingPathComponent("exported_generator.pt")
    static let training = StyleGANFixtures.folder.appendingPathComponent("train64.pt")

    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).pt")
    }

    /// The fixture run: `g`, `d` from train64.pt, `g_ema` from g64.pt, and Adam states set to a
    /// formula of each parameter (step 3, exp_avg = 0.1·p, exp_avg_sq = p²) for all but the last
    /// parameter — a state the Python check can recompute, and which shows a misnumbered parameter.
    struct Run {
        let generator: Generator
        let discriminator: Discriminator
        let ema: Generator
        let latentAverage: Tensor?
        let generatorOptimizer: Adam
        let discriminatorOptimizer: Adam

        init() throws {
            generator = Generator(StyleGANFixtures.configuration)
            try generator.load(contentsOf: GeneratorExportTests.training, prefix: "g.")
            discriminator = Discriminator(size: 64, channels: StyleGANFixtures.configuration.channels)
            try discriminator.load(contentsOf: GeneratorExportTests.training, prefix: "d.")
            let loaded = try GeneratorCheckpoint.load(contentsOf: StyleGANFixtures.folder.appendingPathComponent("g64.pt"))
            ema = loaded.generator
            latentAverage = loaded.latentAverage
            // rosinality's lazy-regularisation corrections: lr·k/(k+1), betas (0, 0.99^(k/(k+1))).
            generatorOptimizer = Adam(parameters: generator.parameters(), learningRate: 0.002 * 4 / 5,
                                      betas: (0, Float(Foundation.pow(0.99, 4.0 / 5))))
            discriminatorOptimizer = Adam(parameters: discriminator.parameters(), learningRate: 0.002 * 16 / 17,
                                          betas: (0, Float(Foundation.pow(0.99, 16.0 / 17))))
            for optimizer in [generatorOptimizer, discriminatorOptimizer] {
                var state: [String: Tensor] = [:]
                for (index, parameter) in optimizer.parameters.dropLast().enumerated() {
                    state["\(index).step"] = Tensor(Float(3))
                    state["\(index).exp_avg"] = parameter * 0.1
                    state["\(index).exp_avg_sq"] = parameter * parameter
                }
                try optimizer.load(stateDictionary: state)
            }
        }

        func export(to url: URL) throws {
            try GeneratorCheckpoint.exportPyTorch(
                generator: generator, discriminator: discriminator, ema: ema,
                generatorOptimizer: generatorOptimizer, discriminatorOptimizer: discriminatorOptimizer,
                arguments: GeneratorCheckpoint.trainingArguments(GANTrainer.Settings(), batch: 4, iterations: 1000),
                latentAverage: latentAverage, to: url)
        }
    }

    /// Adam's parameter numbers are `module.parameters()` order in PyTorch, the order of the
    /// parameter keys in rosinality's `state_dict()`. `pyTorchOrderedParameters()` gives it;
    /// our declaration order (`namedParameters()`) differs (ToRGB's `bias` comes after its conv).
    @Test func parameterOrderIsRosinalitys() throws {
        let file = StateDict(flattening: try TorchCheckpoint.load(contentsOf: Self.training))
        func torchOrder(_ prefix: String, _ keys: [String]) -> [String] {
            file.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.filter(Set(keys).contains)
        }
        let generator = Generator(StyleGANFixtures.configuration)
        let generatorKeys = generator.pyTorchOrderedParameters().map(\.key)
        #expect(torchOrder("g.", generatorKeys) == generatorKeys)
        #expect(Set(generatorKeys) == Set(generator.namedParameters().map(\.key)))
        #expect(generator.namedParameters().map(\.key) != generatorKeys, "declaration order now matches PyTorch's: the export's reordering can go")
        let discriminator = Discriminator(size: 64, channels: StyleGANFixtures.configuration.channels)
        let discriminatorKeys = discriminator.pyTorchOrderedParameters().map(\.key)
        #expect(torchOrder("d.", discriminatorKeys) == discriminatorKeys)
    }

    @Test func trainingExportHoldsRosinalitysLayout() throws {
        let run = try Run()
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try run.export(to: url)
        let top = try TorchCheckpoint.load(contentsOf: url)
        guard case .dict(let entries) = top else { Issue.record("not a dict"); return }
        #expect(entries.keys == ["g", "d", "g_ema", "g_optim", "d_optim", "args", "ada_aug_p", "latent_avg"].map { PickleValue.string($0) })
        let training = StateDict(flattening: try TorchCheckpoint.load(contentsOf: Self.training))
        let exported = StateDict(flattening: top)
        for prefix in ["g.", "d.", "g_ema."] {
            let source = prefix == "g_ema." ? "g." : prefix  // train64's g_ema is its g
            let keys = training.keys.filter { $0.hasPrefix(source) }.map { String($0.dropFirst(source.count)) }
            let ours = exported.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            #expect(Set(ours) == Set(keys) && ours.count == keys.count)
            // Parameters (not buffers) in rosinality's order; see `pyTorchOrderedStateDictionary`.
            let parameters = Set((prefix == "d." ? run.discriminator.namedParameters() : run.generator.namedParameters()).map(\.key))
            #expect(ours.filter(parameters.contains) == keys.filter(parameters.contains), "\(prefix)")
            for key in keys { #expect(exported[prefix + key] == training[source + key], "\(key)") }
        }
        let args = try #require(top["args"])
        #expect(args["size"] == .int(64) && args["latent"] == .int(64) && args["n_mlp"] == .int(4))
        #expect(args["channel_multiplier"] == PickleValue.none && args["batch"] == .int(4) && args["iter"] == .int(1000))
        #expect(args["lr"] == .float(0.002) && args["d_reg_every"] == .int(16) && args["mixing"] == .float(0.9))

        let optimizer = try #require(top["g_optim"])
        let group = try #require(optimizer["param_groups"]?.elements?.first)
        let count = run.generator.parameters().count
        #expect(group["params"] == .list((0..<count).map { .int($0) }))
        #expect(group["betas"]?.elements?.first == .float(0) && group["weight_decay"] == .int(0) && group["amsgrad"] == .bool(false))
        guard case .dict(let state) = optimizer["state"] else { Issue.record("no state"); return }
        // Every parameter but our last has state; PyTorch numbers them in its own order.
        let torchOrder = run.generator.pyTorchOrderedParameters()
        let lastKey = run.generator.namedParameters().last!.key
        #expect(state.keys == torchOrder.indices.filter { torchOrder[$0].key != lastKey }.map { .int($0) })
        for index in [0, 14, 17, count - 1] where torchOrder[index].key != lastKey {
            let entry = try #require(state[.int(index)])
            #expect(entry["step"]?.tensor == StoredTensor(Tensor(Float(3))))
            #expect(entry["exp_avg"]?.tensor == StoredTensor(torchOrder[index].tensor * 0.1), "\(torchOrder[index].key)")
        }
    }

    /// Regenerate with `STYLEPROMPTER_WRITE_GOLDEN=1 swift test --filter GeneratorExportTests`,
    /// then run `Scripts/check_torch_export.py`.
    @Test func exportedBytesAreTheCommittedFile() throws {
        let run = try Run()
        if ProcessInfo.processInfo.environment["STYLEPROMPTER_WRITE_GOLDEN"] == "1" { try run.export(to: Self.golden) }
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try run.export(to: url)
        #expect(try Data(contentsOf: url) == Data(contentsOf: Self.golden))
    }

    @Test func reloadedExportGivesTheSameImages() throws {
        let run = try Run()
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try run.export(to: url)
        let again = try GeneratorCheckpoint.load(contentsOf: url)
        #expect(again.prefix == "g_ema." && again.generator.configuration == run.ema.configuration)
        #expect(again.latentAverage?.scalars == run.latentAverage?.scalars)
        let wplus = try StyleGANFixtures.outputs.tensor("wplus")
        let (a, b) = GradientMode.withoutGradients { (run.ema.synthesize(wplus), again.generator.synthesize(wplus)) }
        #expect(a.scalars == b.scalars)
        #expect(relativeError(b, try StyleGANFixtures.outputs.tensor("image_from_wplus")) < StyleGANFixtures.bound)

        // The optimiser state reads back into our Adam (PyTorch's numbers mapped to ours).
        let flat = StateDict(flattening: try TorchCheckpoint.load(contentsOf: url))
        var state: [String: Tensor] = [:]
        let ourIndex = Dictionary(uniqueKeysWithValues: run.generator.namedParameters().enumerated().map { ($1.key, $0) })
        let torchOrder = run.generator.pyTorchOrderedParameters().map(\.key)
        for key in flat.keys where key.hasPrefix("g_optim.state.") {
            let parts = key.dropFirst("g_optim.state.".count).split(separator: ".", maxSplits: 1)
            state["\(ourIndex[torchOrder[Int(parts[0])!]]!).\(parts[1])"] = try Tensor(flat[key]!)
        }
        let resumed = Adam(parameters: run.generator.parameters())
        try resumed.load(stateDictionary: state)
        #expect(resumed.stateDictionary().mapValues(\.scalars) == run.generatorOptimizer.stateDictionary().mapValues(\.scalars))
    }

    @Test func generatorOnlyExportIsTheConverterLayout() throws {
        let run = try Run()
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try GeneratorCheckpoint.exportPyTorch(ema: run.ema, latentAverage: run.latentAverage, to: url)
        guard case .dict(let entries) = try TorchCheckpoint.load(contentsOf: url) else { Issue.record("not a dict"); return }
        #expect(entries.keys == [.string("g_ema"), .string("latent_avg")])
        #expect(try GeneratorCheckpoint.load(contentsOf: url).generator.configuration == run.ema.configuration)
    }

    @Test func anOptimizerOverOtherParametersIsRefused() throws {
        let run = try Run()
        let url = Self.temporaryURL()
        #expect(throws: CheckpointError.self) {
            try GeneratorCheckpoint.exportPyTorch(generator: run.generator, ema: run.ema,
                                                  generatorOptimizer: run.discriminatorOptimizer, to: url)
        }
        #expect(throws: CheckpointError.self) {
            try GeneratorCheckpoint.exportPyTorch(ema: run.ema, generatorOptimizer: run.generatorOptimizer, to: url)
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
