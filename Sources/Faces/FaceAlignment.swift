import Foundation
import Imaging

/// FFHQ alignment (ffhq-dataset `recreate_aligned_images`) from MTCNN's five points: eye centres
/// and mouth corners give an oriented square around the face; the photo is shrunk when the face
/// is much larger than the output, cropped with a border, padded by blurred reflection where the
/// square leaves it, warped (PIL `QUAD`, bilinear) to `transformSize²` and, when that is larger,
/// resized to the output with Lanczos.
///
/// Every step is PIL's or numpy's arithmetic (`Image.resized` is PIL-exact; the blur is scipy's
/// `gaussian_filter` in mode `reflect`), so the crop matches the Python recipe within a level.
///
/// ```swift
/// let faces = detector.detect(photo)
/// let aligned = try FaceAlignment.align(photo, landmarks: faces[0].landmarks, outputSize: 1024)
/// ```
public enum FaceAlignment {
    /// FFHQ's oriented square for five points: `quad` (top-left, bottom-left, bottom-right,
    /// top-right) and its side `qsize`.
    public static func quad(for landmarks: FaceLandmarks) -> (quad: [FacePoint], size: Double) {
        let eyeAverage = (landmarks.leftEye + landmarks.rightEye) * 0.5
        let eyeToEye = landmarks.rightEye - landmarks.leftEye
        let mouthAverage = (landmarks.mouthLeft + landmarks.mouthRight) * 0.5
        let eyeToMouth = mouthAverage - eyeAverage
        // x: the face's horizontal axis, from eye-to-eye and the perpendicular of eye-to-mouth.
        var x = eyeToEye - FacePoint(-eyeToMouth.y, eyeToMouth.x)
        x /= hypot(x.x, x.y)
        x *= max(hypot(eyeToEye.x, eyeToEye.y) * 2.0, hypot(eyeToMouth.x, eyeToMouth.y) * 1.8)
        let y = FacePoint(-x.y, x.x)
        let centre = eyeAverage + eyeToMouth * 0.1
        return ([centre - x - y, centre - x + y, centre + x + y, centre + x - y], hypot(x.x, x.y) * 2)
    }

    /// The aligned crop of the face with these landmarks.
    /// - Parameters:
    ///   - outputSize: the crop's side (1024 for FFHQ generators, 256 for the encoder's input).
    ///   - transformSize: the warp's resolution before the antialiased resize; default
    ///     `4 × outputSize` up to 4096 (FFHQ warps to 4096 for 1024; pSp's script warps straight
    ///     to 256, which is `transformSize: outputSize`).
    public static func align(_ photo: Image, landmarks: FaceLandmarks, outputSize: Int = 1024, transformSize: Int? = nil,
                             face: DetectedFace? = nil) throws -> AlignedFace {
        guard outputSize > 0 else { throw FacesError.sizeMismatch("alignment output size \(outputSize)") }
        guard landmarks.points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
            throw FacesError.invalidLandmarks("non-finite coordinates \(landmarks.points)")
        }
        let transformSize = transformSize ?? max(outputSize, min(4 * outputSize, 4096))
        var (quad, qsize) = Self.quad(for: landmarks)
        let transform = AlignmentTransform(quad: quad, outputSize: outputSize)
        guard qsize > 1 else { throw FacesError.invalidLandmarks("the face is smaller than a pixel") }
        var image = photo

        // Shrink, then crop with a border. The crop box depends only on the quad, so the shrunk
        // photo is computed for that box alone (the same bytes as shrinking all of it).
        let shrink = Int((qsize / Double(outputSize) * 0.5).rounded(.down))
        var shrunk = (width: photo.width, height: photo.height)
        if shrink > 1 {
            shrunk = (max(1, Int((Double(photo.width) / Double(shrink)).rounded(.toNearestOrEven))),
                      max(1, Int((Double(photo.height) / Double(shrink)).rounded(.toNearestOrEven))))
            quad = quad.map { $0 / Double(shrink) }
            qsize /= Double(shrink)
        }
        let border = max(Int((qsize * 0.1).rounded(.toNearestOrEven)), 3)
        func bounds() -> (Int, Int, Int, Int) {
            (Int(quad.map(\.x).min()!.rounded(.down)), Int(quad.map(\.y).min()!.rounded(.down)),
             Int(quad.map(\.x).max()!.rounded(.up)), Int(quad.map(\.y).max()!.rounded(.up)))
        }
        var crop = bounds()
        crop = (max(crop.0 - border, 0), max(crop.1 - border, 0), min(crop.2 + border, shrunk.width), min(crop.3 + border, shrunk.height))
        let cropping = crop.2 - crop.0 < shrunk.width || crop.3 - crop.1 < shrunk.height
        if cropping {
            guard crop.2 > crop.0 && crop.3 > crop.1 else { throw FacesError.invalidLandmarks("the face lies outside the photo") }
            let region = (x: crop.0, y: crop.1, width: crop.2 - crop.0, height: crop.3 - crop.1)
            image = shrink > 1 ? photo.resized(width: shrunk.width, height: shrunk.height, filter: .lanczos, region: region)
                               : try photo.cropped(x: region.x, y: region.y, width: region.width, height: region.height)
            quad = quad.map { $0 - FacePoint(Double(crop.0), Double(crop.1)) }
        } else if shrink > 1 {
            image = photo.resized(width: shrunk.width, height: shrunk.height, filter: .lanczos)
        }

        // Pad with a blurred reflection.
        let q = bounds()
        var pad = (max(-q.0 + border, 0), max(-q.1 + border, 0), max(q.2 - image.width + border, 0), max(q.3 - image.height + border, 0))
        if max(pad.0, pad.1, pad.2, pad.3) > border - 4 {
            let least = Int((qsize * 0.3).rounded(.toNearestOrEven))
            pad = (max(pad.0, least), max(pad.1, least), max(pad.2, least), max(pad.3, least))
            image = ReflectionPadding.padded(image, left: pad.0, top: pad.1, right: pad.2, bottom: pad.3, blur: qsize * 0.02)
            quad = quad.map { $0 + FacePoint(Double(pad.0), Double(pad.1)) }
        }

        // Warp, then the antialiased resize.
        var aligned = QuadWarp.warp(image, quad: quad.map { $0 + 0.5 }, size: transformSize)
        if outputSize < transformSize { aligned = aligned.resized(width: outputSize, height: outputSize, filter: .lanczos) }
        return AlignedFace(image: aligned, transform: transform, face: face)
    }

    /// The face `detect` found, aligned.
    public static func align(_ photo: Image, face: DetectedFace, outputSize: Int = 1024, transformSize: Int? = nil) throws -> AlignedFace {
        try align(photo, landmarks: face.landmarks, outputSize: outputSize, transformSize: transformSize, face: face)
    }
}
