/// Pixels of a decoded PNG before any colour conversion: palette images are expanded to RGB
/// (RGBA when a `tRNS` chunk gives alpha), grey or RGB with a `tRNS` colour key gain an alpha
/// channel, and grey at 1, 2 or 4 bits is scaled to 8 bits (`v · 255 / (2^depth − 1)`, as PIL's
/// `L` mode does).
///
/// ```swift
/// let raster = try PNG.decode(bytes)
/// print(raster.width, raster.channels, raster.bitDepth)   // 64 4 16
/// ```
public struct PNGRaster: Sendable {
    public var width: Int
    public var height: Int
    /// 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.
    public var channels: Int
    /// 8 or 16: the range of `samples` (0...255 or 0...65535).
    public var bitDepth: Int
    /// Row-major, channels interleaved.
    public var samples: [UInt16]
}

/// PNG reading (all colour types and bit depths, Adam7) and writing (8-bit grey, RGB, RGBA).
///
/// ```swift
/// let raster = try PNG.decode(Array(try Data(contentsOf: url)))
/// let bytes = PNG.encode(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 0, 0, 255])
/// ```
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Decodes a whole PNG file. Chunk CRCs and the zlib Adler-32 are checked.
    public static func decode(_ bytes: [UInt8]) throws -> PNGRaster {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw ImagingError.png("missing PNG signature") }
        var header: Header?
        var palette: [UInt8] = []
        var transparency: [UInt8]?
        var compressed: [UInt8] = []
        var position = 8
        var sawEnd = false
        while !sawEnd {
            guard position + 12 <= bytes.count else { throw ImagingError.png("truncated before IEND") }
            let length = Int(readUInt32(bytes, position))
            let typeRange = position + 4..<position + 8
            let type = String(decoding: bytes[typeRange], as: UTF8.self)
            guard length <= bytes.count - position - 12 else { throw ImagingError.png("chunk \(type) truncated") }
            let data = bytes[position + 8..<position + 8 + length]
            let storedCRC = readUInt32(bytes, position + 8 + length)
            guard Checksum.crc32(bytes[position + 4..<position + 8 + length]) == storedCRC else {
                throw ImagingError.png("CRC mismatch in chunk \(type)")
            }
            position += 12 + length
            switch type {
            case "IHDR": header = try Header(Array(data))
            case "PLTE": palette = Array(data)
            case "tRNS": transparency = Array(data)
            case "IDAT": compressed += data
            case "IEND": sawEnd = true
            default:
                // Bit 5 of the first type byte clear marks a critical chunk we cannot skip.
                if bytes[typeRange.lowerBound] & 0x20 == 0 { throw ImagingError.png("unknown critical chunk \(type)") }
            }
        }
        guard let header else { throw ImagingError.png("missing IHDR") }
        if header.colorType == 3 {
            guard !palette.isEmpty, palette.count % 3 == 0 else { throw ImagingError.png("palette image without a valid PLTE") }
        }
        guard !compressed.isEmpty else { throw ImagingError.png("no IDAT data") }
        let expected = header.filteredByteCount
        let filtered: [UInt8]
        do { filtered = try Inflate.zlibDecompress(compressed, maximumOutput: expected) }
        catch let error as ImagingError { throw ImagingError.png("image data: \(error)") }
        guard filtered.count == expected else {
            throw ImagingError.png("image data holds \(filtered.count) bytes, expected \(expected)")
        }
        let raw = try unfilterAndInterleave(filtered, header)
        return try expand(raw, header, palette: palette, transparency: transparency)
    }

    static func readUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    struct Header {
        var width: Int, height: Int, bitDepth: Int, colorType: Int, interlaced: Bool

        init(_ d: [UInt8]) throws {
            guard d.count == 13 else { throw ImagingError.png("IHDR has \(d.count) bytes") }
            width = Int(PNG.readUInt32(d, 0))
            height = Int(PNG.readUInt32(d, 4))
            bitDepth = Int(d[8])
            colorType = Int(d[9])
            guard width > 0, height > 0, width <= 1 << 24, height <= 1 << 24, width * height <= 1 << 26 else {
                throw ImagingError.png("unsupported size \(width)×\(height)")
            }
            let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
            guard let depths = allowed[colorType], depths.contains(bitDepth) else {
                throw ImagingError.png("invalid colour type \(colorType) with bit depth \(bitDepth)")
            }
            guard d[10] == 0, d[11] == 0, d[12] <= 1 else { throw ImagingError.png("unknown compression, filter or interlace method") }
            interlaced = d[12] == 1
        }

        var samplesPerPixel: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]! }
        var bitsPerPixel: Int { samplesPerPixel * bitDepth }
        func rowBytes(_ w: Int) -> Int { (w * bitsPerPixel + 7) / 8 }

        /// The sub-images, each `(x0, y0, dx, dy, width, height)`; one for non-interlaced images.
        var passes: [(x0: Int, y0: Int, dx: Int, dy: Int, width: Int, height: Int)] {
            let adam7 = interlaced
                ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
                : [(0, 0, 1, 1)]
            return adam7.map { x0, y0, dx, dy in
                (x0, y0, dx, dy, (width - x0 + dx - 1) / dx, (height - y0 + dy - 1) / dy)
            }
        }

        /// Filter bytes plus rows of every (non-empty) pass.
        var filteredByteCount: Int {
            passes.reduce(0) { sum, p in p.width == 0 || p.height == 0 ? sum : sum + p.height * (1 + rowBytes(p.width)) }
        }
    }

    /// Undoes the per-row filters and scatters each pass into a full-size array of samples
    /// (still palette indices or raw grey levels; 16-bit samples combined big-endian).
    private static func unfilterAndInterleave(_ filtered: [UInt8], _ h: Header) throws -> [UInt16] {
        let spp = h.samplesPerPixel
        var samples = [UInt16](repeating: 0, count: h.width * h.height * spp)
        let bpp = Swift.max(1, h.bitsPerPixel / 8)
        var offset = 0
        for pass in h.passes where pass.width > 0 && pass.height > 0 {
            let stride = h.rowBytes(pass.width)
            var previous = [UInt8](repeating: 0, count: stride)
            var row = [UInt8](repeating: 0, count: stride)
            for y in 0..<pass.height {
                let filter = filtered[offset]
                for i in 0..<stride { row[i] = filtered[offset + 1 + i] }
                offset += 1 + stride
                try unfilter(&row, previous: previous, filter: filter, bytesPerPixel: bpp)
                let outY = pass.y0 + y * pass.dy
                for x in 0..<pass.width {
                    let base = ((outY * h.width) + pass.x0 + x * pass.dx) * spp
                    for s in 0..<spp { samples[base + s] = sample(row, index: x * spp + s, depth: h.bitDepth) }
                }
                swap(&previous, &row)
            }
        }
        return samples
    }

    @inline(__always) private static func sample(_ row: [UInt8], index: Int, depth: Int) -> UInt16 {
        switch depth {
        case 8: return UInt16(row[index])
        case 16: return UInt16(row[2 * index]) << 8 | UInt16(row[2 * index + 1])
        default:
            // Sub-byte samples are packed most-significant first.
            let bit = index * depth
            let byte = row[bit / 8]
            return UInt16(byte >> UInt8(8 - depth - bit % 8) & UInt8((1 << depth) - 1))
        }
    }

    static func unfilter(_ row: inout [UInt8], previous: [UInt8], filter: UInt8, bytesPerPixel bpp: Int) throws {
        let n = row.count
        switch filter {
        case 0: break
        case 1: for i in bpp..<max(bpp, n) { row[i] &+= row[i - bpp] }
        case 2: for i in 0..<n { row[i] &+= previous[i] }
        case 3:
            for i in 0..<n {
                let left = i >= bpp ? Int(row[i - bpp]) : 0
                row[i] &+= UInt8((left + Int(previous[i])) / 2)
            }
        case 4:
            for i in 0..<n {
                let a = i >= bpp ? Int(row[i - bpp]) : 0
                let c = i >= bpp ? Int(previous[i - bpp]) : 0
                row[i] &+= UInt8(paeth(a, Int(previous[i]), c))
            }
        default: throw ImagingError.png("invalid filter type \(filter)")
        }
    }

    @inline(__always) static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
    }

    /// Applies the palette, the `tRNS` chunk and sub-byte grey scaling.
    private static func expand(_ raw: [UInt16], _ h: Header, palette: [UInt8], transparency: [UInt8]?) throws -> PNGRaster {
        let pixelCount = h.width * h.height
        switch h.colorType {
        case 3:
            let entries = palette.count / 3
            let hasAlpha = transparency != nil
            let channels = hasAlpha ? 4 : 3
            var out = [UInt16](repeating: 0, count: pixelCount * channels)
            for i in 0..<pixelCount {
                let index = Int(raw[i])
                // libpng treats an out-of-range index as an error; PIL maps it to black.
                guard index < entries else { throw ImagingError.png("palette index \(index) outside \(entries) entries") }
                for c in 0..<3 { out[i * channels + c] = UInt16(palette[index * 3 + c]) }
                if let alpha = transparency { out[i * 4 + 3] = index < alpha.count ? UInt16(alpha[index]) : 255 }
            }
            return PNGRaster(width: h.width, height: h.height, channels: channels, bitDepth: 8, samples: out)
        case 0, 2:
            let spp = h.samplesPerPixel
            let depth = h.bitDepth == 16 ? 16 : 8
            let scale = h.bitDepth < 8 ? UInt16(255 / ((1 << h.bitDepth) - 1)) : 1
            var key: [UInt16]? = nil
            if let t = transparency, t.count >= 2 * spp {
                key = (0..<spp).map { UInt16(t[2 * $0]) << 8 | UInt16(t[2 * $0 + 1]) }
            }
            guard let key else {
                return PNGRaster(width: h.width, height: h.height, channels: spp, bitDepth: depth,
                                 samples: scale == 1 ? raw : raw.map { $0 * scale })
            }
            let maximum = UInt16(depth == 16 ? 65535 : 255)
            var out = [UInt16](repeating: 0, count: pixelCount * (spp + 1))
            for i in 0..<pixelCount {
                var matches = true
                for c in 0..<spp {
                    let v = raw[i * spp + c]
                    if v != key[c] { matches = false }
                    out[i * (spp + 1) + c] = v * scale
                }
                out[i * (spp + 1) + spp] = matches ? 0 : maximum
            }
            return PNGRaster(width: h.width, height: h.height, channels: spp + 1, bitDepth: depth, samples: out)
        default:
            return PNGRaster(width: h.width, height: h.height, channels: h.samplesPerPixel, bitDepth: h.bitDepth, samples: raw)
        }
    }
}
