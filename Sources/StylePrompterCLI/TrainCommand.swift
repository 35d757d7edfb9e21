import ArgumentParser
import CPUKernels
import Foundation
import Inversion
import Perceptual
import Tensors
import Training

/// `styleprompter train`: StylePrompter's two training stages on a folder of aligned faces.
struct TrainCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train StylePrompter: stage 1 (encoder through a frozen generator) or stage 2 (SMART).",
        discussion: """
        Stage 1: --stage 1 --data DIR --generator G --out RUN. Stage 2: --stage 2 --data DIR --from RUN1 --out RUN2. \
        Settings come from the defaults (the paper's recipe), then --config FILE (a config.json), then the flags. \
        --resume RUN continues a run exactly (--steps may extend it). A loss term whose network weights are not \
        given (--lpips, --arcface) is left out with a warning and recorded in the run's config.json.
        """)

    @Option(help: "1 (encoder and latent tokens) or 2 (SMART).") var stage: Int?
    @Option(help: "Training images: a folder (recursive PNG/JPEG), or 'synthfaces[-STYLE][:SEED]' (STYLE: classic, large-mouth).") var data: String?
    @Option(help: "Test images (a folder); default: hold out --held-out of --data by a seeded hash of the names.") var test: String?
    @Option(help: "Stage 1: the frozen StyleGAN2 checkpoint.") var generator: String?
    @Option(name: .customLong("from"), help: "Stage 2: the stage-1 run folder or model file.") var stageOne: String?
    @Option(help: "Stage 1: Swin-V2 ImageNet weights to start the backbone from, or a StylePrompter model whose encoder to start from.") var backbone: String?
    @Option(help: "New run folder.") var out: String?
    @Option(help: "Continue the run in this folder.") var resume: String?
    @Option(help: "A config.json to start from (flags override it).") var config: String?
    @Option(help: "Batch size.") var batch: Int?
    @Option(help: "Micro-batches per optimiser step (gradient accumulation).") var accumulate: Int?
    @Option(help: "Optimiser steps in the run.") var steps: Int?
    @Option(name: .customLong("lr"), help: "Ranger learning rate.") var learningRate: Float?
    @Option(name: .customLong("l2"), help: "MSE weight.") var l2Weight: Float?
    @Option(help: "LPIPS weight.") var lpipsWeight: Float?
    @Option(name: .customLong("id-weight"), help: "ID-loss weight.") var identityWeight: Float?
    @Option(help: "W+ regulariser weight (stage 1).") var alignWeight: Float?
    @Option(name: .customLong("generated"), help: "Stage 1: add this many of the frozen generator's own samples to every step, with their known W+ as a target (not in the released recipe; the default model uses it).") var generatedPerStep: Int?
    @Option(help: "Weight of the W+ target of --generated samples (default 1).") var latentWeight: Float?
    @Option(name: .customLong("edited"), help: "Stage 2: add this many of the generator's samples with edited codes to every step, which SMART must decode as the edited code's image (not in the released recipe; the default model uses it).") var editedPerStep: Int?
    @Flag(name: .customLong("new-smart"), help: "Stage 2: start a new SMART block even when --from holds one (a shipped model file holds both stages).") var newSMART = false
    @Option(help: "How far --edited samples move: up to this fraction of the way to another sample's code (default 1).") var editReach: Float?
    @Option(help: "LPIPS weights: the AlexNet trunk and the heads (v0.1_alex.pth), one file or two (repeat).") var lpips: [String] = []
    @Option(help: "IR-SE50 ArcFace weights (pSp's model_ir_se50.pth) for the ID loss.") var arcface: String?
    @Option(help: "An attribute predictor (train-attributes) whose feature distance is added as a perceptual term.") var attributes: String?
    @Option(help: "Weight of the attribute-feature term (default 0.5).") var attributeWeight: Float?
    @Option(help: "Encoder input size (256 as released; the default model uses 64).") var imageSize: Int?
    @Option(help: "Encoder patch size (4 as released).") var patchSize: Int?
    @Option(help: "Encoder width (Swin-V2-T: 96).") var embedDim: Int?
    @Option(help: "Encoder blocks per stage, e.g. 2,2,6,2.") var depths: String?
    @Option(help: "Attention heads per stage, e.g. 3,6,12,24.") var heads: String?
    @Option(help: "Attention window.") var window: Int?
    @Option(help: "Seed for initialisation, data order and dropout.") var seed: UInt64?
    @Option(help: "Fraction of --data held out for validation when no --test is given.") var heldOut: Double?
    @Option(help: "Validation images.") var valImages: Int?
    @Option(help: "Steps between validations.") var validateEvery: Int?
    @Option(help: "Steps between checkpoints.") var checkpointEvery: Int?
    @Option(help: "Checkpoints to keep.") var keep: Int?
    @Option(help: "Stop after this many steps (the run stays resumable).") var maxSteps: Int?
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var parallel: DistributedOptions

    func validate() throws {
        guard (out == nil) != (resume == nil) else { throw ValidationError("train: pass --out for a new run or --resume RUN, not both") }
        if let maxSteps, maxSteps < 1 { throw ValidationError("train: --max-steps must be at least 1") }
    }

    func execute() throws {
        try compute.apply(trainingLoop: true)
        try parallel.runTraining(threadsGiven: compute.threads != nil) { world, say in
            let folder = URL(fileURLWithPath: resume ?? out!)
            var c: EncoderTrainingConfiguration
            if let resume {
                c = try RunFolder(URL(fileURLWithPath: resume), creating: false).readConfiguration(EncoderTrainingConfiguration.self)
                if let steps { c.steps = steps }
            } else {
                if FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) {
                    throw TrainingError.run("\(folder.path) already holds a run; continue it with --resume \(folder.path) or choose another --out")
                }
                c = try config.map { try Self.readConfiguration($0) } ?? EncoderTrainingConfiguration()
                try apply(to: &c)
                c.threads = Parallel.threadCount
            }
            try c.validate()
            guard !c.data.isEmpty else { throw ValidationError("train: a new run needs --data") }

            let perceptual = try c.lpips.isEmpty ? nil : LPIPS.load(from: c.lpips.map { URL(fileURLWithPath: $0) })
            let identity = try c.arcface.map { IdentityLoss(facenet: try IRSEBackbone.load(contentsOf: URL(fileURLWithPath: $0))) }
            if resume == nil {
                if perceptual == nil && c.lpipsWeight > 0 { c.disabledTerms.append("lpips") }
                if identity == nil && c.identityWeight > 0 { c.disabledTerms.append("id") }
                for term in c.disabledTerms { say("warning: the \(term) loss is left out: its network weights were not given (--\(term == "id" ? "arcface" : "lpips"))") }
            }
            let modelRandom = RandomGenerator(seed: c.seed ^ 0x3D5E_ED00)
            say("loading the \(c.stage == 1 ? "generator" : "stage-1 model")…")
            let model = try EncoderTrainingSetup.makeModel(c, modelRandom: modelRandom) { say($0) }
            // Stage 2 trains at the stage-1 encoder's input size; a new run takes it from the model.
            let encoderSize = model.encoder.configuration.imageSize
            if c.stage == 2 && encoderSize != c.imageSize {
                guard resume == nil && imageSize == nil else {
                    throw TrainingError.configuration("image size \(c.imageSize), but the stage-1 model's encoder takes \(encoderSize)-px images")
                }
                c.imageSize = encoderSize
            }
            let stage = try EncoderTrainingSetup.makeStage(c, model: model, lpips: perceptual, identity: identity)
            let all = try TrainingData.source(c.data, size: c.imageSize)
            let (train, validation) = try TrainingData.split(all, description: c.data, size: c.imageSize, test: c.testData, heldOut: c.heldOutFraction, seed: c.seed, validationCount: c.validationImages)
            InterruptSignal.install()
            let run = try EncoderTrainingRun(folder: folder, configuration: c, model: model, stage: stage, train: train,
                                             validation: validation, resume: resume != nil, modelRandom: modelRandom, communicator: world)
            if resume != nil && world.isRoot { try run.folder.writeConfiguration(c, kind: "train-stage\(c.stage)", totalSteps: c.steps) }
            say("train: stage \(c.stage), batch \(c.batchSize)×\(c.accumulation)\(world.size > 1 ? " over \(world.size) ranks" : ""), step \(run.step)/\(c.steps), data \(c.data) → \(run.folder.url.path)")
            try run.train(maxSteps: maxSteps)
            say(run.stoppedEarly
                ? "interrupted at step \(run.step): saved; continue with --resume \(run.folder.url.path)"
                : "stopped at step \(run.step) of \(c.steps); model: \(run.folder.url.path)/model.safetensors")
        }
    }

    static func readConfiguration(_ path: String) throws -> EncoderTrainingConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else { throw TrainingError.configuration("--config \(path): cannot be read") }
        do { return try JSONDecoder().decode(EncoderTrainingConfiguration.self, from: data) } catch {
            throw TrainingError.configuration("--config \(path): not a training configuration (\(error))")
        }
    }

    func apply(to c: inout EncoderTrainingConfiguration) throws {
        if let stage { c.stage = stage }
        if let data { c.data = data }
        if let test { c.testData = test }
        if let generator { c.generator = generator }
        if let stageOne { c.stageOneModel = stageOne }
        if let backbone { c.backbone = backbone }
        if let batch { c.batchSize = batch }
        if let accumulate { c.accumulation = accumulate }
        if let steps { c.steps = steps }
        if let learningRate { c.learningRate = learningRate }
        if let l2Weight { c.l2Weight = l2Weight }
        if let lpipsWeight { c.lpipsWeight = lpipsWeight }
        if let identityWeight { c.identityWeight = identityWeight }
        if let alignWeight { c.alignWeight = alignWeight }
        if let generatedPerStep { c.generatedPerStep = generatedPerStep }
        if let latentWeight { c.latentWeight = latentWeight }
        if let editedPerStep { c.editedPerStep = editedPerStep }
        if let editReach { c.editReach = editReach }
        if newSMART { c.newSMART = true }
        if !lpips.isEmpty { c.lpips = lpips }
        if let arcface { c.arcface = arcface }
        if let attributes { c.attributes = attributes }
        if let attributeWeight { c.attributeWeight = attributeWeight }
        if let imageSize { c.imageSize = imageSize }
        if let embedDim { c.encoder.embedDimension = embedDim }
        if let patchSize { c.encoder.patchSize = patchSize }
        if let depths { c.encoder.depths = try Self.integers(depths, option: "--depths") }
        if let heads { c.encoder.heads = try Self.integers(heads, option: "--heads") }
        if let window { c.encoder.windowSize = window }
        if let seed { c.seed = seed }
        if let heldOut { c.heldOutFraction = heldOut }
        if let valImages { c.validationImages = valImages }
        if let validateEvery { c.validateEvery = validateEvery }
        if let checkpointEvery { c.checkpointEvery = checkpointEvery }
        if let keep { c.keepCheckpoints = keep }
        guard c.encoder.depths.count == c.encoder.heads.count, !c.encoder.depths.isEmpty,
              c.encoder.depths.allSatisfy({ (1...64).contains($0) }), c.encoder.heads.allSatisfy({ (1...64).contains($0) }),
              (1...1024).contains(c.encoder.embedDimension), (1...64).contains(c.encoder.windowSize),
              [1, 2, 4, 8].contains(c.encoder.patchSize), c.imageSize % (c.encoder.patchSize << (c.encoder.depths.count - 1)) == 0 else {
            throw ValidationError("train: encoder depths and heads need one entry per stage (1…64 each), width 1…1024, window 1…64, patch 1, 2, 4 or 8, and an image size divisible by patch · 2^(stages − 1)")
        }
    }

    static func integers(_ text: String, option: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw ValidationError("\(option): '\(text)' is not a list like 2,2,6,2") }
        return values.map { $0! }
    }
}
