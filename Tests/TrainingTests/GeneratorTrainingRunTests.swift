import Foundation
import NeuralNetwork
import Perceptual
import Tensors
import Testing
import Training

@Suite(.serialized) struct GeneratorTrainingRunTests {
    static func configuration(kimg: Double) -> GeneratorTrainingConfiguration {
        var c = GeneratorTrainingConfiguration()
        c.size = 16
        c.styleDimension = 16
        c.mappingLayers = 2
        c.channels = [4: 16, 8: 16, 16: 8]
        c.batchSize = 4
        c.kimg = kimg
        c.checkpointEvery = 3
        c.sampleEveryKimg = 0.02
        c.logEvery = 1
        c.seed = 5
        return c
    }

    static func temporaryRun() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("gan-run-\(UUID().uuidString)") }

    /// A tiny GAN trains: D learns to tell the data set from the generator's first guesses.
    @Test func tinyRunTrainsAndWritesItsFolder() throws {
        let data = try TinyDataSet.make(count: 8, side: 16)
        let folder = Self.temporaryRun()
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: folder) }
        let run = try GeneratorTrainingRun(folder: folder, configuration: Self.configuration(kimg: 0.16),
                                           source: try ImageFolderSource(folder: data), resume: false)
        run.report = { _ in }
        try run.train()
        #expect(run.step == 40)
        let lines = try String(contentsOf: run.folder.metricsFile, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40)
        func dLoss(_ line: Substring) -> Double {
            let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return (object["terms"] as! [String: Any])["loss_d"] as! Double
        }
        let first = lines.prefix(5).map(dLoss).reduce(0, +) / 5, last = lines.suffix(5).map(dLoss).reduce(0, +) / 5
        #expect(lines.allSatisfy { $0.contains("\"r1\"") && $0.contains("\"path\"") }, "every line carries the latest regulariser values")
        #expect(last < first, "D loss \(first) → \(last)")
        for name in ["config.json", "generator.safetensors", "log.txt", "validation.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
        #expect(run.store.steps() == [40, 39, 36])
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.folder.samples.path).count >= 8)
    }

    /// Stopping and resuming — also after a kill that left a half-written temporary file and a
    /// newest checkpoint that no longer reads — ends with the same bits as one uninterrupted run.
    @Test func resumeIsBitExact() throws {
        let data = try TinyDataSet.make(count: 8, side: 16)
        let straight = Self.temporaryRun(), interrupted = Self.temporaryRun()
        defer { for url in [data, straight, interrupted] { try? FileManager.default.removeItem(at: url) } }
        let source = try ImageFolderSource(folder: data)
        let configuration = Self.configuration(kimg: 0.04)       // 10 steps

        let reference = try GeneratorTrainingRun(folder: straight, configuration: configuration, source: source, resume: false)
        reference.report = { _ in }
        try reference.train()

        let first = try GeneratorTrainingRun(folder: interrupted, configuration: configuration, source: source, resume: false)
        first.report = { _ in }
        try first.train(maxSteps: 7)                    // checkpoints at 3, 6 and the stop at 7
        // A kill during the save of step 9: its temporary file is left; and the step-7 file is damaged.
        let store = first.store
        try Data(repeating: 7, count: 100).write(to: store.run.checkpoints.appendingPathComponent(".step-00000009.safetensors.\(UUID().uuidString).tmp"))
        let damaged = store.url(step: 7)
        let bytes = try Data(contentsOf: damaged)
        try bytes.prefix(bytes.count / 2).write(to: damaged)

        let resumed = try GeneratorTrainingRun(folder: interrupted, configuration: configuration, source: source, resume: true)
        resumed.report = { _ in }
        #expect(resumed.step == 6)
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: store.run.checkpoints.path)).contains { $0.hasSuffix(".tmp") })
        try resumed.train()
        let a = reference.state(), b = resumed.state()
        #expect(a.step == b.step && a.values == b.values)
        #expect(Set(a.tensors.keys) == Set(b.tensors.keys))
        for (key, tensor) in a.tensors { #expect(tensor.scalars == b.tensors[key]!.scalars, "\(key)") }
        let metrics = { (url: URL) in try String(contentsOf: url.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { line in
                var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                object["seconds"] = nil; object["images_per_second"] = nil
                return NSDictionary(dictionary: object)
            } }
        #expect(try metrics(straight) == metrics(interrupted))
    }

    /// Impossible settings are refused before anything is allocated, naming the value.
    @Test func badConfigurationsAreRefused() {
        for change: (inout GeneratorTrainingConfiguration) -> Void in [
            { $0.size = 100 }, { $0.batchSize = 0 }, { $0.kimg = .nan }, { $0.learningRate = -1 },
            { $0.channels = [4: 16, 8: 16] }, { $0.mixingProbability = 2 },
            { $0.holdGeneratorKimg = 1 }, { $0.holdGeneratorKimg = -1 }, { $0.attributeWeight = 1 },
            { $0.attributes = "p.safetensors"; $0.attributeWeight = .nan }, { $0.attributes = "p.safetensors"; $0.batchSize = 1 },
            { $0.attributeReadings = ["smile"] }, { $0.initialState = "a.safetensors"; $0.initialGenerator = "g.safetensors" },
        ] {
            var c = Self.configuration(kimg: 1)
            change(&c)
            #expect(throws: TrainingError.self) { try c.validate() }
        }
    }

    /// A run can start G and its EMA from a trained generator file (D fresh), hold G while D
    /// catches up, and add the attribute-statistics term — and such a run still resumes bit for
    /// bit (the term's real statistics are measured again, identically). A generator of another
    /// shape is refused naming the option.
    @Test func startsFromATrainedGeneratorWithTheAttributeTerm() throws {
        let data = try TinyDataSet.make(count: 8, side: 16)
        let base = Self.temporaryRun(), straight = Self.temporaryRun(), interrupted = Self.temporaryRun()
        let predictorFile = FileManager.default.temporaryDirectory.appendingPathComponent("predictor-\(UUID().uuidString).safetensors")
        defer { for url in [data, base, straight, interrupted, predictorFile] { try? FileManager.default.removeItem(at: url) } }
        let source = try ImageFolderSource(folder: data)
        let first = try GeneratorTrainingRun(folder: base, configuration: Self.configuration(kimg: 0.012), source: source, resume: false)
        first.report = { _ in }
        try first.train()
        let layout = AttributeLayout(names: ["a", "kind"], categorical: ["kind": 2])
        try AttributePredictor(layout: layout, architecture: AttributePredictorArchitecture(layers: [.init(channels: 4, stride: 2)]),
                               generator: RandomGenerator(seed: 3)).save(to: predictorFile, imageSize: 16)

        var c = Self.configuration(kimg: 0.032)                 // 8 steps: 2 held, 6 with the term
        c.initialGenerator = base.appendingPathComponent("generator.safetensors").path
        c.holdGeneratorKimg = 0.008
        c.attributes = predictorFile.path
        c.attributeWeight = 2
        let reference = try GeneratorTrainingRun(folder: straight, configuration: c, source: source, resume: false)
        reference.report = { _ in }
        for (key, tensor) in first.ema.stateDictionary() {
            #expect(reference.generator.stateDictionary().first { $0.key == key }!.tensor.scalars == tensor.scalars, "G starts as the file: \(key)")
            #expect(reference.ema.stateDictionary().first { $0.key == key }!.tensor.scalars == tensor.scalars, "EMA starts as the file: \(key)")
        }
        try reference.train()
        let lines = try String(contentsOf: reference.folder.metricsFile, encoding: .utf8).split(separator: "\n")
        #expect(lines.prefix(2).allSatisfy { !$0.contains("\"attributes\"") } && lines.dropFirst(2).allSatisfy { $0.contains("\"attributes\"") })
        #expect(try String(contentsOf: reference.folder.validationFile, encoding: .utf8).contains("spread.a"))

        let stopped = try GeneratorTrainingRun(folder: interrupted, configuration: c, source: source, resume: false)
        stopped.report = { _ in }
        try stopped.train(maxSteps: 4)
        let resumed = try GeneratorTrainingRun(folder: interrupted, configuration: c, source: source, resume: true)
        resumed.report = { _ in }
        try resumed.train()
        for (key, tensor) in reference.state().tensors { #expect(tensor.scalars == resumed.state().tensors[key]!.scalars, "\(key)") }

        var other = c
        other.channels = [4: 16, 8: 8, 16: 8]
        let refused = Self.temporaryRun()
        #expect { try GeneratorTrainingRun(folder: refused, configuration: other, source: source, resume: false) } throws: {
            "\($0)".contains("--init-generator") && "\($0)".contains("8:8")
        }
        var notAPredictor = c
        notAPredictor.attributes = c.initialGenerator
        #expect(throws: (any Error).self) { try GeneratorTrainingRun(folder: refused, configuration: notAPredictor, source: source, resume: false) }
        #expect(!FileManager.default.fileExists(atPath: refused.path), "a refused run leaves no folder")
    }

    /// A run forked from another's checkpoint starts with its G, D, EMA, Adam moments and mean path
    /// length, at iteration 0 and step 0, and resumes bit for bit itself; the attribute term can be
    /// restricted to named readings. A checkpoint of other models, or not of train-generator, is
    /// refused before a folder is made.
    @Test func forksFromAnotherRunsCheckpoint() throws {
        let data = try TinyDataSet.make(count: 8, side: 16)
        let base = Self.temporaryRun(), straight = Self.temporaryRun(), interrupted = Self.temporaryRun(), refused = Self.temporaryRun()
        let predictorFile = FileManager.default.temporaryDirectory.appendingPathComponent("predictor-\(UUID().uuidString).safetensors")
        defer { for url in [data, base, straight, interrupted, refused, predictorFile] { try? FileManager.default.removeItem(at: url) } }
        let source = try ImageFolderSource(folder: data)
        let first = try GeneratorTrainingRun(folder: base, configuration: Self.configuration(kimg: 0.02), source: source, resume: false)
        first.report = { _ in }
        try first.train()                                     // 5 steps: checkpoints at 3 and 5
        let checkpoint = first.store.url(step: 5)
        let parent = try TrainingCheckpointStore.read(checkpoint)
        let layout = AttributeLayout(names: ["a", "kind"], categorical: ["kind": 2])
        try AttributePredictor(layout: layout, architecture: AttributePredictorArchitecture(layers: [.init(channels: 4, stride: 2)]),
                               generator: RandomGenerator(seed: 3)).save(to: predictorFile, imageSize: 16)

        var c = Self.configuration(kimg: 0.024)               // 6 steps
        c.seed = 9
        c.initialState = checkpoint.path
        c.attributes = predictorFile.path
        c.attributeReadings = ["kind=1"]
        let fork = try GeneratorTrainingRun(folder: straight, configuration: c, source: source, resume: false)
        fork.report = { _ in }
        #expect(fork.step == 0 && fork.trainer.iteration == 0)
        #expect(fork.trainer.meanPathLength == (try parent.float("mean_path_length")))
        let started = fork.state()
        for prefix in ["g.", "d.", "g_ema.", "g_optim.", "d_optim."] {
            let expected = parent.tensors(under: prefix)
            #expect(!expected.isEmpty)
            for (key, tensor) in expected { #expect(started.tensors[prefix + key]?.scalars == tensor.scalars, "\(prefix)\(key)") }
        }
        #expect(fork.attributeTerm?.columns == [2])
        try fork.train()
        let lines = try String(contentsOf: fork.folder.metricsFile, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6 && lines.allSatisfy { $0.contains("\"attributes\"") })

        let stopped = try GeneratorTrainingRun(folder: interrupted, configuration: c, source: source, resume: false)
        stopped.report = { _ in }
        try stopped.train(maxSteps: 4)
        var resumedConfiguration = c
        resumedConfiguration.initialState = "/nonexistent/ignored-on-resume.safetensors"
        let resumed = try GeneratorTrainingRun(folder: interrupted, configuration: resumedConfiguration, source: source, resume: true)
        resumed.report = { _ in }
        try resumed.train()
        for (key, tensor) in fork.state().tensors { #expect(tensor.scalars == resumed.state().tensors[key]!.scalars, "\(key)") }

        var other = c
        other.channels = [4: 16, 8: 8, 16: 8]
        #expect { try GeneratorTrainingRun(folder: refused, configuration: other, source: source, resume: false) } throws: {
            "\($0)".contains("--init-checkpoint") && "\($0)".contains("--channels")
        }
        var notAState = c
        notAState.initialState = base.appendingPathComponent("generator.safetensors").path
        #expect(throws: (any Error).self) { try GeneratorTrainingRun(folder: refused, configuration: notAState, source: source, resume: false) }
        var unknownReading = c
        unknownReading.attributeReadings = ["smile"]
        #expect { try GeneratorTrainingRun(folder: refused, configuration: unknownReading, source: source, resume: false) } throws: {
            "\($0)".contains("'smile'") && "\($0)".contains("kind=1")
        }
        #expect(!FileManager.default.fileExists(atPath: refused.path), "a refused run leaves no folder")
    }
}
