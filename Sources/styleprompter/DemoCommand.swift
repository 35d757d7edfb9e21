import ArgumentParser
import Foundation
import Imaging
import Inversion
import StyleGAN
import Tensors

/// The README's main command: the whole pipeline — create (or load) the default model, invert
/// photos, edit them — with no arguments and no downloads.
///
/// No trained default model exists yet, so the default is a small StylePrompter built from a
/// fixed seed (Swin encoder with 10 latent tokens, a 64-px StyleGAN2, SMART), and without input
/// photos the demo makes its own from that generator. Its outputs exercise every stage but are
/// not meaningful faces, and it says so.
struct DemoCommand: StylePrompterSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Invert and edit photos with the bundled default model (for now: a small seeded model).")

    @Argument(help: "Photos to use instead of the demo's generated ones.") var inputs: [String] = []
    @Option(help: "Output folder.") var out: String = "styleprompter-demo"
    @OptionGroup var compute: ComputeOptions

    static let encoderConfiguration = SwinConfiguration(embedDimension: 24, depths: [2, 2, 2, 2], heads: [2, 2, 4, 4],
                                                        latentTokens: 10, headHiddenDimension: 64, styleDimension: 64)
    static let generatorConfiguration = GeneratorConfiguration(size: 64, styleDimension: 64, mappingLayers: 4,
                                                               channels: [4: 32, 8: 32, 16: 32, 32: 16, 64: 16])

    func execute() throws {
        try compute.apply()
        print("""
            styleprompter demo — NOTE: no trained StylePrompter model ships with this package yet.
            The default model here is a small one built from a fixed seed (Swin-V2 encoder with 10 latent
            tokens, 64-px StyleGAN2, SMART): every stage of inversion and editing runs for real, but the
            pictures it produces are not meaningful faces. Use --model with a trained checkpoint for those.
            """)
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let started = Date()

        let modelURL = folder.appendingPathComponent("default-model.safetensors")
        let model = StylePrompterModel(encoder: Self.encoderConfiguration, generator: Self.generatorConfiguration, seed: 2307)
        try StylePrompterCheckpoint.save(model, to: modelURL)
        print("default model: \(model.parameters().reduce(0) { $0 + $1.count }) parameters → \(modelURL.path)")

        var photos = inputs
        if photos.isEmpty {
            let photoFolder = folder.appendingPathComponent("photos", isDirectory: true)
            try FileManager.default.createDirectory(at: photoFolder, withIntermediateDirectories: true)
            for seed in [1, 2] {
                let z = Tensor.randomNormal([1, 64], generator: RandomGenerator(seed: UInt64(seed)))
                let image = GradientMode.withoutGradients { model.generator([z]).resizeBilinear(height: 256, width: 256) }
                let url = photoFolder.appendingPathComponent("photo_\(seed).png")
                try Image.images(from: image)[0].write(to: url)
                photos.append(url.path)
            }
            print("made \(photos.count) input photos with the default generator in \(photoFolder.path)")
        }
        let threads = compute.threads.map { ["--threads", String($0)] } ?? []
        var invert = try InvertCommand.parse(["--model", modelURL.path] + photos + ["--out", folder.appendingPathComponent("inverted").path] + threads)
        try invert.run()
        var edit = try EditCommand.parse(["--model", modelURL.path] + photos +
            ["--sefa", "0", "--strength", "-3:3:5", "--out", folder.appendingPathComponent("edited").path] + threads)
        try edit.run()
        print(String(format: "demo finished in %.1f s: see %@/inverted (reconstructions, latents.npy) and %@/edited (*_grid.png: input | inversion | edits)",
                     Date().timeIntervalSince(started), folder.path, folder.path))
    }
}
