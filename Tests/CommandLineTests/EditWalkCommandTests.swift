import ArgumentParser
import Foundation
import Testing
import StylePrompterCLI

/// `edit --walk`: faces walked along their own direction of a predictor reading, on the bundled
/// model, named by the walk; and the options that cannot go together refused.
@Suite(.serialized) struct EditWalkCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edit-walk-\(UUID().uuidString)")

    private func run(_ arguments: [String]) throws {
        var command = try StylePrompterCommand.parseAsRoot(arguments)
        try command.run()
    }

    /// Two rendered faces walked one step down and up the smile on rows 0–1: every file is
    /// written under the walk's tag, and the bundled predictor reads the +1 faces as smiling more
    /// than the −1 faces (decoded with SMART, as every edit is).
    @Test func walksTheSmileOfRenderedFaces() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let faces = folder.appendingPathComponent("faces"), edited = folder.appendingPathComponent("edited")
        try run(["synthfaces", "--count", "2", "--seed", "77", "--size", "64", "--out", faces.path])
        try run(["edit", faces.path, "--walk", "smile", "--layers", "0-2", "--strength", "-1:1:3", "--out", edited.path])
        let written = Set(try FileManager.default.contentsOfDirectory(atPath: edited.path))
        for face in ["face_000000", "face_000001"] {
            for suffix in ["-1.00", "+0.00", "+1.00"] { #expect(written.contains("\(face)_walk-smile-L0-2_\(suffix).png"), "\(face) \(suffix)") }
            #expect(written.contains("\(face)_walk-smile-L0-2_grid.png"))
        }
        let labels = folder.appendingPathComponent("labels.csv")
        let walked = try FileManager.default.contentsOfDirectory(atPath: edited.path).filter { $0.contains("1.00.png") }.map { edited.appendingPathComponent($0).path }
        try run(["label"] + walked + ["--out", labels.path])
        let rows = try String(contentsOf: labels, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let smile = try #require(rows[0].firstIndex(of: "smile"))
        func mean(_ suffix: String) -> Double {
            let values = rows.dropFirst().filter { $0[0].contains(suffix) }.map { Double($0[smile])! }
            return values.reduce(0, +) / Double(values.count)
        }
        #expect(mean("+1.00") > mean("-1.00"), "smile read at +1 \(mean("+1.00")), at −1 \(mean("-1.00"))")
    }

    /// A reading the predictor lacks is named with those it has; --hold without --walk, --walk
    /// with a direction, or a walk of absurd strength is refused before anything runs.
    @Test func refusesWhatCannotWalk() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let faces = folder.appendingPathComponent("faces")
        try run(["synthfaces", "--count", "1", "--seed", "78", "--size", "64", "--out", faces.path])
        #expect { try run(["edit", faces.path, "--walk", "dimples", "--strength", "1", "--out", folder.appendingPathComponent("a").path]) } throws: {
            "\($0)".contains("'dimples'") && "\($0)".contains("smile")
        }
        #expect(throws: (any Error).self) { try run(["edit", faces.path, "--sefa", "0", "--hold", "yaw", "--out", folder.appendingPathComponent("b").path]) }
        #expect(throws: (any Error).self) { try run(["edit", faces.path, "--walk", "smile", "--sefa", "0", "--out", folder.appendingPathComponent("c").path]) }
        #expect { try run(["edit", faces.path, "--walk", "smile", "--strength", "-1e6:0:2", "--out", folder.appendingPathComponent("d").path]) } throws: {
            "\($0)".contains("±100")
        }
    }
}
