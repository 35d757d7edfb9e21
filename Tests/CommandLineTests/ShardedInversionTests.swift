import ArgumentParser
import Foundation
import MessagePassing
import Testing

import StylePrompterCLI

/// Issue 13, part 3: `invert --shard i/N` for job arrays and `--merge`, which must give the
/// unsharded run's files byte for byte; bad shards and merges are refused in one line.
/// (`mpirun -np 2 … invert --distributed` is checked by Scripts/check_distributed.sh.)
@Suite(.serialized) struct ShardedInversionTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let generator = tests.appendingPathComponent("StyleGANTests/Fixtures/g64.pt").path
    static let model = tests.appendingPathComponent("InversionTests/Fixtures/stylePrompter_small.pt").path

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sharded-\(UUID().uuidString)")

    private func run(_ arguments: [String]) throws {
        var command = try StylePrompterCommand.parseAsRoot(arguments)
        try command.run()
    }

    private func failure(_ arguments: [String]) -> String {
        do { try run(arguments) } catch {
            var message = StylePrompterCommand.message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            return message
        }
        Issue.record("\(arguments) succeeded")
        return ""
    }

    /// Five 64-px photos from the fixture generator.
    private func photos() throws -> String {
        let made = folder.appendingPathComponent("photos")
        try run(["generate", "--generator", Self.generator, "--seeds", "0-4", "--out", made.path])
        return made.path
    }

    private func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: folder.appendingPathComponent(path).path) }

    @Test func shardsMergeIntoTheUnshardedFiles() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = try photos()
        try run(["invert", "--model", Self.model, photos, "--out", folder.appendingPathComponent("all").path])
        let sharded = folder.appendingPathComponent("sharded").path
        for i in 0..<3 { try run(["invert", "--model", Self.model, photos, "--out", sharded, "--shard", "\(i)/3", "--save-raw"]) }
        try run(["invert", "--merge", "--out", sharded])
        #expect(bytes("sharded/latents.npy") != nil)
        #expect(bytes("sharded/latents.npy") == bytes("all/latents.npy"))
        #expect(bytes("sharded/names.txt") == bytes("all/names.txt"))
        #expect(bytes("sharded/images.npy") != nil)
        #expect(bytes("sharded/seed0003.png") == bytes("all/seed0003.png"))
        // Every 3rd input from the i-th: shard 1 of 3 inverted seeds 1 and 4.
        #expect(bytes("sharded/shard-1-of-3/names.txt") == Data("seed0001\nseed0004\n".utf8))
    }

    @Test func shardedEditsAndEvaluationsMergeIntoTheUnshardedResults() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = try photos()
        let edit = ["--model", Self.model, photos, "--sefa", "1", "--strength", "-1:1:2", "--save-raw"]
        try run(["edit"] + edit + ["--out", folder.appendingPathComponent("edit-all").path])
        let sharded = folder.appendingPathComponent("edit-sharded").path
        for i in 0..<2 { try run(["edit"] + edit + ["--out", sharded, "--shard", "\(i)/2"]) }
        try run(["edit", "--merge", "--out", sharded])
        #expect(bytes("edit-sharded/edits_sefa-1.npy") != nil)
        #expect(bytes("edit-sharded/edits_sefa-1.npy") == bytes("edit-all/edits_sefa-1.npy"))
        #expect(bytes("edit-sharded/seed0002_sefa-1_grid.png") == bytes("edit-all/seed0002_sefa-1_grid.png"))

        let whole = folder.appendingPathComponent("eval-all.json").path
        try run(["eval", "--model", Self.model, "--images", photos, "--json", whole])
        var records: [String] = []
        for i in 0..<2 {
            records.append(folder.appendingPathComponent("eval-\(i).json").path)
            try run(["eval", "--model", Self.model, "--images", photos, "--shard", "\(i)/2", "--json", records[i]])
        }
        let merged = folder.appendingPathComponent("eval-merged.json").path
        try run(["eval", "--merge"] + records + ["--json", merged])
        func perImage(_ path: String) throws -> [String: [Double]] {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            let values = (object?["per_image"] as? [String: Any]) ?? [:]
            return values.compactMapValues { $0 as? [Double] }          // NaN/inf are written as strings
        }
        let (a, b) = (try perImage(whole), try perImage(merged))
        #expect(a["mse"]?.count == 5)
        for metric in ["mse", "psnr", "ssim"] { #expect(a[metric] == b[metric]) }
        #expect(failure(["eval", "--merge", records[0]]) == "eval --merge: shard 1/2 missing")
        #expect(failure(["eval", "--merge", photos]) == "eval: \(photos): is a folder, not a file")
        #expect(failure(["eval", "--merge", folder.appendingPathComponent("absent.json").path]).hasSuffix("absent.json: no such file"))
        #expect(failure(["eval", "--merge", records[0], records[0], records[1]]) == "eval --merge: shard 0/2 is given twice")
    }

    @Test func incompleteOrMixedShardsAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = try photos()
        let out = folder.appendingPathComponent("out").path
        #expect(failure(["invert", "--merge", "--out", out]).contains("no shard-i-of-N folders to merge"))
        try run(["invert", "--model", Self.model, photos, "--out", out, "--shard", "0/2"])
        #expect(failure(["invert", "--merge", "--out", out]) == "invert: \(URL(fileURLWithPath: out).standardizedFileURL.path): shard 1/2 missing")
        try run(["invert", "--model", Self.model, photos, "--out", out, "--shard", "1/2", "--no-smart"])
        #expect(failure(["invert", "--merge", "--out", out]).contains("was made from other inputs or settings"))
        // A crafted record claiming 10^12 shards is refused at once, without allocating for them.
        let crafted = folder.appendingPathComponent("crafted/shard-0-of-1000000000000")
        try FileManager.default.createDirectory(at: crafted, withIntermediateDirectories: true)
        try Data(#"{"index":0,"count":1000000000000,"inputs":1,"inputsDigest":"0","fingerprint":"","rows":[],"arrays":[],"writesNames":true}"#.utf8)
            .write(to: crafted.appendingPathComponent("shard.json"))
        #expect(failure(["invert", "--merge", "--out", crafted.deletingLastPathComponent().path]).hasSuffix("shards 1/1000000000000, 2/1000000000000, 3/1000000000000, 4/1000000000000, 5/1000000000000 missing"))
        #expect(failure(["invert", "--model", Self.model, photos, "--out", out, "--shard", "2/2"])
                == "invert: --shard '2/2' is not i/N with 0 ≤ i < N ≤ 100000 (for example 0/4)")
        #expect(failure(["invert", "--merge", photos, "--out", out]).hasPrefix("invert: --merge takes only --out"))
    }

    @Test func distributedNeedsAnMPIBuild() throws {
        guard !Communicators.mpiIsAvailable else { return }
        defer { try? FileManager.default.removeItem(at: folder) }
        let message = failure(["train-generator", "--data", "synthfaces", "--size", "32", "--out", folder.path, "--distributed"])
        #expect(message.contains("this build has no MPI"))
        #expect(message.contains("--traits MPI"))
    }
}
