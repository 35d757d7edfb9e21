/// A JPEG Huffman table (ITU T.81 Annex C) with a 16-bit lookup: the next 16 bits of the
/// stream index `lookup` directly, giving the symbol and the length of its code.
struct HuffmanTable {
    /// `symbol << 8 | length`, or 0 where no code starts with these bits.
    private let lookup: [UInt16]

    /// Parses one table from a DHT segment: the table, its slot (DC 0...3, AC 4...7), the rest.
    static func parse(_ data: ArraySlice<UInt8>) throws -> (HuffmanTable, Int, ArraySlice<UInt8>) {
        guard data.count >= 17 else { throw ImagingError.jpeg("malformed DHT") }
        let info = Int(data[data.startIndex])
        guard info >> 4 <= 1, info & 15 < 4 else { throw ImagingError.jpeg("malformed DHT table id \(info)") }
        let counts = (0..<16).map { Int(data[data.startIndex + 1 + $0]) }
        let total = counts.reduce(0, +)
        guard data.count >= 17 + total else { throw ImagingError.jpeg("DHT truncated") }
        let symbols = Array(data[(data.startIndex + 17)..<(data.startIndex + 17 + total)])
        var lookup = [UInt16](repeating: 0, count: 1 << 16)
        var code = 0, k = 0
        for length in 1...16 {
            for _ in 0..<counts[length - 1] {
                let shift = 16 - length
                guard (code + 1) << shift <= 1 << 16 else { throw ImagingError.jpeg("over-subscribed Huffman table") }
                let entry = UInt16(symbols[k]) << 8 | UInt16(length)
                for i in (code << shift)..<((code + 1) << shift) { lookup[i] = entry }
                code += 1
                k += 1
            }
            code <<= 1
        }
        return (HuffmanTable(lookup: lookup), (info >> 4) * 4 + (info & 15), data.dropFirst(17 + total))
    }

    @inline(__always) func decode(_ reader: inout EntropyReader) throws -> Int {
        let entry = lookup[Int(reader.peek16())]
        guard entry != 0 else { throw ImagingError.jpeg("invalid Huffman code in scan data") }
        try reader.consume(Int(entry & 0xFF))
        return Int(entry >> 8)
    }
}

/// Most-significant-bit-first reader of entropy-coded data: removes `FF 00` stuffing and stops
/// at a marker. Past the marker it feeds zeros for look-ahead, but consuming them throws, so a
/// truncated or corrupt scan is reported rather than decoded as garbage.
struct EntropyReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    private var buffer: UInt64 = 0
    private var bufferedBits = 0
    private var paddingBits = 0

    init(_ bytes: [UInt8], start: Int) {
        self.bytes = bytes
        position = start
    }

    @inline(__always) private mutating func refill() {
        while bufferedBits <= 56 {
            var byte: UInt8 = 0
            if position < bytes.count, bytes[position] != 0xFF {
                byte = bytes[position]
                position += 1
            } else if position + 1 < bytes.count, bytes[position + 1] == 0 {
                byte = 0xFF
                position += 2
            } else {
                paddingBits += 8  // at a marker or the end of the file
            }
            buffer |= UInt64(byte) << UInt64(56 - bufferedBits)
            bufferedBits += 8
        }
    }

    @inline(__always) mutating func peek16() -> UInt32 {
        if bufferedBits < 16 { refill() }
        return UInt32(truncatingIfNeeded: buffer >> 48)
    }

    @inline(__always) mutating func consume(_ count: Int) throws {
        buffer <<= UInt64(count)
        bufferedBits -= count
        if bufferedBits < paddingBits {
            throw ImagingError.jpeg(position >= bytes.count ? "truncated in scan data" : "scan data ends early (corrupt data before marker at byte \(position))")
        }
    }

    /// `count` (0...16) raw bits as an unsigned number.
    @inline(__always) mutating func bits(_ count: Int) throws -> Int {
        if count == 0 { return 0 }
        if bufferedBits < count { refill() }
        let value = Int(buffer >> UInt64(64 - count))
        try consume(count)
        return value
    }

    /// `count` bits read as a signed coefficient (T.81 F.2.2.1 EXTEND).
    @inline(__always) mutating func extended(_ count: Int) throws -> Int {
        let value = try bits(count)
        return value < 1 << (count - 1) ? value - (1 << count) + 1 : value
    }

    /// Discards buffered bits and the restart marker that must follow.
    mutating func restart() throws {
        buffer = 0
        bufferedBits = 0
        paddingBits = 0
        while position < bytes.count && bytes[position] != 0xFF { position += 1 }  // tolerate padding junk
        while position + 1 < bytes.count && bytes[position] == 0xFF && bytes[position + 1] == 0xFF { position += 1 }
        guard position + 1 < bytes.count else { throw ImagingError.jpeg("truncated before restart marker") }
        guard (0xD0...0xD7).contains(bytes[position + 1]) else {
            throw ImagingError.jpeg("expected a restart marker at byte \(position), found FF \(bytes[position + 1])")
        }
        position += 2
    }
}
