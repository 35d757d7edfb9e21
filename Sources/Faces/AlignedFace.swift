import Imaging

/// An FFHQ-aligned face: the crop and where it came from.
///
/// ```swift
/// let aligned = try FaceAlignment.align(photo, landmarks: face.landmarks)
/// try aligned.image.write(to: URL(fileURLWithPath: "face.png"))
/// ```
public struct AlignedFace: Sendable {
    public var image: Imaging.Image
    public var transform: AlignmentTransform
    /// The detection it was aligned from, when it came from `MTCNN`.
    public var face: DetectedFace?

    public init(image: Imaging.Image, transform: AlignmentTransform, face: DetectedFace? = nil) {
        self.image = image
        self.transform = transform
        self.face = face
    }
}
