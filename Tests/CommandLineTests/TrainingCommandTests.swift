import ArgumentParser
import Checkpoints
import Foundation
import Testing
import StylePrompterCLI

/// From a folder of images to a trained StylePrompter that inverts: `train-generator`, then
/// `train --stage 1` and `--stage 2`, each resumed once, then `invert` on the run folder.
@Suite(.serialized) struct TrainingCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("train-cli-\(UUID().uuidString)")

    private func run(_ arguments: [String]) throws {
        var command = try StylePrompterCommand.parseAsRoot(arguments)
        try command.run()
    }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path) }

    @Test func generatorThenBothStagesThenInvert() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let gan = folder.appendingPathComponent("gan").path
        let tiny = ["--size", "16", "--channels", "4:16,8:16,16:8", "--style-dimension", "16", "--mapping-layers", "2",
                    "--batch", "4", "--sample-every", "0.02", "--checkpoint-every", "2"]
        try run(["train-generator", "--data", "synthfaces:3", "--kimg", "0.024", "--out", gan, "--max-steps", "3", "--augment", "color,translation,cutout"] + tiny)
        try run(["train-generator", "--resume", gan])
        for file in ["gan/generator.safetensors", "gan/generator.pt", "gan/report.html", "gan/config.json", "gan/checkpoints/step-00000006.safetensors"] {
            #expect(exists(file), "\(file)")
        }
        // The exported rosinality file reads back as a generator.
        let exported = try CheckpointFile.load(contentsOf: folder.appendingPathComponent("gan/generator.pt"))
        #expect(exported.tensors.containsKeys(under: "g_ema.") && exported.tensors.containsKeys(under: "d."))

        let stage1 = folder.appendingPathComponent("stage1").path, stage2 = folder.appendingPathComponent("stage2").path
        let encoder = ["--embed-dim", "8", "--depths", "1,1,1,1", "--heads", "1,1,1,1", "--window", "8", "--batch", "2",
                       "--val-images", "2", "--validate-every", "2", "--checkpoint-every", "2"]
        let predictor = folder.appendingPathComponent("attributes.safetensors").path
        try run(["train-attributes", "--size", "16", "--steps", "2", "--batch", "4", "--out", predictor])
        // A small input size: stage 2 must take it from the stage-1 model (it once validated at 256 px and trapped).
        try run(["train", "--stage", "1", "--data", "synthfaces:4", "--generator", gan, "--out", stage1, "--steps", "4", "--max-steps", "2",
                 "--attributes", predictor, "--image-size", "32"] + encoder)
        try run(["train", "--resume", stage1])
        try run(["train", "--stage", "2", "--data", "synthfaces:4", "--from", stage1, "--out", stage2, "--steps", "2", "--batch", "2",
                 "--val-images", "2", "--accumulate", "2"])
        for file in ["stage1/model.safetensors", "stage1/model.pt", "stage1/report.html", "stage2/model.safetensors", "stage2/model.pt",
                     "stage2/checkpoints/best.safetensors"] {
            #expect(exists(file), "\(file)")
        }
        let metrics = try String(contentsOf: folder.appendingPathComponent("stage1/metrics.jsonl"), encoding: .utf8)
        #expect(metrics.contains("loss_attributes"))
        let config = try String(contentsOf: folder.appendingPathComponent("stage1/config.json"), encoding: .utf8)
        #expect(config.contains("\"disabledTerms\"") && config.contains("lpips") && config.contains("\"total_steps\" : 4"))

        let inverted = folder.appendingPathComponent("inverted").path
        let photo = folder.appendingPathComponent("face.png")
        try run(["synthfaces", "--count", "1", "--seed", "99", "--size", "64", "--out", folder.appendingPathComponent("faces").path])
        try FileManager.default.copyItem(at: folder.appendingPathComponent("faces/face_000000.png"), to: photo)
        try run(["invert", "--model", stage2, photo.path, "--out", inverted])
        #expect(exists("inverted/latents.npy"))

        // The default model's tools on this tiny model: labelled faces → latents → directions → ground-truth evaluation.
        let labelled = folder.appendingPathComponent("labelled").path, latents = folder.appendingPathComponent("latents").path
        try run(["synthfaces", "--count", "12", "--seed", "500", "--size", "32", "--out", labelled])
        try run(["invert", "--model", stage2, labelled, "--out", latents])
        try run(["directions", "--latents", latents + "/latents.npy", "--labels", labelled + "/labels.csv",
                 "--out", folder.appendingPathComponent("directions").path, "--attributes", "smile,glasses"])
        #expect(exists("directions/smile.pt") && exists("directions/glasses_wplus.npy"))
        let report = folder.appendingPathComponent("eval.json").path
        try run(["eval-synthfaces", "--model", stage2, "--generator", gan, "--attributes", predictor,
                 "--directions", folder.appendingPathComponent("directions").path, "--count", "4", "--json", report])
        let json = try String(contentsOf: URL(fileURLWithPath: report), encoding: .utf8)
        #expect(json.contains("smart_psnr") && json.contains("change_per_unit") && json.contains("frechet_distance_real_vs_real"))

        // A new run into an existing run folder is refused; so is resuming a folder that holds none.
        #expect(throws: (any Error).self) { try run(["train-generator", "--data", "synthfaces", "--out", gan] + tiny) }
        #expect(throws: (any Error).self) { try run(["train", "--resume", folder.appendingPathComponent("faces").path]) }
    }
}
