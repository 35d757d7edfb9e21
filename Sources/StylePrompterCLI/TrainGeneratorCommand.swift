import ArgumentParser
import Foundation
import CPUKernels
import Tensors
import SynthFaces
import Training

/// `styleprompter train-generator`: StyleGAN2 on a folder of images (rosinality's recipe),
/// resumable, with checkpoints, metrics, sample grids and exports in the run folder.
struct TrainGeneratorCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "train-generator",
        abstract: "Train a StyleGAN2 generator on a folder of images (or streamed SynthFaces).",
        discussion: """
        A new run needs --data, --size and --out; --resume RUN continues a run exactly where its newest \
        checkpoint stopped (--kimg may extend it). Ctrl-C saves and exits. The run folder holds config.json, \
        checkpoints/, samples/, metrics.jsonl, log.txt and, at the end, generator.safetensors.
        """)

    @Option(help: "Training images: a folder (recursive PNG/JPEG), or 'synthfaces[-STYLE][:SEED]' to stream rendered faces (STYLE: classic, large-mouth).")
    var data: String?
    @Option(help: "Output resolution (a power of two: 64, 128, 256, …).") var size: Int?
    @Option(help: "New run folder.") var out: String?
    @Option(help: "Continue the run in this folder.") var resume: String?
    @Option(help: "Batch size.") var batch: Int = 16
    @Option(help: "Length of the run in thousands of images.") var kimg: Double?
    @Option(help: "rosinality's channel multiplier (2 = config-f).") var channelMultiplier: Int = 2
    @Option(help: "Channel table overriding it, e.g. 4:256,8:256,16:256,32:128,64:64.") var channels: String?
    @Option(help: "Style (w) dimension.") var styleDimension: Int = 512
    @Option(help: "Mapping-network layers.") var mappingLayers: Int = 8
    @Option(name: .customLong("lr"), help: "Adam learning rate.") var learningRate: Float = 0.002
    @Option(help: "R1 weight γ.") var r1: Float = 10
    @Option(help: "Path-length regularisation weight (0 turns it off).") var pathRegularize: Float = 2
    @Option(help: "Style-mixing probability.") var mixing: Float = 0.9
    @Option(help: "DiffAugment for small data sets: any of color,translation,cutout (comma-separated).") var augment: String?
    @Option(help: "Seed for initialisation, data order and every random draw.") var seed: UInt64 = 0
    @Option(help: "Steps between checkpoints.") var checkpointEvery: Int = 500
    @Option(help: "Checkpoints to keep.") var keep: Int = 3
    @Option(help: "Thousands of images between sample grids.") var sampleEvery: Double = 5
    @Option(help: "Stop after this many steps (the run stays resumable).") var maxSteps: Int?
    @Option(help: "Start G and its EMA from this generator file (ours, rosinality's, or a StylePrompter model holding one); D starts fresh.")
    var initGenerator: String?
    @Option(help: "Fork a new run from another train-generator run's checkpoint (RUN/checkpoints/step-N.safetensors): G, D, their EMA and Adam states carry over.")
    var initCheckpoint: String?
    @Option(help: "Thousands of images at the start during which only D trains (for a fresh D against --init-generator).")
    var holdGeneratorKimg: Double?
    @Option(help: "An attribute predictor (train-attributes): adds a G term matching the mean and spread of its readings on fakes to the real data's.")
    var attributes: String?
    @Option(help: "Weight of that term (default 1).") var attributeWeight: Float?
    @Option(help: "Match only these readings of the predictor (comma-separated: smile,mouthOpen,glasses=1, …).")
    var attributeReadings: String?
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var parallel: DistributedOptions

    func validate() throws {
        guard (out == nil) != (resume == nil) else { throw ValidationError("train-generator: pass --out for a new run or --resume RUN, not both") }
        if out != nil {
            guard data != nil else { throw ValidationError("train-generator: a new run needs --data") }
            guard size != nil else { throw ValidationError("train-generator: a new run needs --size") }
        }
        if let maxSteps, maxSteps < 1 { throw ValidationError("train-generator: --max-steps must be at least 1") }
        if resume != nil, initGenerator != nil || initCheckpoint != nil || holdGeneratorKimg != nil || attributes != nil || attributeWeight != nil || attributeReadings != nil {
            throw ValidationError("train-generator: --init-generator, --init-checkpoint, --hold-generator-kimg and the --attribute options start a run; a resumed run keeps its own")
        }
    }

    func execute() throws {
        try compute.apply(trainingLoop: true)
        try parallel.runTraining(threadsGiven: compute.threads != nil) { world, say in
            let configuration: GeneratorTrainingConfiguration
            let folder: URL
            if let resume {
                folder = URL(fileURLWithPath: resume)
                var saved = try RunFolder(folder, creating: false).readConfiguration(GeneratorTrainingConfiguration.self)
                if let kimg { saved.kimg = kimg }
                configuration = saved
                if configuration.threads != Parallel.threadCount {
                    say("note: the run started with \(configuration.threads) kernel threads, now \(Parallel.threadCount): results stay correct but are no longer bit-identical to an uninterrupted run")
                }
            } else {
                folder = URL(fileURLWithPath: out!)
                if FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) {
                    throw TrainingError.run("\(folder.path) already holds a run; continue it with --resume \(folder.path) or choose another --out")
                }
                var c = GeneratorTrainingConfiguration()
                c.size = size!
                c.batchSize = batch
                c.kimg = kimg ?? 100
                c.channelMultiplier = channelMultiplier
                c.channels = try channels.map(Self.parseChannels)
                c.styleDimension = styleDimension
                c.mappingLayers = mappingLayers
                c.learningRate = learningRate
                c.r1Gamma = r1
                c.pathRegularization = pathRegularize
                c.mixingProbability = mixing
                c.seed = seed
                c.augment = augment.map(ArgumentChecks.names)
                c.checkpointEvery = checkpointEvery
                c.keepCheckpoints = keep
                c.sampleEveryKimg = sampleEvery
                c.data = data!
                c.initialGenerator = initGenerator
                c.initialState = initCheckpoint
                c.holdGeneratorKimg = holdGeneratorKimg
                c.attributes = attributes
                c.attributeWeight = attributeWeight
                c.attributeReadings = attributeReadings.map(ArgumentChecks.names)
                c.threads = Parallel.threadCount
                configuration = c
            }
            try configuration.validate()
            let source = try TrainingData.source(configuration.data, size: configuration.size)
            InterruptSignal.install()
            let run = try GeneratorTrainingRun(folder: folder, configuration: configuration, source: source, resume: resume != nil, communicator: world)
            if resume != nil && world.isRoot { try run.folder.writeConfiguration(configuration, kind: "train-generator", totalSteps: configuration.totalSteps) }
            say("train-generator: \(configuration.size) px, batch \(configuration.batchSize)\(world.size > 1 ? " over \(world.size) ranks" : ""), step \(run.step)/\(configuration.totalSteps), data \(configuration.data) → \(run.folder.url.path)")
            try run.train(maxSteps: maxSteps)
            say(run.stoppedEarly
                  ? "interrupted at step \(run.step): saved; continue with --resume \(run.folder.url.path)"
                  : "stopped at step \(run.step) of \(configuration.totalSteps); generator: \(run.folder.url.path)/generator.safetensors")
        }
    }

    /// "4:256,8:256" → [4: 256, 8: 256].
    static func parseChannels(_ text: String) throws -> [Int: Int] {
        var table: [Int: Int] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: ":").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard pair.count == 2, let r = pair[0], let c = pair[1] else {
                throw ValidationError("--channels: '\(part)' is not RESOLUTION:CHANNELS")
            }
            table[r] = c
        }
        return table
    }
}

/// The `--data` forms the training commands share.
enum TrainingData {
    /// A `SynthFacesStream` (`synthfaces[-STYLE][:SEED]`) or a folder.
    static func source(_ description: String, size: Int) throws -> any TrainingImageSource {
        if let stream = try SynthFacesStream(description: description) { return stream.source(size: size) }
        return try ImageFolderSource(folder: URL(fileURLWithPath: description))
    }

    /// The training and validation sets: a test folder when given, else a seeded held-out part
    /// of a folder.
    static func split(_ all: any TrainingImageSource, description: String, size: Int, test: String?, heldOut: Double, seed: UInt64,
                      validationCount: Int) throws -> (train: any TrainingImageSource, validation: any TrainingImageSource) {
        if let test { return (all, try source(test, size: 0)) }
        if let stream = try SynthFacesStream(description: description) {
            return (all, PrefixImageSource(stream.source(size: size, validation: true), count: validationCount))
        }
        guard let folder = all as? ImageFolderSource else {
            throw TrainingError.configuration("a streamed data set needs no split; pass --test or use a folder")
        }
        let (train, validation) = folder.split(heldOutFraction: heldOut, seed: seed)
        guard validation.count ?? 0 > 0 else {
            throw TrainingError.data("\(folder.folder.path): holding out \(heldOut) of \(folder.relativePaths.count) images leaves no validation image; pass --test DIR or a larger --held-out")
        }
        guard train.count ?? 0 > 0 else { throw TrainingError.data("\(folder.folder.path): no training images left after the held-out split") }
        return (train, validation)
    }
}
