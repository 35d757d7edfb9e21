import Foundation
import Imaging
import Testing

@Suite("Resampling")
struct ResamplingTests {
    /// Pillow's fixed-point separable resampling is reproduced exactly: downscales (antialiased),
    /// upscales, one axis only, for BILINEAR, BICUBIC and LANCZOS.
    @Test(arguments: Fixtures.manifest.resize.indices)
    func matchesPILResize(_ index: Int) throws {
        let entry = Fixtures.manifest.resize[index]
        let filter: ResamplingFilter = ["bilinear": .bilinear, "bicubic": .bicubic, "lanczos": .lanczos][entry.filter]!
        let source = try Image(contentsOf: Fixtures.url(entry.source))
        let resized = source.resized(width: entry.width, height: entry.height, filter: filter)
        let difference = PixelDifference(resized.pixels, try Fixtures.bytes(entry.rgb))
        #expect(difference.maximum == 0, "\(entry.width)×\(entry.height) \(entry.filter): \(difference)")
    }

    @Test func shorterSideKeepsAspectLikeTorchvision() {
        let wide = Image(width: 1024, height: 768), tall = Image(width: 37, height: 29).resized(width: 29, height: 37)
        let a = wide.resized(shorterSide: 256), b = tall.resized(shorterSide: 16)
        #expect(a.width == 341 && a.height == 256)  // int(256 · 1024 / 768) = 341
        #expect(b.width == 16 && b.height == 20)    // int(16 · 37 / 29) = 20
    }

    @Test func sameSizeIsIdentity() throws {
        let source = try Image(contentsOf: Fixtures.url("resize_source.png"))
        #expect(source.resized(width: source.width, height: source.height) == source)
    }
}

@Suite("Image operations")
struct ImageOperationTests {
    let image = Image(width: 3, height: 2, pixels: Array(0..<18))

    @Test func cropTakesTheRectangle() throws {
        let crop = try image.cropped(x: 1, y: 1, width: 2, height: 1)
        #expect(crop.pixels == [12, 13, 14, 15, 16, 17])
        #expect(throws: ImagingError.self) { try image.cropped(x: 2, y: 0, width: 2, height: 1) }
    }

    @Test func centerCropRoundsHalfToEvenLikeTorchvision() throws {
        let square = Image(width: 5, height: 5, pixels: (0..<75).map { UInt8($0) })
        // (5 − 2) / 2 = 1.5 rounds to 2 under Python's round; (5 − 3) / 2 = 1.
        #expect(try square.centerCropped(width: 2, height: 3)[0, 0] == square[2, 1])
        #expect(throws: ImagingError.self) { try square.centerCropped(width: 6, height: 1) }
    }

    @Test func horizontalFlipMirrorsRows() {
        #expect(image.flippedHorizontally().pixels == [6, 7, 8, 3, 4, 5, 0, 1, 2, 15, 16, 17, 12, 13, 14, 9, 10, 11])
        #expect(image.flippedHorizontally().flippedHorizontally() == image)
    }

    @Test func gridPlacesCellsWithMargins() throws {
        let red = Image(width: 2, height: 2, red: 255), blue = Image(width: 2, height: 2, blue: 255)
        let sheet = try ImageGrid.make(rows: [[red, blue], [blue]], margin: 1, background: (0, 0, 0))
        #expect(sheet.width == 7 && sheet.height == 7)
        #expect(sheet[1, 1] == (255, 0, 0) && sheet[2, 2] == (255, 0, 0) && sheet[3, 1] == (0, 0, 0))
        #expect(sheet[4, 1] == (0, 0, 255) && sheet[1, 4] == (0, 0, 255) && sheet[4, 4] == (0, 0, 0))
        #expect(throws: ImagingError.self) { try ImageGrid.make(rows: [[red, Image(width: 3, height: 2)]]) }
    }
}
