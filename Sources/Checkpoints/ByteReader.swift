import Foundation

/// A cursor over bytes whose every read is bounds-checked, so hostile input ends in a
/// `CheckpointError` and never in a trap.
struct ByteReader {
    let data: Data
    /// Offset from the start of `data` (not `data.startIndex`: slices keep their parent's indices).
    private(set) var offset = 0
    let file: String
    /// Names the structure being read, for error messages (e.g. `"entry 'archive/data.pkl'"`).
    let context: String

    init(_ data: Data, file: String, context: String) {
        self.data = data
        self.file = file
        self.context = context
    }

    var remaining: Int { data.count - offset }
    var isAtEnd: Bool { offset >= data.count }

    func truncated(_ what: String, needing count: Int) -> CheckpointError {
        CheckpointError(.truncated, file: file,
            "\(context) ends at byte \(data.count) while reading \(what) at byte \(offset) (needs \(count) more)")
    }

    mutating func seek(to position: Int) throws {
        guard position >= 0, position <= data.count else {
            throw CheckpointError(.malformed, file: file,
                "\(context) points to byte \(position), past its end at \(data.count)")
        }
        offset = position
    }

    mutating func bytes(_ count: Int, _ what: String) throws -> Data {
        guard count >= 0, count <= remaining else { throw truncated(what, needing: count) }
        let start = data.startIndex + offset
        offset += count
        return data[start..<(start + count)]
    }

    mutating func skip(_ count: Int, _ what: String) throws {
        guard count >= 0, count <= remaining else { throw truncated(what, needing: count) }
        offset += count
    }

    mutating func uint8(_ what: String) throws -> UInt8 {
        guard remaining >= 1 else { throw truncated(what, needing: 1) }
        defer { offset += 1 }
        return data[data.startIndex + offset]
    }

    /// Reads a little-endian fixed-width integer.
    package mutating func integer<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw truncated(what, needing: size) }
        let value = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: value)
    }

    /// Reads a little-endian length and checks it names at most the bytes that remain.
    mutating func length<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> Int {
        let raw = try integer(T.self, what)
        guard raw >= 0, let count = Int(exactly: raw), count <= remaining else {
            throw CheckpointError(.truncated, file: file,
                "\(context) declares \(what) of \(raw) bytes at byte \(offset), only \(remaining) remain")
        }
        return count
    }

    /// Reads up to (not including) the next `\n`, consuming the newline.
    mutating func line(_ what: String) throws -> Data {
        guard let end = data[(data.startIndex + offset)...].firstIndex(of: 0x0A) else {
            throw truncated("\(what) (no newline)", needing: 1)
        }
        let start = data.startIndex + offset
        offset = end - data.startIndex + 1
        return data[start..<end]
    }
}
