import Foundation

/// A minimal reader for the zip archives `torch.save` writes (PyTorch ≥ 1.6).
///
/// It reads the central directory (with zip64 records and extra fields for archives and
/// entries over 4 GB) and hands out stored entries as slices of the archive's bytes, so a
/// memory-mapped checkpoint is never copied. Compressed entries are refused: torch stores
/// everything uncompressed.
///
/// ```swift
/// let archive = try ZipArchive(mapFile(url), file: "model.pt")
/// let pickle = try archive.contents(of: "archive/data.pkl")
/// ```
package struct ZipArchive {
    package struct Entry {
        package let name: String
        package let method: UInt16
        let compressedSize: Int
        let uncompressedSize: Int
        package let localHeaderOffset: Int
    }

    let data: Data
    let file: String
    /// Entries in central-directory order.
    package let entries: [Entry]
    private let index: [String: Int]

    static let localHeaderSignature: UInt32 = 0x0403_4B50
    private static let centralHeaderSignature: UInt32 = 0x0201_4B50
    private static let endSignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50

    static func isZip(_ data: Data) -> Bool {
        data.count >= 4 && data.prefix(4).elementsEqual([0x50, 0x4B, 0x03, 0x04])
    }

    package init(_ data: Data, file: String) throws {
        self.data = data
        self.file = file
        var reader = ByteReader(data, file: file, context: "zip archive")
        let end = try Self.findEndRecord(data, file: file)
        try reader.seek(to: end + 10)
        var entryCount = Int(try reader.integer(UInt16.self, "entry count"))
        var directorySize = Int(try reader.integer(UInt32.self, "central directory size"))
        var directoryOffset = Int(try reader.integer(UInt32.self, "central directory offset"))

        // A zip64 locator sits just before the end record when any field above overflowed.
        if end >= 20 {
            try reader.seek(to: end - 20)
            if try reader.integer(UInt32.self, "zip64 locator") == Self.zip64LocatorSignature {
                try reader.skip(4, "zip64 locator disk")
                let recordOffset = try Self.checkedInt(try reader.integer(UInt64.self, "zip64 end offset"), file: file)
                try reader.seek(to: recordOffset)
                guard try reader.integer(UInt32.self, "zip64 end record") == Self.zip64EndSignature else {
                    throw CheckpointError(.malformed, file: file, "zip64 end record missing at byte \(recordOffset)")
                }
                try reader.skip(8 + 2 + 2 + 4 + 4 + 8, "zip64 end record")
                entryCount = try Self.checkedInt(try reader.integer(UInt64.self, "zip64 entry count"), file: file)
                directorySize = try Self.checkedInt(try reader.integer(UInt64.self, "zip64 directory size"), file: file)
                directoryOffset = try Self.checkedInt(try reader.integer(UInt64.self, "zip64 directory offset"), file: file)
            }
        }
        guard directoryOffset <= data.count, directorySize <= data.count - directoryOffset else {
            throw CheckpointError(.truncated, file: file,
                "zip central directory (\(directorySize) bytes at \(directoryOffset)) lies beyond the file's \(data.count) bytes")
        }
        // Each central header is at least 46 bytes; a larger count is a lie.
        guard entryCount <= directorySize / 46 else {
            throw CheckpointError(.malformed, file: file, "zip claims \(entryCount) entries in a \(directorySize)-byte directory")
        }
        try reader.seek(to: directoryOffset)
        var entries: [Entry] = []
        var index: [String: Int] = [:]
        for _ in 0..<entryCount {
            let entry = try Self.readCentralHeader(&reader, file: file)
            index[entry.name] = entries.count
            entries.append(entry)
        }
        self.entries = entries
        self.index = index
    }

    /// The entry's bytes, sliced from the archive.
    package func contents(of name: String) throws -> Data {
        guard let position = index[name] else {
            throw CheckpointError(.malformed, file: file, "zip has no entry \(CheckpointError.quote(name))")
        }
        let entry = entries[position]
        guard entry.method == 0 else {
            throw CheckpointError(.unsupported, file: file,
                "entry \(CheckpointError.quote(name)) is compressed (method \(entry.method)); torch stores entries uncompressed")
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw CheckpointError(.malformed, file: file,
                "stored entry \(CheckpointError.quote(name)) has \(entry.compressedSize) stored bytes but \(entry.uncompressedSize) uncompressed")
        }
        var reader = ByteReader(data, file: file, context: "entry \(CheckpointError.quote(name))")
        try reader.seek(to: entry.localHeaderOffset)
        guard try reader.integer(UInt32.self, "local header") == Self.localHeaderSignature else {
            throw CheckpointError(.malformed, file: file,
                "entry \(CheckpointError.quote(name)) has no local header at byte \(entry.localHeaderOffset)")
        }
        try reader.skip(22, "local header")
        let nameLength = Int(try reader.integer(UInt16.self, "name length"))
        let extraLength = Int(try reader.integer(UInt16.self, "extra length"))
        try reader.skip(nameLength + extraLength, "local header name and extra field")
        return try reader.bytes(entry.compressedSize, "entry data")
    }

    package func contains(_ name: String) -> Bool { index[name] != nil }

    private static func findEndRecord(_ data: Data, file: String) throws -> Int {
        // The end record is 22 bytes plus a comment of at most 65535 bytes, at the end of the file.
        guard data.count >= 22 else {
            throw CheckpointError(.truncated, file: file, "zip archive of \(data.count) bytes is too short for an end record")
        }
        let lowest = max(0, data.count - 22 - 65535)
        return try data.withUnsafeBytes { raw in
            var position = data.count - 22
            while position >= lowest {
                if UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt32.self)) == endSignature {
                    return position
                }
                position -= 1
            }
            throw CheckpointError(.truncated, file: file, "zip end-of-central-directory record not found (file cut short?)")
        }
    }

    private static func readCentralHeader(_ reader: inout ByteReader, file: String) throws -> Entry {
        guard try reader.integer(UInt32.self, "central header") == centralHeaderSignature else {
            throw CheckpointError(.malformed, file: file, "bad zip central header at byte \(reader.offset - 4)")
        }
        try reader.skip(6, "central header")
        let method = try reader.integer(UInt16.self, "compression method")
        try reader.skip(8, "central header")
        var compressedSize = UInt64(try reader.integer(UInt32.self, "compressed size"))
        var uncompressedSize = UInt64(try reader.integer(UInt32.self, "uncompressed size"))
        let nameLength = Int(try reader.integer(UInt16.self, "name length"))
        let extraLength = Int(try reader.integer(UInt16.self, "extra length"))
        let commentLength = Int(try reader.integer(UInt16.self, "comment length"))
        try reader.skip(8, "central header")
        var localOffset = UInt64(try reader.integer(UInt32.self, "local header offset"))
        let name = String(decoding: try reader.bytes(nameLength, "entry name"), as: UTF8.self)
        var extra = ByteReader(try reader.bytes(extraLength, "extra field"), file: file,
                               context: "extra field of \(CheckpointError.quote(name))")
        try reader.skip(commentLength, "entry comment")

        // Zip64 extra field (id 1): 64-bit values for exactly those fields stored as 0xFFFFFFFF.
        while extra.remaining >= 4 {
            let id = try extra.integer(UInt16.self, "extra id")
            let size = Int(try extra.integer(UInt16.self, "extra size"))
            var field = ByteReader(try extra.bytes(size, "extra data"), file: file, context: "zip64 extra field")
            guard id == 1 else { continue }
            if uncompressedSize == 0xFFFF_FFFF { uncompressedSize = try field.integer(UInt64.self, "zip64 size") }
            if compressedSize == 0xFFFF_FFFF { compressedSize = try field.integer(UInt64.self, "zip64 compressed size") }
            if localOffset == 0xFFFF_FFFF { localOffset = try field.integer(UInt64.self, "zip64 offset") }
        }
        return Entry(name: name, method: method, compressedSize: try checkedInt(compressedSize, file: file),
                     uncompressedSize: try checkedInt(uncompressedSize, file: file),
                     localHeaderOffset: try checkedInt(localOffset, file: file))
    }

    private static func checkedInt(_ value: UInt64, file: String) throws -> Int {
        guard let result = Int(exactly: value), result <= Int(Int64.max / 2) else {
            throw CheckpointError(.malformed, file: file, "zip field value \(value) is out of range")
        }
        return result
    }
}
