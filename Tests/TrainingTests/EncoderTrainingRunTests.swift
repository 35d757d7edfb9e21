import Foundation
import Inversion
import StyleGAN
import Tensors
import Testing
import Training

@Suite(.serialized) struct EncoderTrainingRunTests {
    /// A stage-1 configuration for a 32-px encoder over the tiny 16-px generator.
    static func configuration(generator: URL, steps: Int) -> EncoderTrainingConfiguration {
        var c = EncoderTrainingConfiguration()
        c.generator = generator.path
        c.encoder = SwinConfiguration(embedDimension: 8, depths: [1, 1, 1, 1], heads: [1, 1, 2, 2], windowSize: 8, headHiddenDimension: 32)
        c.imageSize = 32
        c.batchSize = 2
        c.steps = steps
        c.learningRate = 1e-3
        c.validationImages = 3
        c.validateEvery = 4
        c.checkpointEvery = 3
        c.logEvery = 1
        c.seed = 2
        c.data = "tiny"
        return c
    }

    static func fixtures() throws -> (data: URL, generator: URL) {
        let data = try TinyDataSet.make(count: 6, side: 32)
        let generator = data.appendingPathComponent("generator.safetensors.bin")
        try GeneratorCheckpoint.save(StyleGANTiny.generator(), latentAverage: nil, to: generator)
        return (data, generator)
    }

    static func makeRun(_ c: EncoderTrainingConfiguration, folder: URL, data: URL, resume: Bool) throws -> EncoderTrainingRun {
        let random = RandomGenerator(seed: c.seed ^ 0x3D5E_ED00)
        let model = try EncoderTrainingSetup.makeModel(c, modelRandom: random)
        let stage = try EncoderTrainingSetup.makeStage(c, model: model, lpips: nil, identity: nil)
        let source = try ImageFolderSource(folder: data)
        let run = try EncoderTrainingRun(folder: folder, configuration: c, model: model, stage: stage, train: source,
                                         validation: PrefixImageSource(source, count: 3), resume: resume, modelRandom: random)
        run.report = { _ in }
        return run
    }

    static func temporaryRun() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("sp-run-\(UUID().uuidString)") }

    /// Stage 1 on six images: the validation loss falls, the generator stays frozen, the run
    /// folder has its grids, best checkpoint and exported model — which loads as a model.
    @Test func stageOneTrains() throws {
        let (data, generator) = try Self.fixtures()
        let folder = Self.temporaryRun()
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: folder) }
        let run = try Self.makeRun(Self.configuration(generator: generator, steps: 16), folder: folder, data: data, resume: false)
        let generatorBefore = run.model.generator.parameters().map(\.scalars)
        let before = try run.validate()["val_loss"]!
        try run.train()
        let after = try run.validate()["val_loss"]!
        #expect(after < before, "validation loss \(before) → \(after)")
        #expect(zip(run.model.generator.parameters().map(\.scalars), generatorBefore).allSatisfy { $0 == $1 })
        #expect(FileManager.default.fileExists(atPath: run.store.bestURL.path))
        let exported = try StylePrompterCheckpoint.load(contentsOf: folder.appendingPathComponent("model.safetensors"))
        let fromCheckpoint = try StylePrompterCheckpoint.load(contentsOf: run.store.url(step: 16))
        let photo = Tensor.randomUniform([1, 3, 32, 32], low: -1, high: 1, generator: RandomGenerator(seed: 1))
        run.model.eval(); exported.eval(); fromCheckpoint.eval()
        let expected = GradientMode.withoutGradients { run.model.encode(photo).latents.scalars }
        #expect(GradientMode.withoutGradients { exported.encode(photo).latents.scalars } == expected)
        #expect(GradientMode.withoutGradients { fromCheckpoint.encode(photo).latents.scalars } == expected)
    }

    /// Stopped and resumed, stage 1 (dropout and drop-path included) ends with the same bits.
    @Test func stageOneResumesBitExactly() throws {
        let (data, generator) = try Self.fixtures()
        let straight = Self.temporaryRun(), interrupted = Self.temporaryRun()
        defer { for url in [data, straight, interrupted] { try? FileManager.default.removeItem(at: url) } }
        var c = Self.configuration(generator: generator, steps: 7)
        c.encoder.dropPathRate = 0.3
        let reference = try Self.makeRun(c, folder: straight, data: data, resume: false)
        try reference.train()
        let first = try Self.makeRun(c, folder: interrupted, data: data, resume: false)
        try first.train(maxSteps: 4)
        try FileManager.default.removeItem(at: first.store.url(step: 4))       // as if killed before that save
        let resumed = try Self.makeRun(c, folder: interrupted, data: data, resume: true)
        #expect(resumed.step == 3)
        try resumed.train()
        let a = reference.state(), b = resumed.state()
        #expect(a.values == b.values)
        for (key, tensor) in a.tensors { #expect(tensor.scalars == b.tensors[key]!.scalars, "\(key)") }
    }

    /// Stage 2 (SMART's dropout and the encoder's drop-path drawing from the trainer's stream)
    /// stopped and resumed ends with the same bits, and leaves the encoder and generator as they were.
    @Test func stageTwoResumesBitExactlyAndTrainsSMARTAlone() throws {
        let (data, generator) = try Self.fixtures()
        let stageOne = Self.temporaryRun(), straight = Self.temporaryRun(), interrupted = Self.temporaryRun()
        defer { for url in [data, stageOne, straight, interrupted] { try? FileManager.default.removeItem(at: url) } }
        let first = try Self.makeRun(Self.configuration(generator: generator, steps: 2), folder: stageOne, data: data, resume: false)
        try first.train()
        var c = Self.configuration(generator: generator, steps: 6)
        c.stage = 2
        c.generator = nil
        c.stageOneModel = stageOne.path
        c.accumulation = 2
        let reference = try Self.makeRun(c, folder: straight, data: data, resume: false)
        let frozen = (reference.model.encoder.parameters() + reference.model.generator.parameters()).map(\.scalars)
        try reference.train()
        #expect((reference.model.encoder.parameters() + reference.model.generator.parameters()).map(\.scalars) == frozen)
        let partial = try Self.makeRun(c, folder: interrupted, data: data, resume: false)
        try partial.train(maxSteps: 4)
        let resumed = try Self.makeRun(c, folder: interrupted, data: data, resume: true)
        #expect(resumed.step == 4)
        try resumed.train()
        let a = reference.state(), b = resumed.state()
        #expect(a.values == b.values)
        for (key, tensor) in a.tensors { #expect(tensor.scalars == b.tensors[key]!.scalars, "\(key)") }
    }

    /// With the generator's samples added (stage 1 `--generated`, stage 2 `--edited`), a run
    /// stopped and resumed still ends with the same bits: each step's samples come from its index.
    @Test func generatedSamplesResumeBitExactly() throws {
        let (data, generator) = try Self.fixtures()
        let stageOne = Self.temporaryRun(), straight = Self.temporaryRun(), interrupted = Self.temporaryRun()
        let straightTwo = Self.temporaryRun(), interruptedTwo = Self.temporaryRun()
        defer { for url in [data, stageOne, straight, interrupted, straightTwo, interruptedTwo] { try? FileManager.default.removeItem(at: url) } }
        var c = Self.configuration(generator: generator, steps: 6)
        c.imageSize = 16                       // the tiny generator's size
        c.encoder.patchSize = 2
        c.generatedPerStep = 2
        let reference = try Self.makeRun(c, folder: straight, data: data, resume: false)
        try reference.train()
        let partial = try Self.makeRun(c, folder: interrupted, data: data, resume: false)
        try partial.train(maxSteps: 4)
        let resumed = try Self.makeRun(c, folder: interrupted, data: data, resume: true)
        #expect(resumed.step == 4)
        try resumed.train()
        var a = reference.state(), b = resumed.state()
        #expect(a.values == b.values)
        for (key, tensor) in a.tensors { #expect(tensor.scalars == b.tensors[key]!.scalars, "\(key)") }
        let logged = try String(contentsOf: straight.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(logged.contains("loss_latent"))

        var two = c
        two.stage = 2
        two.generator = nil
        two.stageOneModel = straight.path
        two.generatedPerStep = nil
        two.editedPerStep = 2
        let referenceTwo = try Self.makeRun(two, folder: straightTwo, data: data, resume: false)
        try referenceTwo.train()
        let partialTwo = try Self.makeRun(two, folder: interruptedTwo, data: data, resume: false)
        try partialTwo.train(maxSteps: 3)
        let resumedTwo = try Self.makeRun(two, folder: interruptedTwo, data: data, resume: true)
        try resumedTwo.train()
        a = referenceTwo.state(); b = resumedTwo.state()
        #expect(a.values == b.values)
        for (key, tensor) in a.tensors { #expect(tensor.scalars == b.tensors[key]!.scalars, "\(key)") }
        let loggedTwo = try String(contentsOf: straightTwo.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(loggedTwo.contains("loss_edit_l2"))

        // A generator smaller than the images cannot feed them: a clear error, not a trap.
        var large = c
        large.imageSize = 32
        large.encoder.patchSize = 4
        #expect(throws: TrainingError.self) { _ = try Self.makeRun(large, folder: Self.temporaryRun(), data: data, resume: false) }
    }

    /// `--new-smart` on a model that holds both stages starts SMART exactly as from the stage-1
    /// model alone (same seed), and leaves the encoder and generator as loaded.
    @Test func newSMARTStartsAsFromTheStageOneModel() throws {
        let (data, generator) = try Self.fixtures()
        let stageOne = Self.temporaryRun(), stageTwo = Self.temporaryRun()
        defer { for url in [data, stageOne, stageTwo] { try? FileManager.default.removeItem(at: url) } }
        try Self.makeRun(Self.configuration(generator: generator, steps: 2), folder: stageOne, data: data, resume: false).train()
        var c = Self.configuration(generator: generator, steps: 2)
        c.stage = 2
        c.generator = nil
        c.stageOneModel = stageOne.path
        try Self.makeRun(c, folder: stageTwo, data: data, resume: false).train()
        let fresh = try EncoderTrainingSetup.makeModel(c, modelRandom: RandomGenerator(seed: 8))
        var again = c
        again.stageOneModel = stageTwo.path
        let kept = try EncoderTrainingSetup.makeModel(again, modelRandom: RandomGenerator(seed: 8))
        again.newSMART = true
        var notes: [String] = []
        let renewed = try EncoderTrainingSetup.makeModel(again, modelRandom: RandomGenerator(seed: 8)) { notes.append($0) }
        #expect(renewed.smart!.parameters().map(\.scalars) == fresh.smart!.parameters().map(\.scalars))
        #expect(kept.smart!.parameters().map(\.scalars) != fresh.smart!.parameters().map(\.scalars))
        #expect(renewed.encoder.parameters().map(\.scalars) == fresh.encoder.parameters().map(\.scalars))
        #expect(notes.contains { $0.contains("--new-smart") })
        var stageOneOnly = Self.configuration(generator: generator, steps: 2)
        stageOneOnly.newSMART = true
        #expect(throws: TrainingError.self) { try stageOneOnly.validate() }
    }
}
