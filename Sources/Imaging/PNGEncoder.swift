extension PNG {
    /// Encodes 8-bit pixels (`channels` 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA; row-major,
    /// interleaved) as a non-interlaced PNG.
    ///
    /// Each row takes the filter whose output has the smallest sum of absolute values (as
    /// signed bytes), libpng's heuristic, which lets deflate find more repeats.
    ///
    /// ```swift
    /// let file = PNG.encode(width: 1, height: 1, channels: 3, pixels: [255, 128, 0])
    /// ```
    public static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(width > 0 && height > 0 && (1...4).contains(channels), "PNG.encode: bad size \(width)×\(height)×\(channels)")
        precondition(pixels.count == width * height * channels, "PNG.encode: \(pixels.count) bytes for \(width)×\(height)×\(channels)")
        let colorType: UInt8 = [1: 0, 2: 4, 3: 2, 4: 6][channels]!
        let stride = width * channels
        var filtered = [UInt8]()
        filtered.reserveCapacity(height * (stride + 1))
        var previous = [UInt8](repeating: 0, count: stride)
        var candidate = [UInt8](repeating: 0, count: stride)
        var best = [UInt8](repeating: 0, count: stride)
        for y in 0..<height {
            let row = Array(pixels[y * stride..<(y + 1) * stride])
            var bestFilter: UInt8 = 0
            var bestScore = Int.max
            for filter: UInt8 in 0...4 {
                applyFilter(filter, row: row, previous: previous, bytesPerPixel: channels, into: &candidate)
                var score = 0
                for b in candidate { score += b < 128 ? Int(b) : 256 - Int(b) }
                if score < bestScore {
                    bestScore = score
                    bestFilter = filter
                    swap(&best, &candidate)
                }
            }
            filtered.append(bestFilter)
            filtered += best
            previous = row
        }

        var file = signature
        var header = [UInt8]()
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, colorType, 0, 0, 0]
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", Deflate.zlibCompress(filtered), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    static func applyFilter(_ filter: UInt8, row: [UInt8], previous: [UInt8], bytesPerPixel bpp: Int, into out: inout [UInt8]) {
        for i in 0..<row.count {
            let a = i >= bpp ? Int(row[i - bpp]) : 0
            let b = Int(previous[i])
            let c = i >= bpp ? Int(previous[i - bpp]) : 0
            let predictor: Int
            switch filter {
            case 0: predictor = 0
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            default: predictor = paeth(a, b, c)
            }
            out[i] = row[i] &- UInt8(predictor)
        }
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        file += bigEndian(UInt32(data.count))
        file += typeBytes
        file += data
        file += bigEndian(Checksum.crc32(data, continuing: Checksum.crc32(typeBytes)))
    }
}
