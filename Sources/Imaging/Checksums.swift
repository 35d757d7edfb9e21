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
        var c = ~crc
        crcTable.withUnsafeBufferPointer { table in
            for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }

    /// Adler-32 of `bytes`, continuing from `adler` (1 for a fresh checksum).
    public static func adler32<C: Collection>(_ bytes: C, continuing adler: UInt32 = 1) -> UInt32 where C.Element == UInt8 {
        var a = adler & 0xFFFF, b = adler >> 16
        var pending = 0
        for byte in bytes {
            a += UInt32(byte)
            b += a
            pending += 1
            // 5552 is the most bytes before `b` can overflow 32 bits (zlib's NMAX).
            if pending == 5552 { a %= 65521; b %= 65521; pending = 0 }
        }
        return (b % 65521) << 16 | (a % 65521)
    }
}
