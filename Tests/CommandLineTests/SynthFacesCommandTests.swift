import ArgumentParser
import Foundation
import Imaging
import SynthFaces
import Testing
import StylePrompterCLI

/// `styleprompter synthfaces` end to end, in-process.
@Suite struct SynthFacesCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("synthfaces-\(UUID().uuidString)")

    @Test func writesFacesFromConsecutiveSeedsAndTheirLabels() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var command = try StylePrompterCommand.parseAsRoot(["synthfaces", "--count", "3", "--seed", "10", "--size", "32",
                                                            "--out", folder.path, "--threads", "2"])
        try command.run()
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(files == ["face_000000.png", "face_000001.png", "face_000002.png", "labels.csv"])
        let lines = try String(contentsOf: folder.appendingPathComponent("labels.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(lines.first == "file," + FaceAttributes.labelNames.joined(separator: ","))
        #expect(lines.count == 4)
        for index in 0..<3 {
            let face = FaceAttributes(seed: 10 + UInt64(index))
            let fields = lines[index + 1].split(separator: ",").map(String.init)
            #expect(fields.first == String(format: "face_%06d.png", index))
            #expect(fields.dropFirst().map { Float($0)! } == face.labels, "row \(index)")
            let image = try Image(contentsOf: folder.appendingPathComponent(fields[0]))
            #expect(image == FaceRenderer.render(face, size: 32))
        }
    }

    @Test func rejectsBadArgumentsWithOneLine() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("taken")
        try Data().write(to: file)
        for arguments in [["--count", "0", "--out", folder.path],
                          ["--count", "20000000", "--out", folder.path],
                          ["--count", "2", "--size", "100", "--out", folder.path],
                          ["--count", "2", "--size", "2048", "--out", folder.path],
                          ["--count", "2", "--out", file.path],
                          ["--count", "2", "--style", "huge", "--out", folder.path]] {
            #expect(throws: (any Error).self, "\(arguments)") { _ = try StylePrompterCommand.parseAsRoot(["synthfaces"] + arguments) }
            do {
                _ = try StylePrompterCommand.parseAsRoot(["synthfaces"] + arguments)
            } catch {
                let message = StylePrompterCommand.message(for: error)
                #expect(!message.isEmpty && !message.contains("\n"), "\(arguments): \(message)")
            }
        }
    }

    @Test func styleLargeMouthRendersTheSameFacesWithTheirLargerMouths() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var command = try StylePrompterCommand.parseAsRoot(["synthfaces", "--count", "2", "--seed", "4", "--size", "32",
                                                            "--style", "large-mouth", "--out", folder.path, "--threads", "1"])
        try command.run()
        let labels = try String(contentsOf: folder.appendingPathComponent("labels.csv"), encoding: .utf8).split(separator: "\n")
        for index in 0..<2 {
            let face = FaceAttributes(seed: 4 + UInt64(index))
            #expect(labels[index + 1].split(separator: ",").dropFirst().map { Float($0)! } == face.labels)
            let image = try Image(contentsOf: folder.appendingPathComponent(String(format: "face_%06d.png", index)))
            #expect(image == FaceRenderer.render(face, size: 32, style: .largeMouth))
            #expect(image != FaceRenderer.render(face, size: 32))
        }
    }
}
