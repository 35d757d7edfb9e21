import ArgumentParser
import Foundation
import Perceptual
import SynthFaces
import Training

/// `styleprompter train-attributes`: the SynthFaces attribute predictor (the default model's
/// measuring instrument and perceptual term).
struct TrainAttributesCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "train-attributes",
        abstract: "Train a small CNN to read SynthFaces' labels from pixels, and report its accuracy on unseen faces.")

    @Option(help: "Image size (the generator's).") var size: Int = 64
    @Option(help: "Adam steps.") var steps: Int = 3000
    @Option(help: "Faces per step.") var batch: Int = 64
    @Option(help: "Seed (initialisation and the training faces).") var seed: UInt64 = 0
    @Option(help: "Network: deep (a stride-1 and a stride-2 3×3 convolution per scale, 32…256 channels) or compact (four stride-2 convolutions, the first shipped predictor).")
    var architecture: String = "deep"
    @Option(help: "Largest σ (pixels) of a Gaussian blur shown on about half the training faces (0: none, as the shipped predictor). Meant to make it read a generator's soft samples as it reads renders; at 1.5 over 5,000 steps it read both alike but worse, and read mouth width as smile, with either --schedule (README, The default model).")
    var blur: Float = 0
    @Option(help: "Learning rate schedule: constant (Adam at 1e-3 throughout, as the shipped predictor) or cosine (from 1e-3 down to 0 at the last step, so a late loss spike does not stay in the weights).")
    var schedule: String = "constant"
    @Option(help: "SynthFaces proportions to train and measure on: classic or large-mouth (those of the generator's data).")
    var style: RenderStyle = .classic
    @Option(help: "Output .safetensors.") var out: String
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard (16...256).contains(size), size & (size - 1) == 0 else { throw ValidationError("train-attributes: --size must be a power of two in 16…256") }
        guard (1...1_000_000).contains(steps) else { throw ValidationError("train-attributes: --steps must be in 1…1,000,000") }
        guard (1...1024).contains(batch) else { throw ValidationError("train-attributes: --batch must be in 1…1024") }
        guard seed < 1 << 30 else { throw ValidationError("train-attributes: --seed must be below 2³⁰") }
        guard blur.isFinite, blur == 0 || (0.3...GaussianBlurAugmentation.maximumSigma).contains(blur) else {
            throw ValidationError("train-attributes: --blur must be 0 or in 0.3…\(GaussianBlurAugmentation.maximumSigma) pixels, got \(blur)")
        }
        guard AttributePredictorTraining.LearningRateSchedule(rawValue: schedule) != nil else {
            throw ValidationError("train-attributes: --schedule must be constant or cosine, got '\(schedule)'")
        }
        guard AttributePredictorArchitecture.named[architecture] != nil else {
            throw ValidationError("train-attributes: --architecture must be deep or compact, got '\(architecture)'")
        }
    }

    func execute() throws {
        try compute.apply(trainingLoop: true)
        try CommandErrors.reporting {
            let started = Date()
            let training = AttributePredictorTraining(size: size, seed: seed, batchSize: batch,
                                                      architecture: AttributePredictorArchitecture.named[architecture]!, blurMaximum: blur,
                                                      schedule: AttributePredictorTraining.LearningRateSchedule(rawValue: schedule)!, style: style)
            // Written unbuffered: the recipe scripts pipe this through tee, where print's block
            // buffer showed nothing for the whole half hour.
            try training.train(steps: steps) { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
            // package-model reads this line for the model card's wall times.
            print(String(format: "trained %d steps in %.2f h", steps, Date().timeIntervalSince(started) / 3600))
            // Renders as they are, and blurred as softly as a small generator's samples (σ 1 px).
            let quality = try training.evaluate(count: 1000)
            let blurred = try training.evaluate(count: 1000, blur: 1)
            print("agreement on 1,000 unseen faces: as rendered, and (in brackets) blurred with σ 1 px")
            for name in training.predictor.layout.names {
                let kind = training.predictor.layout.categories.contains { $0.name == name } ? "accuracy" : "r"
                print(name.padding(toLength: 22, withPad: " ", startingAt: 0), kind,
                      String(format: "%.3f (%.3f)", quality[name]!, blurred[name]!))
            }
            try training.predictor.save(to: URL(fileURLWithPath: out), imageSize: size)
            print("wrote \(out)")
        }
    }
}
