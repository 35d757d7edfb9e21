import Foundation
import TestSupport
import Testing

import Checkpoints

/// Locates the fixtures written by `Scripts/make_checkpoint_fixtures.py` and the shared real
/// files, and compares loaded tensors with the values PyTorch/numpy recorded.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repositoryRoot = SharedTestData.repositoryRoot
    /// `<repo>/../shared/data`: published files kept outside the repository.
    static let realData = SharedTestData.root
    static let realDataAvailable = SharedTestData.exists("README.md")

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }
    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    static let expected: [String: FileExpectation] = load("expected.json")
    static let realExpected: [String: FileExpectation] = load("real_data_expected.json")

    private static func load(_ name: String) -> [String: FileExpectation] {
        guard let data = try? data(name) else { return [:] }
        return (try? JSONDecoder().decode([String: FileExpectation].self, from: data)) ?? [:]
    }
}

struct FileExpectation: Decodable {
    var tensors: [TensorExpectation]
    var skipped: [String]
    var metadata: [String: String]?
}

struct TensorExpectation: Decodable {
    var key: String
    var dtype: String
    var shape: [Int]
    var fnv1a64: String
    /// All values (small fixtures), as integers for integer and bool dtypes.
    var values: [Double]?
    var integerValues: [Int64]?
    /// Large tensors: the sequential float64 sum and `[index, value]` samples.
    var sum: Double?
    var samples: [[Double]]?

    enum CodingKeys: String, CodingKey { case key, dtype, shape, fnv1a64, values, sum, samples }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        dtype = try container.decode(String.self, forKey: .dtype)
        shape = try container.decode([Int].self, forKey: .shape)
        fnv1a64 = try container.decode(String.self, forKey: .fnv1a64)
        values = try container.decodeIfPresent([Double].self, forKey: .values)
        if ["int64", "int32", "int16", "int8", "uint8", "bool"].contains(dtype) {
            integerValues = try container.decodeIfPresent([Int64].self, forKey: .values)
        }
        sum = try container.decodeIfPresent(Double.self, forKey: .sum)
        samples = try container.decodeIfPresent([[Double]].self, forKey: .samples)
    }
}

/// FNV-1a 64 of the tensor's bytes: the fixture script hashes the same little-endian C-order bytes.
func fnv1a64(_ data: Data) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in data {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01B3
    }
    let digits = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

/// Checks every tensor of `actual` against the recorded expectation: keys in order, dtype,
/// shape, exact bytes (hash) and exact values.
func expectMatches(_ actual: StateDict, _ expected: FileExpectation, _ name: String,
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(actual.keys == expected.tensors.map(\.key), "\(name): keys", sourceLocation: sourceLocation)
    #expect(actual.skippedKeys == expected.skipped, "\(name): skipped keys", sourceLocation: sourceLocation)
    for want in expected.tensors {
        let tensor = try #require(actual[want.key], "\(name): missing \(want.key)", sourceLocation: sourceLocation)
        #expect(tensor.dtype.rawValue == want.dtype, "\(name): \(want.key) dtype", sourceLocation: sourceLocation)
        #expect(tensor.shape == want.shape, "\(name): \(want.key) shape", sourceLocation: sourceLocation)
        #expect(fnv1a64(tensor.bytes) == want.fnv1a64, "\(name): \(want.key) bytes", sourceLocation: sourceLocation)
        if let integers = want.integerValues {
            #expect(try tensor.int64s() == integers, "\(name): \(want.key) values", sourceLocation: sourceLocation)
        } else if let values = want.values {
            #expect(try tensor.doubles() == values, "\(name): \(want.key) values", sourceLocation: sourceLocation)
        }
        if let sum = want.sum {
            let values = try tensor.doubles()
            #expect(values.reduce(0, +) == sum, "\(name): \(want.key) sum", sourceLocation: sourceLocation)
            for sample in want.samples ?? [] {
                #expect(values[Int(sample[0])] == sample[1], "\(name): \(want.key)[\(Int(sample[0]))]",
                        sourceLocation: sourceLocation)
            }
        }
    }
}
