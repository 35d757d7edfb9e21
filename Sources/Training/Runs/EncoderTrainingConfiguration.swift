import Foundation
import Inversion

/// Everything a `train --stage 1|2` run is started with; kept in the run's `config.json` so
/// `--resume` rebuilds the same run. Defaults are the paper's recipe (REFERENCE §4): Ranger
/// lr 1e-4, batch 4, stage 1 `1.0·MSE + 0.6·LPIPS + 0.1·ID + 0.1·‖W+ − w̄‖²`, stage 2
/// `1.0·MSE + 0.6·LPIPS + 0.1·multi-layer ID`.
public struct EncoderTrainingConfiguration: Codable, Sendable, Equatable {
    public var stage = 1
    /// The frozen StyleGAN2 (stage 1), or nil in stage 2 (the generator comes with the stage-1 model).
    public var generator: String?
    /// Stage 2: the stage-1 model (a run folder or a model file).
    public var stageOneModel: String?
    /// Stage 1: Swin-V2 ImageNet weights for the backbone (the paper's start), if given.
    public var backbone: String?
    public var encoder = SwinConfiguration()
    public var batchSize = 4
    /// Micro-batches per optimiser step (effective batch = batchSize × accumulation).
    public var accumulation = 1
    public var steps = 600_000
    public var learningRate: Float = 1e-4
    public var l2Weight: Float = 1
    public var lpipsWeight: Float = 0.6
    public var identityWeight: Float = 0.1
    public var alignWeight: Float = 0.1
    /// LPIPS weights (AlexNet trunk and heads) and IR-SE50 weights; a term whose weights are
    /// missing is left out with a warning, and the run's config records it.
    public var lpips: [String] = []
    public var arcface: String?
    public var disabledTerms: [String] = []
    /// Our own perceptual term (not in the released recipe): an attribute predictor
    /// (`train-attributes`) whose feature distance is added with `attributeWeight` (default 0.5).
    public var attributes: String?
    public var attributeWeight: Float?
    /// Stage 1, our addition: the frozen generator's own samples added to every step, whose
    /// W+ the encoder is pulled towards with `latentWeight` (default 1) — `GeneratedLatentTargets`.
    /// nil or 0: images only, as released.
    public var generatedPerStep: Int?
    public var latentWeight: Float?
    /// Stage 2, our addition: generator samples with edited codes added to every step, which
    /// SMART must decode as the edited code's image — `GeneratedEdits` (reach `editReach`, default 1).
    public var editedPerStep: Int?
    public var editReach: Float?
    /// Stage 2: start a new SMART block even when the `stageOneModel` file holds one (to retrain
    /// SMART of a shipped model, whose file holds both stages).
    public var newSMART: Bool?
    public var imageSize = 256
    public var flipProbability: Float = 0.5
    public var seed: UInt64 = 0
    public var data = ""
    /// A test folder, or nil to hold out `heldOutFraction` of `data` by a seeded hash of the names.
    public var testData: String?
    public var heldOutFraction = 0.05
    public var validationImages = 16
    public var validateEvery = 1000
    public var checkpointEvery = 1000
    public var keepCheckpoints = 3
    public var logEvery = 10
    public var threads = 0

    public init() {}

    public func validate() throws {
        guard stage == 1 || stage == 2 else { throw TrainingError.configuration("--stage \(stage): 1 (encoder) or 2 (SMART)") }
        if stage == 1 && generator == nil { throw TrainingError.configuration("stage 1 needs --generator (the frozen StyleGAN2)") }
        if stage == 2 && stageOneModel == nil { throw TrainingError.configuration("stage 2 needs --from (the stage-1 run or model)") }
        guard batchSize >= 1, batchSize <= 1024 else { throw TrainingError.configuration("--batch \(batchSize): 1…1024") }
        guard accumulation >= 1, accumulation <= 1024 else { throw TrainingError.configuration("--accumulate \(accumulation): 1…1024") }
        guard steps >= 1, steps <= 100_000_000 else { throw TrainingError.configuration("--steps \(steps): 1…100,000,000") }
        for (name, value) in [("--lr", learningRate), ("--l2", l2Weight), ("--lpips-weight", lpipsWeight), ("--id-weight", identityWeight), ("--align-weight", alignWeight)] {
            guard value.isFinite, value >= 0 else { throw TrainingError.configuration("\(name) \(value): finite and ≥ 0") }
        }
        if let attributeWeight, !(attributeWeight.isFinite && attributeWeight >= 0) {
            throw TrainingError.configuration("--attribute-weight \(attributeWeight): finite and ≥ 0")
        }
        if let generatedPerStep {
            guard (0...1024).contains(generatedPerStep) else { throw TrainingError.configuration("--generated \(generatedPerStep): 0…1024 samples per step") }
            if generatedPerStep > 0 && stage != 1 { throw TrainingError.configuration("--generated: stage 1 only (the encoder learns W+)") }
            if generatedPerStep > 0 && accumulation > 1 { throw TrainingError.configuration("--generated with --accumulate \(accumulation): the samples join single steps; use --accumulate 1") }
        }
        if let editedPerStep {
            guard editedPerStep == 0 || (2...1024).contains(editedPerStep) else { throw TrainingError.configuration("--edited \(editedPerStep): 0, or 2…1024 samples per step") }
            if editedPerStep > 0 && stage != 2 { throw TrainingError.configuration("--edited: stage 2 only (SMART learns to keep edits)") }
            if editedPerStep > 0 && accumulation > 1 { throw TrainingError.configuration("--edited with --accumulate \(accumulation): the samples join single steps; use --accumulate 1") }
        }
        if newSMART == true && stage != 2 { throw TrainingError.configuration("--new-smart: stage 2 only") }
        if let editReach, !(editReach.isFinite && editReach >= 0 && editReach <= 4) {
            throw TrainingError.configuration("--edit-reach \(editReach): 0…4 (the fraction of the way to another sample's code)")
        }
        if let latentWeight, !(latentWeight.isFinite && latentWeight >= 0) {
            throw TrainingError.configuration("--latent-weight \(latentWeight): finite and ≥ 0")
        }
        guard learningRate > 0 else { throw TrainingError.configuration("--lr must be positive") }
        guard imageSize >= 16, imageSize <= 4096 else { throw TrainingError.configuration("image size \(imageSize): 16…4096") }
        guard heldOutFraction >= 0, heldOutFraction < 1 else { throw TrainingError.configuration("--held-out \(heldOutFraction): in [0, 1)") }
        guard validationImages >= 1, validationImages <= 10_000, validateEvery >= 1, checkpointEvery >= 1, keepCheckpoints >= 1, logEvery >= 1 else {
            throw TrainingError.configuration("validation images (1…10,000) and every interval must be positive")
        }
    }
}
