import Foundation
import Testing

import Checkpoints

@Suite("Safetensors")
struct SafetensorsTests {
    @Test("a file written by hand to the spec reads with its metadata, in data order")
    func handWritten() throws {
        let file = try Safetensors.read(contentsOf: Fixtures.url("hand.safetensors"))
        let expected = try #require(Fixtures.expected["hand.safetensors"])
        #expect(file.metadata == expected.metadata)
        try expectMatches(StateDict(file.tensors), expected, "hand.safetensors")
    }

    @Test("write → read round trips tensors, order and metadata; the header is 8-byte aligned")
    func roundTrip() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let tensors: [(key: String, tensor: StoredTensor)] = [
            ("z.weight", try StoredTensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])),
            ("a.bias", try StoredTensor(dtype: .bfloat16, shape: [1], bytes: Data([0x80, 0x3F]))),
            ("scalar", try StoredTensor(shape: [], floats: [0.5])),
            ("empty", try StoredTensor(shape: [0], floats: [])),
            ("quote\"key", try StoredTensor(dtype: .int64, shape: [1], bytes: Data(count: 8))),
        ]
        let metadata = ["config": "{\"size\": 1024}", "source": "test"]
        try Safetensors.write(tensors, metadata: metadata, to: url)
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
        let file = try Safetensors.read(contentsOf: url)
        #expect(file.keys == tensors.map(\.key))
        #expect(file.metadata == metadata)
        for (key, tensor) in tensors { #expect(file[key] == tensor) }
    }

    @Test("inconsistent headers are errors")
    func badHeaders() {
        func file(_ header: String, data: Int) -> Data {
            var length = UInt64(header.utf8.count).littleEndian
            return Data(bytes: &length, count: 8) + Data(header.utf8) + Data(count: data)
        }
        for data in [
            file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: 4),  // size mismatch
            file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 4),
            file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8),  // gap
            file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 2),  // truncated
            file(#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: 8),
            file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: 4),
            file(#"{"__metadata__":{"n":1}}"#, data: 0),
            file("not json", data: 0),
            Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x7B]),
        ] {
            #expect(throws: CheckpointError.self) { try Safetensors(data, file: "bad.safetensors") }
        }
    }
}
