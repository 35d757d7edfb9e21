import Foundation
import Testing

import Checkpoints

@Suite("CheckpointFile")
struct CheckpointFileTests {
    @Test("formats are recognised by content", arguments: [
        ("torch_zip_mixed.pt", CheckpointFormat.torchZip), ("torch_legacy.pt", .torchLegacy),
        ("npy_v1_f4.npy", .numpy), ("npy_object_dict.npy", .numpy), ("hand.safetensors", .safetensors),
    ])
    func detection(name: String, format: CheckpointFormat) throws {
        #expect(CheckpointFile.detectFormat(try Fixtures.data(name)) == format)
    }

    @Test("unknown content is refused")
    func unknown() {
        #expect(CheckpointFile.detectFormat(Data("hello world".utf8)) == nil)
        #expect(throws: CheckpointError.self) { try TorchCheckpoint.load(Data("hello".utf8), file: "x.pt") }
    }

    @Test("the listing gives keys, dtypes and shapes in file order")
    func listing() throws {
        let listing = try CheckpointFile.list(contentsOf: Fixtures.url("torch_legacy.pt"))
        let expected = try #require(Fixtures.expected["torch_legacy.pt"])
        #expect(listing.format == .torchLegacy)
        #expect(listing.entries.map(\.key) == expected.tensors.map(\.key))
        #expect(listing.entries.map(\.dtype.rawValue) == expected.tensors.map(\.dtype))
        #expect(listing.entries.map(\.shape) == expected.tensors.map(\.shape))
        #expect(listing.skippedKeys == ["epoch"])
    }

    @Test("convert writes every tensor to safetensors, as float32 or in its own dtype")
    func convert() throws {
        let source = Fixtures.url("torch_zip_mixed.pt")
        let folder = FileManager.default.temporaryDirectory
        let output = folder.appendingPathComponent("convert-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: output) }
        let original = StateDict(flattening: try TorchCheckpoint.load(contentsOf: source))

        #expect(try CheckpointFile.convert(source, to: output) == original.count)
        var file = try Safetensors.read(contentsOf: output)
        #expect(file.keys == original.keys)
        #expect(file.metadata["source"] == "torch_zip_mixed.pt")
        #expect(file.metadata["source_format"] == "torchZip")
        for (key, tensor) in original.entries {
            let converted = try #require(file[key])
            #expect(converted.shape == tensor.shape)
            #expect(converted.dtype == (tensor.dtype.isFloatingPoint ? .float32 : tensor.dtype))
            #expect(try converted.doubles() == tensor.floats().map(Double.init) || !tensor.dtype.isFloatingPoint)
        }

        try CheckpointFile.convert(source, to: output, precision: .original)
        file = try Safetensors.read(contentsOf: output)
        for (key, tensor) in original.entries { #expect(file[key] == tensor) }
    }
}
