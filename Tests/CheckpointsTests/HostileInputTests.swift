import Foundation
import Testing

import Checkpoints

/// Issue 9's hostile files (Tests/HostileCorpus, made by Scripts/make_hostile_corpus.py, and
/// crafted here): each gives a one-line error naming the file, within bounded memory.
@Suite("Hostile input")
struct HostileInputTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("HostileCorpus")

    /// The error `body` throws, or nil (recorded as an issue).
    func error(_ body: () throws -> Void) -> CheckpointError? {
        do { try body() } catch let error as CheckpointError {
            #expect(!error.description.contains("\n"))
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
        Issue.record("no error")
        return nil
    }

    @Test func expandedViewsStopAtTheFileBudget() throws {
        // 300 stride-0 views of one 64 KB storage would materialise 1.2 GB.
        let failure = error { _ = try TorchCheckpoint.load(contentsOf: Self.corpus.appendingPathComponent("expanded_views.pt")) }
        #expect(failure?.file == "expanded_views.pt")
        #expect(failure?.message.contains("budget") == true)
    }

    @Test func legacyReferencesShareOneStorage() throws {
        let value = try TorchCheckpoint.load(contentsOf: Self.corpus.appendingPathComponent("legacy_shared_storage.pt"))
        let tensors = try #require(value.elements)
        #expect(tensors.count == 2000)
        // Every view is a slice of the same mapped bytes: 2,000 references allocate nothing.
        guard case .tensor(let last) = tensors[1999] else { Issue.record("not a tensor"); return }
        #expect(try last.floats() == (99..<107).map(Float.init))
    }

    @Test func legacyStoragesMustFitInTheFileTogether() throws {
        // 50 distinct storages, each alone small enough for the file, together 40× its size.
        let failure = error { _ = try TorchCheckpoint.load(contentsOf: Self.corpus.appendingPathComponent("legacy_many_storages.pt")) }
        #expect(failure?.description == "legacy_many_storages.pt: storage '1' needs 8192 bytes, and with the storages before it 16384; the file has 9886 left")
    }

    @Test func fortranOrderWithOverflowingShapeIsAnError() throws {
        let failure = error { _ = try NumpyFile.read(contentsOf: Self.corpus.appendingPathComponent("fortran_overflow.npy")) }
        #expect(failure?.message.contains("too many elements") == true)
        // The same bound protects every reader and every later product of the sizes.
        #expect(throws: CheckpointError.self) { _ = try StoredTensor.elementCount(of: [0, 1 << 62, 4], file: "x") }
        #expect(StoredTensor.contiguousStrides([0, 1 << 62, 4]).count == 3)
    }

    @Test func negativeShapesAreNamedPlainly() throws {
        let failure = error { _ = try NumpyFile.read(contentsOf: Self.corpus.appendingPathComponent("negative_shape.npy")) }
        #expect(failure?.message == "npy header shape (-1, 3) holds -1, not a size")
    }

    @Test func safetensorsHeaderSizeIsBoundedBeforeReading() throws {
        var data = Data()
        withUnsafeBytes(of: UInt64(90_000_000).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array("{}".utf8))
        let failure = error { _ = try Safetensors(data, file: "huge.safetensors") }
        #expect(failure?.message.contains("exceeds the limit") == true)
    }

    @Test func safetensorsTensorCountIsBoundedBeforeParsing() throws {
        // 150,000 zero-size tensors in a 7 MB header: refused by counting, in milliseconds.
        var header = "{"
        header.reserveCapacity(7_000_000)
        for i in 0..<150_000 { header += "\"t\(i)\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}," }
        header.removeLast()
        header += "}"
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        let start = Date()
        let failure = error { _ = try Safetensors(data, file: "many.safetensors") }
        #expect(failure?.message.contains("more than the limit of 100000") == true)
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func controlCharactersAreEscapedForPrinting() throws {
        let file = try Safetensors.read(contentsOf: Self.corpus.appendingPathComponent("control_characters.safetensors"))
        let key = try #require(file.keys.first)
        #expect(CheckpointText.printable(key) == "evil\\x1b[2J\\x0akey")
        let value = try #require(file.metadata["note\u{07}"])
        #expect(CheckpointText.printable(value) == "line one\\x0aline two\\x1b]0;title\\x07")
        #expect(CheckpointText.printable("\u{9b}2J\u{202e}abc", limit: 2) == "\\u{9b}2…")
    }

    @Test func foldersAndFIFOsAreNamedForWhatTheyAre() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let subfolder = folder.appendingPathComponent("model.pt")
        try FileManager.default.createDirectory(at: subfolder, withIntermediateDirectories: true)
        #expect(error { _ = try CheckpointFile.load(contentsOf: subfolder) }?.description == "model.pt: is a folder, not a file")
        let fifo = folder.appendingPathComponent("pipe.pt")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        #expect(error { _ = try CheckpointFile.load(contentsOf: fifo) }?.description == "pipe.pt: is a FIFO (named pipe), not a regular file")
        #expect(error { _ = try CheckpointFile.load(contentsOf: folder.appendingPathComponent("absent.pt")) }?.description == "absent.pt: no such file")
    }
}
