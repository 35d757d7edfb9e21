import ArgumentParser
import Checkpoints
import FileAccess
import Foundation
import Imaging
import StyleGAN
import Tensors

/// `styleprompter generate`: images from a StyleGAN2 checkpoint, from seeds or saved latents.
package struct GenerateCommand: StylePrompterSubcommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate images with a StyleGAN2 generator (rosinality, pSp/e4e/StylePrompter or our .safetensors).")

    @Option(help: "Generator checkpoint.") var generator: String
    @Option(help: "Seeds, e.g. 0-7 or 1,5,9 (z drawn from our seeded generator, not PyTorch's).") var seeds: String?
    @Option(help: "Latents to decode: .npy or .pt of shape N×n_latent×D (W+) or N×D (w).") var latents: String?
    @Option(help: "Truncation ψ toward the checkpoint's latent_avg (or the mean of 4096 mapped z).") var truncation: Float = 1
    @Option(help: "Noise: stored (deterministic), random or zero.") var noise: String = "stored"
    @Option(help: "Seed for --noise random.") var noiseSeed: UInt64 = 0
    @Option(help: "Output folder.") var out: String
    @Option(help: "Images per forward pass.") var batch: Int = 1
    @Flag(help: "Also write images.npy: float32 N×3×H×W in [−1, 1], unclamped.") var saveRaw = false
    @OptionGroup var compute: ComputeOptions

    package func validate() throws {
        guard (seeds == nil) != (latents == nil) else { throw ValidationError("pass exactly one of --seeds and --latents") }
        guard ["stored", "random", "zero"].contains(noise) else { throw ValidationError("--noise must be stored, random or zero, not '\(noise)'") }
        guard truncation > 0 && truncation <= 1 else { throw ValidationError("--truncation must be in (0, 1], got \(truncation)") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        if let seeds { _ = try ArgumentChecks.seeds(seeds, command: "generate") }
        try ArgumentChecks.outputFolder(out, command: "generate")
        if let latents {
            try ArgumentChecks.outputs(["latents.npy", "images.npy"], in: out, spare: latents, option: "--latents", command: "generate")
        }
    }

    func execute() throws {
        try compute.apply()
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        StatusLine.loading("generator", generator)
        let loaded = try CommandErrors.reporting { try GeneratorCheckpoint.load(contentsOf: try RunOutputs.file(generator, exported: "generator.safetensors")) }
        let g = loaded.generator
        g.eval()
        let config = g.configuration
        print("generator: \(config.size) px, \(config.latentCount) latents × \(config.styleDimension), \(config.mappingLayers)-layer mapping (from \(loaded.prefix.isEmpty ? "top level" : loaded.prefix + "*"))")

        // W+ for every output, [N, n, D].
        let names: [String]
        var wplus: Tensor
        if let seeds {
            let list = try ArgumentChecks.seeds(seeds, command: "generate")
            names = list.map(ArgumentChecks.seedName)
            let z = Tensor.concat(list.map { Tensor.randomNormal([1, config.styleDimension], generator: RandomGenerator(seed: UInt64(bitPattern: Int64($0)))) }, axis: 0)
            wplus = GradientMode.withoutGradients { g.broadcastLatent(g.mapping(z)) }
        } else {
            let read = try CommandErrors.reporting { try LatentFile.readNamed(URL(fileURLWithPath: latents!), configuration: config) }
            wplus = read.latents
            names = read.names.map(Self.outputNames) ?? (0..<wplus.shape[0]).map { String(format: "latent%04d", $0) }
        }
        if truncation < 1 {
            let mean = loaded.latentAverage.map { $0.count == config.styleDimension ? $0 : $0.reshape([-1, config.styleDimension]).mean(axis: 0) }
                ?? g.meanLatent(count: 4096, generator: RandomGenerator(seed: 4096))
            wplus = GradientMode.withoutGradients { g.truncate(wplus, toward: mean, psi: truncation) }
        }

        try CommandErrors.reporting { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        // A killed earlier run may have left temporaries of its atomic writes.
        AtomicFile.removeLeftovers(in: folder)
        let noiseMode: NoiseMode = noise == "random" ? .random(RandomGenerator(seed: noiseSeed)) : noise == "zero" ? .zero : .stored
        let progress = Progress(total: names.count, label: "generate")
        var raw: [Tensor] = []
        var start = 0
        while start < names.count {
            let count = min(batch, names.count - start)
            let images = GradientMode.withoutGradients { g.synthesize(wplus.narrow(0, start: start, length: count), noise: noiseMode) }
            for (offset, image) in try Image.images(from: images).enumerated() {
                try image.write(to: folder.appendingPathComponent(names[start + offset] + ".png"))
            }
            if saveRaw { raw.append(images) }
            progress.advance(by: count)
            start += count
        }
        try LatentFile.write(wplus, to: folder.appendingPathComponent("latents.npy"))
        if saveRaw { try NumpyFile.write(StoredTensor(Tensor.concat(raw, axis: 0)), to: folder.appendingPathComponent("images.npy")) }
        print("wrote \(names.count) PNGs and latents.npy\(saveRaw ? " and images.npy" : "") to \(folder.path)")
    }

    /// Output names for an e4e/ReStyle dictionary's keys (image file names): the base name
    /// without extension, characters other than letters, digits, `-`, `_`, `.` as `_`, and
    /// `_1`, `_2`… where two would collide (`latentNNNN` for an empty or hidden name).
    package static func outputNames(_ keys: [String]) -> [String] {
        var used: Set<String> = ["latents", "images"]
        return keys.enumerated().map { index, key in
            let last = key.split(separator: "/").last.map(String.init) ?? ""
            let base = last.lastIndex(of: ".").map { $0 == last.startIndex ? last : String(last[..<$0]) } ?? last
            var safe = String(base.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) ? Character($0) : "_" })
            if safe.isEmpty || safe.hasPrefix(".") { safe = String(format: "latent%04d", index) }
            var name = safe
            var suffix = 1
            while used.contains(name) { name = "\(safe)_\(suffix)"; suffix += 1 }
            used.insert(name)
            return name
        }
    }
}
