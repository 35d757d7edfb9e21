import Foundation
import Imaging
import Inversion
import MessagePassing
import NeuralNetwork
import Perceptual
import StyleGAN
import Tensors

/// One optimisation step of a StylePrompter stage, as the run loop drives it: the trainer's
/// optimiser (saved and restored with the run) and a step on a batch returning its loss terms.
public struct EncoderStageStep {
    public let optimizer: any Optimizer
    /// The stream the trained modules' dropout and drop-path draw from (saved with the run).
    public let random: RandomGenerator
    /// One optimiser step on a batch of `batchSize × accumulation` images; the second argument
    /// is the step's index (0 first), which draws anything else the step adds.
    public let step: (Tensor, Int) -> [String: Float]
    /// The loss terms of a batch without training (validation), same names as `step`'s.
    public let evaluate: (_ encoded: EncodedImages, _ reconstruction: Tensor, _ target: Tensor) -> [String: Float]
    /// Makes the trainer one replica of a data-parallel run (`StageOneTrainer.replicate`).
    public let replicate: (BatchShard, any GradientSynchronizer) -> Void

    public init(optimizer: any Optimizer, random: RandomGenerator, step: @escaping (Tensor, Int) -> [String: Float],
                evaluate: @escaping (EncodedImages, Tensor, Tensor) -> [String: Float],
                replicate: @escaping (BatchShard, any GradientSynchronizer) -> Void) {
        self.optimizer = optimizer
        self.random = random
        self.step = step
        self.evaluate = evaluate
        self.replicate = replicate
    }
}

/// A StylePrompter training run (stage 1: encoder and latent tokens through the frozen
/// generator; stage 2: SMART alone) in a run folder — resumable bit for bit, validated on held-out
/// images with grids (input | stage 1 | SMART), the best checkpoint kept, the model exported.
///
/// Data-parallel with a `communicator` of several ranks: each rank trains on its part of every
/// global batch (`DataParallelPlan`), gradients are averaged before each step, the replicas are
/// checked identical at every checkpoint, and rank 0 alone writes the run folder.
///
/// ```swift
/// let run = try EncoderTrainingRun(folder: url, configuration: config, model: model, stage: step,
///                                  train: trainSet, validation: testSet, resume: false, modelRandom: rng)
/// try run.train()
/// ```
public final class EncoderTrainingRun {
    public let folder: RunFolder
    public let configuration: EncoderTrainingConfiguration
    public let model: StylePrompterModel
    public let store: TrainingCheckpointStore
    public private(set) var step = 0
    /// Whether the last `train` stopped before its last step (Ctrl-C on any rank).
    public private(set) var stoppedEarly = false
    private var lastCheckpointStep: Int?
    public private(set) var bestValidationLoss = Float.infinity
    let stage: EncoderStageStep
    let trainSource: any TrainingImageSource
    let validationImages: Tensor
    /// The stream dropout and drop-path draw from (saved with the run).
    let modelRandom: RandomGenerator
    var position = 0
    /// Receives the progress output (a terminal line redrawn in place, or plain lines); tests silence it.
    public var report: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    /// Rank 0's logs (the other ranks of a data-parallel run write nothing).
    let trainingLog: TrainingLog?
    let validationLog: ValidationLog?
    var progress: TerminalProgress?
    let role: DataParallelRole

    public init(folder url: URL, configuration: EncoderTrainingConfiguration, model: StylePrompterModel, stage: EncoderStageStep,
                train: any TrainingImageSource, validation: any TrainingImageSource, resume: Bool, modelRandom: RandomGenerator,
                communicator: any Communicator = SingleProcess()) throws {
        try configuration.validate()
        role = DataParallelRole(communicator: communicator)
        try role.checkBatch(configuration.batchSize)
        if max(configuration.generatedPerStep ?? 0, configuration.editedPerStep ?? 0) > 0 && role.ranks > 1 {
            throw TrainingError.configuration("--generated and --edited add generator samples to single-process runs only, not over \(role.ranks) ranks")
        }
        folder = try role.openFolder(url, creating: !resume)
        self.configuration = configuration
        self.model = model
        self.stage = stage
        self.modelRandom = modelRandom
        trainSource = train
        store = TrainingCheckpointStore(run: folder, keep: configuration.keepCheckpoints)
        trainingLog = role.isRoot ? try TrainingLog(url: folder.metricsFile) : nil
        validationLog = role.isRoot ? try ValidationLog(url: folder.validationFile) : nil
        validationImages = role.isRoot
            ? try Self.loadValidation(validation, count: configuration.validationImages, size: configuration.imageSize, run: folder)
            : Tensor.zeros([0, 3, configuration.imageSize, configuration.imageSize])
        if let allReduce = role.allReduce { stage.replicate(role.shard, allReduce) }
        if resume {
            guard let state = try store.latest() else { throw TrainingError.run("\(url.path): no readable checkpoint to resume from") }
            try restore(state)
            try trainingLog?.truncate(afterStep: step)
            try validationLog?.truncate(afterStep: step)
            if role.isRoot { folder.log("resumed at step \(step) (position \(position)) on \(role.ranks) rank\(role.ranks == 1 ? "" : "s")") }
        } else if role.isRoot {
            try folder.writeConfiguration(configuration, kind: "train-stage\(configuration.stage)", totalSteps: configuration.steps)
            folder.log("started stage \(configuration.stage): \(configuration.steps) steps of batch \(configuration.batchSize)×\(configuration.accumulation) on \(configuration.data)")
            for term in configuration.disabledTerms { folder.log("warning: \(term) is left out (its network weights were not given)") }
        }
    }

    /// The first `count` items of the validation source, in order, unflipped: [N, 3, S, S].
    static func loadValidation(_ source: any TrainingImageSource, count: Int, size: Int, run: RunFolder) throws -> Tensor {
        let available = source.count.map { min($0, count) } ?? count
        guard available > 0 else { throw TrainingError.data("the validation set is empty") }
        let loader = BatchLoader(source: source, batchSize: 1, imageSize: size, seed: 0, shuffle: false, threads: 1)
        defer { loader.stop() }
        var images: [Tensor] = []
        while images.count < available && loader.position < (source.count ?? Int.max) {
            images.append(try loader.next().images)
        }
        for item in loader.skipped { run.log("validation: skipped \(item.name): \(item.reason)") }
        return Tensor.concat(images, axis: 0)
    }

    public func state() -> TrainingState {
        var state = TrainingState(step: step)
        state.add(Dictionary(uniqueKeysWithValues: model.stateDictionary().map { ($0.key, $0.tensor) }), prefix: "")
        state.add(stage.optimizer.stateDictionary(), prefix: "optim.")
        state.store(random: modelRandom, as: "model_random")
        state.store(random: stage.random, as: "mask_random")
        state.store(bestValidationLoss, as: "best_validation_loss")
        state.values["position"] = String(position)
        state.values["kind"] = "train-stage\(configuration.stage)"
        // What StylePrompterCheckpoint.load needs to read a checkpoint as a model.
        let json = JSONEncoder()
        json.outputFormatting = .sortedKeys        // the same bytes every time: checkpoints compare equal
        state.values["encoder_configuration"] = String(decoding: (try? json.encode(model.encoder.configuration)) ?? Data(), as: UTF8.self)
        state.values["generator_configuration"] = String(decoding: (try? json.encode(model.generator.configuration)) ?? Data(), as: UTF8.self)
        state.values["refined_layer"] = String(model.refinedLayer)
        return state
    }

    func restore(_ state: TrainingState) throws {
        guard state.values["kind"] == "train-stage\(configuration.stage)" else {
            throw TrainingError.run("checkpoint step \(state.step) is a '\(state.values["kind"] ?? "?")' checkpoint, not stage \(configuration.stage)")
        }
        do {
            let modelKeys = state.tensors.filter { !$0.key.hasPrefix("optim.") }
            try model.load(stateDictionary: modelKeys, source: "checkpoint step \(state.step)")
            try stage.optimizer.load(stateDictionary: state.tensors(under: "optim."))
        } catch {
            throw TrainingError.run("checkpoint step \(state.step) does not fit this run's model: \(error)")
        }
        try state.restore(random: modelRandom, from: "model_random")
        try state.restore(random: stage.random, from: "mask_random")
        bestValidationLoss = try state.float("best_validation_loss")
        position = try state.integer("position")
        step = state.step
    }

    /// Trains until `steps` (or `maxSteps` more, or an interrupt), validating and saving as it goes.
    public func train(maxSteps: Int? = nil) throws {
        let c = configuration
        // One loader batch is one optimiser step: the trainer splits it into `accumulation` micro-batches.
        // With N ranks each reads its 1/N of every micro-batch (`DataParallelPlan`).
        let plan = DataParallelPlan(shard: role.shard, block: c.batchSize)
        let loader = BatchLoader(source: trainSource, batchSize: c.batchSize * c.accumulation / role.ranks, imageSize: c.imageSize, seed: c.seed,
                                 flipProbability: c.flipProbability, startPosition: plan.localStart(forGlobal: position), plan: plan)
        defer { loader.stop() }
        let stopStep = min(c.steps, maxSteps.map { step + $0 } ?? Int.max)
        let started = Date()
        var window = ThroughputWindow()
        var skips = SkipReporter()
        let isRoot = role.isRoot
        let progress = TerminalProgress(totalSteps: c.steps, startStep: step, plainEvery: c.logEvery * 10, output: isRoot ? report : { _ in })
        self.progress = progress
        defer { progress.finish(); self.progress = nil }
        setTrainingModes()
        if step == 0 && isRoot { try validate() }
        let firstStep = step
        while step < stopStep && !role.stopRequested() {
            let terms = stage.step(try loader.next().images, step)
            step += 1
            position = plan.globalPosition(afterLocal: loader.position)
            window.add(c.batchSize * c.accumulation)
            if isRoot { skips.report(loader, folder: folder, progress: progress) }

            if isRoot && (step % c.logEvery == 0 || step == stopStep) {
                let rate = window.takeRate()
                let values = terms.mapValues(Double.init)
                try trainingLog?.append(TrainingRecord(step: step, kimg: Double(step * c.batchSize * c.accumulation) / 1000,
                                                       seconds: Date().timeIntervalSince(started), imagesPerSecond: rate, terms: values))
                progress.update(step: step, terms: values, imagesPerSecond: rate)
            }
            if isRoot && (step % c.validateEvery == 0 || step == stopStep) { try validate() }
            if step % c.checkpointEvery == 0 { try checkpoint(plan: plan, loader: loader) }
        }
        stoppedEarly = step < stopStep
        try checkpoint(plan: plan, loader: loader)
        guard isRoot else { return }
        try export()
        if let line = role.summary(steps: step - firstStep, seconds: Date().timeIntervalSince(started)) { folder.log(line) }
        folder.logSessionEnd(loader: loader, started: started, step: step)
    }

    /// Saves the state (rank 0), after checking that every rank holds the same one; once per step.
    private func checkpoint(plan: DataParallelPlan, loader: BatchLoader) throws {
        guard step != lastCheckpointStep else { return }
        lastCheckpointStep = step
        position = role.globalPosition(plan: plan, localPosition: loader.position)
        try role.save(state(), to: store, folder: folder)
    }

    /// Loss terms and reconstruction metrics on the validation images, a grid (input | stage 1
    /// | SMART), and `best.safetensors` when the validation loss improved.
    @discardableResult
    public func validate() throws -> [String: Double] {
        let size = configuration.imageSize
        var lossSum: [String: Double] = [:]
        var summary = MetricSummary()
        var rows: [[Image]] = []
        let metrics = InversionMetrics()
        let count = validationImages.shape[0]
        let wasTraining = model.encoder.training
        model.eval()
        defer { if wasTraining { setTrainingModes() } }
        for start in stride(from: 0, to: count, by: configuration.batchSize) {
            let n = min(configuration.batchSize, count - start)
            let target = validationImages.narrow(0, start: start, length: n)
            let (terms, stageOne, final) = GradientMode.withoutGradients { () -> ([String: Float], Tensor, Tensor) in
                let encoded = model.encode(target)
                let pool = { (image: Tensor) in image.adaptiveAveragePool2d(outputHeight: size, outputWidth: size) }
                let stageOne = pool(model.decode(encoded, useSMART: false))
                let final = model.smart == nil ? stageOne : pool(model.decode(encoded))
                return (stage.evaluate(encoded, final, target), stageOne, final)
            }
            for (name, value) in terms { lossSum[name, default: 0] += Double(value) * Double(n) }
            metrics.evaluate(final, target, into: &summary)
            let inputs = try Image.images(from: target), first = try Image.images(from: stageOne), last = try Image.images(from: final)
            for i in 0..<n { rows.append(model.smart == nil ? [inputs[i], first[i]] : [inputs[i], first[i], last[i]]) }
        }
        var values: [String: Double] = [:]
        for (name, sum) in lossSum { values["val_" + name] = sum / Double(count) }
        for name in ["mse", "psnr", "ssim"] { if let s = summary.statistic(name) { values[name] = s.mean } }
        let name = String(format: "val-%08d.png", step)
        let columns = 4
        let grid = try ImageGrid.make(rows: stride(from: 0, to: rows.count, by: columns).map { i in
            Array(rows[i..<min(i + columns, rows.count)]).flatMap { $0 }
        })
        try grid.write(to: folder.samples.appendingPathComponent(name))
        try validationLog?.append(ValidationRecord(step: step, metrics: values, grid: "samples/" + name))
        if let loss = values["val_loss"].map(Float.init), loss.isFinite, loss < bestValidationLoss, step > 0 {
            bestValidationLoss = loss
            try store.saveBest(state())
        }
        let line = "validation at step \(step): " + values.keys.sorted().map { "\($0) \(ProgressLine.number(values[$0]!))" }.joined(separator: " · ")
        if let progress { progress.message(line) } else { report(line + "\n") }
        try RunReport.write(runFolder: folder.url)
        return values
    }

    /// Training mode for the whole model, as the released coaches' `net.train()`: stage 1's
    /// encoder drop-path, and in stage 2 SMART's dropout and — as released, though the encoder is
    /// frozen — the encoder's drop-path. The generator has no random layers.
    func setTrainingModes() {
        model.train()
    }

    /// The model as our `.safetensors` (`RUN/model.safetensors`: what `invert`, `edit` and stage
    /// 2 read) and in the released PyTorch layout (`RUN/model.pt`: `{'state_dict', 'opts',
    /// 'latent_avg'}`, stage 1 as the released baseline checkpoint), which the released code loads.
    public func export() throws {
        try StylePrompterCheckpoint.save(model, to: folder.url.appendingPathComponent("model.safetensors"))
        try StylePrompterCheckpoint.exportPyTorch(model, options: [
            "batch_size": .int(configuration.batchSize), "learning_rate": .float(Double(configuration.learningRate)),
            "l2_lambda": .float(Double(configuration.l2Weight)), "lpips_lambda": .float(Double(configuration.lpipsWeight)),
            "id_lambda": .float(Double(configuration.identityWeight)), "max_steps": .int(configuration.steps),
        ], to: folder.url.appendingPathComponent("model.pt"))
    }
}
