/// Which detections are worth aligning.
///
/// MTCNN at its reference thresholds also returns weak, tiny boxes — on one of the test photos
/// an 18×23-pixel patch of hair at the top edge scores 0.83 beside the real face at 1.0. A face
/// that small cannot make a meaningful 256² or 1024² crop, so the photo-level tools keep faces
/// with a score of at least `minimumScore` and a box side of at least `minimumSide` pixels.
///
/// ```swift
/// let faces = FaceSelection().faces(in: detector.detect(photo))   // largest first
/// let main = faces.first                                            // what --align uses
/// ```
public struct FaceSelection: Sendable, Equatable {
    public var minimumScore: Double
    public var minimumSide: Double

    public init(minimumScore: Double = 0.9, minimumSide: Double = 32) {
        self.minimumScore = minimumScore
        self.minimumSide = minimumSide
    }

    /// The detections that pass, largest box first.
    public func faces(in detections: [DetectedFace]) -> [DetectedFace] {
        detections
            .filter { $0.score >= minimumScore && min($0.box.width, $0.box.height) >= minimumSide }
            .sorted { $0.box.area > $1.box.area }
    }
}
