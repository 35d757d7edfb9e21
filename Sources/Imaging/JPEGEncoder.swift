import CPUKernels
import Foundation

extension JPEG {
    /// Chroma resolution of encoded JPEGs.
    public enum ChromaSubsampling: Sendable {
        /// Full-resolution chroma (best quality, larger files).
        case yuv444
        /// Chroma halved both ways (the common default of cameras and libjpeg).
        case yuv420
    }

    /// The largest width or height a JPEG frame header can state.
    public static let maximumSide = 65535

    /// Whether `encode` can write an image of this size (a PNG decoded from a file may be wider).
    public static func canHold(width: Int, height: Int) -> Bool {
        (1...maximumSide).contains(width) && (1...maximumSide).contains(height)
    }

    /// Encodes 8-bit RGB pixels as a baseline JFIF JPEG.
    ///
    /// Quality 1...100 scales the example tables of T.81 Annex K exactly as libjpeg's
    /// `jpeg_quality_scaling`; the Annex K Huffman tables are used; 4:2:0 chroma is the mean of
    /// each 2×2 block. The forward DCT is the AAN float algorithm (libjpeg's `JDCT_FLOAT`).
    ///
    /// Fast, on every core: images of 16 MCU rows or more are cut into restart intervals of 8
    /// MCU rows (a `DRI` segment; every baseline decoder follows them), and each interval —
    /// colour conversion, DCT, quantisation and Huffman coding — is encoded on its own; the
    /// intervals depend on the image size only, so the bytes are the same on any machine and
    /// thread count. (The first encoder, a double-precision DCT on arrays per block, coded a
    /// 12-MP photo 11–20× slower than libjpeg-turbo.)
    ///
    /// ```swift
    /// let file = JPEG.encode(width: image.width, height: image.height, pixels: image.pixels, quality: 95)
    /// ```
    public static func encode(width: Int, height: Int, pixels: [UInt8], quality: Int = 95,
                              subsampling: ChromaSubsampling = .yuv420) -> [UInt8] {
        precondition(canHold(width: width, height: height), "JPEG.encode: size \(width)×\(height)")
        precondition(pixels.count == width * height * 3, "JPEG.encode: \(pixels.count) bytes for \(width)×\(height) RGB")
        let q = Swift.min(Swift.max(quality, 1), 100)
        let scale = q < 50 ? 5000 / q : 200 - 2 * q
        let tables = [EncoderTables.luminanceQuantization, EncoderTables.chrominanceQuantization].map { base in
            base.map { Swift.min(Swift.max(($0 * scale + 50) / 100, 1), 255) }
        }
        let factor = subsampling == .yuv420 ? 2 : 1
        let mcuSize = 8 * factor
        let mcusPerRow = (width + mcuSize - 1) / mcuSize, mcuRows = (height + mcuSize - 1) / mcuSize
        // Restart intervals of whole MCU rows (at most 65535 MCUs: the DRI field).
        let intervalRows = mcuRows >= 16 ? Swift.min(8, 65535 / mcusPerRow) : mcuRows
        let intervals = (mcuRows + intervalRows - 1) / intervalRows

        var writer = JPEGSegmentWriter()
        writer.bytes += [0xFF, 0xD8]
        writer.segment(0xE0, [0x4A, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])  // JFIF 1.01, 1:1 aspect
        for (id, table) in tables.enumerated() { writer.segment(0xDB, [UInt8(id)] + (0..<64).map { UInt8(table[zigzag[$0]]) }) }
        let sampling = UInt8(factor << 4 | factor)
        writer.segment(0xC0, [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 3,
                              1, sampling, 0, 2, 0x11, 1, 3, 0x11, 1])
        for (slot, spec) in [(0x00, EncoderTables.dcLuminance), (0x10, EncoderTables.acLuminance),
                             (0x01, EncoderTables.dcChrominance), (0x11, EncoderTables.acChrominance)] {
            writer.segment(0xC4, [UInt8(slot)] + spec.counts + spec.symbols)
        }
        if intervals > 1 {
            let mcus = intervalRows * mcusPerRow
            writer.segment(0xDD, [UInt8(mcus >> 8), UInt8(mcus & 0xFF)])
        }
        writer.segment(0xDA, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0])

        let coder = JPEGBlockCoder(tables: tables, factor: factor, width: width, height: height)
        var pieces = [[UInt8]](repeating: [], count: intervals)
        pixels.withUnsafeBufferPointer { source in
            pieces.withUnsafeMutableBufferPointer { output in
                let slots = output.baseAddress!
                let shared = SharedPointer(slots)
                Parallel.forEach(count: intervals) { interval in
                    let rows = (interval * intervalRows)..<Swift.min(mcuRows, (interval + 1) * intervalRows)
                    var bytes = coder.encode(mcuRows: rows, mcusPerRow: mcusPerRow, pixels: source.baseAddress!)
                    if interval < intervals - 1 { bytes += [0xFF, 0xD0 + UInt8(interval % 8)] }
                    (shared.base + interval).pointee = bytes
                }
            }
        }
        var file = writer.bytes
        file.reserveCapacity(file.count + pieces.reduce(2) { $0 + $1.count })
        for piece in pieces { file += piece }
        file += [0xFF, 0xD9]
        return file
    }
}

/// Headers for `JPEG.encode`: marker segments.
struct JPEGSegmentWriter {
    var bytes: [UInt8] = []

    mutating func segment(_ marker: UInt8, _ payload: [UInt8]) {
        bytes += [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)]
        bytes += payload
    }
}

/// Encodes runs of MCU rows of an RGB image (one restart interval each): each MCU's colour
/// conversion, DCT and quantisation by the kernel level's `jpegMCU` (C, vectorised, the same
/// bytes at every level), then Huffman coding with `FF 00` stuffing, ending on a byte boundary
/// (pad bits 1, T.81 F.1.2.3).
struct JPEGBlockCoder: @unchecked Sendable {
    let factor: Int, width: Int, height: Int
    /// Per table (luminance, chrominance): 1 / (quantiser · AAN scale of row · of column · 8),
    /// transposed ([horizontal·8 + vertical]) as `jpegMCU` reads it.
    let scales: [[Float]]
    /// Huffman code and length (code << 8 | length) per symbol: DC and AC, luminance then chrominance.
    let dcCodes: [[UInt32]], acCodes: [[UInt32]]

    init(tables: [[Int]], factor: Int, width: Int, height: Int) {
        self.factor = factor; self.width = width; self.height = height
        let aan: [Double] = [1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.541196100, 0.275899379]
        scales = tables.map { table in
            (0..<64).map { t in
                let (u, v) = (t / 8, t % 8)
                return Float(1.0 / (Double(table[v * 8 + u]) * aan[v] * aan[u] * 8))
            }
        }
        func codes(_ spec: EncoderTables.Spec) -> [UInt32] {
            EncoderTables.codeTable(spec).map { UInt32($0.code) << 8 | UInt32($0.length) }
        }
        dcCodes = [codes(EncoderTables.dcLuminance), codes(EncoderTables.dcChrominance)]
        acCodes = [codes(EncoderTables.acLuminance), codes(EncoderTables.acChrominance)]
    }

    func encode(mcuRows: Range<Int>, mcusPerRow: Int, pixels: UnsafePointer<UInt8>) -> [UInt8] {
        var bits = HuffmanBitSink()
        bits.bytes.reserveCapacity(mcuRows.count * mcusPerRow * 64 * factor * factor)
        let size = 8 * factor, lumaBlocks = factor * factor
        let coefficients = UnsafeMutablePointer<Int16>.allocate(capacity: 6 * 64)
        // The MCU's rows from its left edge; past the bottom the last image row repeats.
        let rows = UnsafeMutablePointer<UnsafePointer<UInt8>?>.allocate(capacity: 16)
        defer { coefficients.deallocate(); rows.deallocate() }
        var predictions = (0, 0, 0)
        scales[0].withUnsafeBufferPointer { lumaScale in
        scales[1].withUnsafeBufferPointer { chromaScale in
        dcCodes[0].withUnsafeBufferPointer { dcY in dcCodes[1].withUnsafeBufferPointer { dcC in
        acCodes[0].withUnsafeBufferPointer { acY in acCodes[1].withUnsafeBufferPointer { acC in
            for mcuY in mcuRows {
                for mcuX in 0..<mcusPerRow {
                    let x0 = mcuX * size
                    for dy in 0..<size { rows[dy] = pixels + (Swift.min(mcuY * size + dy, height - 1) * width + x0) * 3 }
                    KernelDispatch.jpegMCU(rows, width - x0, Int32(factor), lumaScale.baseAddress!, chromaScale.baseAddress!,
                                           coefficients)
                    for b in 0..<lumaBlocks {
                        bits.block(coefficients + b * 64, prediction: &predictions.0, dc: dcY.baseAddress!, ac: acY.baseAddress!)
                    }
                    bits.block(coefficients + lumaBlocks * 64, prediction: &predictions.1, dc: dcC.baseAddress!, ac: acC.baseAddress!)
                    bits.block(coefficients + (lumaBlocks + 1) * 64, prediction: &predictions.2, dc: dcC.baseAddress!,
                               ac: acC.baseAddress!)
                }
            }
        } } } } } }
        bits.finish()
        return bits.bytes
    }
}

/// Huffman coding of quantised blocks into bytes, 64 bits of buffer at a time.
struct HuffmanBitSink {
    var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    /// Appends the low `length` bits of `value` (length ≤ 32).
    @inline(__always) mutating func put(_ value: UInt32, _ length: Int) {
        buffer = buffer &<< UInt64(length) | UInt64(value & UInt32(truncatingIfNeeded: (UInt64(1) &<< UInt64(length)) &- 1))
        count &+= length
        while count >= 8 {
            count &-= 8
            let byte = UInt8(truncatingIfNeeded: buffer &>> UInt64(count))
            bytes.append(byte)
            if byte == 0xFF { bytes.append(0) }
        }
    }

    /// Pads the last byte with 1-bits, as T.81 requires.
    mutating func finish() {
        if count > 0 { put((1 << UInt32(8 - count)) - 1, 8 - count) }
    }

    /// One block's Huffman codes: its 64 quantised coefficients in zigzag order.
    @inline(__always)
    mutating func block(_ zz: UnsafePointer<Int16>, prediction: inout Int, dc: UnsafePointer<UInt32>, ac: UnsafePointer<UInt32>) {
        let difference = Int(zz[0]) &- prediction
        prediction = Int(zz[0])
        emit(symbolCode: dc[Self.size(difference)], value: difference)
        var run = 0
        for k in 1..<64 {
            let v = Int(zz[k])
            if v == 0 { run &+= 1; continue }
            while run > 15 { emitCode(ac[0xF0]); run &-= 16 }
            emit(symbolCode: ac[run &<< 4 | Self.size(v)], value: v)
            run = 0
        }
        if run > 0 { emitCode(ac[0]) }
    }

    /// Bits of |v| (T.81 F.1.2.1's category).
    @inline(__always) static func size(_ v: Int) -> Int { Int.bitWidth &- v.magnitude.leadingZeroBitCount }

    @inline(__always) private mutating func emitCode(_ code: UInt32) { put(code >> 8, Int(code & 0xFF)) }

    /// A symbol's code followed by its value's bits (negatives as v − 1), in one append.
    @inline(__always) private mutating func emit(symbolCode code: UInt32, value v: Int) {
        let size = Self.size(v)
        let bits = UInt32(truncatingIfNeeded: v < 0 ? v &- 1 : v) & ((1 &<< UInt32(size)) &- 1)
        put((code >> 8) &<< UInt32(size) | bits, Int(code & 0xFF) &+ size)
    }
}

/// Example tables of T.81 Annex K (natural order for quantisation).
enum EncoderTables {
    static let luminanceQuantization = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]
    static let chrominanceQuantization = [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ]

    struct Spec { var counts: [UInt8]; var symbols: [UInt8] }

    static let dcLuminance = Spec(counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: Array(0...11))
    static let dcChrominance = Spec(counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], symbols: Array(0...11))
    static let acLuminance = Spec(counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D], symbols: [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08,
        0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
        0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6,
        0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
        0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA,
    ])
    static let acChrominance = Spec(counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77], symbols: [
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91,
        0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0, 0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
        0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
        0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
        0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4,
        0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
        0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA,
    ])

    /// Code and length per symbol (canonical codes, T.81 Annex C).
    static func codeTable(_ spec: Spec) -> [(code: Int, length: Int)] {
        var table = [(code: Int, length: Int)](repeating: (0, 0), count: 256)
        var code = 0, k = 0
        for length in 1...16 {
            for _ in 0..<Int(spec.counts[length - 1]) {
                table[Int(spec.symbols[k])] = (code, length)
                code += 1
                k += 1
            }
            code <<= 1
        }
        return table
    }
}
