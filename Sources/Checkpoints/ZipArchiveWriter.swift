import Foundation

/// Builds an uncompressed zip archive the way PyTorch's `PyTorchStreamWriter` lays one out:
/// every entry stored, its data starting on a 64-byte boundary (padding goes in a local-header
/// extra field with id `FB`, filled with `Z`), no timestamps, so that `torch.load(mmap=True)`
/// can map storages in place and the same input always gives the same bytes.
///
/// Unlike torch it knows each entry's CRC and size before writing, so it needs no data
/// descriptors; and it writes no zip64 records: archives past 4 GiB or 65,535 entries are refused.
///
/// ```swift
/// var zip = ZipArchiveWriter(file: "model.pt")
/// try zip.add("archive/version", Data("3\n".utf8))
/// let parts = try zip.finish()     // write these one after another
/// ```
package struct ZipArchiveWriter {
    /// What the plain (non-zip64) format can address.
    package struct Limits {
        var maximumBytes = Int(UInt32.max) - 1
        var maximumEntries = Int(UInt16.max) - 1

        package init() {}

        /// Lower limits than the format's, for tests of what happens past them.
        package init(maximumBytes: Int, maximumEntries: Int) {
            self.maximumBytes = maximumBytes
            self.maximumEntries = maximumEntries
        }
    }

    static let alignment = 64

    let file: String
    let limits: Limits
    /// Local headers and data, in order, as separate parts so large storages are not copied.
    private var parts: [Data] = []
    private var central = Data()
    private var offset = 0
    private var count = 0

    package init(file: String, limits: Limits = Limits()) {
        self.file = file
        self.limits = limits
    }

    mutating func add(_ name: String, _ data: Data) throws {
        let nameBytes = Array(name.utf8)
        guard count < limits.maximumEntries else {
            throw CheckpointError(.unsupported, file: file,
                "more than \(limits.maximumEntries) zip entries (too many tensors): zip64 archives are not written")
        }
        // Padding so that the data begins on the alignment boundary, after a 4-byte extra header.
        let unpadded = offset + 30 + nameBytes.count + 4
        let padding = (Self.alignment - unpadded % Self.alignment) % Self.alignment
        let end = unpadded + padding + data.count
        guard end <= limits.maximumBytes else {
            throw CheckpointError(.unsupported, file: file,
                "archive would exceed \(limits.maximumBytes) bytes at entry \(CheckpointError.quote(name)): zip64 archives (over 4 GiB) are not written")
        }
        let crc = CRC32.checksum(data)

        var local = Data()
        local.appendLittleEndian(UInt32(ZipArchive.localHeaderSignature))
        Self.appendCommonFields(&local, crc: crc, size: data.count, nameLength: nameBytes.count, extraLength: 4 + padding)
        local.append(contentsOf: nameBytes)
        local.appendLittleEndian(UInt16(0x4246))  // "FB", as torch names its padding field
        local.appendLittleEndian(UInt16(padding))
        local.append(contentsOf: [UInt8](repeating: UInt8(ascii: "Z"), count: padding))

        central.appendLittleEndian(UInt32(0x0201_4B50))
        central.appendLittleEndian(UInt16(20))  // version made by: 2.0, MS-DOS attributes
        Self.appendCommonFields(&central, crc: crc, size: data.count, nameLength: nameBytes.count, extraLength: 0)
        central.appendLittleEndian(UInt16(0))  // comment length
        central.appendLittleEndian(UInt16(0))  // disk number
        central.appendLittleEndian(UInt16(0))  // internal attributes
        central.appendLittleEndian(UInt32(0))  // external attributes
        central.appendLittleEndian(UInt32(offset))
        central.append(contentsOf: nameBytes)

        parts.append(local)
        parts.append(data)
        offset = end
        count += 1
    }

    /// The archive's bytes: every entry, then the central directory and the end record.
    mutating func finish() throws -> [Data] {
        guard offset + central.count + 22 <= limits.maximumBytes else {
            throw CheckpointError(.unsupported, file: file,
                "archive would exceed \(limits.maximumBytes) bytes: zip64 archives (over 4 GiB) are not written")
        }
        var end = Data()
        end.appendLittleEndian(UInt32(0x0605_4B50))
        end.appendLittleEndian(UInt16(0))  // this disk
        end.appendLittleEndian(UInt16(0))  // disk with the directory
        end.appendLittleEndian(UInt16(count))
        end.appendLittleEndian(UInt16(count))
        end.appendLittleEndian(UInt32(central.count))
        end.appendLittleEndian(UInt32(offset))
        end.appendLittleEndian(UInt16(0))  // comment length
        return parts + [central, end]
    }

    /// The fields local and central headers share, from "version needed" to "extra length".
    private static func appendCommonFields(_ data: inout Data, crc: UInt32, size: Int, nameLength: Int, extraLength: Int) {
        data.appendLittleEndian(UInt16(20))      // version needed: 2.0
        data.appendLittleEndian(UInt16(0x0800))  // flags: names are UTF-8
        data.appendLittleEndian(UInt16(0))       // method: stored
        data.appendLittleEndian(UInt16(0))       // time
        data.appendLittleEndian(UInt16(0x21))    // date: 1980-01-01 (all-zero dates are invalid)
        data.appendLittleEndian(crc)
        data.appendLittleEndian(UInt32(size))    // compressed size
        data.appendLittleEndian(UInt32(size))    // uncompressed size
        data.appendLittleEndian(UInt16(nameLength))
        data.appendLittleEndian(UInt16(extraLength))
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zip uses), table-driven.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        return value
    }

    static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        data.withUnsafeBytes { raw in
            for byte in raw { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
