/// The two checksums PNG relies on: CRC-32 over chunks (ISO 3309, as in zlib's `crc32`)
/// and Adler-32 over the uncompressed zlib payload (RFC 1950).
///
/// ```swift
/// Checksum.crc32(Array("IEND".utf8))      // 0xAE426082
/// Checksum.adler32(Array("Wikipedia".utf8)) // 0x11E60398
/// ```
public enum Checksum {
    /// Reflected polynomial 0xEDB88320, one table entry per byte value.
    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 of `bytes`, continuing from `crc` (pass a previous result to checksum in pieces).
    public static func crc32<C: Collection>(_ bytes: C, continuing crc: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        // The generic entry only finds contiguous memory; the loop runs on a concrete buffer,
        // since an unspecialised generic loop costs a witness call per byte.
        bytes.withContiguousStorageIfAvailable { crc32(buffer: $0, crc) } ?? Array(bytes).withUnsafeBufferPointer { crc32(buffer: $0, crc) }
    }

    /// Adler-32 of `bytes`, continuing from `adler` (1 for a fresh checksum).
    public static func adler32<C: Collection>(_ bytes: C, continuing adler: UInt32 = 1) -> UInt32 where C.Element == UInt8 {
        bytes.withContiguousStorageIfAvailable { adler32(buffer: $0, adler) } ?? Array(bytes).withUnsafeBufferPointer { adler32(buffer: $0, adler) }
    }

    private static func crc32(buffer: UnsafeBufferPointer<UInt8>, _ crc: UInt32) -> UInt32 {
        var c = ~crc
        crcTable.withUnsafeBufferPointer { table in
            for b in buffer { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }

    private static func adler32(buffer: UnsafeBufferPointer<UInt8>, _ adler: UInt32) -> UInt32 {
        var a = adler & 0xFFFF, b = adler >> 16
        var start = 0
        while start < buffer.count {
            // 5552 is the most bytes before `b` can overflow 32 bits (zlib's NMAX).
            let end = Swift.min(start + 5552, buffer.count)
            for i in start..<end {
                a += UInt32(buffer[i])
                b += a
            }
            a %= 65521
            b %= 65521
            start = end
        }
        return b << 16 | a
    }
}
