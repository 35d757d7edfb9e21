import ArgumentParser
import Checkpoints
import Foundation
import Imaging
import StyleGAN
import Tensors
import Testing

import StylePrompterCLI

/// Issue 9, part 5: the tool's conventions — version, output names that carry the edit,
/// --latents-only / --resize-outputs, e4e/ReStyle latent dictionaries, errors naming the
/// subcommand, status lines that do not collide with progress.
@Suite(.serialized) struct CLIConventionsTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let generator = tests.appendingPathComponent("StyleGANTests/Fixtures/g64.pt").path
    static let model = tests.appendingPathComponent("InversionTests/Fixtures/stylePrompter_small.pt").path

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-conventions-\(UUID().uuidString)")

    private func run(_ arguments: [String]) throws {
        var command = try StylePrompterCommand.parseAsRoot(arguments)
        try command.run()
    }

    private func failure(_ arguments: [String]) -> String {
        do {
            try run(arguments)
        } catch {
            var message = StylePrompterCommand.message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            return message
        }
        Issue.record("\(arguments) succeeded")
        return ""
    }

    private func files(_ subfolder: String) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(subfolder).path)) ?? [])
    }

    /// One 64-px photo made by the fixture generator.
    private func photo() throws -> String {
        let made = folder.appendingPathComponent("made")
        try run(["generate", "--generator", Self.generator, "--seeds", "0", "--out", made.path])
        let target = folder.appendingPathComponent("p/a.png")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: made.appendingPathComponent("seed0000.png"), to: target)
        return target.path
    }

    @Test func versionIsThePackageVersion() {
        #expect(StylePrompterCommand.configuration.version == StylePrompterVersion.current)
        do {
            _ = try StylePrompterCommand.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(StylePrompterCommand.message(for: error) == StylePrompterVersion.current)
            #expect(StylePrompterCommand.exitCode(for: error) == .success)
        }
    }

    @Test func editsAlongTwoDirectionsShareAFolder() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = try photo()
        let out = folder.appendingPathComponent("out").path
        for (name, seed) in [("smile", 1), ("age", 2)] {
            let d = Tensor.randomNormal([1, 64], generator: RandomGenerator(seed: UInt64(seed)))
            try NumpyFile.write(StoredTensor(d), to: folder.appendingPathComponent("\(name).npy"))
            try run(["edit", "--model", Self.model, photo, "--direction", folder.appendingPathComponent("\(name).npy").path,
                     "--strength", "1", "--out", out, "--save-raw"])
        }
        try run(["edit", "--model", Self.model, photo, "--sefa", "2", "--strength", "1", "--out", out])
        #expect(files("out").isSuperset(of: ["a_smile_+1.00.png", "a_smile_grid.png", "edits_smile.npy",
                                             "a_age_+1.00.png", "a_age_grid.png", "edits_age.npy",
                                             "a_sefa-2_+1.00.png", "a_sefa-2_grid.png"]))
        let smile = try Image(contentsOf: folder.appendingPathComponent("out/a_smile_+1.00.png"))
        let age = try Image(contentsOf: folder.appendingPathComponent("out/a_age_+1.00.png"))
        #expect(smile.pixels != age.pixels)
    }

    /// `--layers` with a vector direction: the same edit as the direction restricted to those rows
    /// (what `edit-rows` writes), a tag of its own, and rows outside the latents refused in one line.
    @Test func directionOnSomeRows() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = try photo()
        let d = Tensor.randomNormal([1, 64], generator: RandomGenerator(seed: 5))
        let whole = folder.appendingPathComponent("smile.npy"), fine = folder.appendingPathComponent("fine.npy")
        try NumpyFile.write(StoredTensor(d), to: whole)
        try NumpyFile.write(StoredTensor(try LatentEditing.restricted(d, to: 6..<10, rows: 10, dimension: 64)), to: fine)
        let out = folder.appendingPathComponent("out").path
        try run(["edit", "--model", Self.model, photo, "--direction", whole.path, "--layers", "6-10", "--strength", "2", "--out", out, "--save-raw"])
        try run(["edit", "--model", Self.model, photo, "--direction", fine.path, "--strength", "2", "--out", out, "--save-raw"])
        try run(["edit", "--model", Self.model, photo, "--direction", whole.path, "--strength", "2", "--out", out, "--save-raw"])
        #expect(files("out").isSuperset(of: ["a_smile-L6-10_+2.00.png", "edits_smile-L6-10.npy", "a_fine_+2.00.png", "a_smile_+2.00.png"]))
        let raw = { (tag: String) in try NumpyFile.readTensor(contentsOf: self.folder.appendingPathComponent("out/edits_\(tag).npy")).floats() }
        #expect(try raw("smile-L6-10") == raw("fine"))
        #expect(try raw("smile-L6-10") != raw("smile"))
        do {
            try run(["edit", "--model", Self.model, photo, "--direction", whole.path, "--layers", "8-12", "--strength", "1",
                     "--out", folder.appendingPathComponent("refused").path])
            Issue.record("rows past the latents were accepted")
        } catch let failure as CommandErrors.Failure {
            #expect(failure.message.contains("--layers 8-12") && !failure.message.contains("\n"), "\(failure.message)")
        }
    }

    @Test func latentsOnlyAndResizedOutputs() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = try photo()
        try run(["invert", "--model", Self.model, photo, "--out", folder.appendingPathComponent("full").path])
        try run(["invert", "--model", Self.model, photo, "--out", folder.appendingPathComponent("only").path, "--latents-only"])
        #expect(files("only").subtracting([".styleprompter-work"]) == ["latents.npy", "names.txt"])
        // The latents do not depend on decoding.
        let full = try NumpyFile.readTensor(contentsOf: folder.appendingPathComponent("full/latents.npy"))
        let only = try NumpyFile.readTensor(contentsOf: folder.appendingPathComponent("only/latents.npy"))
        #expect(try only.shape == [1, 10, 64] && only.floats() == full.floats())

        try run(["invert", "--model", Self.model, photo, "--out", folder.appendingPathComponent("small").path, "--resize-outputs", "32"])
        let small = try Image(contentsOf: folder.appendingPathComponent("small/a.png"))
        #expect(small.width == 32 && small.height == 32)
        try run(["edit", "--model", Self.model, photo, "--sefa", "0", "--strength", "-1:1:2", "--out", folder.appendingPathComponent("edited").path,
                 "--resize-outputs", "48"])
        let edit = try Image(contentsOf: folder.appendingPathComponent("edited/a_sefa-0_+1.00.png"))
        let grid = try Image(contentsOf: folder.appendingPathComponent("edited/a_sefa-0_grid.png"))
        #expect(edit.width == 48 && edit.height == 48 && grid.height >= 48 && grid.height < 64)

        #expect(failure(["invert", "--model", Self.model, photo, "--out", folder.path, "--resize-outputs", "0"]) == "invert: --resize-outputs 0 is outside 1…4096")
        #expect(failure(["invert", "--model", Self.model, photo, "--out", folder.path, "--latents-only", "--save-raw"]).hasPrefix("invert: --latents-only"))
    }

    @Test func e4eAndReStyleLatentDictionariesAreRead() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let configuration = try GeneratorCheckpoint.load(contentsOf: URL(fileURLWithPath: Self.generator)).generator.configuration
        let iterations = Tensor.randomNormal([3, 10, 64], generator: RandomGenerator(seed: 5))   // ReStyle: [n_iters, n, D]
        let single = Tensor.randomNormal([10, 64], generator: RandomGenerator(seed: 6))          // e4e: [n, D]
        let w = Tensor.randomNormal([64], generator: RandomGenerator(seed: 7))                    // one w
        let dictionary = PickleDictionary([(.string("b.jpg"), .tensor(StoredTensor(iterations))),
                                           (.string("a.jpg"), .tensor(StoredTensor(single))),
                                           (.string("c.jpg"), .tensor(StoredTensor(w)))])
        let file = folder.appendingPathComponent("latents.pt")
        try TorchCheckpoint.write(.dict(dictionary), to: file)
        let (latents, names) = try LatentFile.readNamed(file, configuration: configuration)
        #expect(latents.shape == [3, 10, 64] && names == ["b.jpg", "a.jpg", "c.jpg"])
        #expect(latents.narrow(0, start: 0, length: 1).scalars == iterations.narrow(0, start: 2, length: 1).scalars)
        #expect(latents.narrow(0, start: 1, length: 1).scalars == single.scalars)
        #expect(latents.narrow(0, start: 2, length: 1).scalars == w.unsqueeze(0).broadcast(to: [10, 64]).scalars)

        // A single tensor in a .pt still reads as N×n×D; generate decodes the dictionary.
        try TorchCheckpoint.write(.tensor(StoredTensor(iterations)), to: folder.appendingPathComponent("plain.pt"))
        #expect(try LatentFile.read(folder.appendingPathComponent("plain.pt"), configuration: configuration).shape == [3, 10, 64])
        try run(["generate", "--generator", Self.generator, "--latents", file.path, "--out", folder.appendingPathComponent("g").path])
        #expect(files("g").isSuperset(of: ["b.png", "a.png", "c.png", "latents.npy"]))
        #expect(GenerateCommand.outputNames(["x/a.jpg", "a.png", "", "../..", "latents.jpg", "é b.jpg"]) == ["a", "a_1", "latent0002", "latent0003", "latents_1", "__b"])

        let bad = PickleDictionary([(.string("x.jpg"), .tensor(StoredTensor(Tensor.zeros([7, 64]))))])
        try TorchCheckpoint.write(.dict(bad), to: folder.appendingPathComponent("bad.pt"))
        #expect(failure(["generate", "--generator", Self.generator, "--latents", folder.appendingPathComponent("bad.pt").path, "--out", folder.path])
            .hasPrefix("generate: bad.pt: 'x.jpg': latents of shape [7, 64]"))
    }

    /// Files written by numpy and torch themselves (Scripts/make_latent_dict_fixtures.py).
    @Test func latentDictionariesSavedByNumpyAndTorch() throws {
        let fixtures = Self.tests.appendingPathComponent("StyleGANTests/Fixtures")
        let configuration = try GeneratorCheckpoint.load(contentsOf: URL(fileURLWithPath: Self.generator)).generator.configuration
        let restyle = fixtures.appendingPathComponent("latents_restyle.npy")
        let (latents, names) = try LatentFile.readNamed(restyle, configuration: configuration)
        #expect(latents.shape == [2, 10, 64] && names?.count == 2 && names?.last?.hasSuffix("y.jpg") == true)
        let stored = try CheckpointFile.load(contentsOf: restyle).tensors.entries.map { try Tensor($0.tensor) }
        for (index, iterations) in stored.enumerated() {
            #expect(iterations.shape == [3, 10, 64])
            #expect(latents.narrow(0, start: index, length: 1).scalars == iterations.narrow(0, start: 2, length: 1).scalars)
        }
        let e4e = try LatentFile.readNamed(fixtures.appendingPathComponent("latents_e4e.pt"), configuration: configuration)
        #expect(e4e.latents.shape == [2, 10, 64] && e4e.names == ["a.jpg", "b.jpg"])
    }

    @Test func failuresNameTheSubcommand() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bogus = folder.appendingPathComponent("bogus.pt")
        try Data("not a checkpoint".utf8).write(to: bogus)
        #expect(failure(["inspect", bogus.path]).hasPrefix("inspect: bogus.pt"))
        #expect(failure(["generate", "--generator", bogus.path, "--seeds", "0", "--out", folder.path]).hasPrefix("generate: bogus.pt"))
        #expect(CommandErrors.prefixed("edit: x", command: "edit") == "edit: x")
        #expect(CommandErrors.prefixed("x.pt: bad", command: "edit") == "edit: x.pt: bad")
    }

    @Test func statusLinesClearAnOpenProgressLine() {
        #expect(StylePrompterCLI.Progress.frame("invert 1/3", final: false) == "\rinvert 1/3\u{1B}[K")
        #expect(StylePrompterCLI.Progress.frame("invert 3/3", final: true).hasSuffix("\u{1B}[K\n"))
        // (The pure form: other suites may write status lines concurrently.)
        #expect(StatusLine.line("warning: x", clearing: true) == "\r\u{1B}[Kwarning: x\n")
        #expect(StatusLine.line("loading model m…", clearing: false) == "loading model m…\n")
    }
}
