import FileAccess
import Foundation

/// An 8-bit RGB image: `width × height` pixels, row-major, 3 bytes per pixel.
///
/// Loading sniffs PNG or JPEG from the first bytes. Grey images are expanded to RGB and alpha is
/// dropped (not composited), as PIL's `Image.open(path).convert("RGB")` does; 16-bit PNG samples
/// keep their high byte. JPEG EXIF orientation is applied unless asked not to (PIL's `open`
/// does not apply it; `ImageOps.exif_transpose` does).
///
/// ```swift
/// let photo = try Image(contentsOf: URL(fileURLWithPath: "face.jpg"))
/// let small = photo.resized(width: 256, height: 256)          // PIL BILINEAR, antialiased
/// try small.write(to: URL(fileURLWithPath: "face_256.png"))  // format from the extension
/// ```
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width · height · 3` bytes: R, G, B of each pixel, rows top to bottom.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "Image: \(pixels.count) bytes do not fill \(width)×\(height) RGB")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one colour.
    public init(width: Int, height: Int, red: UInt8 = 0, green: UInt8 = 0, blue: UInt8 = 0) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { pixels[3 * i] = red; pixels[3 * i + 1] = green; pixels[3 * i + 2] = blue }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Reads a PNG or JPEG file; errors name the file.
    public init(contentsOf url: URL, applyingOrientation: Bool = true) throws {
        if let problem = FileKind.problemReading(url.path) {
            throw ImagingError.file(path: url.path, underlying: .invalidArgument(problem))
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImagingError.file(path: url.path, underlying: .invalidArgument("cannot read the file"))
        }
        let bytes = [UInt8](data)
        self = try ImagingError.naming(url.path) { try Image(encoded: bytes, applyingOrientation: applyingOrientation) }
    }

    /// Decodes PNG or JPEG bytes, chosen by their magic number.
    public init(encoded bytes: [UInt8], applyingOrientation: Bool = true) throws {
        if bytes.starts(with: PNG.signature) {
            self.init(try PNG.decode(bytes))
        } else if bytes.starts(with: [0xFF, 0xD8]) {
            let raster = try JPEG.decode(bytes)
            var rgb = raster.pixels
            if raster.channels == 1 {
                rgb = [UInt8](repeating: 0, count: raster.pixels.count * 3)
                for (i, v) in raster.pixels.enumerated() { rgb[3 * i] = v; rgb[3 * i + 1] = v; rgb[3 * i + 2] = v }
            }
            if applyingOrientation && raster.orientation != 1 {
                let turned = ExifOrientation.apply(raster.orientation, width: raster.width, height: raster.height, channels: 3, pixels: rgb)
                self.init(width: turned.width, height: turned.height, pixels: turned.pixels)
            } else {
                self.init(width: raster.width, height: raster.height, pixels: rgb)
            }
        } else {
            throw ImagingError.unknownFormat("not PNG or JPEG (first bytes \(bytes.prefix(4).map { String($0, radix: 16) }))")
        }
    }

    /// RGB from any PNG raster: grey replicated, alpha dropped, 16-bit reduced to the high byte.
    public init(_ raster: PNGRaster) {
        let count = raster.width * raster.height
        let shift: UInt16 = raster.bitDepth == 16 ? 8 : 0
        var rgb = [UInt8](repeating: 0, count: count * 3)
        let channels = raster.channels
        raster.samples.withUnsafeBufferPointer { s in
            for i in 0..<count {
                let base = i * channels
                if channels >= 3 {
                    for c in 0..<3 { rgb[3 * i + c] = UInt8(truncatingIfNeeded: s[base + c] >> shift) }
                } else {
                    let v = UInt8(truncatingIfNeeded: s[base] >> shift)
                    rgb[3 * i] = v; rgb[3 * i + 1] = v; rgb[3 * i + 2] = v
                }
            }
        }
        self.init(width: raster.width, height: raster.height, pixels: rgb)
    }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let o = (y * width + x) * 3
        return (pixels[o], pixels[o + 1], pixels[o + 2])
    }

    /// PNG file bytes (8-bit RGB).
    public func pngData() -> [UInt8] { PNG.encode(width: width, height: height, channels: 3, pixels: pixels) }

    /// Baseline JPEG file bytes (each side at most `JPEG.maximumSide`: see `JPEG.canHold`).
    public func jpegData(quality: Int = 95, subsampling: JPEG.ChromaSubsampling = .yuv420) -> [UInt8] {
        JPEG.encode(width: width, height: height, pixels: pixels, quality: quality, subsampling: subsampling)
    }

    /// Writes PNG (`.png`) or JPEG (`.jpg`, `.jpeg`) by extension, to a temporary file renamed into place.
    public func write(to url: URL, jpegQuality: Int = 95) throws {
        let bytes: [UInt8]
        switch url.pathExtension.lowercased() {
        case "png": bytes = pngData()
        case "jpg", "jpeg":
            guard JPEG.canHold(width: width, height: height) else {
                throw ImagingError.file(path: url.path, underlying: .jpeg(
                    "cannot hold \(width)×\(height) pixels (a side is at most \(JPEG.maximumSide)); write .png instead"))
            }
            bytes = jpegData(quality: jpegQuality)
        default: throw ImagingError.file(path: url.path, underlying: .unknownFormat("extension '.\(url.pathExtension)' (use .png, .jpg or .jpeg)"))
        }
        do { try AtomicFile.write(bytes, to: url) } catch let failure as AtomicFile.Failure {
            throw ImagingError.file(path: url.path, underlying: .invalidArgument(failure.reason))
        }
    }
}
