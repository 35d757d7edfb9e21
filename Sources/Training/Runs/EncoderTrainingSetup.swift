import Foundation
import Inversion
import NeuralNetwork
import Perceptual
import StyleGAN
import Tensors

/// Builds what a StylePrompter stage trains from its configuration: the model (stage 1: a new
/// Swin encoder sized to the generator, optionally from ImageNet weights; stage 2: the stage-1
/// model plus a new SMART block at the 16×16 layer) and the stage's step.
public enum EncoderTrainingSetup {
    /// The model a stage starts from. `modelRandom` initialises the new modules and then feeds
    /// their dropout, so a resumed run restores it.
    public static func makeModel(_ c: EncoderTrainingConfiguration, modelRandom: RandomGenerator,
                                 note: (String) -> Void = { _ in }) throws -> StylePrompterModel {
        if c.stage == 1 {
            let loaded = try GeneratorCheckpoint.load(contentsOf: exportedFile(c.generator!, name: "generator.safetensors", option: "--generator"))
            let g = loaded.generator
            var encoderConfiguration = c.encoder
            encoderConfiguration.latentTokens = g.configuration.latentCount
            encoderConfiguration.styleDimension = g.configuration.styleDimension
            encoderConfiguration.imageSize = c.imageSize
            let encoder = SwinEncoder(encoderConfiguration, generator: modelRandom)
            if let backbone = c.backbone {
                let report = try encoder.initializeBackbone(contentsOf: URL(fileURLWithPath: backbone))
                note("backbone from \(backbone): \(report)")
            }
            let average = loaded.latentAverage
                ?? g.meanLatent(count: 4096, generator: RandomGenerator(seed: 0x4096))
            if loaded.latentAverage == nil { note("the generator has no latent_avg: using the mean of 4,096 mapped z") }
            return StylePrompterModel(encoder: encoder, generator: g, smart: nil, latentAverage: average)
        }
        let model = try StylePrompterCheckpoint.load(contentsOf: exportedFile(c.stageOneModel!, name: "model.safetensors", option: "--from"))
        if model.smart == nil || c.newSMART == true {
            if model.smart != nil { note("--new-smart: the model's SMART block is replaced by a new one") }
            let side = 1 << ((model.refinedLayer + 4) / 2)
            model.smart = SMARTBlock(featureShapes: model.encoder.configuration.featureShapes,
                                     queryChannels: model.generator.configuration.channels[side] ?? 512, querySide: side,
                                     generator: modelRandom)
        } else {
            note("the stage-1 model already has a SMART block: training continues from it")
        }
        return model
    }

    /// A file, or a run folder meaning its exported `name` (`model.safetensors`, `generator.safetensors`).
    public static func exportedFile(_ path: String, name: String, option: String) throws -> URL {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw TrainingError.configuration("\(option) \(path): no such file or run folder") }
        guard isFolder.boolValue else { return URL(fileURLWithPath: path) }
        let exported = URL(fileURLWithPath: path).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: exported.path) else {
            throw TrainingError.configuration("\(option) \(path): the run folder has no \(name) yet (is its run finished or stopped?)")
        }
        return exported
    }

    /// The stage's optimiser step and validation terms, with the configuration's loss weights.
    /// Dropout and drop-path masks come from the trainer's own stream, seeded from the run's seed.
    public static func makeStage(_ c: EncoderTrainingConfiguration, model: StylePrompterModel,
                                 lpips: LPIPS?, identity: IdentityLoss?) throws -> EncoderStageStep {
        let seed = StableHash.mix(c.seed ^ 0xD809)
        let attributes = try c.attributes.map { path -> AttributeDistance in
            let (predictor, size) = try AttributePredictor.load(contentsOf: URL(fileURLWithPath: path))
            return AttributeDistance(predictor: predictor, imageSize: size)
        }
        if max(c.generatedPerStep ?? 0, c.editedPerStep ?? 0) > 0 && !GeneratorSampleSource(generator: model.generator, seed: 0).canFeed(size: c.imageSize) {
            throw TrainingError.configuration("--generated/--edited: the \(model.generator.configuration.size)-px generator's samples cannot be pooled to \(c.imageSize)-px images (the image size must divide the generator's)")
        }
        if c.stage == 1 {
            var objective = StageOneObjective(lpips: lpips, identity: identity)
            objective.l2Weight = c.l2Weight
            objective.lpipsWeight = c.lpipsWeight
            objective.identityWeight = c.identityWeight
            objective.alignWeight = c.alignWeight
            objective.attributes = attributes
            objective.attributeWeight = c.attributeWeight ?? 0.5
            let trainer = StageOneTrainer(model: model, objective: objective, learningRate: c.learningRate, seed: seed)
            if let perStep = c.generatedPerStep, perStep > 0 {
                trainer.generatedTargets = GeneratedLatentTargets(generator: model.generator, seed: StableHash.mix(c.seed ^ 0x6E4E),
                                                                  perStep: perStep, latentWeight: c.latentWeight ?? 1, imageSize: c.imageSize)
            }
            return EncoderStageStep(optimizer: trainer.optimizer, random: trainer.random,
                                    step: { trainer.step(images: $0, accumulationSteps: c.accumulation, index: $1) },
                                    evaluate: { encoded, reconstruction, target in
                objective(reconstruction: reconstruction, target: target, latents: encoded.latents, latentAverage: model.latentAverage).terms
            }, replicate: { trainer.replicate(as: $0, synchronizer: $1) })
        }
        var objective = StageTwoObjective(lpips: lpips, identity: identity)
        objective.l2Weight = c.l2Weight
        objective.lpipsWeight = c.lpipsWeight
        objective.identityWeight = c.identityWeight
        objective.attributes = attributes
        objective.attributeWeight = c.attributeWeight ?? 0.5
        let trainer = StageTwoTrainer(model: model, objective: objective, learningRate: c.learningRate, seed: seed)
        if let perStep = c.editedPerStep, perStep > 0 {
            trainer.generatedEdits = GeneratedEdits(generator: model.generator, seed: StableHash.mix(c.seed ^ 0xED17),
                                                    perStep: perStep, reach: c.editReach ?? 1, imageSize: c.imageSize)
        }
        return EncoderStageStep(optimizer: trainer.optimizer, random: trainer.random,
                                step: { trainer.step(images: $0, accumulationSteps: c.accumulation, index: $1) },
                                evaluate: { _, reconstruction, target in objective(reconstruction: reconstruction, target: target).terms },
                                replicate: { trainer.replicate(as: $0, synchronizer: $1) })
    }
}
