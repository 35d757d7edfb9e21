import Foundation
import Imaging
import MessagePassing
import NeuralNetwork
import Perceptual
import StyleGAN
import Tensors

/// Everything a `train-generator` run is started with; kept in the run's `config.json` so
/// `--resume` rebuilds the same run.
public struct GeneratorTrainingConfiguration: Codable, Sendable, Equatable {
    public var size = 64
    public var styleDimension = 512
    public var mappingLayers = 8
    public var channelMultiplier = 2
    /// Channels per resolution, overriding rosinality's table (for small generators).
    public var channels: [Int: Int]?
    public var batchSize = 16
    /// Length of the run in thousands of real images shown to D.
    public var kimg: Double = 100
    public var learningRate: Float = 0.002
    public var r1Gamma: Float = 10
    public var pathRegularization: Float = 2
    public var pathBatchShrink = 2
    public var discriminatorRegularizationInterval = 16
    public var generatorRegularizationInterval = 4
    public var mixingProbability: Float = 0.9
    public var flipProbability: Float = 0.5
    public var seed: UInt64 = 0
    /// Steps between checkpoints, and how many to keep.
    public var checkpointEvery = 500
    public var keepCheckpoints = 3
    /// Thousands of images between sample grids.
    public var sampleEveryKimg: Double = 5
    public var sampleCount = 16
    /// Steps between metric lines.
    public var logEvery = 10
    /// What the data is (a folder path or `synthfaces:SEED`); the command rebuilds the source from it.
    public var data = ""
    /// DiffAugment policies applied to every image D sees ("color", "translation", "cutout"), for
    /// small data sets; nil or empty for none.
    public var augment: [String]?
    /// Kernel threads the run started with: the same count gives the same bits on resume.
    public var threads = 0
    /// A generator file to start G (and its EMA) from instead of random weights; D starts fresh.
    public var initialGenerator: String?
    /// A `train-generator` checkpoint a new run forks from: G, D, the EMA, both Adam states and the
    /// mean path length start as they were there (with `initialGenerator`, D would start fresh and,
    /// measured, speckles the faces it then teaches G); the step count, data order and draws are the new run's.
    public var initialState: String?
    /// Thousands of images at the start during which only D trains (for a fresh D against a
    /// trained `initialGenerator`).
    public var holdGeneratorKimg: Double?
    /// An attribute predictor (`train-attributes`) for `AttributeStatisticsMatching`, and its weight.
    public var attributes: String?
    public var attributeWeight: Float?
    /// The predictor's readings the term matches (`AttributeStatisticsMatching.readingNames`:
    /// `smile`, `glasses=1`, …); nil for all.
    public var attributeReadings: [String]?
    /// Real images the attribute term measures the data's statistics on.
    public static let attributeStatisticsImages = 2048

    public init() {}

    public var generatorConfiguration: GeneratorConfiguration {
        GeneratorConfiguration(size: size, styleDimension: styleDimension, mappingLayers: mappingLayers,
                               channelMultiplier: channelMultiplier, channels: channels)
    }

    public var totalSteps: Int { Int((kimg * 1000 / Double(batchSize)).rounded(.up)) }

    /// Refuses values that cannot train, one line each.
    public func validate() throws {
        guard size >= 8, size <= 4096, size & (size - 1) == 0 else { throw TrainingError.configuration("--size \(size): a power of two from 8 to 4096") }
        guard batchSize >= 1, batchSize <= 4096 else { throw TrainingError.configuration("--batch \(batchSize): 1…4096") }
        guard kimg.isFinite, kimg > 0, kimg <= 1_000_000 else { throw TrainingError.configuration("--kimg \(kimg): a positive number up to 1,000,000") }
        guard learningRate.isFinite, learningRate > 0 else { throw TrainingError.configuration("--lr \(learningRate): positive and finite") }
        guard r1Gamma.isFinite, r1Gamma >= 0, pathRegularization.isFinite, pathRegularization >= 0 else {
            throw TrainingError.configuration("--r1 and --path-regularize must be finite and ≥ 0")
        }
        guard (0...1).contains(mixingProbability), (0...1).contains(flipProbability) else {
            throw TrainingError.configuration("--mixing and flip probabilities must be in [0, 1]")
        }
        guard styleDimension >= 1, styleDimension <= 4096, mappingLayers >= 1, mappingLayers <= 64 else {
            throw TrainingError.configuration("style dimension 1…4096 and mapping layers 1…64, got \(styleDimension), \(mappingLayers)")
        }
        guard channelMultiplier >= 1, channelMultiplier <= 8 else { throw TrainingError.configuration("--channel-multiplier \(channelMultiplier): 1…8") }
        if let channels {
            var r = 4
            while r <= size {
                guard let c = channels[r], c >= 1, c <= 4096 else { throw TrainingError.configuration("channel table: no sensible count for \(r) px (1…4096)") }
                r *= 2
            }
        }
        for policy in augment ?? [] where !["color", "translation", "cutout"].contains(policy) {
            throw TrainingError.configuration("--augment: '\(policy)' is not one of color, translation, cutout")
        }
        if let holdGeneratorKimg {
            guard holdGeneratorKimg.isFinite, holdGeneratorKimg >= 0, holdGeneratorKimg < kimg else {
                throw TrainingError.configuration("--hold-generator-kimg \(holdGeneratorKimg): from 0 to below --kimg \(kimg)")
            }
        }
        if let attributeWeight {
            guard attributeWeight.isFinite, attributeWeight >= 0, attributeWeight <= 1e6 else {
                throw TrainingError.configuration("--attribute-weight \(attributeWeight): finite, from 0 to 1e6")
            }
            guard attributes != nil else { throw TrainingError.configuration("--attribute-weight needs --attributes (a predictor from train-attributes)") }
        }
        if attributeReadings != nil, attributes == nil {
            throw TrainingError.configuration("--attribute-readings needs --attributes (a predictor from train-attributes)")
        }
        if initialState != nil, initialGenerator != nil {
            throw TrainingError.configuration("--init-checkpoint and --init-generator both start G: pass one")
        }
        if attributes != nil, batchSize < 2 {
            throw TrainingError.configuration("--attributes matches batch statistics: --batch must be at least 2, got \(batchSize)")
        }
        guard checkpointEvery >= 1, keepCheckpoints >= 1, logEvery >= 1, sampleCount >= 1, sampleCount <= 256,
              sampleEveryKimg.isFinite, sampleEveryKimg > 0 else {
            throw TrainingError.configuration("checkpoint/log intervals, sample count (1…256) and sample interval must be positive")
        }
    }
}

/// A StyleGAN2 training run (rosinality's recipe through `GANTrainer`) in a run folder:
/// resumable bit for bit, with checkpoints, metrics, sample grids and exports.
///
/// Data-parallel with a `communicator` of several ranks: each rank trains on its part of every
/// batch, draws its z, noise and probes as its rows of the one-process draws (`ShardedDraws`),
/// averages every gradient (D, R1, G, path length) before each Adam step, keeps the EMA itself
/// (identically), and rank 0 alone writes the run folder.
///
/// ```swift
/// let run = try GeneratorTrainingRun(folder: url, configuration: config, source: faces, resume: false)
/// try run.train()                        // until kimg, or Ctrl-C (saves first)
/// ```
public final class GeneratorTrainingRun {
    public let folder: RunFolder
    public let configuration: GeneratorTrainingConfiguration
    public let generator: Generator
    public let discriminator: Discriminator
    public let ema: Generator
    public let trainer: GANTrainer
    public let store: TrainingCheckpointStore
    public private(set) var step = 0
    /// Whether the last `train` stopped before its last step (Ctrl-C on any rank).
    public private(set) var stoppedEarly = false
    private var lastCheckpointStep: Int?
    let source: any TrainingImageSource
    var startPosition = 0
    /// The lazy regularisers run on their own schedule (every 16 / 4 iterations), which a log
    /// interval may never meet: each logged line carries their latest values (saved with the run).
    var latestR1: Float?, latestPath: Float?
    /// Receives the progress output (a terminal line redrawn in place, or plain lines); tests silence it.
    public var report: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    /// Rank 0's logs (the other ranks of a data-parallel run write nothing).
    let trainingLog: TrainingLog?
    let validationLog: ValidationLog?
    let role: DataParallelRole
    /// The attribute-statistics term when the run has `attributes` (its spread ratios are logged).
    public private(set) var attributeTerm: AttributeStatisticsMatching?

    /// Creates the models (or restores them from the run's newest checkpoint with `resume`).
    public init(folder url: URL, configuration: GeneratorTrainingConfiguration, source: any TrainingImageSource, resume: Bool,
                communicator: any Communicator = SingleProcess()) throws {
        try configuration.validate()
        role = DataParallelRole(communicator: communicator)
        try role.checkBatch(configuration.batchSize)
        // The files a new run starts from are read before its folder exists: a bad one leaves nothing behind.
        let initialGenerator = try resume ? nil : configuration.initialGenerator.map { try Self.initialGenerator($0, configuration: configuration) }
        let initialState = try resume ? nil : configuration.initialState.map { try Self.initialState($0, configuration: configuration) }
        let term = try configuration.attributes.map {
            try Self.attributeTerm(predictor: $0, weight: configuration.attributeWeight ?? 1, source: source, configuration: configuration)
        }
        folder = try role.openFolder(url, creating: !resume)
        self.configuration = configuration
        self.source = source
        store = TrainingCheckpointStore(run: folder, keep: configuration.keepCheckpoints)
        trainingLog = role.isRoot ? try TrainingLog(url: folder.metricsFile) : nil
        validationLog = role.isRoot ? try ValidationLog(url: folder.validationFile) : nil
        let initialization = RandomGenerator(seed: configuration.seed)
        let g = configuration.generatorConfiguration
        generator = Generator(g, generator: initialization)
        discriminator = Discriminator(size: g.size, channels: g.channels, generator: initialization)
        ema = Generator(g, generator: initialization)
        var settings = GANTrainer.Settings()
        settings.learningRate = configuration.learningRate
        settings.r1Gamma = configuration.r1Gamma
        settings.pathRegularization = configuration.pathRegularization
        settings.pathBatchShrink = configuration.pathBatchShrink
        settings.discriminatorRegularizationInterval = configuration.discriminatorRegularizationInterval
        settings.generatorRegularizationInterval = configuration.generatorRegularizationInterval
        settings.mixingProbability = configuration.mixingProbability
        if let augment = configuration.augment, !augment.isEmpty {
            var policy: DifferentiableAugmentation.Policy = []
            if augment.contains("color") { policy.insert(.color) }
            if augment.contains("translation") { policy.insert(.translation) }
            if augment.contains("cutout") { policy.insert(.cutout) }
            settings.augmentation = DifferentiableAugmentation(policy: policy)
        }
        trainer = GANTrainer(generator: generator, discriminator: discriminator, ema: ema, settings: settings,
                             seed: StableHash.mix(configuration.seed ^ 0x6A4))
        if let allReduce = role.allReduce {
            trainer.randomSource = ShardedDraws(random: trainer.random, shard: role.shard)
            trainer.synchronizer = allReduce
        }
        if let kimg = configuration.holdGeneratorKimg {
            trainer.generatorHeldUntilIteration = Int((kimg * 1000 / Double(configuration.batchSize)).rounded(.up))
        }
        if let term {
            attributeTerm = term
            trainer.generatorAuxiliaryLoss = { term.loss($0) }
        }
        if resume {
            guard let state = try store.latest() else {
                throw TrainingError.run("\(url.path): no readable checkpoint to resume from")
            }
            try restore(state)
            try trainingLog?.truncate(afterStep: step)
            try validationLog?.truncate(afterStep: step)
            if role.isRoot { folder.log("resumed at step \(step) (position \(startPosition)) on \(role.ranks) rank\(role.ranks == 1 ? "" : "s")") }
        } else {
            if let initialState, let path = configuration.initialState {
                try fork(from: initialState, path: path)
                if role.isRoot { folder.log("G, D, their EMA and Adam states start from \(path) (its step \(initialState.step))") }
            }
            if let initialGenerator, let path = configuration.initialGenerator {
                try generator.load(stateDictionary: Dictionary(uniqueKeysWithValues: initialGenerator.stateDictionary().map { ($0.key, $0.tensor) }),
                                   source: URL(fileURLWithPath: path).lastPathComponent)
                GANTrainer.accumulate(ema, from: generator, decay: 0)
                if role.isRoot { folder.log("G and its EMA start from \(path)") }
            }
            if role.isRoot {
                try folder.writeConfiguration(configuration, kind: "train-generator", totalSteps: configuration.totalSteps)
                folder.log("started: \(configuration.totalSteps) steps of batch \(configuration.batchSize) on \(configuration.data)")
            }
        }
    }

    /// The trained generator a new run starts G and its EMA from; its configuration must be the run's.
    static func initialGenerator(_ path: String, configuration: GeneratorTrainingConfiguration) throws -> Generator {
        let loaded = try GeneratorCheckpoint.load(contentsOf: URL(fileURLWithPath: path))
        guard loaded.generator.configuration.summary == configuration.generatorConfiguration.summary else {
            throw TrainingError.configuration("--init-generator \(path): its generator (\(loaded.generator.configuration.summary)) is not this run's (\(configuration.generatorConfiguration.summary)); pass the same --size, --channels, --style-dimension and --mapping-layers")
        }
        return loaded.generator
    }

    /// The checkpoint a forked run starts from: a training state written by `train-generator`.
    /// Its models are checked against the run's here, before the run folder exists, so a checkpoint
    /// that does not fit leaves nothing behind.
    static func initialState(_ path: String, configuration: GeneratorTrainingConfiguration) throws -> TrainingState {
        let state = try TrainingCheckpointStore.read(URL(fileURLWithPath: path))
        guard state.values["kind"] == "train-generator" else {
            throw TrainingError.configuration("--init-checkpoint \(path): a '\(state.values["kind"] ?? "?")' checkpoint, not one of train-generator's (a run's checkpoints/step-*.safetensors)")
        }
        let g = configuration.generatorConfiguration
        let probe = RandomGenerator(seed: 0)
        do {
            try Generator(g, generator: probe).load(stateDictionary: state.tensors(under: "g."), source: "\(path) g.*")
            try Discriminator(size: g.size, channels: g.channels, generator: probe).load(stateDictionary: state.tensors(under: "d."), source: "\(path) d.*")
        } catch {
            throw Self.checkpointDoesNotFit(path, error)
        }
        let meanPathLength = try state.float("mean_path_length")
        guard meanPathLength.isFinite, meanPathLength >= 0 else {
            throw TrainingError.configuration("--init-checkpoint \(path): its mean path length \(meanPathLength) is not a finite number ≥ 0")
        }
        return state
    }

    /// The one-line refusal of a fork whose checkpoint holds other models (checked up front, and
    /// again for the EMA and optimiser states when the fork loads them).
    static func checkpointDoesNotFit(_ path: String, _ error: any Error) -> TrainingError {
        TrainingError.configuration("--init-checkpoint \(path): does not fit this run's models (pass the same --size, --channels, --style-dimension and --mapping-layers): \(error)")
    }

    /// Takes the models, both Adam states and the mean path length from another run's checkpoint;
    /// the iteration restarts at 0 (the lazy regularisers' schedule and the hold are the new run's).
    func fork(from state: TrainingState, path: String) throws {
        do {
            try loadModelsAndOptimizers(from: state, source: path)
        } catch {
            throw Self.checkpointDoesNotFit(path, error)
        }
        trainer.restore(iteration: 0, meanPathLength: try state.float("mean_path_length"))
    }

    /// G, D, the EMA and both Adam states from a training state (`state()`'s prefixes).
    private func loadModelsAndOptimizers(from state: TrainingState, source: String) throws {
        try generator.load(stateDictionary: state.tensors(under: "g."), source: "\(source) g.*")
        try discriminator.load(stateDictionary: state.tensors(under: "d."), source: "\(source) d.*")
        try ema.load(stateDictionary: state.tensors(under: "g_ema."), source: "\(source) g_ema.*")
        try trainer.generatorOptimizer.load(stateDictionary: state.tensors(under: "g_optim."))
        try trainer.discriminatorOptimizer.load(stateDictionary: state.tensors(under: "d_optim."))
    }

    /// The attribute-statistics term, its real statistics measured on the first images of the data
    /// (the same every time: a resumed run rebuilds the same term).
    static func attributeTerm(predictor path: String, weight: Float, source: any TrainingImageSource,
                              configuration c: GeneratorTrainingConfiguration) throws -> AttributeStatisticsMatching {
        let (predictor, size) = try AttributePredictor.load(contentsOf: URL(fileURLWithPath: path))
        let count = min(GeneratorTrainingConfiguration.attributeStatisticsImages, source.count ?? .max)
        let batch = min(64, count)
        let loader = BatchLoader(source: source, batchSize: batch, imageSize: c.size, seed: StableHash.mix(c.seed ^ 0xA77), shuffle: false,
                                 flipProbability: c.flipProbability)
        defer { loader.stop() }
        var batches: [Tensor] = []
        for _ in 0..<max(1, count / batch) { batches.append(try loader.next().images) }
        return try AttributeStatisticsMatching(predictor: predictor, imageSize: size, weight: weight, realImages: batches, only: c.attributeReadings)
    }

    /// The whole training state.
    public func state() -> TrainingState {
        var state = TrainingState(step: step)
        state.add(Dictionary(uniqueKeysWithValues: generator.stateDictionary().map { ($0.key, $0.tensor) }), prefix: "g.")
        state.add(Dictionary(uniqueKeysWithValues: discriminator.stateDictionary().map { ($0.key, $0.tensor) }), prefix: "d.")
        state.add(Dictionary(uniqueKeysWithValues: ema.stateDictionary().map { ($0.key, $0.tensor) }), prefix: "g_ema.")
        state.add(trainer.generatorOptimizer.stateDictionary(), prefix: "g_optim.")
        state.add(trainer.discriminatorOptimizer.stateDictionary(), prefix: "d_optim.")
        state.store(random: trainer.random, as: "random")
        state.store(trainer.meanPathLength, as: "mean_path_length")
        if let latestR1 { state.store(latestR1, as: "latest_r1") }
        if let latestPath { state.store(latestPath, as: "latest_path") }
        state.values["iteration"] = String(trainer.iteration)
        state.values["position"] = String(startPosition)
        state.values["kind"] = "train-generator"
        return state
    }

    func restore(_ state: TrainingState) throws {
        guard state.values["kind"] == "train-generator" else {
            throw TrainingError.run("checkpoint step \(state.step) is a '\(state.values["kind"] ?? "?")' checkpoint, not train-generator")
        }
        do {
            try loadModelsAndOptimizers(from: state, source: "checkpoint")
        } catch {
            throw TrainingError.run("checkpoint step \(state.step) does not fit this run's models: \(error)")
        }
        try state.restore(random: trainer.random, from: "random")
        trainer.restore(iteration: try state.integer("iteration"), meanPathLength: try state.float("mean_path_length"))
        startPosition = try state.integer("position")
        latestR1 = try? state.float("latest_r1")
        latestPath = try? state.float("latest_path")
        step = state.step
    }

    /// Trains until `kimg` (or `maxSteps` more steps, or an interrupt), checkpointing as it goes
    /// and at the end. Returns the losses of the last step.
    @discardableResult
    public func train(maxSteps: Int? = nil) throws -> GANTrainer.Losses? {
        let c = configuration
        let plan = DataParallelPlan(shard: role.shard, block: c.batchSize)
        let loader = BatchLoader(source: source, batchSize: c.batchSize / role.ranks, imageSize: c.size, seed: c.seed,
                                 flipProbability: c.flipProbability, startPosition: plan.localStart(forGlobal: startPosition), plan: plan)
        defer { loader.stop() }
        let stopStep = min(c.totalSteps, maxSteps.map { step + $0 } ?? Int.max)
        let started = Date()
        var window = ThroughputWindow()
        var last: GANTrainer.Losses?
        var skips = SkipReporter()
        let isRoot = role.isRoot
        let progress = TerminalProgress(totalSteps: c.totalSteps, startStep: step, plainEvery: c.logEvery * 10, output: isRoot ? report : { _ in })
        defer { progress.finish() }
        let firstStep = step
        while step < stopStep && !role.stopRequested() {
            let batch = try loader.next()
            let losses = trainer.step(realImages: batch.images)
            last = losses
            latestR1 = losses.r1 ?? latestR1
            latestPath = losses.pathLength ?? latestPath
            step += 1
            startPosition = plan.globalPosition(afterLocal: loader.position)
            window.add(c.batchSize)

            if isRoot { skips.report(loader, folder: folder, progress: progress) }

            if isRoot && (step % c.logEvery == 0 || step == stopStep) {
                let rate = window.takeRate()
                var terms: [String: Double] = ["loss_d": Double(losses.discriminator), "loss_g": Double(losses.generator),
                                               "mean_path_length": Double(losses.meanPathLength)]
                if let r1 = latestR1 { terms["r1"] = Double(r1) }
                if let path = latestPath { terms["path"] = Double(path) }
                if let value = losses.auxiliary { terms["attributes"] = Double(value) }
                try trainingLog?.append(TrainingRecord(step: step, kimg: Double(step * c.batchSize) / 1000,
                                                      seconds: Date().timeIntervalSince(started), imagesPerSecond: rate, terms: terms))
                progress.update(step: step, terms: terms, imagesPerSecond: rate)
            }
            if step % c.checkpointEvery == 0 { try checkpoint(plan: plan, loader: loader) }
            let imagesBefore = Double((step - 1) * c.batchSize), imagesNow = Double(step * c.batchSize)
            let every = c.sampleEveryKimg * 1000
            if isRoot && ((imagesBefore / every).rounded(.down) != (imagesNow / every).rounded(.down) || step == stopStep) {
                try writeSamples()
            }
        }
        stoppedEarly = step < stopStep
        try checkpoint(plan: plan, loader: loader)
        guard isRoot else { return last }
        try export()
        if let line = role.summary(steps: step - firstStep, seconds: Date().timeIntervalSince(started)) { folder.log(line) }
        folder.logSessionEnd(loader: loader, started: started, step: step)
        return last
    }

    /// Saves the state (rank 0), after checking that every rank holds the same one; once per step.
    private func checkpoint(plan: DataParallelPlan, loader: BatchLoader) throws {
        guard step != lastCheckpointStep else { return }
        lastCheckpointStep = step
        startPosition = role.globalPosition(plan: plan, localPosition: loader.position)
        try role.save(state(), to: store, folder: folder)
    }

    /// The EMA generator's images of fixed z (the same every time: progress is comparable).
    public func writeSamples() throws {
        let c = configuration
        let random = RandomGenerator(seed: StableHash.mix(c.seed ^ 0x5A3B1E))
        let z = Tensor.randomNormal([c.sampleCount, c.styleDimension], generator: random)
        let images = GradientMode.withoutGradients { ema([z], noise: .stored) }
        let tiles = try Image.images(from: images)
        let columns = Int(Double(tiles.count).squareRoot().rounded(.up))
        let rows = stride(from: 0, to: tiles.count, by: columns).map { Array(tiles[$0..<min($0 + columns, tiles.count)]) }
        let grid = try ImageGrid.make(rows: rows)
        let name = String(format: "samples-%08d.png", step)
        try grid.write(to: folder.samples.appendingPathComponent(name))
        try validationLog?.append(ValidationRecord(step: step, metrics: try attributeSpread(), grid: "samples/" + name))
        try RunReport.write(runFolder: folder.url)
    }

    /// With the attribute term: how varied the EMA generator's faces are, per continuous
    /// attribute, as its spread of the predictor's reading over the real spread (1 = as varied as
    /// the data), on 128 fixed z — logged as `spread.NAME`, and the three lowest in the log.
    func attributeSpread() throws -> [String: Double] {
        guard let attributeTerm else { return [:] }
        let c = configuration
        let z = Tensor.randomNormal([128, c.styleDimension], generator: RandomGenerator(seed: StableHash.mix(c.seed ^ 0x5B12EAD)))
        let images = GradientMode.withoutGradients { ema([z], noise: .stored) }
        let continuous = Set(attributeTerm.predictor.layout.continuousNames)
        let ratios = attributeTerm.spreadRatios(images).filter { continuous.contains($0.key) }
        let lowest = ratios.sorted { $0.value < $1.value }.prefix(3).map { "\($0.key) \(String(format: "%.2f", $0.value))" }
        folder.log("step \(step): attribute spread of the EMA's faces over the data's, lowest: \(lowest.joined(separator: ", "))")
        return Dictionary(uniqueKeysWithValues: ratios.map { ("spread.\($0.key)", Double($0.value)) })
    }

    /// The EMA generator as our `.safetensors` (`RUN/generator.safetensors`, with the mean of
    /// 4,096 mapped z as `latent_avg`) — the file `invert`, `generate` and `train` take — and the
    /// whole run in rosinality's layout (`RUN/generator.pt`: g, d, g_ema, both Adam states, args,
    /// latent_avg), which rosinality's `generate.py`, `train.py --ckpt` and the pSp family load.
    public func export() throws {
        let average = ema.meanLatent(count: 4096, generator: RandomGenerator(seed: 0x4096)).reshape([1, -1])
        try GeneratorCheckpoint.save(ema, latentAverage: average, to: folder.url.appendingPathComponent("generator.safetensors"))
        var settings = trainer.settings
        settings.learningRate = configuration.learningRate
        try GeneratorCheckpoint.exportPyTorch(
            generator: generator, discriminator: discriminator, ema: ema,
            generatorOptimizer: trainer.generatorOptimizer, discriminatorOptimizer: trainer.discriminatorOptimizer,
            arguments: GeneratorCheckpoint.trainingArguments(settings, batch: configuration.batchSize, iterations: configuration.totalSteps),
            latentAverage: average.reshape([-1]), to: folder.url.appendingPathComponent("generator.pt"))
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds)
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
