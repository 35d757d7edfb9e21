import DefaultModel
import Foundation
import Checkpoints
import Tensors
import Testing
import Training
import StylePrompterCLI

/// `edit-rows`: per direction, the W+ rows an edit moves, measured on inverted SynthFaces and
/// written beside the direction; its choice read back by `eval-synthfaces` and `package-model`.
@Suite(.serialized) struct EditRowsCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edit-rows-\(UUID().uuidString)")

    private func run(_ arguments: [String]) throws {
        var command = try StylePrompterCommand.parseAsRoot(arguments)
        try command.run()
    }

    /// A copy of the bundled directions without the row files they ship with.
    private func directionsCopy() throws -> URL {
        let copy = folder.appendingPathComponent("directions")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: DefaultModel.directions, to: copy)
        for file in try FileManager.default.contentsOfDirectory(atPath: copy.path) where file.hasSuffix(EditRows.suffix + "_wplus.npy") {
            try FileManager.default.removeItem(at: copy.appendingPathComponent(file))
        }
        let reportURL = copy.appendingPathComponent("directions.json")
        var report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: reportURL)) as? [String: Any])
        report["rows_measured"] = nil
        report["directions"] = (report["directions"] as? [[String: Any]])?.map { fit in
            fit.filter { !$0.key.hasPrefix("rows") }
        }
        try JSONSerialization.data(withJSONObject: report).write(to: reportURL)
        return copy
    }

    @Test("the candidate ranges: all rows, then coarse and fine ones")
    func candidateRanges() {
        #expect(EditRows.candidateRanges(rows: 10) == [0..<10, 0..<2, 0..<4, 0..<6, 0..<8, 2..<10, 4..<10, 6..<10, 8..<10])
        #expect(EditRows.candidateRanges(rows: 2) == [0..<2])
    }

    @Test("it writes the direction on its chosen rows and records every candidate")
    func writesTheChosenRows() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let directions = try directionsCopy()
        try run(["edit-rows", "--directions", directions.path, "--names", "smile", "--count", "6"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directions.appendingPathComponent("directions.json"))) as? [String: Any])
        let fits = try #require(report["directions"] as? [[String: Any]])
        let smile = try #require(fits.first { $0["attribute"] as? String == "smile" })
        let rows = try #require(smile["rows"] as? [Int])
        let candidates = try #require(smile["rows_candidates"] as? [[String: Any]])
        #expect(candidates.count == 9 && (candidates.first?["rows"] as? [Int]) == rows)
        // The best candidate's score is the largest.
        let scores = candidates.map {
            (($0["change_per_unit"] as? Double) ?? .nan) - (($0["others_mean_abs_change_per_unit"] as? Double) ?? .nan)
                - (($0["appearance_per_unit"] as? Double) ?? .nan)
        }
        #expect(candidates.allSatisfy { (0...0.1).contains(($0["appearance_per_unit"] as? Double) ?? -1) }, "a fraction over the strength 10")
        // The best candidate keeps half the strongest change, and no other that does scores more.
        let changes = candidates.map { ($0["change_per_unit"] as? Double) ?? .nan }
        let keepsHalf = changes.map { $0 >= EditRows.minimumShareOfStrongest * changes.max()! }
        #expect(keepsHalf[0])
        #expect(zip(scores, keepsHalf).allSatisfy { !$1 || $0 <= scores[0] })
        #expect(fits.filter { $0["rows"] != nil }.count == 1, "only the named direction is measured")

        // The file: the InterFaceGAN direction on those rows, zero on the others.
        let written = try NumpyFile.readTensor(contentsOf: directions.appendingPathComponent("smile_rows_wplus.npy"))
        #expect(written.shape == [10, 256])
        let values = try written.floats()
        let whole = try NumpyFile.readTensor(contentsOf: directions.appendingPathComponent("smile_wplus.npy")).floats()
        for row in 0..<10 {
            let slice = Array(values[(row * 256)..<((row + 1) * 256)])
            let expected = (rows[0]..<rows[1]).contains(row) ? Array(whole[(row * 256)..<((row + 1) * 256)]) : [Float](repeating: 0, count: 256)
            #expect(slice == expected, "row \(row)")
        }

        // eval-synthfaces measures it as smile_rows beside smile.
        let evaluation = folder.appendingPathComponent("eval.json")
        let only = folder.appendingPathComponent("only")
        try FileManager.default.createDirectory(at: only, withIntermediateDirectories: true)
        for file in ["smile.pt", "smile_rows_wplus.npy"] { try FileManager.default.copyItem(at: directions.appendingPathComponent(file), to: only.appendingPathComponent(file)) }
        try run(["eval-synthfaces", "--directions", only.path, "--count", "2", "--json", evaluation.path])
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: evaluation)) as? [String: Any]
        #expect((document?["edits"] as? [String: Any]).map { Set($0.keys) } == ["smile", "smile_rows"])
    }

    @Test("a missing directions.json, an unknown name and absurd numbers are refused in one line")
    func refusals() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let directions = try directionsCopy()
        for arguments in [["--count", "0"], ["--count", "1000000"], ["--strength", "nan"], ["--strength", "-3"]] {
            #expect(throws: (any Error).self) { _ = try StylePrompterCommand.parseAsRoot(["edit-rows", "--directions", directions.path] + arguments) }
        }
        #expect(throws: CommandErrors.Failure.self) { try run(["edit-rows", "--directions", directions.path, "--names", "moustache", "--count", "2"]) }
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        do {
            try run(["edit-rows", "--directions", empty.path, "--count", "2"])
            Issue.record("a folder without directions.json was accepted")
        } catch let failure as CommandErrors.Failure {
            #expect(failure.message.contains("directions.json") && !failure.message.contains("\n"))
        }
        try Data("{\"directions\": 7}".utf8).write(to: empty.appendingPathComponent("directions.json"))
        #expect(throws: CommandErrors.Failure.self) { try run(["edit-rows", "--directions", empty.path, "--count", "2"]) }
        // A crafted file entry pointing outside the folder: refused before anything is read or written.
        try Data("{\"directions\": [{\"attribute\": \"smile\", \"file\": \"../smile.pt\"}]}".utf8).write(to: empty.appendingPathComponent("directions.json"))
        do {
            try run(["edit-rows", "--directions", empty.path, "--count", "2"])
            Issue.record("a direction file outside the folder was accepted")
        } catch let failure as CommandErrors.Failure {
            #expect(failure.message.contains("../smile.pt") && !failure.message.contains("\n"))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("smile_rows_wplus.npy").path))
        // A direction of another width than the model's W: one line naming the file and both shapes.
        try Data("{\"directions\": [{\"attribute\": \"smile\", \"file\": \"smile.pt\"}]}".utf8).write(to: empty.appendingPathComponent("directions.json"))
        try NumpyFile.write(StoredTensor(Tensor(shape: [1, 7], scalars: [Float](repeating: 0.1, count: 7))), to: empty.appendingPathComponent("smile.pt"))
        do {
            try run(["edit-rows", "--directions", empty.path, "--count", "2"])
            Issue.record("a direction of the wrong width was accepted")
        } catch let failure as CommandErrors.Failure {
            #expect(failure.message.contains("smile.pt") && failure.message.contains("[1, 7]") && failure.message.contains("10×256") && !failure.message.contains("\n"), "\(failure.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("smile_rows_wplus.npy").path))
        // Crafted names do not trap: an empty or "=" attribute is simply not one the predictor reads,
        // and a direction file named just ".pt" is not measured.
        try Data("{\"directions\": [{\"attribute\": \"\", \"file\": \"smile.pt\"}, {\"attribute\": \"=\", \"file\": \"smile.pt\"}]}".utf8)
            .write(to: empty.appendingPathComponent("directions.json"))
        try run(["edit-rows", "--directions", empty.path, "--count", "2"])
        // eval-synthfaces names a direction of the wrong width in one line.
        do {
            try run(["eval-synthfaces", "--directions", empty.path, "--count", "2"])
            Issue.record("eval-synthfaces accepted a direction of the wrong width")
        } catch let failure as CommandErrors.Failure {
            #expect(failure.message.contains("smile.pt") && failure.message.contains("[1, 7]") && !failure.message.contains("\n"), "\(failure.message)")
        }
        let odd = folder.appendingPathComponent("odd")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: DefaultModel.directions.appendingPathComponent("smile.pt"), to: odd.appendingPathComponent(".pt"))
        try run(["eval-synthfaces", "--directions", odd.path, "--count", "2", "--json", folder.appendingPathComponent("odd.json").path])
    }
}
