import Foundation
import Testing

import Checkpoints

@Suite("TorchCheckpoint")
struct TorchCheckpointTests {
    @Test("zip, legacy and protocol-4 checkpoints match PyTorch's values exactly",
          arguments: ["torch_zip_mixed.pt", "torch_zip_protocol4.pt", "torch_legacy.pt"])
    func matchesPyTorch(name: String) throws {
        let value = try TorchCheckpoint.load(contentsOf: Fixtures.url(name))
        let expected = try #require(Fixtures.expected[name])
        try expectMatches(StateDict(flattening: value), expected, name)
    }

    @Test("plain Python values and nesting survive")
    func plainValues() throws {
        let top = try TorchCheckpoint.load(contentsOf: Fixtures.url("torch_zip_mixed.pt"))
        #expect(top["int"] == .int(7))
        #expect(top["float"] == .float(1.5))
        #expect(top["text"] == .string("hello"))
        #expect(top["nothing"] == PickleValue.none)
        #expect(top["raw"] == .bytes(Data([0, 1])))
        let nested = try #require(top["nested"])
        guard case .dict(let dictionary) = nested else { Issue.record("nested is not a dict"); return }
        #expect(dictionary.keys == [.string("a"), .string("list"), .string("tuple")])
        let tuple = try #require(nested["tuple"]?.elements)
        #expect(tuple.count == 4)
        #expect(tuple[1] == .float(2.5) && tuple[2] == .none && tuple[3] == .bool(true))
    }

    @Test("views keep sharing and strides: a transposed slice equals PyTorch's")
    func views() throws {
        let weights = StateDict(flattening: try TorchCheckpoint.load(contentsOf: Fixtures.url("torch_zip_mixed.pt")))
        let base = try #require(weights["base"]).floats()  // [4, 5]
        let slice = try #require(weights["transposed_slice"])  // base[1:3, 1:4].t() → [3, 2]
        #expect(slice.shape == [3, 2])
        let expected = (0..<3).flatMap { column in (1..<3).map { row in base[row * 5 + 1 + column] } }
        #expect(try slice.floats() == expected)
        #expect(try weights["row"]?.floats() == Array(base[10..<15]))
    }

    @Test("the archive folder may have any name")
    func folderNames() throws {
        let archive = try ZipArchive(Fixtures.data("torch_zip_mixed.pt"), file: "torch_zip_mixed.pt")
        #expect(archive.contains("torch_zip_mixed/data.pkl"))
        let buffered = try ZipArchive(Fixtures.data("torch_zip_protocol4.pt"), file: "p4")
        #expect(buffered.contains("archive/data.pkl"))
    }

    @Test("a storage shorter than its persistent id says is reported with the entry name")
    func shortStorage() throws {
        // A pickle naming a 4-element float storage (16 bytes) whose entry holds only 8 bytes.
        let pickle = Data([0x80, 0x02, 0x28, 0x58, 0x07, 0, 0, 0] + Array("storage".utf8)
            + [0x63] + Array("torch\nFloatStorage\n".utf8)
            + [0x58, 0x01, 0, 0, 0, 0x30, 0x58, 0x03, 0, 0, 0] + Array("cpu".utf8) + [0x4B, 0x04, 0x74, 0x51, 0x2E])
        let zip = ZipWriter.archive([("short/data.pkl", pickle), ("short/data/0", Data(count: 8))])
        #expect {
            try TorchCheckpoint.load(zip, file: "short.pt")
        } throws: { error in
            "\(error)" == "short.pt: entry 'short/data/0' holds 8 bytes, storage needs 16"
        }
    }

    @Test("zip64 records and extra fields are read; compressed entries are refused")
    func zip64() throws {
        let entries: [(String, Data)] = [("big/data.pkl", Data([0x80, 0x02, 0x4B, 0x05, 0x2E]))]
        #expect(try TorchCheckpoint.load(ZipWriter.archive(entries, zip64: true), file: "big.pt") == .int(5))
        #expect {
            try TorchCheckpoint.load(ZipWriter.archive(entries, method: 8), file: "deflated.pt")
        } throws: { error in
            (error as? CheckpointError)?.kind == .unsupported && "\(error)".contains("'big/data.pkl' is compressed")
        }
    }

    @Test("a checkpoint saved from CUDA loads on the CPU (storage location is ignored)")
    func cudaLocation() throws {
        let pickle = Data([0x80, 0x02, 0x28, 0x58, 0x07, 0, 0, 0] + Array("storage".utf8)
            + [0x63] + Array("torch\nFloatStorage\n".utf8)
            + [0x58, 0x01, 0, 0, 0, 0x30, 0x58, 0x06, 0, 0, 0] + Array("cuda:0".utf8) + [0x4B, 0x01, 0x74, 0x51, 0x2E])
        var one = Float(1.5).bitPattern.littleEndian
        let zip = ZipWriter.archive([("gpu/data.pkl", pickle), ("gpu/data/0", Data(bytes: &one, count: 4))])
        guard case .storage(let storage) = try TorchCheckpoint.load(zip, file: "gpu.pt") else {
            Issue.record("expected a bare storage")
            return
        }
        #expect(try storage.floats() == [1.5])
    }
}

/// Builds zip archives for tests as torch writes them (stored entries), optionally with zip64
/// records and extra fields, or a compression method to refuse.
enum ZipWriter {
    static func archive(_ entries: [(String, Data)], zip64: Bool = false, method: UInt16 = 0) -> Data {
        var output = Data()
        var directory = Data()
        func le<T: FixedWidthInteger>(_ value: T, _ data: inout Data) {
            withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
        }
        for (name, contents) in entries {
            let offset = output.count
            le(UInt32(0x0403_4B50), &output)
            le(UInt16(20), &output); le(UInt16(0), &output); le(method, &output)
            le(UInt32(0), &output); le(UInt32(0), &output)
            le(UInt32(contents.count), &output); le(UInt32(contents.count), &output)
            le(UInt16(name.utf8.count), &output); le(UInt16(0), &output)
            output.append(contentsOf: name.utf8)
            output.append(contents)

            let small: (UInt32) -> UInt32 = { zip64 ? 0xFFFF_FFFF : $0 }
            le(UInt32(0x0201_4B50), &directory)
            le(UInt16(45), &directory); le(UInt16(45), &directory); le(UInt16(0), &directory); le(method, &directory)
            le(UInt32(0), &directory); le(UInt32(0), &directory)
            le(small(UInt32(contents.count)), &directory); le(small(UInt32(contents.count)), &directory)
            le(UInt16(name.utf8.count), &directory); le(UInt16(zip64 ? 28 : 0), &directory); le(UInt16(0), &directory)
            le(UInt16(0), &directory); le(UInt16(0), &directory); le(UInt32(0), &directory)
            le(small(UInt32(offset)), &directory)
            directory.append(contentsOf: name.utf8)
            if zip64 {
                le(UInt16(1), &directory); le(UInt16(24), &directory)
                le(UInt64(contents.count), &directory); le(UInt64(contents.count), &directory); le(UInt64(offset), &directory)
            }
        }
        let directoryOffset = output.count
        output.append(directory)
        if zip64 {
            let recordOffset = output.count
            le(UInt32(0x0606_4B50), &output); le(UInt64(44), &output)
            le(UInt16(45), &output); le(UInt16(45), &output); le(UInt32(0), &output); le(UInt32(0), &output)
            le(UInt64(entries.count), &output); le(UInt64(entries.count), &output)
            le(UInt64(directory.count), &output); le(UInt64(directoryOffset), &output)
            le(UInt32(0x0706_4B50), &output); le(UInt32(0), &output); le(UInt64(recordOffset), &output); le(UInt32(1), &output)
        }
        le(UInt32(0x0605_4B50), &output)
        le(UInt16(0), &output); le(UInt16(0), &output)
        le(UInt16(zip64 ? 0xFFFF : entries.count), &output); le(UInt16(zip64 ? 0xFFFF : entries.count), &output)
        le(UInt32(zip64 ? 0xFFFF_FFFF : directory.count), &output)
        le(UInt32(zip64 ? 0xFFFF_FFFF : directoryOffset), &output); le(UInt16(0), &output)
        return output
    }
}
