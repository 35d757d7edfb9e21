import Foundation
import StylePrompter
import Testing

/// The library's result writer: latents kept in memory for the final `latents.npy`, results of
/// another fingerprint discarded, a resumed job's earlier results read back, leftovers cleared.
@Suite struct ResultWriterTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString)")

    @Test func keepsResumesAndDiscards() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = Tensor(shape: [1, 2, 3], scalars: (0..<6).map(Float.init))
        let b = Tensor(shape: [1, 2, 3], scalars: (6..<12).map(Float.init))

        let first = try ResultWriter(folder: folder, fingerprint: "model A")
        try first.record(a, for: "a")
        // Kept in memory: assembling does not need the work file.
        try FileManager.default.removeItem(at: first.workFile("a", "latents.npy"))
        #expect(first.isDone("a", needing: ["latents.npy"]))
        #expect(try first.writeLatents(names: ["a"]) == [1, 2, 3])
        try first.record(a, for: "a")

        // A later session with the same fingerprint resumes: "a" is read back from the work folder.
        try Data().write(to: first.work.appendingPathComponent(".a.latents.npy.\(UUID().uuidString).tmp"))
        let second = try ResultWriter(folder: folder, fingerprint: "model A")
        #expect(!second.discardedStaleResults)
        #expect(second.isDone("a", needing: ["latents.npy"]) && !second.isDone("b", needing: ["latents.npy"]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: second.work.path).allSatisfy { !$0.hasSuffix(".tmp") })
        try second.record(b, for: "b")
        #expect(try second.writeLatents(names: ["a", "b"]) == [2, 2, 3])
        #expect(try String(contentsOf: folder.appendingPathComponent("names.txt"), encoding: .utf8) == "a\nb\n")

        // Another model: the old results are not reused.
        let third = try ResultWriter(folder: folder, fingerprint: "model B")
        #expect(third.discardedStaleResults)
        #expect(!third.isDone("a", needing: ["latents.npy"]))
    }
}
