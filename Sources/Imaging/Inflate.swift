/// Decompression of zlib (RFC 1950) and raw deflate (RFC 1951) streams.
///
/// Every read is bounds-checked: a truncated or corrupt stream throws
/// `ImagingError.corruptStream`, and `maximumOutput` stops a stream that would expand
/// without bound, so decoding never traps or hangs.
///
/// ```swift
/// let packed = Deflate.zlibCompress(Array("hello hello hello".utf8))
/// let bytes = try Inflate.zlibDecompress(packed)   // "hello hello hello"
/// ```
public enum Inflate {
    /// Decodes a zlib stream (2-byte header, deflate data, Adler-32 trailer, which is checked).
    public static func zlibDecompress(_ input: [UInt8], maximumOutput: Int = Int.max) throws -> [UInt8] {
        guard input.count >= 2 else { throw ImagingError.corruptStream("zlib header truncated") }
        let cmf = input[0], flg = input[1]
        guard cmf & 0x0F == 8, cmf >> 4 <= 7 else { throw ImagingError.corruptStream("not a deflate zlib stream (CMF \(cmf))") }
        guard (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else { throw ImagingError.corruptStream("zlib header check failed") }
        guard flg & 0x20 == 0 else { throw ImagingError.corruptStream("preset dictionary not supported") }
        var reader = BitReader(input, start: 2)
        let output = try inflate(&reader, maximumOutput: maximumOutput)
        let trailer = reader.alignedBytePosition
        guard trailer + 4 <= input.count else { throw ImagingError.corruptStream("Adler-32 trailer truncated") }
        let stored = input[trailer..<trailer + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard stored == Checksum.adler32(output) else { throw ImagingError.corruptStream("Adler-32 mismatch") }
        return output
    }

    /// Decodes a raw deflate stream (no header or trailer).
    public static func rawDecompress(_ input: [UInt8], maximumOutput: Int = Int.max) throws -> [UInt8] {
        var reader = BitReader(input, start: 0)
        return try inflate(&reader, maximumOutput: maximumOutput)
    }

    // MARK: - Blocks

    /// Base lengths and extra bits of length symbols 257...285 (RFC 1951 §3.2.5).
    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                     3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
                                      513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
                                       8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// Order in which code-length code lengths are transmitted.
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static let fixedLiteralLengths: [UInt8] =
        [UInt8](repeating: 8, count: 144) + [UInt8](repeating: 9, count: 112)
        + [UInt8](repeating: 7, count: 24) + [UInt8](repeating: 8, count: 8)
    static let fixedDistanceLengths = [UInt8](repeating: 5, count: 30)

    static func inflate(_ reader: inout BitReader, maximumOutput: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(Swift.min(maximumOutput, Swift.max(1024, reader.byteCount * 4)))
        let fixedLiterals = try HuffmanDecoder(lengths: fixedLiteralLengths)
        let fixedDistances = try HuffmanDecoder(lengths: fixedDistanceLengths)
        var isFinal = false
        while !isFinal {
            isFinal = try reader.read(1) == 1
            switch try reader.read(2) {
            case 0: try copyStoredBlock(&reader, into: &output, maximumOutput: maximumOutput)
            case 1: try decodeBlock(&reader, fixedLiterals, fixedDistances, into: &output, maximumOutput: maximumOutput)
            case 2:
                let (literals, distances) = try readDynamicTables(&reader)
                try decodeBlock(&reader, literals, distances, into: &output, maximumOutput: maximumOutput)
            default: throw ImagingError.corruptStream("invalid block type 3")
            }
        }
        return output
    }

    private static func copyStoredBlock(_ reader: inout BitReader, into output: inout [UInt8], maximumOutput: Int) throws {
        reader.alignToByte()
        let length = try reader.read(16), complement = try reader.read(16)
        guard length == ~complement & 0xFFFF else { throw ImagingError.corruptStream("stored block length check failed") }
        guard output.count + Int(length) <= maximumOutput else { throw ImagingError.corruptStream("output exceeds \(maximumOutput) bytes") }
        try reader.copyBytes(Int(length), into: &output)
    }

    private static func readDynamicTables(_ reader: inout BitReader) throws -> (HuffmanDecoder, HuffmanDecoder) {
        let literalCount = Int(try reader.read(5)) + 257
        let distanceCount = Int(try reader.read(5)) + 1
        let codeLengthCount = Int(try reader.read(4)) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw ImagingError.corruptStream("too many length or distance codes") }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[codeLengthOrder[i]] = UInt8(try reader.read(3)) }
        let codeLengthDecoder = try HuffmanDecoder(lengths: codeLengthLengths)

        var lengths: [UInt8] = []
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try codeLengthDecoder.decode(&reader)
            switch symbol {
            case 0...15: lengths.append(UInt8(symbol))
            case 16:
                guard let previous = lengths.last else { throw ImagingError.corruptStream("repeat code with no previous length") }
                lengths += repeatElement(previous, count: 3 + Int(try reader.read(2)))
            case 17: lengths += repeatElement(0, count: 3 + Int(try reader.read(3)))
            default: lengths += repeatElement(0, count: 11 + Int(try reader.read(7)))
            }
        }
        guard lengths.count == literalCount + distanceCount else { throw ImagingError.corruptStream("code lengths overrun their count") }
        guard lengths[256] != 0 else { throw ImagingError.corruptStream("no end-of-block code") }
        return (try HuffmanDecoder(lengths: Array(lengths[..<literalCount])),
                try HuffmanDecoder(lengths: Array(lengths[literalCount...])))
    }

    private static func decodeBlock(_ reader: inout BitReader, _ literals: HuffmanDecoder, _ distances: HuffmanDecoder,
                                    into output: inout [UInt8], maximumOutput: Int) throws {
        while true {
            let symbol = try literals.decode(&reader)
            if symbol < 256 {
                guard output.count < maximumOutput else { throw ImagingError.corruptStream("output exceeds \(maximumOutput) bytes") }
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw ImagingError.corruptStream("invalid length symbol \(symbol)") }
            let length = lengthBase[lengthIndex] + Int(try reader.read(lengthExtra[lengthIndex]))
            let distanceSymbol = try distances.decode(&reader)
            guard distanceSymbol < 30 else { throw ImagingError.corruptStream("invalid distance symbol \(distanceSymbol)") }
            let distance = distanceBase[distanceSymbol] + Int(try reader.read(distanceExtra[distanceSymbol]))
            guard distance <= output.count else { throw ImagingError.corruptStream("distance \(distance) reaches before the start") }
            guard output.count + length <= maximumOutput else { throw ImagingError.corruptStream("output exceeds \(maximumOutput) bytes") }
            // Byte by byte: a match may overlap the bytes it is producing (distance < length).
            let start = output.count - distance
            for i in 0..<length { output.append(output[start + i]) }
        }
    }
}

/// Least-significant-bit-first reader over a byte array, as deflate packs its bits.
struct BitReader {
    private let bytes: [UInt8]
    private var position: Int
    private var buffer: UInt64 = 0
    private var bufferedBits = 0
    /// Zero bytes fed in past the end, so a peek near the end can look ahead safely.
    private var paddingBits = 0

    init(_ bytes: [UInt8], start: Int) {
        self.bytes = bytes
        position = start
    }

    var byteCount: Int { bytes.count }

    @inline(__always) private mutating func refill() {
        while bufferedBits <= 56 {
            if position < bytes.count {
                buffer |= UInt64(bytes[position]) << UInt64(bufferedBits)
                position += 1
            } else {
                paddingBits += 8
            }
            bufferedBits += 8
        }
    }

    /// The next `count` (≤ 32) bits without consuming them; zeros past the end.
    @inline(__always) mutating func peek(_ count: Int) -> UInt32 {
        if bufferedBits < count { refill() }
        return UInt32(truncatingIfNeeded: buffer & ((1 << UInt64(count)) - 1))
    }

    @inline(__always) mutating func consume(_ count: Int) throws {
        if bufferedBits < count { refill() }
        buffer >>= UInt64(count)
        bufferedBits -= count
        if bufferedBits < paddingBits { throw ImagingError.corruptStream("truncated") }
    }

    @inline(__always) mutating func read(_ count: Int) throws -> UInt32 {
        if count == 0 { return 0 }
        let value = peek(count)
        try consume(count)
        return value
    }

    mutating func alignToByte() {
        let drop = bufferedBits % 8
        buffer >>= UInt64(drop)
        bufferedBits -= drop
    }

    /// Index of the first byte not yet consumed, after aligning to a byte boundary.
    var alignedBytePosition: Int {
        position - (bufferedBits - paddingBits) / 8
    }

    /// Copies whole bytes (the reader must be byte-aligned), for stored blocks.
    mutating func copyBytes(_ count: Int, into output: inout [UInt8]) throws {
        let start = alignedBytePosition
        guard start + count <= bytes.count else { throw ImagingError.corruptStream("stored block truncated") }
        output += bytes[start..<start + count]
        position = start + count
        buffer = 0
        bufferedBits = 0
        paddingBits = 0
    }
}

/// Canonical Huffman decoder built from code lengths (RFC 1951 §3.2.2), one table lookup per
/// symbol: the table is indexed by the next `maximumLength` bits, bit-reversed since deflate
/// sends codes most-significant bit first inside an LSB-first stream.
struct HuffmanDecoder {
    /// `symbol << 4 | length`, or 0 where no code matches (an incomplete code).
    private let table: [UInt32]
    private let maximumLength: Int

    init(lengths: [UInt8]) throws {
        let maxLength = Int(lengths.max() ?? 0)
        guard maxLength <= 15 else { throw ImagingError.corruptStream("code length over 15") }
        var counts = [Int](repeating: 0, count: 16)
        for l in lengths where l > 0 { counts[Int(l)] += 1 }
        // Over-subscribed codes cannot be decoded unambiguously.
        var left = 1
        for length in 1...15 {
            left = left * 2 - counts[length]
            guard left >= 0 else { throw ImagingError.corruptStream("over-subscribed Huffman code") }
        }
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for length in 1...15 {
            code = (code + counts[length - 1]) << 1
            nextCode[length] = code
        }
        let size = 1 << Swift.max(maxLength, 1)
        var table = [UInt32](repeating: 0, count: size)
        for (symbol, l) in lengths.enumerated() where l > 0 {
            let length = Int(l)
            let code = nextCode[length]
            nextCode[length] += 1
            var reversed = 0
            for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
            var index = reversed
            while index < size {
                table[index] = UInt32(symbol) << 4 | UInt32(length)
                index += 1 << length
            }
        }
        self.table = table
        self.maximumLength = Swift.max(maxLength, 1)
    }

    @inline(__always) func decode(_ reader: inout BitReader) throws -> Int {
        let entry = table[Int(reader.peek(maximumLength))]
        guard entry != 0 else { throw ImagingError.corruptStream("invalid Huffman code") }
        try reader.consume(Int(entry & 0xF))
        return Int(entry >> 4)
    }
}
