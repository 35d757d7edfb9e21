/// Cropping and mirroring.
///
/// ```swift
/// let left = try photo.cropped(x: 0, y: 0, width: photo.width / 2, height: photo.height)
/// let mirrored = photo.flippedHorizontally()
/// ```
extension Image {
    /// The `width × height` rectangle whose top-left pixel is (`x`, `y`).
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> Image {
        guard x >= 0, y >= 0, w >= 0, h >= 0, x + w <= width, y + h <= height else {
            throw ImagingError.invalidArgument("crop \(w)×\(h) at (\(x), \(y)) is outside the \(width)×\(height) image")
        }
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for row in 0..<h {
            let source = ((y + row) * width + x) * 3
            out[(row * w * 3)..<((row + 1) * w * 3)] = pixels[source..<(source + w * 3)]
        }
        return Image(width: w, height: h, pixels: out)
    }

    /// The mirror image (left and right swapped), as used for flip augmentation.
    public func flippedHorizontally() -> Image {
        var out = pixels
        for y in 0..<height {
            for x in 0..<width {
                let o = (y * width + x) * 3, s = (y * width + width - 1 - x) * 3
                out[o] = pixels[s]; out[o + 1] = pixels[s + 1]; out[o + 2] = pixels[s + 2]
            }
        }
        return Image(width: width, height: height, pixels: out)
    }

    /// The central `width × height` region, placed as torchvision's `CenterCrop` does:
    /// offsets `round((H − h) / 2)`, `round((W − w) / 2)` with Python's round-half-to-even.
    ///
    /// ```swift
    /// let face = try photo.centerCropped(width: 256, height: 256)
    /// ```
    public func centerCropped(width w: Int, height h: Int) throws -> Image {
        let top = Int((Double(height - h) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(width - w) / 2).rounded(.toNearestOrEven))
        return try cropped(x: left, y: top, width: w, height: h)
    }
}
