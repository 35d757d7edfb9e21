import Foundation
import Imaging
import Testing

@Suite("JPEG")
struct JPEGTests {
    /// libjpeg-turbo's islow IDCT, fancy upsampling and fixed-point colour conversion are
    /// reproduced step for step, so PIL's pixels are matched exactly on every fixture
    /// (baseline/progressive, 4:4:4/4:2:2/4:2:0, grey, restarts, odd sizes, all orientations).
    @Test(arguments: Fixtures.manifest.jpeg.map(\.file))
    func decodesLikePIL(_ file: String) throws {
        let entry = Fixtures.manifest.jpeg.first { $0.file == file }!
        let image = try Image(contentsOf: Fixtures.url(file))
        #expect(image.width == entry.width && image.height == entry.height)
        let difference = PixelDifference(image.pixels, try Fixtures.bytes(entry.rgb))
        #expect(difference.maximum == 0, "\(file): \(difference)")
    }

    @Test func orientationIsReadAndCanBeIgnored() throws {
        for orientation in 1...8 {
            let bytes = try Fixtures.bytes("jpeg_orientation\(orientation).jpg")
            let raster = try JPEG.decode(bytes)
            #expect(raster.orientation == orientation)
            let stored = try Image(encoded: bytes, applyingOrientation: false)
            #expect(stored.width == 24 && stored.height == 16)
        }
    }

    @Test func greyscaleDecodesToOneChannel() throws {
        let raster = try JPEG.decode(try Fixtures.bytes("jpeg_gray.jpg"))
        #expect(raster.channels == 1 && raster.pixels.count == raster.width * raster.height)
    }

    @Test(arguments: [(95, JPEG.ChromaSubsampling.yuv420), (95, .yuv444), (75, .yuv420)])
    func encodeDecodeRoundTripIsClose(_ quality: Int, _ subsampling: JPEG.ChromaSubsampling) throws {
        let source = try Image(contentsOf: Fixtures.url("resize_source.png")).resized(width: 90, height: 70, filter: .bicubic)
        let decoded = try Image(encoded: source.jpegData(quality: quality, subsampling: subsampling))
        #expect(decoded.width == source.width && decoded.height == source.height)
        var squared = 0.0
        for i in source.pixels.indices { let d = Double(source.pixels[i]) - Double(decoded.pixels[i]); squared += d * d }
        let psnr = 10 * log10(255 * 255 / (squared / Double(source.pixels.count)))
        // The source has ±6-level noise, which 4:2:0 chroma and quantisation smooth away.
        let bound = quality >= 95 ? 35.0 : 30.0
        #expect(psnr > bound, "quality \(quality) \(subsampling): PSNR \(psnr) dB")
    }

    @Test func encodedFilesDecodeInPILConventionsToo() throws {
        // Our encoder's output read back through our decoder for a flat colour: exact.
        let flat = Image(width: 20, height: 13, red: 200, green: 30, blue: 90)
        let decoded = try Image(encoded: flat.jpegData(quality: 100, subsampling: .yuv444))
        #expect(PixelDifference(decoded.pixels, flat.pixels).maximum <= 1)
    }

    /// Truncations and flipped bytes either throw or (a flip inside entropy data can still be a
    /// valid stream) decode to an image of the right size; nothing traps.
    @Test(arguments: ["jpeg_baseline_420.jpg", "jpeg_progressive_422.jpg", "jpeg_restart_420.jpg",
                      "jpeg_restart_progressive.jpg", "jpeg_gray_progressive.jpg"])
    func corruptFilesThrowAndNeverTrap(_ file: String) throws {
        let bytes = try Fixtures.bytes(file)
        for cut in [0, 1, 2, 3, 10, 100, 200, bytes.count / 2, bytes.count * 3 / 4, bytes.count - 3] {
            #expect(throws: ImagingError.self, "cut at \(cut)") { try JPEG.decode(Array(bytes[..<cut])) }
        }
        for i in stride(from: 2, to: bytes.count, by: 5) {
            var damaged = bytes
            damaged[i] ^= 0x81
            if let raster = try? JPEG.decode(damaged) { #expect(raster.pixels.count == raster.width * raster.height * raster.channels) }
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(UUID().uuidString).jpg")
        try Data(bytes[..<(bytes.count / 2)]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try Image(contentsOf: url)
            Issue.record("truncated JPEG decoded")
        } catch {
            #expect("\(error)".contains(url.lastPathComponent) && "\(error)".contains("truncated"), "\(error)")
        }
    }

    @Test func unsupportedFilesSayWhy() throws {
        var bytes = try Fixtures.bytes("jpeg_baseline_444.jpg")
        // Turn SOF0 into SOF3 (lossless).
        let sof = (0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 }!
        bytes[sof + 1] = 0xC3
        #expect(throws: ImagingError.self) { try JPEG.decode(bytes) }
        #expect(throws: ImagingError.self) { try Image(encoded: [0x47, 0x49, 0x46, 0x38]) }
    }
}
