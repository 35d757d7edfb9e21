import CPUKernels
import Foundation
import Imaging

/// Puts an edited or reconstructed aligned face back into its photo at full resolution: the
/// crop is warped by the inverse of its `AlignmentTransform` (bilinear) and blended through a
/// feathered mask of the face region.
///
/// The mask is 1 inside an ellipse inscribed in the crop (shrunk by `feather`) and falls to 0
/// smoothly (a cosine ramp, `feather` of the crop side wide) towards the crop's edge, so the
/// seam is spread over many photo pixels. Photo pixels where the mask is 0 — everything outside
/// the ellipse, and outside the crop's quad — are copied unchanged, bit for bit.
///
/// ```swift
/// let aligned = try FaceAlignment.align(photo, face: face, outputSize: 1024)
/// let edited: Image = …                                  // the model's output for the crop
/// let result = try PasteBack.paste(edited, into: photo, transform: aligned.transform)
/// ```
public enum PasteBack {
    /// Feathering settings.
    public struct Options: Sendable, Equatable {
        /// Half-axes of the blended ellipse as fractions of the crop side (FFHQ crops: the face
        /// and hair sit well inside 0.4 × 0.45).
        public var radii: (x: Double, y: Double) = (0.42, 0.46)
        /// Width of the ramp from 1 to 0, as a fraction of the crop side.
        public var feather: Double = 0.08

        public init() {}
        public static func == (a: Self, b: Self) -> Bool { a.radii == b.radii && a.feather == b.feather }
    }

    /// The mask weight at continuous crop point `(u, v)` of a crop of side `size`.
    public static func maskWeight(cropPoint point: FacePoint, size: Int, options: Options = Options()) -> Double {
        let side = Double(size)
        let nx = (point.x / side - 0.5) / options.radii.x, ny = (point.y / side - 0.5) / options.radii.y
        // Distance outside the inner ellipse, in crop-side units along the ellipse's normal (approx.).
        let r = (nx * nx + ny * ny).squareRoot()
        let innerRadius = 1 - options.feather / min(options.radii.x, options.radii.y)
        if r <= innerRadius { return 1 }
        if r >= 1 { return 0 }
        let t = (r - innerRadius) / (1 - innerRadius)
        return 0.5 * (1 + cos(t * .pi))
    }

    /// `photo` with `crop` blended in where `transform` says the crop came from. The crop may be
    /// any size (a 256² reconstruction of a 1024² alignment): it is sampled by its own scale.
    public static func paste(_ crop: Image, into photo: Image, transform: AlignmentTransform,
                             options: Options = Options()) throws -> Image {
        guard crop.width == crop.height, crop.width > 0 else {
            throw FacesError.sizeMismatch("paste-back: the face is \(crop.width)×\(crop.height), not square")
        }
        // Continuous crop coordinates of the transform's size → of this crop's size.
        let ratio = Double(crop.width) / Double(transform.outputSize)
        let corners = transform.quad
        let xs = corners.map(\.x), ys = corners.map(\.y)
        let x0 = max(Int(xs.min()!.rounded(.down)) - 1, 0), x1 = min(Int(xs.max()!.rounded(.up)) + 1, photo.width)
        let y0 = max(Int(ys.min()!.rounded(.down)) - 1, 0), y1 = min(Int(ys.max()!.rounded(.up)) + 1, photo.height)
        var result = photo.pixels
        guard x1 > x0 && y1 > y0 else { return photo }
        let size = crop.width
        crop.pixels.withUnsafeBufferPointer { face in
            result.withUnsafeMutableBufferPointer { target in
                let out = SharedPointer(target.baseAddress!)
                Parallel.forRanges(count: y1 - y0, minimumPerThread: 16) { rows in
                    for y in rows.lowerBound + y0..<rows.upperBound + y0 {
                        for x in x0..<x1 {
                            let c = transform.cropPoint(fromPhoto: FacePoint(Double(x) + 0.5, Double(y) + 0.5)) * ratio
                            let weight = maskWeight(cropPoint: c, size: size, options: options)
                            guard weight > 0 else { continue }
                            let sample = bilinear(face, size: size, x: c.x - 0.5, y: c.y - 0.5)
                            let o = (y * photo.width + x) * 3
                            for k in 0..<3 {
                                let blended = Double(out[o + k]) * (1 - weight) + sample[k] * weight
                                out[o + k] = UInt8(min(max(blended.rounded(), 0), 255))
                            }
                        }
                    }
                }
            }
        }
        return Image(width: photo.width, height: photo.height, pixels: result)
    }

    /// Every face of one photo pasted in turn (later faces over earlier ones where they overlap).
    public static func paste(_ faces: [(crop: Image, transform: AlignmentTransform)], into photo: Image,
                             options: Options = Options()) throws -> Image {
        try faces.reduce(photo) { try paste($1.crop, into: $0, transform: $1.transform, options: options) }
    }

    /// Bilinear sample at pixel-index coordinates, edges clamped.
    private static func bilinear(_ pixels: UnsafeBufferPointer<UInt8>, size: Int, x: Double, y: Double) -> SIMD3<Double> {
        let fx = x.rounded(.down), fy = y.rounded(.down)
        let dx = x - fx, dy = y - fy
        func clamp(_ v: Int) -> Int { min(max(v, 0), size - 1) }
        let ix0 = clamp(Int(fx)), ix1 = clamp(Int(fx) + 1), iy0 = clamp(Int(fy)), iy1 = clamp(Int(fy) + 1)
        func pixel(_ px: Int, _ py: Int) -> SIMD3<Double> {
            let o = (py * size + px) * 3
            return SIMD3(Double(pixels[o]), Double(pixels[o + 1]), Double(pixels[o + 2]))
        }
        let top = pixel(ix0, iy0) * (1 - dx) + pixel(ix1, iy0) * dx
        let bottom = pixel(ix0, iy1) * (1 - dx) + pixel(ix1, iy1) * dx
        return top * (1 - dy) + bottom * dy
    }
}
