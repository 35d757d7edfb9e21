import ArgumentParser
import Checkpoints
import Foundation
import NeuralNetwork
import Tensors

/// The README's main command. Until the StyleGAN2 and StylePrompter models land (they are
/// separate issues), it exercises the engine end to end on a small seeded network: training with
/// Ranger, saving a checkpoint, reloading it, and listing it — and says so.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on the bundled default (for now: an engine demo on a small seeded network).")

    @Option(help: "Folder for the demo's outputs (default: ./styleprompter-demo).")
    var out: String = "styleprompter-demo"

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        try compute.apply()
        print("""
            styleprompter demo — engine only. The StyleGAN2 generator and the StylePrompter encoder are
            not implemented yet, so there is no face inversion to show: this runs a small seeded
            convolutional network through training, saving and reloading instead. Its outputs are
            not images of anything.
            """)
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        Initialization.defaultGenerator = RandomGenerator(seed: 7)
        let data = RandomGenerator(seed: 11)
        let model = DemoNetwork()
        let input = Tensor.randomNormal([4, 3, 32, 32], generator: data)
        let target = Tensor.randomNormal([4, 3, 32, 32], generator: data).tanh()
        let optimizer = Ranger(parameters: model.parameters(), learningRate: 3e-3)
        let start = Date()
        var first: Float = 0, last: Float = 0
        for step in 1...60 {
            let loss = ((model(input) - target).pow(2)).mean()
            loss.backward()
            optimizer.step()
            optimizer.zeroGradients()
            if step == 1 { first = loss.item() }
            last = loss.item()
            if step % 10 == 0 { print(String(format: "  step %2d  mse %.5f", step, last)) }
        }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "trained %d parameters for 60 Ranger steps in %.2f s: mse %.4f → %.4f",
                     model.parameters().reduce(0) { $0 + $1.count }, seconds, first, last))
        guard last < first else { throw ValidationError("demo: training did not reduce the loss (\(first) → \(last))") }

        // Save, reload into a fresh network, and check the reload computes the same thing.
        let checkpoint = folder.appendingPathComponent("demo-network.safetensors")
        try model.saveSafetensors(to: checkpoint, metadata: ["model": "DemoNetwork", "steps": "60"])
        let reloaded = DemoNetwork()
        try reloaded.load(contentsOf: checkpoint)
        let (a, b) = GradientMode.withoutGradients { (model(input), reloaded(input)) }
        guard a.scalars == b.scalars else { throw ValidationError("demo: reloaded network computes different outputs") }
        let listing = try CheckpointFile.list(contentsOf: checkpoint)
        print("saved \(checkpoint.path) (\(listing.entries.count) tensors: \(listing.entries.prefix(3).map(\.key).joined(separator: ", ")), …); reloaded: identical outputs")
    }
}

/// A small residual conv net: enough layers to exercise convolution, normalisation,
/// activations, resampling and a linear head in both directions.
final class DemoNetwork: Module {
    let stem = Conv2d(3, 16, kernelSize: 3, padding: 1)
    let down = Conv2d(16, 32, kernelSize: 4, stride: 2, padding: 1)
    let norm = LayerNorm(32)
    let mix = Linear(32, 32)
    let up = Conv2d(32, 16, kernelSize: 3, padding: 1)
    let head = Conv2d(16, 3, kernelSize: 1)

    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = stem(x).gelu()
        h = down(h)                                              // [B, 32, 16, 16]
        let tokens = h.permute([0, 2, 3, 1])                     // [B, 16, 16, 32]
        h = (tokens + mix(norm(tokens)).gelu()).permute([0, 3, 1, 2])
        h = up(h.resizeBilinear(height: 32, width: 32)).leakyRelu(slope: 0.2, scale: Float(2).squareRoot())
        return head(h).tanh()
    }
}
