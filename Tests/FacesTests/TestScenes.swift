import Foundation
import Imaging

/// Procedural backgrounds for the tests: smooth colour waves, no face-like structure.
enum TestScenes {
    static func background(width: Int, height: Int, seed: Double = 1) -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let u = Double(x) / Double(max(width, 1)), v = Double(y) / Double(max(height, 1))
                let o = (y * width + x) * 3
                pixels[o] = UInt8(110 + 60 * sin(6.1 * u * seed + 2 * v))
                pixels[o + 1] = UInt8(120 + 50 * cos(4.3 * v + 3 * u * seed))
                pixels[o + 2] = UInt8(100 + 70 * sin(3.7 * (u + v) + seed))
            }
        }
        return Image(width: width, height: height, pixels: pixels)
    }

    /// The image's luminance as grey RGB (what a greyscale JPEG decodes to).
    static func greyscale(_ image: Image) -> Image {
        var pixels = image.pixels
        for i in 0..<(image.width * image.height) {
            let r = Int(pixels[3 * i]), g = Int(pixels[3 * i + 1]), b = Int(pixels[3 * i + 2])
            let l = UInt8((r * 299 + g * 587 + b * 114 + 500) / 1000)
            pixels[3 * i] = l; pixels[3 * i + 1] = l; pixels[3 * i + 2] = l
        }
        return Image(width: image.width, height: image.height, pixels: pixels)
    }

    /// PSNR in dB between two images of one size, on 8-bit values, leaving out `border` pixels
    /// on each side.
    static func psnr(_ a: Image, _ b: Image, border: Int = 0) -> Double {
        var total = 0.0, count = 0
        for y in border..<(a.height - border) {
            for x in border..<(a.width - border) {
                let o = (y * a.width + x) * 3
                for c in 0..<3 { total += pow(Double(a.pixels[o + c]) - Double(b.pixels[o + c]), 2) }
                count += 3
            }
        }
        let mse = total / Double(count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
