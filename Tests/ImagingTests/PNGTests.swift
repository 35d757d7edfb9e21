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
}
