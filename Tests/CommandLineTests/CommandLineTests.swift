import ArgumentParser
import Checkpoints
import Foundation
import Tensors
import Testing
import TestSupport
import StylePrompterCLI

/// The commands end to end, in-process, on the committed fixture models.
@Suite(.serialized) struct CommandLineTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let generator = tests.appendingPathComponent("StyleGANTests/Fixtures/g64.pt").path
    static let model = tests.appendingPathComponent("InversionTests/Fixtures/stylePrompter_small.pt").path
    static let faces = SharedTestData.url("faces")

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")

    private func run(_ arguments: [String]) throws {
        var command = try StylePrompterCommand.parseAsRoot(arguments)
        try command.run()
    }

    private func files(_ subfolder: String = "") -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(subfolder).path)) ?? [])
    }

    @Test func generateWritesImagesLatentsAndRawOutputs() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try run(["generate", "--generator", Self.generator, "--seeds", "3-5", "--truncation", "0.7", "--out", folder.path, "--save-raw", "--batch", "2"])
        #expect(files().isSuperset(of: ["seed0003.png", "seed0004.png", "seed0005.png", "latents.npy", "images.npy"]))
        let latents = try NumpyFile.readTensor(contentsOf: folder.appendingPathComponent("latents.npy"))
        let images = try NumpyFile.readTensor(contentsOf: folder.appendingPathComponent("images.npy"))
        #expect(latents.shape == [3, 10, 64] && images.shape == [3, 3, 64, 64])
        // Decoding the saved latents reproduces the saved images exactly.
        let again = folder.appendingPathComponent("again")
        try run(["generate", "--generator", Self.generator, "--latents", folder.appendingPathComponent("latents.npy").path,
                 "--out", again.path, "--save-raw"])
        #expect(try NumpyFile.readTensor(contentsOf: again.appendingPathComponent("images.npy")).floats() == images.floats())
    }

    @Test func badCheckpointsAndLatentsFailWithOneLineNamingTheFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bogus = folder.appendingPathComponent("bogus.pt")
        try Data("not a checkpoint".utf8).write(to: bogus)
        for arguments in [["generate", "--generator", bogus.path, "--seeds", "0", "--out", folder.path],
                          ["inspect", bogus.path],
                          ["generate", "--generator", Self.generator, "--latents", Self.generator, "--out", folder.path]] {
            do {
                try run(arguments)
                Issue.record("\(arguments) succeeded")
            } catch {
                let message = "\(error)"
                #expect(!message.contains("\n") && (message.contains("bogus.pt") || message.contains("g64.pt")), "\(message)")
            }
        }
    }

    @Test func inspectAndConvertRoundTrip() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let converted = folder.appendingPathComponent("g64.safetensors")
        try run(["convert", Self.generator, converted.path])
        let original = try CheckpointFile.load(contentsOf: URL(fileURLWithPath: Self.generator)).tensors
        let copy = try CheckpointFile.load(contentsOf: converted).tensors
        #expect(original.keys == copy.keys)
        for key in original.keys { #expect(try original[key]!.floats() == copy[key]!.floats()) }
        try run(["inspect", converted.path, "--json"])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: CommandLineTests.faces.path), "../shared/data/faces is absent"))
    func invertAndEditRealPhotosWithResume() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = ["celebahq_00044.jpg", "celebahq_00051.jpg", "sp_input_0.jpg"].map { Self.faces.appendingPathComponent($0).path }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let broken = folder.appendingPathComponent("broken.jpg")
        try Data(try Data(contentsOf: URL(fileURLWithPath: photos[0])).prefix(2000)).write(to: broken)

        let out = folder.appendingPathComponent("inverted")
        #expect(throws: (any Error).self) {
            try run(["invert", "--model", Self.model] + photos + [broken.path, "--out", out.path, "--batch", "2", "--save-raw"])
        }
        #expect(files("inverted").isSuperset(of: ["celebahq_00044.png", "celebahq_00051.png", "sp_input_0.png", "latents.npy", "names.txt", "images.npy"]))
        let names = try String(contentsOf: out.appendingPathComponent("names.txt"), encoding: .utf8)
        #expect(names == "celebahq_00044\ncelebahq_00051\nsp_input_0\n")
        let latents = try NumpyFile.readTensor(contentsOf: out.appendingPathComponent("latents.npy"))
        #expect(latents.shape == [3, 10, 64])
        // Resuming redoes nothing and gives the same latents.
        try run(["invert", "--model", Self.model] + photos + ["--out", out.path, "--save-raw"])
        #expect(try NumpyFile.readTensor(contentsOf: out.appendingPathComponent("latents.npy")).floats() == latents.floats())

        let edited = folder.appendingPathComponent("edited")
        try run(["edit", "--model", Self.model, photos[0], "--sefa", "1", "--strength", "-2:2:3", "--beta", "0.5,0.8", "--out", edited.path, "--save-raw"])
        #expect(files("edited").isSuperset(of: ["celebahq_00044_sefa-1_grid.png", "celebahq_00044_sefa-1_-2.00.png", "edits_sefa-1.npy"]))
        #expect(try NumpyFile.readTensor(contentsOf: edited.appendingPathComponent("edits_sefa-1.npy")).shape == [1, 3, 3, 64, 64])
    }
}

extension CommandLineTests {
    /// eval with LPIPS and ArcFace weights (the Perceptual fixtures' narrow networks) writes a
    /// table and JSON with every metric for every photo.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: CommandLineTests.faces.path), "../shared/data/faces is absent"))
    func evalReportsEveryMetric() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let perceptual = Self.tests.appendingPathComponent("PerceptualTests/Fixtures")
        let json = folder.appendingPathComponent("eval.json")
        try run(["eval", "--model", Self.model, "--images", Self.faces.appendingPathComponent("celebahq_00044.jpg").path,
                 "--images", Self.faces.appendingPathComponent("celebahq_00051.jpg").path,
                 "--lpips", perceptual.appendingPathComponent("lpips_small_trunk.pt").path,
                 "--lpips", perceptual.appendingPathComponent("lpips_small_heads.pth").path,
                 "--arcface", perceptual.appendingPathComponent("irse_mini.pt").path, "--json", json.path])
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        let metrics = try #require(document?["metrics"] as? [String: Any])
        for name in ["seconds", "mse", "psnr", "ssim", "msssim", "lpips", "id_similarity"] {
            let statistic = try #require(metrics[name] as? [String: Any], "no \(name)")
            #expect(statistic["count"] as? Int == 2, "\(name)")
        }
    }
}
