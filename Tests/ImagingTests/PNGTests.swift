import Foundation
import Imaging
import Testing

@Suite("PNG")
struct PNGTests {
    /// Every colour type and bit depth, plain and Adam7, written with all five filters: the
    /// decoded samples equal the generator's, and the RGB image equals PIL's `.convert("RGB")`.
    @Test(arguments: Fixtures.manifest.png.map(\.file))
    func decodesLikePIL(_ file: String) throws {
        let entry = Fixtures.manifest.png.first { $0.file == file }!
        let bytes = try Fixtures.bytes(file)
        let raster = try PNG.decode(bytes)
        #expect(raster.width == entry.width && raster.height == entry.height)
        if let samplesFile = entry.samples, let channels = entry.channels, let depth = entry.bitDepth {
            let stored = try Fixtures.bytes(samplesFile)
            let expected: [UInt16] = depth == 16
                ? (0..<(stored.count / 2)).map { UInt16(stored[2 * $0]) | UInt16(stored[2 * $0 + 1]) << 8 }
                : stored.map(UInt16.init)
            #expect(raster.channels == channels && raster.bitDepth == depth)
            #expect(raster.samples == expected, "\(file): samples differ")
        }
        if let rgbFile = entry.rgb {
            let image = try Image(encoded: bytes)
            #expect(image.pixels == (try Fixtures.bytes(rgbFile)), "\(file): RGB differs from PIL")
        }
    }

    @Test func transparencyBecomesAlpha() throws {
        let palette = try PNG.decode(try Fixtures.bytes("png_palette_trns.png"))
        #expect(palette.channels == 4)
        #expect(Set(stride(from: 3, to: palette.samples.count, by: 4).map { palette.samples[$0] }).isSubset(of: Set((0..<8).map { UInt16($0 * 20) } + [255])))
        let keyed = try PNG.decode(try Fixtures.bytes("png_gray_key.png"))
        #expect(keyed.channels == 2 && keyed.samples[1] == 0)
    }

    @Test(arguments: [1, 2, 3, 4])
    func encodeDecodeRoundTripIsExact(_ channels: Int) throws {
        let width = 61, height = 37
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: (i * 7919) >> 3 ^ (i % 13) * 17) }
        let file = PNG.encode(width: width, height: height, channels: channels, pixels: pixels)
        let raster = try PNG.decode(file)
        #expect(raster.channels == channels && raster.bitDepth == 8)
        #expect(raster.samples.map { UInt8($0) } == pixels)
    }

    @Test func imageRoundTripThroughFileIsExactAndAtomic() throws {
        let image = try Image(contentsOf: Fixtures.url("jpeg_odd_420.jpg"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imaging-png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.png")
        try image.write(to: url)
        try image.flippedHorizontally().write(to: url)  // overwriting goes through rename too
        #expect(try Image(contentsOf: url) == image.flippedHorizontally())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.png"])
        #expect(throws: ImagingError.self) { try image.write(to: directory.appendingPathComponent("out.bmp")) }
    }

    /// Truncations anywhere and flipped bytes: always an error (CRCs catch what parsing does not), never a trap.
    @Test(arguments: ["png_rgb8.png", "png_rgba16_i.png", "png_palette2_i.png", "png_pil_RGB.png"])
    func corruptFilesThrow(_ file: String) throws {
        let bytes = try Fixtures.bytes(file)
        for cut in [0, 4, 8, 20, 33, 40, bytes.count / 2, bytes.count - 13, bytes.count - 1] {
            #expect(throws: ImagingError.self, "cut at \(cut)") { try PNG.decode(Array(bytes[..<cut])) }
        }
        for i in stride(from: 8, to: bytes.count, by: 7) {
            var damaged = bytes
            damaged[i] ^= 0x24
            #expect(throws: ImagingError.self, "flip at \(i)") { try PNG.decode(damaged) }
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(UUID().uuidString).png")
        try Data(bytes[..<(bytes.count / 2)]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try Image(contentsOf: url)
            Issue.record("truncated PNG decoded")
        } catch {
            #expect("\(error)".contains(url.lastPathComponent), "error does not name the file: \(error)")
        }
    }

    /// The encoder's rows, read back from its IDAT: each row's bytes are its filter applied as the
    /// PNG specification writes it (per byte, here), and the filter is the first of those with the
    /// smallest sum of |byte| as signed (libpng's heuristic). The rows are made so that every
    /// filter wins somewhere, so every one of the encoder's vectorised loops is checked.
    @Test(arguments: [1, 2, 3, 4])
    func filteredRowsAreTheSpecificationsAndTheSmallest(_ channels: Int) throws {
        let width = 67, height = 42, stride = width * channels
        var pixels = [UInt8](repeating: 0, count: height * stride)
        func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
            let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
            return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
        }
        for y in 0..<height {
            for i in 0..<stride {
                let x = i / channels, c = i % channels
                let a = i >= channels ? Int(pixels[y * stride + i - channels]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * stride + i]) : 0
                let above = y > 0 && i >= channels ? Int(pixels[(y - 1) * stride + i - channels]) : 0
                let value: Int
                switch y % 6 {
                case 0: value = 0                                // flat: every filter scores 0, None is first
                case 1: value = x * 3 + c * 40                   // a ramp below a flat row: Sub
                case 2: value = (i * 37 + y * 11) % 251          // large jumps, for the next row
                case 3: value = b + 1                            // the row above, brighter: Up
                case 4: value = (a + b) / 2                      // Average's own prediction
                default: value = paeth(a, b, above) + x % 3 * 20 // Paeth's, plus a pattern the others miss
                }
                pixels[y * stride + i] = UInt8(truncatingIfNeeded: value)
            }
        }
        let file = PNG.encode(width: width, height: height, channels: channels, pixels: pixels)
        // The one IDAT chunk follows the 8-byte signature and the 25-byte IHDR chunk.
        let length = file[33..<37].reduce(0) { $0 << 8 | Int($1) }
        #expect(Array(file[37..<41]) == Array("IDAT".utf8))
        let filtered = try Inflate.zlibDecompress(Array(file[41..<(41 + length)]))
        #expect(filtered.count == height * (stride + 1))

        func reference(_ filter: Int, _ y: Int) -> [UInt8] {
            (0..<stride).map { i in
                let value = Int(pixels[y * stride + i])
                let a = i >= channels ? Int(pixels[y * stride + i - channels]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * stride + i]) : 0
                let c = y > 0 && i >= channels ? Int(pixels[(y - 1) * stride + i - channels]) : 0
                let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                let predictor = [0, a, b, (a + b) / 2, pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)][filter]
                return UInt8(truncatingIfNeeded: value - predictor)
            }
        }
        var chosen = Set<Int>()
        for y in 0..<height {
            let row = filtered[(y * (stride + 1))..<((y + 1) * (stride + 1))]
            let filter = Int(row.first!)
            let candidates = (0...4).map { reference($0, y) }
            let scores = candidates.map { $0.reduce(0) { $0 + Int(Int8(bitPattern: $1).magnitude) } }
            #expect(filter == scores.firstIndex(of: scores.min()!)!, "row \(y): filter \(filter), scores \(scores)")
            #expect(Array(row.dropFirst()) == candidates[filter], "row \(y): filter \(filter) bytes differ")
            chosen.insert(filter)
        }
        #expect(chosen == [0, 1, 2, 3, 4], "filters chosen: \(chosen.sorted())")
        #expect(try PNG.decode(file).samples.map { UInt8($0) } == pixels)
    }
}
