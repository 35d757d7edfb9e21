/// Reads the EXIF orientation (TIFF tag 0x0112) from a JPEG APP1 segment and applies it.
///
/// The eight values say how the stored pixels must be turned to display upright; `apply`
/// performs exactly what PIL's `ImageOps.exif_transpose` does for each.
///
/// ```swift
/// let upright = ExifOrientation.apply(6, width: w, height: h, channels: 3, pixels: pixels)  // turned 90° clockwise
/// ```
public enum ExifOrientation {
    /// The orientation in an APP1 payload (starting "Exif\0\0"), or nil if absent or malformed.
    public static func parse(_ data: [UInt8]) -> Int? {
        guard data.count >= 14, Array(data[0..<6]) == [0x45, 0x78, 0x69, 0x66, 0, 0] else { return nil }
        let tiff = Array(data[6...])
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for i in 0..<count {
            let entry = ifd + 2 + 12 * i
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112, let type = u16(entry + 2), type == 3, let value = u16(entry + 8), (1...8).contains(value) {
                return value
            }
        }
        return nil
    }

    /// Pixels turned upright: returns the new width, height and pixels.
    public static func apply(_ orientation: Int, width: Int, height: Int, channels: Int, pixels: [UInt8]) -> (width: Int, height: Int, pixels: [UInt8]) {
        guard (2...8).contains(orientation) else { return (width, height, pixels) }
        let swaps = orientation >= 5
        let outWidth = swaps ? height : width, outHeight = swaps ? width : height
        var out = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                // Source pixel of output (x, y) for each of PIL's transposes.
                let (sx, sy): (Int, Int)
                switch orientation {
                case 2: (sx, sy) = (width - 1 - x, y)               // FLIP_LEFT_RIGHT
                case 3: (sx, sy) = (width - 1 - x, height - 1 - y)  // ROTATE_180
                case 4: (sx, sy) = (x, height - 1 - y)              // FLIP_TOP_BOTTOM
                case 5: (sx, sy) = (y, x)                           // TRANSPOSE
                case 6: (sx, sy) = (y, height - 1 - x)              // ROTATE_270 (90° clockwise)
                case 7: (sx, sy) = (width - 1 - y, height - 1 - x)  // TRANSVERSE
                default: (sx, sy) = (width - 1 - y, x)              // ROTATE_90 (90° anticlockwise)
                }
                let o = (y * outWidth + x) * channels, s = (sy * width + sx) * channels
                for c in 0..<channels { out[o + c] = pixels[s + c] }
            }
        }
        return (outWidth, outHeight, out)
    }
}
