import Foundation

/// Reads and writes `.safetensors` files.
///
/// Layout: an 8-byte little-endian header length N, N bytes of JSON
/// (`{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}`),
/// then the tensors' bytes. The reader memory-maps the file, so tensors are slices of it.
///
/// ```swift
/// let file = try Safetensors.read(contentsOf: url)
/// let weight = file["synthesis.conv1.weight"]
/// try Safetensors.write([("w", tensor)], metadata: ["format": "pt"], to: output)
/// ```
public struct Safetensors: Sendable {
    /// Tensors in the order of their bytes in the file (the order they were written).
    public let tensors: [(key: String, tensor: StoredTensor)]
    /// The free-form `__metadata__` strings.
    public let metadata: [String: String]
    private let positions: [String: Int]

    public var keys: [String] { tensors.map(\.key) }

    public subscript(key: String) -> StoredTensor? { positions[key].map { tensors[$0].tensor } }

    /// Header larger than this is refused before parsing. The reference implementation allows
    /// 100 MB; a model with ten thousand tensors needs about 1 MB, and parsing 100 MB of JSON
    /// costs half a minute and gigabytes.
    public static let maximumHeaderSize = 16 << 20
    /// Tensors one file may declare, counted before the JSON is parsed.
    public static let maximumTensorCount = 100_000

    /// Reads a file, memory-mapping it.
    public static func read(contentsOf url: URL) throws -> Safetensors {
        try Safetensors(mapFile(url), file: displayName(url))
    }

    /// Parses safetensors bytes; `file` names them in errors.
    public init(_ data: Data, file: String) throws {
        var reader = ByteReader(data, file: file, context: "safetensors file")
        let headerSize = try reader.integer(UInt64.self, "header length")
        guard headerSize <= UInt64(Self.maximumHeaderSize) else {
            throw CheckpointError(.unsupported, file: file,
                "safetensors header of \(headerSize) bytes exceeds the limit of \(Self.maximumHeaderSize)")
        }
        guard Int(headerSize) <= reader.remaining else {
            throw CheckpointError(.truncated, file: file,
                "safetensors header claims \(headerSize) bytes, the file has \(reader.remaining) after the length")
        }
        let headerBytes = try reader.bytes(Int(headerSize), "header")
        // Each tensor's description is a JSON object: count the braces before parsing.
        let objects = headerBytes.reduce(0) { $0 + ($1 == UInt8(ascii: "{") ? 1 : 0) }
        guard objects <= Self.maximumTensorCount + 2 else {
            throw CheckpointError(.unsupported, file: file,
                "safetensors header describes about \(objects - 1) tensors, more than the limit of \(Self.maximumTensorCount)")
        }
        let buffer = try reader.bytes(reader.remaining, "tensor data")
        guard let header = (try? JSONSerialization.jsonObject(with: headerBytes)) as? [String: Any] else {
            throw CheckpointError(.malformed, file: file, "safetensors header is not a JSON object")
        }
        guard header.count - (header["__metadata__"] == nil ? 0 : 1) <= Self.maximumTensorCount else {
            throw CheckpointError(.unsupported, file: file,
                "safetensors header describes \(header.count) tensors, more than the limit of \(Self.maximumTensorCount)")
        }
        var metadata: [String: String] = [:]
        var entries: [(key: String, begin: Int, tensor: StoredTensor)] = []
        for (key, value) in header {
            if key == "__metadata__" {
                guard let strings = value as? [String: String] else {
                    throw CheckpointError(.malformed, file: file, "safetensors __metadata__ is not a map of strings")
                }
                metadata = strings
                continue
            }
            let (begin, tensor) = try Self.tensor(key: key, description: value, buffer: buffer, file: file)
            entries.append((key, begin, tensor))
        }
        entries.sort { ($0.begin, $0.tensor.bytes.count, $0.key) < ($1.begin, $1.tensor.bytes.count, $1.key) }
        // As the reference reader does: the tensors must tile the buffer with no gaps or overlaps.
        var expected = 0
        for entry in entries {
            guard entry.begin == expected else {
                throw CheckpointError(.malformed, file: file,
                    "tensor \(CheckpointError.quote(entry.key)) starts at byte \(entry.begin) of the data, expected \(expected) (gap or overlap)")
            }
            expected += entry.tensor.bytes.count
        }
        guard expected == buffer.count else {
            throw CheckpointError(.malformed, file: file, "tensors cover \(expected) bytes of data, the file holds \(buffer.count)")
        }
        tensors = entries.map { ($0.key, $0.tensor) }
        positions = Dictionary(entries.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        self.metadata = metadata
    }

    private static func tensor(key: String, description: Any, buffer: Data, file: String) throws -> (Int, StoredTensor) {
        let name = CheckpointError.quote(key)
        guard let fields = description as? [String: Any], let dtypeName = fields["dtype"] as? String,
              let shapeValues = fields["shape"] as? [Any], let offsetValues = fields["data_offsets"] as? [Any] else {
            throw CheckpointError(.malformed, file: file, "tensor \(name) lacks dtype, shape or data_offsets")
        }
        guard let dtype = StoredDType(safetensorsName: dtypeName) else {
            throw CheckpointError(.unsupported, file: file, "tensor \(name) has dtype \(CheckpointError.quote(dtypeName))")
        }
        guard let shape = integers(shapeValues), let offsets = integers(offsetValues), offsets.count == 2 else {
            throw CheckpointError(.malformed, file: file, "tensor \(name) has a non-integer shape or data_offsets")
        }
        let count = try StoredTensor.elementCount(of: shape, file: file)
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end, end <= buffer.count else {
            throw CheckpointError(.malformed, file: file,
                "tensor \(name) data_offsets [\(begin), \(end)] fall outside the \(buffer.count)-byte data")
        }
        guard end - begin == count * dtype.byteCount else {
            throw CheckpointError(.malformed, file: file,
                "tensor \(name) spans \(end - begin) bytes, its \(dtype) shape \(shape) needs \(count * dtype.byteCount)")
        }
        let start = buffer.startIndex + begin
        return (begin, StoredTensor(validated: dtype, shape: shape, bytes: buffer[start..<(buffer.startIndex + end)]))
    }

    /// Whole numbers from JSON (which Foundation may hand out as Int or Double).
    private static func integers(_ values: [Any]) -> [Int]? {
        let numbers = values.compactMap { value -> Int? in
            if let integer = value as? Int { return integer }
            if let real = value as? Double { return Int(exactly: real) }
            return nil
        }
        return numbers.count == values.count ? numbers : nil
    }
}
