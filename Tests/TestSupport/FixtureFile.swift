import Foundation
import Tensors

/// A float32 safetensors file of reference values written by a script in `Scripts/`.
///
/// Only what the fixtures use is read: `F32` tensors and the string `__metadata__` map.
///
/// ```swift
/// let fixtures = try FixtureFile(named: "ops.safetensors", nextTo: #filePath)
/// let x = try fixtures.tensor("conv2d_basic.x")
/// ```
public struct FixtureFile: Sendable {
    public struct Entry: Sendable, Decodable {
        public let dtype: String
        public let shape: [Int]
        let data_offsets: [Int]
    }

    public enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        case missing(String)
        public var description: String {
            switch self {
            case .malformed(let why): "fixture file malformed: \(why)"
            case .missing(let key): "fixture has no entry '\(key)'"
            }
        }
    }

    /// The `__metadata__` strings.
    public let metadata: [String: String]
    /// Tensor entries by key.
    public let entries: [String: Entry]
    private let bytes: Data
    private let dataStart: Int

    /// Reads `Fixtures/<name>` in the directory of the source file `filePath` (pass `#filePath`).
    public init(named name: String, nextTo filePath: String) throws {
        let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        try self.init(contentsOf: directory.appendingPathComponent("Fixtures").appendingPathComponent(name))
    }

    public init(contentsOf url: URL) throws {
        bytes = try Data(contentsOf: url)
        guard bytes.count >= 8 else { throw Failure.malformed("\(bytes.count) bytes") }
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard 8 + headerLength <= bytes.count else { throw Failure.malformed("header length \(headerLength)") }
        dataStart = 8 + headerLength
        let header = try JSONDecoder().decode([String: HeaderValue].self, from: bytes.subdata(in: 8..<dataStart))
        var metadata: [String: String] = [:], entries: [String: Entry] = [:]
        for (key, value) in header {
            switch value {
            case .metadata(let m): metadata = m
            case .entry(let e):
                guard e.dtype == "F32", e.data_offsets.count == 2,
                      e.data_offsets[1] - e.data_offsets[0] == 4 * e.shape.reduce(1, *),
                      dataStart + e.data_offsets[1] <= bytes.count
                else { throw Failure.malformed("entry \(key): \(e)") }
                entries[key] = e
            }
        }
        self.metadata = metadata
        self.entries = entries
    }

    /// The tensor stored under `key` (a fresh copy, not requiring gradients).
    public func tensor(_ key: String) throws -> Tensor {
        guard let entry = entries[key] else { throw Failure.missing(key) }
        let count = entry.shape.reduce(1, *)
        let start = dataStart + entry.data_offsets[0]
        let scalars = bytes.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self))) }
        }
        return Tensor(shape: entry.shape, scalars: scalars)
    }

    public func contains(_ key: String) -> Bool { entries[key] != nil }

    private enum HeaderValue: Decodable {
        case metadata([String: String])
        case entry(Entry)
        init(from decoder: Decoder) throws {
            if let entry = try? Entry(from: decoder) {
                self = .entry(entry)
            } else {
                self = .metadata(try [String: String](from: decoder))
            }
        }
    }
}
