import ArgumentParser
import Checkpoints
import Foundation
import Testing

import StylePrompterCLI

/// Issue 9 at the command line: absurd arguments are validation errors naming the subcommand,
/// and results are never silently lost, overwritten or reused.
@Suite(.serialized) struct HostileArgumentTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let generator = tests.appendingPathComponent("StyleGANTests/Fixtures/g64.pt").path
    static let model = tests.appendingPathComponent("InversionTests/Fixtures/stylePrompter_small.pt").path
    static let corpus = tests.appendingPathComponent("HostileCorpus")

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-hostile-\(UUID().uuidString)")

    private func run(_ arguments: [String]) throws {
        var command = try StylePrompterCommand.parseAsRoot(arguments)
        try command.run()
    }

    /// The message of the error `arguments` fail with (as the tool prints it), or "" if they succeed.
    private func failure(_ arguments: [String]) -> String {
        do {
            try run(arguments)
        } catch {
            var message = StylePrompterCommand.message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            #expect(!message.isEmpty && !message.contains("\n"), "\(arguments): \(message)")
            return message
        }
        Issue.record("\(arguments) succeeded")
        return ""
    }

    private func files(_ subfolder: String) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(subfolder).path)) ?? [])
    }

    /// Three 64-px photos made by the fixture generator, as PNG files at the given paths.
    private func photos(_ paths: [String]) throws {
        let made = folder.appendingPathComponent("made")
        try run(["generate", "--generator", Self.generator, "--seeds", "0-\(paths.count - 1)", "--out", made.path])
        for (index, path) in paths.enumerated() {
            let target = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: made.appendingPathComponent(ArgumentChecks.seedName(index) + ".png"), to: target)
        }
    }

    @Test func absurdNumbersAreValidationErrors() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        let edit = ["edit", "--model", Self.model, "x.jpg", "--out", out]
        for (arguments, expected) in [
            (edit + ["--sefa", "1", "--strength", "1:2:inf"], "edit: --strength '1:2:inf': the count"),
            (edit + ["--sefa", "1", "--strength", "1:2:1e19"], "edit: --strength '1:2:1e19': the count"),
            (edit + ["--sefa", "1", "--strength", "1:2:1e10"], "edit: --strength '1:2:1e10': the count"),
            (edit + ["--sefa", "1", "--strength", "1:2:1e6"], "edit: --strength '1:2:1e6': the count"),
            (edit + ["--sefa", "1", "--strength", "nan"], "edit: --strength nan is not a finite number"),
            (edit + ["--sefa", "1", "--strength", "inf:1:3"], "start and end must be finite"),
            (edit + ["--sefa=-1"], "edit: --sefa -1 is outside"),
            (edit + ["--sefa", "9223372036854775807"], "edit: --sefa 9223372036854775807 is outside"),
            (edit + ["--sefa", "1", "--beta", "nan,1"], "--beta 'nan,1': both values must be finite"),
            (edit + ["--sefa", "1", "--beta", "1,inf"], "--beta '1,inf': both values must be finite"),
            (edit + ["--ganspace", "g.pt", "--component", "0", "--layers", "6-2"], "edit: --layers '6-2' is empty"),
            (["generate", "--generator", Self.generator, "--seeds", "0-1000000000", "--out", out], "generate: --seeds '0-1000000000' asks for more than 100000"),
            (["generate", "--generator", Self.generator, "--seeds", "0-9223372036854775807", "--out", out], "asks for more than 100000"),
            (["generate", "--generator", Self.generator, "--seeds=-1", "--out", out], "generate: --seeds takes seeds 0 or more"),
            (["generate", "--generator", Self.generator, "--seeds", "0,,1", "--out", out], "generate: --seeds takes seeds 0 or more"),
            (["train-attributes", "--blur", "nan", "--out", out], "train-attributes: --blur must be 0 or in 0.3…8.0 pixels, got nan"),
            (["train-attributes", "--blur", "1e30", "--out", out], "train-attributes: --blur must be 0 or in 0.3…8.0 pixels"),
            (["train-attributes", "--blur=-1", "--out", out], "train-attributes: --blur must be 0 or in 0.3…8.0 pixels"),
        ] {
            let message = failure(arguments)
            #expect(message.contains(expected), "\(arguments): \(message)")
        }
        #expect(try ArgumentChecks.rowRange("2-6", command: "edit") == 2..<6)
        #expect(try ArgumentChecks.rowRange("7", command: "edit") == 7..<8)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func nonFiniteAndEmptyInputsAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        let corpus = Self.corpus.path
        #expect(failure(["generate", "--generator", Self.generator, "--latents", corpus + "/latents_inf.npy", "--out", out])
            == "generate: latents_inf.npy: latents hold NaN or infinite values")
        #expect(failure(["generate", "--generator", Self.generator, "--latents", corpus + "/latents_empty.npy", "--out", out, "--save-raw"])
            .hasPrefix("generate: latents_empty.npy: latents of shape [0, 10, 64]: no latent codes"))
        #expect(failure(["inspect", corpus + "/fortran_overflow.npy"]).hasPrefix("inspect: fortran_overflow.npy: shape [0, 4611686018427387904, 4] has too many"))
        #expect(failure(["generate", "--generator", corpus + "/generator_17_levels.safetensors", "--seeds", "0", "--out", out])
            .contains("larger than 4096 px"))
    }

    @Test func outputFoldersAreCheckedFirst() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("file.txt")
        try Data("x".utf8).write(to: file)
        // A missing model proves --out is checked before any model is loaded.
        #expect(failure(["invert", "--model", "absent.pt", "x.jpg", "--out", file.path]) == "invert: --out \(file.path) is a file, not a folder")
        #expect(failure(["generate", "--generator", "absent.pt", "--seeds", "0", "--out", file.path + "/sub"])
            == "generate: --out \(file.path)/sub cannot be made: \(file.path) is a file, not a folder")
    }

    @Test func generateNeverOverwritesTheLatentsItReads() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        try run(["generate", "--generator", Self.generator, "--seeds", "0", "--out", out.path])
        let latents = out.appendingPathComponent("latents.npy").path
        let before = try Data(contentsOf: URL(fileURLWithPath: latents))
        #expect(failure(["generate", "--generator", Self.generator, "--latents", latents, "--truncation", "0.5", "--out", out.path + "/"])
            .hasPrefix("generate: --latents \(latents) would be overwritten by the output latents.npy"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: latents)) == before)
    }

    @Test func seedsNameFilesByTheirFullValue() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        try run(["generate", "--generator", Self.generator, "--seeds", "4294967296,0", "--out", out.path])
        #expect(files("out").isSuperset(of: ["seed4294967296.png", "seed0000.png"]))
    }

    @Test func inputsAreNeverOverwrittenAndNamesNeverCollide() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try photos(["t/x.png", "a/x.png", "b/x.png", "x_1.png"])
        let t = folder.appendingPathComponent("t").path
        #expect(failure(["invert", "--model", Self.model, t, "--out", t]).hasPrefix("invert: --out \(t) is the folder of the input"))
        #expect(failure(["edit", "--model", Self.model, t + "/x.png", "--sefa", "0", "--out", t + "/"]).hasPrefix("edit: --out"))
        #expect(files("t") == ["x.png"])

        let inputs = ["a/x.png", "b/x.png", "x_1.png"].map { folder.appendingPathComponent($0).path }
        let out = folder.appendingPathComponent("out")
        try run(["invert", "--model", Self.model] + inputs + ["--out", out.path])
        #expect(try String(contentsOf: out.appendingPathComponent("names.txt"), encoding: .utf8) == "x\nx_2\nx_1\n")
        let latents = try NumpyFile.readTensor(contentsOf: out.appendingPathComponent("latents.npy"))
        #expect(latents.shape == [3, 10, 64])
        let rows = try latents.floats()
        #expect(rows[0..<640] != rows[640..<1280] && rows[640..<1280] != rows[1280..<1920])
    }

    @Test func resumeIsKeyedOnTheModelAndSettings() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try photos(["p/a.png", "p/b.png"])
        let p = folder.appendingPathComponent("p").path
        let out = folder.appendingPathComponent("out")
        func latents() throws -> [Float] { try NumpyFile.readTensor(contentsOf: out.appendingPathComponent("latents.npy")).floats() }

        try run(["invert", "--model", Self.model, p, "--out", out.path])
        let first = try latents()
        // A run killed mid-write leaves temporary files: the next run removes them.
        let dead = UUID().uuidString   // the atomic writers name temporaries .NAME.UUID.tmp
        try Data().write(to: out.appendingPathComponent(".a.png.\(dead).tmp"))
        try Data().write(to: out.appendingPathComponent(".styleprompter-work/.a.latents.npy.\(dead).tmp"))
        try run(["invert", "--model", Self.model, p, "--out", out.path])
        #expect(try latents() == first)
        #expect(!files("out").contains(".a.png.\(dead).tmp") && !files("out/.styleprompter-work").contains(".a.latents.npy.\(dead).tmp"))

        // Another model (the same one with latent_avg moved by 0.5) recomputes every code.
        let converted = folder.appendingPathComponent("model.safetensors")
        try run(["convert", Self.model, converted.path])
        let file = try Safetensors.read(contentsOf: converted)
        let moved = try file.tensors.map { entry -> (String, StoredTensor) in
            guard entry.key == "latent_avg" else { return (entry.key, entry.tensor) }
            return (entry.key, try StoredTensor(shape: entry.tensor.shape, floats: entry.tensor.floats().map { $0 + 0.5 }))
        }
        let other = folder.appendingPathComponent("other.safetensors")
        try Safetensors.write(moved, metadata: file.metadata, to: other)
        try run(["invert", "--model", other.path, p, "--out", out.path])
        let shifted = try latents()
        #expect(zip(shifted, first).allSatisfy { abs($0 - $1 - 0.5) < 1e-4 })
        // So does another β or SMART setting (the codes stay, the work is redone), and going back.
        try run(["invert", "--model", Self.model, p, "--out", out.path, "--no-smart"])
        #expect(try latents() == first)
        try run(["invert", "--model", Self.model, p, "--out", out.path, "--beta", "0.5,0.5"])
        #expect(try latents() == first)
        let record = try String(contentsOf: out.appendingPathComponent(".styleprompter-work/fingerprint.txt"), encoding: .utf8)
        #expect(record.contains("stylePrompter_small.pt") && record.contains("SMART"))
    }

    @Test func ganspaceTakesAnyRowRangeAndRefusesNaN() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try photos(["p/a.png"])
        let photo = folder.appendingPathComponent("p/a.png").path
        let out = folder.appendingPathComponent("out")
        try run(["edit", "--model", Self.model, photo, "--ganspace", Self.corpus.appendingPathComponent("ganspace_valid.pt").path,
                 "--component", "1", "--layers", "2-6", "--strength", "-2:2:2", "--out", out.path])
        #expect(files("out").isSuperset(of: ["a_ganspace-C1-L2-6_grid.png", "a_ganspace-C1-L2-6_-2.00.png", "a_ganspace-C1-L2-6_+2.00.png"]))
        let message = failure(["edit", "--model", Self.model, photo, "--ganspace", Self.corpus.appendingPathComponent("ganspace_nan_std.pt").path,
                               "--component", "1", "--layers", "2-6", "--out", out.path])
        #expect(message == "edit: ganspace_nan_std.pt: GANSpace: 'std' holds NaN or infinite values")
        #expect(failure(["edit", "--model", Self.model, photo, "--sefa", "4000", "--out", out.path]) == "edit: --sefa 4000: the generator has only 64 directions")
    }

    @Test func folderInABatchAndUnreadableFilesArePlainSentences() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try photos(["p/a.png"])
        let p = folder.appendingPathComponent("p")
        try FileManager.default.createDirectory(at: p.appendingPathComponent("folder.png"), withIntermediateDirectories: true)
        let out = folder.appendingPathComponent("out")
        let message = failure(["invert", "--model", Self.model, p.path, "--out", out.path])
        #expect(message == "invert: 1 of 2 inputs failed (listed above); the others were written")
        #expect(files("out").contains("a.png"))
        #expect(failure(["inspect", p.appendingPathComponent("folder.png").path]) == "inspect: folder.png: is a folder, not a file")
    }

    /// `--data synthfaces-STYLE:SEED` with a style or seed that does not exist: one line naming
    /// the value, and no run folder left behind.
    @Test func unknownSynthFacesStyleOrSeedIsOneLine() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        for data in ["synthfaces-huge:1", "synthfaces-large-mouth:x"] {
            let out = folder.appendingPathComponent("gan-\(data.count)").path
            let message = failure(["train-generator", "--data", data, "--size", "16", "--out", out])
            #expect(message.contains(data), "\(data): \(message)")
            #expect(!FileManager.default.fileExists(atPath: out + "/config.json"))
        }
    }
}
