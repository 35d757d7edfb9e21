import Foundation
import Imaging

/// Where an aligned crop sits in its photo: the oriented square (FFHQ's `quad`) in photo pixel
/// coordinates, corners in PIL's `QUAD` order — top-left, bottom-left, bottom-right, top-right of
/// the crop.
///
/// The map is affine (the quad is a rotated square): crop point `(X, Y)` in continuous
/// coordinates (pixel `i` spans `[i, i + 1)`) lands on photo point
/// `topLeft + ½ + (topRight − topLeft)·X/S + (bottomLeft − topLeft)·Y/S`, S the crop side — the
/// `quad + 0.5` the recipe hands to PIL.
///
/// ```swift
/// let aligned = try FaceAlignment.align(photo, landmarks: face.landmarks, outputSize: 256)
/// let noseInPhoto = aligned.transform.photoPoint(fromCrop: FacePoint(128, 150))
/// ```
public struct AlignmentTransform: Sendable, Equatable, Codable {
    /// `[topLeft, bottomLeft, bottomRight, topRight]` of the crop, in photo pixel coordinates.
    public var quad: [FacePoint]
    /// The crop's side in pixels.
    public var outputSize: Int

    public init(quad: [FacePoint], outputSize: Int) {
        precondition(quad.count == 4, "AlignmentTransform: a quad has four corners, not \(quad.count)")
        self.quad = quad
        self.outputSize = outputSize
    }

    /// Photo displacement per crop pixel along the crop's x and y.
    var axes: (x: FacePoint, y: FacePoint) {
        let side = Double(outputSize)
        return ((quad[3] - quad[0]) / side, (quad[1] - quad[0]) / side)
    }

    /// Continuous crop coordinates → continuous photo coordinates.
    public func photoPoint(fromCrop point: FacePoint) -> FacePoint {
        let (ax, ay) = axes
        return quad[0] + 0.5 + ax * point.x + ay * point.y
    }

    /// Continuous photo coordinates → continuous crop coordinates (the inverse map).
    public func cropPoint(fromPhoto point: FacePoint) -> FacePoint {
        let (ax, ay) = axes
        let d = point - quad[0] - 0.5
        let determinant = ax.x * ay.y - ax.y * ay.x
        return FacePoint((d.x * ay.y - d.y * ay.x) / determinant, (ax.x * d.y - ax.y * d.x) / determinant)
    }

    /// Photo pixels per crop pixel.
    public var scale: Double { (axes.x.x * axes.x.x + axes.x.y * axes.x.y).squareRoot() }

    /// The crop's rotation in the photo, in degrees (positive: the face's up direction turned
    /// clockwise in the photo).
    public var rotationDegrees: Double { atan2(axes.x.y, axes.x.x) * 180 / .pi }
}
