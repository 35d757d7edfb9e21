import ArgumentParser
import DefaultModel
import Foundation
import Inversion
import StyleGAN

/// `--model`, `--generator`, `--beta`, `--no-smart`: which StylePrompter to run and how.
package struct ModelOptions: ParsableArguments {
    package init() {}

    @Option(help: "StylePrompter checkpoint: the released .pt ({'state_dict', 'opts', 'latent_avg'}), our .safetensors, a training checkpoint, or a `train` run folder (default: the bundled SynthFaces model).")
    var model: String?

    @Option(help: "StyleGAN2 checkpoint, when the model checkpoint holds no generator.")
    var generator: String?

    @Option(help: "SMART weights β₁,β₂ (values, feed-forward): 1,1 reconstructs most faithfully; lower values edit more freely.")
    var beta: String = "1,1"

    @Flag(help: "Decode without SMART (the stage-1 model).")
    var noSmart = false

    package func validate() throws {
        _ = try weights()
    }

    /// The checkpoint to load: `--model`, or the bundled default model (an error naming where it
    /// was looked for when a copied binary left its resources behind).
    var modelPath: String {
        get throws {
            if let model { return model }
            return try Self.bundledModel(in: DefaultModel.folder).path
        }
    }

    package static func bundledModel(in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CommandErrors.Failure(message: "the bundled default model is not at \(url.path) (the binary was moved without its StylePrompter_DefaultModel.resources folder?); pass --model or set STYLEPROMPTER_DEFAULT_MODEL")
        }
        return url
    }

    func weights() throws -> SMARTWeights {
        let (b1, b2) = try ArgumentChecks.beta(beta)
        return SMARTWeights(b1, b2)
    }

    /// What the results of a run depend on: the model and generator files (path, size, time,
    /// inode and a hash of their first and last MiB), β, SMART on/off and `extra` (the
    /// preprocessing). A resumed run whose fingerprint differs recomputes.
    func fingerprint(extra: [String]) throws -> String {
        var parts = [try FileFingerprint.of(RunOutputs.file(try modelPath, exported: "model.safetensors"))]
        if let generator { parts.append(try FileFingerprint.of(RunOutputs.file(generator, exported: "generator.safetensors"))) }
        let (b1, b2) = try ArgumentChecks.beta(beta)
        parts.append("beta \(b1.bitPattern),\(b2.bitPattern)")
        parts.append(noSmart ? "no SMART" : "SMART")
        return (parts + extra).joined(separator: "\n")
    }

    func load() throws -> StylePrompterModel {
        StatusLine.loading("model", self.model ?? "the bundled default model (SynthFaces, 64 px)")
        let model = try CommandErrors.reporting {
            try StylePrompterCheckpoint.load(contentsOf: try RunOutputs.file(try modelPath, exported: "model.safetensors"),
                                             generatorURL: try generator.map { try RunOutputs.file($0, exported: "generator.safetensors") })
        }
        model.eval()
        let g = model.generator.configuration
        print("model: Swin encoder with \(model.encoder.configuration.latentTokens) latent tokens → \(g.size)-px StyleGAN2, " +
              (model.smart == nil ? "no SMART block (stage 1)" : "SMART at layer \(model.refinedLayer)"))
        if !noSmart && model.smart == nil { print("note: the checkpoint has no SMART block; decoding with the generator alone") }
        return model
    }
}

/// A training run folder given where a checkpoint file is expected: its exported file, or else
/// its newest training checkpoint (which loads as a model too).
enum RunOutputs {
    static func file(_ path: String, exported name: String) throws -> URL {
        var isFolder: ObjCBool = false
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return url }
        let exported = url.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: exported.path) { return exported }
        let checkpoints = url.appendingPathComponent("checkpoints")
        let newest = ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? [])
            .filter { $0.hasPrefix("step-") && $0.hasSuffix(".safetensors") }.sorted().last
        guard let newest else {
            throw CommandErrors.Failure(message: "\(path): a folder, but neither a run's \(name) nor checkpoints/step-*.safetensors is in it")
        }
        return checkpoints.appendingPathComponent(newest)
    }
}
