/// A point in image pixel coordinates (x right, y down), as MTCNN and the FFHQ recipe use them.
public typealias FacePoint = SIMD2<Double>

/// One face MTCNN found: its box, its O-Net score and five landmarks.
///
/// Coordinates are MTCNN's: pixel indices, the box inclusive (`x2 − x1 + 1` wide).
/// Landmarks in O-Net's order — `leftEye`, `rightEye`, `nose`, `mouthLeft`, `mouthRight` — where
/// left and right are the image's (the subject's right eye is `leftEye`).
///
/// ```swift
/// let faces = try MTCNN(weightsDirectory: mtcnnFolder).detect(photo)
/// let largest = faces.max { $0.box.area < $1.box.area }
/// print(largest?.landmarks.leftEye ?? "no face")
/// ```
public struct DetectedFace: Sendable, Equatable, Codable {
    public var box: FaceBox
    /// O-Net's face probability.
    public var score: Double
    public var landmarks: FaceLandmarks

    public init(box: FaceBox, score: Double, landmarks: FaceLandmarks) {
        self.box = box
        self.score = score
        self.landmarks = landmarks
    }

    /// The same face in the image this one's was resized from, `scale` photo pixels per pixel
    /// along x and y (detection on a downscaled copy). Pixel edges scale, so a box's last pixel
    /// `x2` maps to `(x2 + 1)·sx − 1` and a point at pixel index `p` to `(p + ½)·sx − ½`.
    public func scaled(by scale: FacePoint) -> DetectedFace {
        let box = FaceBox(x1: self.box.x1 * scale.x, y1: self.box.y1 * scale.y,
                          x2: (self.box.x2 + 1) * scale.x - 1, y2: (self.box.y2 + 1) * scale.y - 1)
        return DetectedFace(box: box, score: score, landmarks: FaceLandmarks(landmarks.points.map { ($0 + 0.5) * scale - 0.5 }))
    }
}

/// An MTCNN box: corners `(x1, y1)`–`(x2, y2)`, inclusive pixel indices.
public struct FaceBox: Sendable, Equatable, Codable {
    public var x1: Double, y1: Double, x2: Double, y2: Double

    public init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
    }

    /// `(x2 − x1 + 1)`, MTCNN's width.
    public var width: Double { x2 - x1 + 1 }
    public var height: Double { y2 - y1 + 1 }
    public var area: Double { width * height }
}

/// The five MTCNN landmarks, in O-Net's order.
public struct FaceLandmarks: Sendable, Equatable, Codable {
    /// `[leftEye, rightEye, nose, mouthLeft, mouthRight]`.
    public var points: [FacePoint]

    public init(_ points: [FacePoint]) {
        precondition(points.count == 5, "FaceLandmarks: \(points.count) points, five needed")
        self.points = points
    }

    /// The eye on the image's left.
    public var leftEye: FacePoint { points[0] }
    public var rightEye: FacePoint { points[1] }
    public var nose: FacePoint { points[2] }
    /// The mouth corner on the image's left.
    public var mouthLeft: FacePoint { points[3] }
    public var mouthRight: FacePoint { points[4] }
}
