import ArgumentParser
import Checkpoints
import Foundation
import Imaging
import Inversion
import StyleGAN
import Tensors

/// `styleprompter invert`: photos → W+ codes and reconstructions.
struct InvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invert",
        abstract: "Invert photos into W+ and reconstruct them (SMART-refined unless --no-smart).")

    @OptionGroup var modelOptions: ModelOptions
    @Argument(help: "Image files or folders of images (aligned faces).") var inputs: [String]
    @Option(help: "Output folder.") var out: String
    @Option(help: "Photos per forward pass (results do not depend on it).") var batch: Int = 1
    @Flag(help: "Also write images.npy: float32 N×3×H×W at the generator's size, unclamped.") var saveRaw = false
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("invert: --batch must be at least 1") }
        try ArgumentChecks.outputFolder(out, command: "invert")
    }

    func run() throws {
        try compute.apply()
        let weights = try modelOptions.weights()
        let items = try CommandErrors.reporting { try PhotoInput.collect(inputs) }
        try ArgumentChecks.outputHoldsNoInput(out, inputs: items.map(\.url), command: "invert")
        let model = try modelOptions.load()
        let run = try BatchRun(output: out)
        try run.prepareResume(fingerprint: modelOptions.fingerprint(extra: ["preprocessing: RGB, EXIF orientation, antialiased bilinear resize to the encoder size"]))
        let needed = ["latents.npy"] + (saveRaw ? ["raw.npy"] : [])
        let pending = items.filter { !(run.isDone($0, needing: needed) && FileManager.default.fileExists(atPath: run.folder.appendingPathComponent("\($0.name).png").path)) }
        if pending.count < items.count { print("resuming: \(items.count - pending.count) of \(items.count) already inverted") }

        let progress = Progress(total: pending.count, label: "invert")
        var start = 0
        while start < pending.count {
            let chunk = Array(pending[start..<min(start + batch, pending.count)])
            start += chunk.count
            var loaded: [(PhotoInput.Item, Tensor)] = []
            for item in chunk {
                do { loaded.append((item, try PhotoInput.encoderTensor(contentsOf: item.url, size: model.encoder.configuration.imageSize).tensor)) } catch { run.fail(item, error) }
            }
            guard !loaded.isEmpty else { progress.advance(by: chunk.count); continue }
            let (latents, images) = GradientMode.withoutGradients { () -> (Tensor, Tensor) in
                let encoded = model.encode(Tensor.concat(loaded.map(\.1), axis: 0))
                return (encoded.latents, model.decode(encoded, weights: weights, useSMART: !modelOptions.noSmart))
            }
            for (i, (item, _)) in loaded.enumerated() {
                let image = images.narrow(0, start: i, length: 1)
                try Image.images(from: image)[0].write(to: run.folder.appendingPathComponent("\(item.name).png"))
                if saveRaw { try NumpyFile.write(StoredTensor(image), to: run.workFile(item, "raw.npy")) }
                try LatentFile.write(latents.narrow(0, start: i, length: 1), to: run.workFile(item, "latents.npy"))
            }
            progress.advance(by: chunk.count)
        }

        // Assemble the per-photo results in input order.
        let done = items.filter { run.isDone($0, needing: needed) }
        if !done.isEmpty {
            let latents = try done.map { try Tensor(NumpyFile.readTensor(contentsOf: run.workFile($0, "latents.npy"))) }
            try LatentFile.write(Tensor.concat(latents, axis: 0), to: run.folder.appendingPathComponent("latents.npy"))
            try AtomicFile.write(Array((done.map(\.name).joined(separator: "\n") + "\n").utf8), to: run.folder.appendingPathComponent("names.txt"))
            if saveRaw {
                let raw = try done.map { try Tensor(NumpyFile.readTensor(contentsOf: run.workFile($0, "raw.npy"))) }
                try NumpyFile.write(StoredTensor(Tensor.concat(raw, axis: 0)), to: run.folder.appendingPathComponent("images.npy"))
            }
            print("wrote \(done.count) reconstructions, latents.npy [\(done.count), \(latents[0].shape[1]), \(latents[0].shape[2])] and names.txt to \(run.folder.path)")
        }
        try run.finish(total: items.count)
    }
}
