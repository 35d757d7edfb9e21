/// Pixels of a decoded JPEG: 1 channel (grey) or 3 (RGB), 8 bits, in stored orientation.
///
/// ```swift
/// let raster = try JPEG.decode(bytes)
/// print(raster.width, raster.height, raster.channels, raster.orientation)  // 256 256 3 1
/// ```
public struct JPEGRaster: Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// Row-major, channels interleaved.
    public var pixels: [UInt8]
    /// EXIF orientation tag (1...8; 1 when absent), not yet applied to `pixels`.
    public var orientation: Int
}

/// JPEG reading (baseline and progressive Huffman, any sampling factors, restart markers) and
/// writing (baseline).
///
/// The decoder follows libjpeg(-turbo)'s defaults step for step — the integer "islow" IDCT,
/// "fancy" triangle-filter chroma upsampling and fixed-point YCbCr → RGB — so its pixels match
/// PIL's (which uses libjpeg-turbo) within rounding.
///
/// ```swift
/// let raster = try JPEG.decode(Array(try Data(contentsOf: url)))
/// let file = JPEG.encode(width: 2, height: 2, pixels: rgb, quality: 90)
/// ```
public enum JPEG {
    /// One colour component of the frame.
    struct Component {
        var id: Int
        var horizontalSampling: Int
        var verticalSampling: Int
        var quantizationTable: Int
        /// Samples across and down this component really holds: ⌈width·h/hmax⌉, ⌈height·v/vmax⌉.
        var width = 0, height = 0
        /// Blocks holding real samples, as a non-interleaved scan walks them.
        var blocksAcross = 0, blocksDown = 0
        /// Blocks allocated: whole MCUs, as an interleaved scan walks them.
        var storedBlocksAcross = 0, storedBlocksDown = 0
        /// Quantised coefficients, 64 per block in natural (row-major) order.
        var coefficients = CoefficientBuffer(count: 0)
    }

    struct Frame {
        var width: Int, height: Int
        var progressive: Bool
        var components: [Component]
        var maxHorizontal: Int, maxVertical: Int
        var mcusAcross: Int, mcusDown: Int
    }

    /// Decodes a whole JPEG file.
    public static func decode(_ bytes: [UInt8]) throws -> JPEGRaster {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw ImagingError.jpeg("missing SOI marker") }
        var position = 2
        var frame: Frame?
        var quantization = [[Int32]](repeating: [], count: 4)
        var huffman = [HuffmanTable?](repeating: nil, count: 8)  // DC 0...3, AC 4...7
        var restartInterval = 0
        var orientation = 1
        var adobeTransform: Int?
        var sawScan = false

        func segment() throws -> ArraySlice<UInt8> {
            guard position + 2 <= bytes.count else { throw ImagingError.jpeg("truncated in marker segment") }
            let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
            guard length >= 2, position + length <= bytes.count else { throw ImagingError.jpeg("truncated in marker segment") }
            defer { position += length }
            return bytes[position + 2..<position + length]
        }

        while true {
            // Markers may be preceded by any number of 0xFF fill bytes.
            guard position < bytes.count, bytes[position] == 0xFF else {
                if position >= bytes.count {
                    if sawScan, let frame { return try finish(frame, quantization, orientation: orientation, adobeTransform: adobeTransform) }
                    throw ImagingError.jpeg("truncated: file ends before the image data")
                }
                throw ImagingError.jpeg("expected a marker at byte \(position)")
            }
            while position < bytes.count && bytes[position] == 0xFF { position += 1 }
            guard position < bytes.count else { throw ImagingError.jpeg("truncated after marker prefix") }
            let marker = bytes[position]
            position += 1
            switch marker {
            case 0xD8: throw ImagingError.jpeg("unexpected second SOI")
            case 0xD9:
                guard let frame, sawScan else { throw ImagingError.jpeg("no image data before EOI") }
                return try finish(frame, quantization, orientation: orientation, adobeTransform: adobeTransform)
            case 0xC0, 0xC1, 0xC2:
                guard frame == nil else { throw ImagingError.jpeg("more than one frame") }
                frame = try parseFrame(try segment(), progressive: marker == 0xC2)
            case 0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                throw ImagingError.jpeg("unsupported coding process SOF\(Int(marker) - 0xC0) (lossless, hierarchical or arithmetic)")
            case 0xC4:
                var data = try segment()
                while !data.isEmpty {
                    let (table, slot, rest) = try HuffmanTable.parse(data)
                    huffman[slot] = table
                    data = rest
                }
            case 0xDB:
                var data = try segment()
                while !data.isEmpty {
                    let info = Int(data[data.startIndex])
                    let precision = info >> 4, slot = info & 15
                    let size = precision == 0 ? 64 : 128
                    guard slot < 4, data.count >= 1 + size else { throw ImagingError.jpeg("malformed DQT") }
                    var table = [Int32](repeating: 0, count: 64)
                    for k in 0..<64 {
                        let at = data.startIndex + 1 + (precision == 0 ? k : 2 * k)
                        table[zigzag[k]] = precision == 0 ? Int32(data[at]) : Int32(data[at]) << 8 | Int32(data[at + 1])
                    }
                    quantization[slot] = table
                    data = data.dropFirst(1 + size)
                }
            case 0xDD:
                let data = try segment()
                guard data.count >= 2 else { throw ImagingError.jpeg("malformed DRI") }
                restartInterval = Int(data[data.startIndex]) << 8 | Int(data[data.startIndex + 1])
            case 0xDA:
                guard let current = frame else { throw ImagingError.jpeg("scan before frame header") }
                let header = try segment()
                var scan = try ScanDecoder(header: header, frame: current, huffman: huffman, restartInterval: restartInterval,
                                           bytes: bytes, start: position)
                try scan.decode(current)
                sawScan = true
                position = nextMarker(bytes, from: scan.endPosition)
            case 0xE1:
                let data = try segment()
                if let value = ExifOrientation.parse(Array(data)) { orientation = value }
            case 0xEE:
                let data = try segment()
                if data.count >= 12, Array(data.prefix(5)) == Array("Adobe".utf8) { adobeTransform = Int(data[data.startIndex + 11]) }
            case 0xD0...0xD7, 0x01: continue  // stray restart markers and TEM carry no segment
            default: _ = try segment()           // APPn, COM and others we do not need
            }
        }
    }

    /// Position of the next marker that is not a byte-stuffing `FF 00` or a restart marker.
    private static func nextMarker(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == 0xFF, bytes[i + 1] != 0, bytes[i + 1] != 0xFF, !(0xD0...0xD7).contains(bytes[i + 1]) { return i }
            i += 1
        }
        return bytes.count
    }

    private static func parseFrame(_ data: ArraySlice<UInt8>, progressive: Bool) throws -> Frame {
        let d = Array(data)
        guard d.count >= 6 else { throw ImagingError.jpeg("malformed SOF") }
        guard d[0] == 8 else { throw ImagingError.jpeg("\(d[0])-bit samples are not supported") }
        let height = Int(d[1]) << 8 | Int(d[2]), width = Int(d[3]) << 8 | Int(d[4])
        let count = Int(d[5])
        guard width > 0, height > 0 else { throw ImagingError.jpeg("image size \(width)×\(height) (DNL not supported)") }
        guard width * height <= 1 << 26 else { throw ImagingError.jpeg("image of \(width)×\(height) pixels is too large") }
        guard count == 1 || count == 3 else {
            throw ImagingError.jpeg("\(count) components: only greyscale and YCbCr/RGB are supported (CMYK/YCCK is not)")
        }
        guard d.count >= 6 + 3 * count else { throw ImagingError.jpeg("malformed SOF") }
        var components: [Component] = []
        for i in 0..<count {
            let sampling = d[7 + 3 * i]
            let h = Int(sampling >> 4), v = Int(sampling & 15)
            guard (1...4).contains(h), (1...4).contains(v), d[8 + 3 * i] < 4 else { throw ImagingError.jpeg("invalid component \(i) in SOF") }
            components.append(Component(id: Int(d[6 + 3 * i]), horizontalSampling: h, verticalSampling: v, quantizationTable: Int(d[8 + 3 * i])))
        }
        let maxH = components.map(\.horizontalSampling).max()!, maxV = components.map(\.verticalSampling).max()!
        let mcusAcross = (width + 8 * maxH - 1) / (8 * maxH), mcusDown = (height + 8 * maxV - 1) / (8 * maxV)
        for i in components.indices {
            var c = components[i]
            guard maxH % c.horizontalSampling == 0, maxV % c.verticalSampling == 0 else {
                throw ImagingError.jpeg("sampling factors \(c.horizontalSampling)×\(c.verticalSampling) do not divide \(maxH)×\(maxV)")
            }
            c.width = (width * c.horizontalSampling + maxH - 1) / maxH
            c.height = (height * c.verticalSampling + maxV - 1) / maxV
            c.blocksAcross = (c.width + 7) / 8
            c.blocksDown = (c.height + 7) / 8
            c.storedBlocksAcross = mcusAcross * c.horizontalSampling
            c.storedBlocksDown = mcusDown * c.verticalSampling
            c.coefficients = CoefficientBuffer(count: c.storedBlocksAcross * c.storedBlocksDown * 64)
            components[i] = c
        }
        return Frame(width: width, height: height, progressive: progressive, components: components,
                     maxHorizontal: maxH, maxVertical: maxV, mcusAcross: mcusAcross, mcusDown: mcusDown)
    }

    /// Inverse DCT of every block, then upsampling and colour conversion.
    private static func finish(_ frame: Frame, _ quantization: [[Int32]], orientation: Int, adobeTransform: Int?) throws -> JPEGRaster {
        var planes: [[UInt8]] = []
        for c in frame.components {
            let table = quantization[c.quantizationTable]
            guard table.count == 64 else { throw ImagingError.jpeg("missing quantisation table \(c.quantizationTable)") }
            planes.append(InverseDCT.plane(c, quantization: table))
        }
        let pixels = try ColorConversion.interleave(frame, planes: planes, adobeTransform: adobeTransform)
        return JPEGRaster(width: frame.width, height: frame.height, channels: frame.components.count == 1 ? 1 : 3,
                          pixels: pixels, orientation: orientation)
    }

    /// Coefficient storage shared by reference, so scans write into it without copy-on-write.
    final class CoefficientBuffer {
        let pointer: UnsafeMutablePointer<Int32>
        let count: Int
        init(count: Int) {
            self.count = count
            pointer = .allocate(capacity: Swift.max(count, 1))
            pointer.initialize(repeating: 0, count: Swift.max(count, 1))
        }
        deinit { pointer.deallocate() }
    }

    /// `zigzag[k]` is the natural (row-major) index of the k-th coefficient in scan order.
    static let zigzag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]
}
