import Foundation
import Testing

import Checkpoints

@Suite("NumpyFile")
struct NumpyFileTests {
    static let names = Fixtures.expected.keys.filter { $0.hasPrefix("npy_") }.sorted()

    @Test("every version, dtype, byte order and layout matches numpy exactly", arguments: names)
    func matchesNumpy(name: String) throws {
        let value = try NumpyFile.read(contentsOf: Fixtures.url(name))
        try expectMatches(StateDict(flattening: value), try #require(Fixtures.expected[name]), name)
    }

    @Test("a 0-d object array unwraps to its dict; plain values survive")
    func objectArray() throws {
        let value = try NumpyFile.read(contentsOf: Fixtures.url("npy_object_dict.npy"))
        #expect(value["name"] == .string("layer"))
        #expect(value["n"] == .int(3))
        #expect(value["w"]?.tensor?.shape == [2, 3])
        let list = try NumpyFile.read(contentsOf: Fixtures.url("npy_object_list.npy"))
        guard case .objectArray(let shape, let elements) = list else { Issue.record("not an object array"); return }
        #expect(shape == [3])
        #expect(elements[1] == .string("two") && elements[2] == .none)
    }

    @Test("writing reproduces numpy.save byte for byte")
    func writesLikeNumpy() throws {
        let reference = try Fixtures.data("npy_write_reference.npy")
        let tensor = try StoredTensor(shape: [3, 4], floats: (0..<12).map { Float($0) / 8 })
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: output) }
        try NumpyFile.write(tensor, to: output)
        #expect(try Data(contentsOf: output) == reference)
    }

    @Test("write → read round trips every numpy dtype and rank")
    func roundTrip() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [StoredTensor] = [
            try StoredTensor(shape: [18, 512], floats: (0..<9216).map { Float($0) * 0.25 - 7 }),
            try StoredTensor(shape: [], floats: [42]),
            try StoredTensor(shape: [0, 3], floats: []),
            try StoredTensor(dtype: .float16, shape: [2], bytes: Data([0x00, 0x3C, 0x00, 0xC0])),
            try StoredTensor(dtype: .bool, shape: [3], bytes: Data([1, 0, 1])),
            try StoredTensor(dtype: .int64, shape: [1], bytes: Data([1, 2, 3, 4, 5, 6, 7, 0x80])),
        ]
        for (index, tensor) in cases.enumerated() {
            let url = folder.appendingPathComponent("\(index).npy")
            try NumpyFile.write(tensor, to: url)
            #expect(try NumpyFile.readTensor(contentsOf: url) == tensor)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == cases.count)
        let bfloat = try StoredTensor(dtype: .bfloat16, shape: [1], bytes: Data([0, 0x3F]))
        #expect(throws: CheckpointError.self) { try NumpyFile.write(bfloat, to: folder.appendingPathComponent("b.npy")) }
    }

    @Test("float16 and bfloat16 widen exactly")
    func halfPrecision() throws {
        let half = try StoredTensor(dtype: .float16, shape: [6],
            bytes: Data([0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00, 0xFF, 0x7B, 0x00, 0x7C, 0x00, 0x80]))
        let values = try half.floats()
        #expect(Array(values[0..<4]) == [1, -2, 0x1p-24, 65504])
        #expect(values[4] == .infinity && values[5] == 0 && values[5].sign == .minus)
        let brain = try StoredTensor(dtype: .bfloat16, shape: [2], bytes: Data([0x80, 0x3F, 0x49, 0x40]))
        #expect(try brain.floats() == [1, Float(bitPattern: 0x4049_0000)])
    }

    @Test("headers that lie are errors")
    func badHeaders() {
        func npy(_ header: String, payload: [UInt8] = []) -> Data {
            Data(NumpyFile.magic + [1, 0, UInt8(header.utf8.count), 0]) + Data(header.utf8) + Data(payload)
        }
        for data in [
            npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", payload: [0, 0, 0, 0]),
            npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", payload: [UInt8](repeating: 0, count: 8)),
            npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"),
            npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"),
            npy("{'descr': '<f4', 'shape': (1,), }"),
            npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }"),
            npy("{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((((((((((1,)))))))))))))))))), }"),
            Data(NumpyFile.magic + [9, 0, 0, 0]),
        ] {
            #expect(throws: CheckpointError.self) { try NumpyFile.read(data, file: "bad.npy") }
        }
    }
}
