import Foundation
import Testing

import Checkpoints

/// Truncated and corrupted copies of every fixture must give `CheckpointError`s, never a crash,
/// a trap or a hang.
@Suite("Robustness")
struct RobustnessTests {
    static let names: [String] = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.folder.path))?
        .filter { !$0.hasSuffix(".json") }.sorted() ?? []

    /// Reads bytes the way their file name says.
    static func load(_ data: Data, name: String) throws {
        if name.hasSuffix(".npy") {
            _ = try NumpyFile.read(data, file: name)
        } else if name.hasSuffix(".safetensors") {
            _ = try Safetensors(data, file: name)
        } else if name.hasSuffix(".pkl") {
            _ = try Unpickler.load(data, file: name)
        } else {
            _ = try TorchCheckpoint.load(data, file: name)
        }
    }

    @Test("every truncation is an error", arguments: names)
    func truncations(name: String) throws {
        let data = try Fixtures.data(name)
        // Every cut for small files, about 400 spread cuts (and the first 64) for larger ones.
        let step = max(1, data.count / 400)
        for length in Set(Array(0..<min(64, data.count)) + Array(stride(from: 0, to: data.count, by: step))) {
            #expect(throws: CheckpointError.self, "\(name) cut to \(length) bytes") {
                try Self.load(data.prefix(length), name: name)
            }
        }
    }

    @Test("random byte corruption gives a value or a CheckpointError", arguments: names)
    func corruptions(name: String) throws {
        let original = try Fixtures.data(name)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(original.count)
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<1000 {
            var data = original
            for _ in 0..<(1 + next() % 4) {
                data[next() % data.count] = UInt8(truncatingIfNeeded: next())
            }
            do {
                try Self.load(data, name: name)
            } catch is CheckpointError {
            } catch {
                Issue.record("\(name): unexpected error type \(error)")
            }
        }
    }

    @Test("errors are one line naming the file")
    func oneLine() throws {
        let data = try Fixtures.data("torch_zip_mixed.pt")
        do {
            try Self.load(data.prefix(data.count - 1), name: "torch_zip_mixed.pt")
        } catch let error as CheckpointError {
            #expect(!error.description.contains("\n"))
            #expect(error.description.hasPrefix("torch_zip_mixed.pt: "))
        }
        let hostile = CheckpointError(.malformed, file: "f", "key 'a\nb'")
        #expect(!hostile.description.contains("\n"))
    }
}
