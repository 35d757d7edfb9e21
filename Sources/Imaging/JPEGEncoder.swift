import Foundation

extension JPEG {
    /// Chroma resolution of encoded JPEGs.
    public enum ChromaSubsampling: Sendable {
        /// Full-resolution chroma (best quality, larger files).
        case yuv444
        /// Chroma halved both ways (the common default of cameras and libjpeg).
        case yuv420
    }

    /// Encodes 8-bit RGB pixels as a baseline JFIF JPEG.
    ///
    /// Quality 1...100 scales the example tables of T.81 Annex K exactly as libjpeg's
    /// `jpeg_quality_scaling`; the Annex K Huffman tables are used; the forward DCT is computed
    /// in double precision; 4:2:0 chroma is the mean of each 2×2 block.
    ///
    /// ```swift
    /// let file = JPEG.encode(width: image.width, height: image.height, pixels: image.pixels, quality: 95)
    /// ```
    public static func encode(width: Int, height: Int, pixels: [UInt8], quality: Int = 95,
                              subsampling: ChromaSubsampling = .yuv420) -> [UInt8] {
        precondition(width > 0 && height > 0 && width <= 65535 && height <= 65535, "JPEG.encode: size \(width)×\(height)")
        precondition(pixels.count == width * height * 3, "JPEG.encode: \(pixels.count) bytes for \(width)×\(height) RGB")
        let q = Swift.min(Swift.max(quality, 1), 100)
        let scale = q < 50 ? 5000 / q : 200 - 2 * q
        let tables = [EncoderTables.luminanceQuantization, EncoderTables.chrominanceQuantization].map { base in
            base.map { Swift.min(Swift.max(($0 * scale + 50) / 100, 1), 255) }
        }
        let factor = subsampling == .yuv420 ? 2 : 1

        // Colour planes, edge-replicated to whole MCUs.
        let mcuSize = 8 * factor
        let paddedWidth = (width + mcuSize - 1) / mcuSize * mcuSize
        let paddedHeight = (height + mcuSize - 1) / mcuSize * mcuSize
        var planes = [[Double]](repeating: [Double](repeating: 0, count: paddedWidth * paddedHeight), count: 3)
        for y in 0..<paddedHeight {
            let sy = Swift.min(y, height - 1)
            for x in 0..<paddedWidth {
                let s = (sy * width + Swift.min(x, width - 1)) * 3
                let r = Double(pixels[s]), g = Double(pixels[s + 1]), b = Double(pixels[s + 2])
                let o = y * paddedWidth + x
                planes[0][o] = 0.299 * r + 0.587 * g + 0.114 * b
                planes[1][o] = -0.168735892 * r - 0.331264108 * g + 0.5 * b + 128
                planes[2][o] = 0.5 * r - 0.418687589 * g - 0.081312411 * b + 128
            }
        }
        let chromaWidth = paddedWidth / factor, chromaHeight = paddedHeight / factor
        if factor == 2 {
            for c in 1...2 {
                var small = [Double](repeating: 0, count: chromaWidth * chromaHeight)
                for y in 0..<chromaHeight {
                    for x in 0..<chromaWidth {
                        let o = 2 * y * paddedWidth + 2 * x
                        small[y * chromaWidth + x] = (planes[c][o] + planes[c][o + 1] + planes[c][o + paddedWidth] + planes[c][o + paddedWidth + 1]) / 4
                    }
                }
                planes[c] = small
            }
        }

        var writer = JPEGBitWriter()
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
        writer.segment(0xDA, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0])

        let codes = [EncoderTables.dcLuminance, EncoderTables.acLuminance, EncoderTables.dcChrominance, EncoderTables.acChrominance]
            .map(EncoderTables.codeTable)
        var predictions = [0, 0, 0]
        var block = [Double](repeating: 0, count: 64)
        for mcuY in 0..<(paddedHeight / mcuSize) {
            for mcuX in 0..<(paddedWidth / mcuSize) {
                for c in 0..<3 {
                    let blocks = c == 0 ? factor : 1
                    let stride = c == 0 ? paddedWidth : chromaWidth
                    for by in 0..<blocks {
                        for bx in 0..<blocks {
                            let x0 = (mcuX * blocks + bx) * 8, y0 = (mcuY * blocks + by) * 8
                            for y in 0..<8 { for x in 0..<8 { block[y * 8 + x] = planes[c][(y0 + y) * stride + x0 + x] - 128 } }
                            let quantized = ForwardDCT.quantize(block, table: tables[c == 0 ? 0 : 1])
                            writer.encodeBlock(quantized, prediction: &predictions[c], dc: codes[c == 0 ? 0 : 2], ac: codes[c == 0 ? 1 : 3])
                        }
                    }
                }
            }
        }
        writer.flushBits()
        writer.bytes += [0xFF, 0xD9]
        return writer.bytes
    }
}

/// Entropy coding for `JPEG.encode`: MSB-first bits with `FF 00` stuffing.
struct JPEGBitWriter {
    var bytes: [UInt8] = []
    private var buffer: UInt32 = 0
    private var count = 0

    mutating func segment(_ marker: UInt8, _ payload: [UInt8]) {
        bytes += [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)]
        bytes += payload
    }

    mutating func write(_ value: Int, bits: Int) {
        guard bits > 0 else { return }
        buffer = buffer << UInt32(bits) | UInt32(value & ((1 << bits) - 1))
        count += bits
        while count >= 8 {
            let byte = UInt8(truncatingIfNeeded: buffer >> UInt32(count - 8))
            bytes.append(byte)
            if byte == 0xFF { bytes.append(0) }
            count -= 8
        }
        buffer &= (1 << UInt32(count)) - 1
    }

    /// Pads the last byte with 1-bits, as T.81 requires.
    mutating func flushBits() {
        if count > 0 { write((1 << (8 - count)) - 1, bits: 8 - count) }
    }

    /// Number of bits of |v| and the bits sent for v (T.81 F.1.2.1: negatives as v − 1).
    @inline(__always) private func category(_ v: Int) -> (Int, Int) {
        let magnitude = abs(v)
        var size = 0
        while (1 << size) <= magnitude { size += 1 }
        return (size, v < 0 ? v - 1 : v)
    }

    mutating func encodeBlock(_ coefficients: [Int], prediction: inout Int, dc: [(code: Int, length: Int)], ac: [(code: Int, length: Int)]) {
        let difference = coefficients[0] - prediction
        prediction = coefficients[0]
        let (dcSize, dcBits) = category(difference)
        write(dc[dcSize].code, bits: dc[dcSize].length)
        write(dcBits, bits: dcSize)
        var run = 0
        for k in 1..<64 {
            let v = coefficients[JPEG.zigzag[k]]
            if v == 0 { run += 1; continue }
            while run > 15 { write(ac[0xF0].code, bits: ac[0xF0].length); run -= 16 }
            let (size, bits) = category(v)
            let symbol = run << 4 | size
            write(ac[symbol].code, bits: ac[symbol].length)
            write(bits, bits: size)
            run = 0
        }
        if run > 0 { write(ac[0].code, bits: ac[0].length) }
    }
}

/// Separable 8×8 DCT-II with orthonormal scaling (JPEG's), then division by the quantiser.
enum ForwardDCT {
    private static let cosines: [Double] = (0..<64).map { i in
        let (u, x) = (i / 8, i % 8)
        let c = u == 0 ? (1.0 / 2.0.squareRoot()) : 1.0
        return 0.5 * c * cos(Double((2 * x + 1) * u) * Double.pi / 16)
    }

    static func quantize(_ block: [Double], table: [Int]) -> [Int] {
        var rows = [Double](repeating: 0, count: 64)
        for y in 0..<8 {
            for u in 0..<8 {
                var s = 0.0
                for x in 0..<8 { s += cosines[u * 8 + x] * block[y * 8 + x] }
                rows[y * 8 + u] = s
            }
        }
        var out = [Int](repeating: 0, count: 64)
        for v in 0..<8 {
            for u in 0..<8 {
                var s = 0.0
                for y in 0..<8 { s += cosines[v * 8 + y] * rows[y * 8 + u] }
                out[v * 8 + u] = Int((s / Double(table[v * 8 + u])).rounded())
            }
        }
        return out
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
