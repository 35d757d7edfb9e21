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

    /// A textured, noisy RGB image of any size (the same pixels on every machine).
    static func texturedImage(width: Int, height: Int) -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var state: UInt64 = 12345
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let noise = Int((state >> 33) % 9) - 4
                    // Texture in the brightness; colour varies slowly (4:2:0 halves its detail).
                    let wave = (x * 3 + y * 5) % 97 + (x / 7 + y / 5) % 61 + (x + 2 * y) / 16 * (c - 1) % 40
                    pixels[(y * width + x) * 3 + c] = UInt8(clamping: 40 + wave + noise)
                }
            }
        }
        return Image(width: width, height: height, pixels: pixels)
    }

    /// Tall images are coded in restart intervals of 8 MCU rows (DRI, then RST0…7 cycling), each
    /// on its own core: the file carries them in order, decodes (here and, by
    /// `Scripts/bench_jpeg.sh`, in libjpeg-turbo) close to the source, at every size — MCUs cut by
    /// the right and bottom edges, 1-pixel images, one interval and many.
    @Test(arguments: [(300, 260, JPEG.ChromaSubsampling.yuv420), (301, 259, .yuv420), (173, 129, .yuv444),
                      (1, 1, .yuv420), (40, 17, .yuv420), (17, 300, .yuv444)])
    func restartIntervalsRoundTrip(_ width: Int, _ height: Int, _ subsampling: JPEG.ChromaSubsampling) throws {
        let source = Self.texturedImage(width: width, height: height)
        let bytes = source.jpegData(quality: 95, subsampling: subsampling)
        let mcu = subsampling == .yuv420 ? 16 : 8
        let mcuRows = (height + mcu - 1) / mcu
        let intervals = mcuRows >= 16 ? (mcuRows + 7) / 8 : 1
        var markers: [UInt8] = []
        var hasDRI = false
        for i in 0..<(bytes.count - 1) where bytes[i] == 0xFF {
            if (0xD0...0xD7).contains(bytes[i + 1]) { markers.append(bytes[i + 1]) }
            if bytes[i + 1] == 0xDD { hasDRI = true }
        }
        #expect(hasDRI == (intervals > 1))
        #expect(markers == (0..<max(0, intervals - 1)).map { 0xD0 + UInt8($0 % 8) }, "\(width)×\(height): \(markers)")
        let decoded = try Image(encoded: bytes)
        #expect(decoded.width == width && decoded.height == height)
        var squared = 0.0
        for i in source.pixels.indices { let d = Double(source.pixels[i]) - Double(decoded.pixels[i]); squared += d * d }
        let psnr = 10 * log10(255 * 255 / max(squared / Double(source.pixels.count), 1e-9))
        #expect(psnr > 30, "\(width)×\(height) \(subsampling): PSNR \(psnr) dB")
    }

    /// A PNG may be up to 2²⁴ pixels wide; a JPEG frame states each side in 16 bits. Writing a
    /// wider image as `.jpg` is a one-line error naming the file and the size (it used to trap),
    /// and nothing is written.
    @Test func tooWideForJPEGIsAnErrorNotATrap() throws {
        #expect(JPEG.canHold(width: 65535, height: 1) && !JPEG.canHold(width: 65536, height: 1) && !JPEG.canHold(width: 0, height: 5))
        let wide = Image(width: 70000, height: 2, red: 10, green: 20, blue: 30)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wide-\(UUID().uuidString).jpg")
        #expect {
            try wide.write(to: url)
        } throws: { error in
            let message = "\(error)"
            return message.contains(url.path) && message.contains("70000×2") && message.contains("65535")
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    /// The encoder's numeric core is C compiled per kernel level (AVX-512, AVX2, SSE2, NEON)
    /// without multiply-add contraction: the same image gives the same bytes at every level —
    /// CI runs this suite with each level forced, against this one digest.
    @Test func sameBytesAtEveryKernelLevel() {
        var digest: UInt64 = 0xCBF2_9CE4_8422_2325
        for (quality, subsampling) in [(95, JPEG.ChromaSubsampling.yuv420), (75, .yuv444)] {
            for byte in Self.texturedImage(width: 301, height: 259).jpegData(quality: quality, subsampling: subsampling) {
                digest = (digest ^ UInt64(byte)) &* 0x100_0000_01B3
            }
        }
        #expect(digest == 0xF219_7887_DAF6_44DA, "digest \(String(digest, radix: 16))")
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
