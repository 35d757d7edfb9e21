import Faces
import Foundation
import Imaging
import TestSupport
import Testing

/// MTCNN against pSp's `detect_faces` on the same weights (`Scripts/make_faces_fixtures.py`):
/// the same faces, boxes and landmarks within 0.5 px. Both sides resize with PIL's bilinear
/// filter bit for bit and carry boxes in float64, so differences come only from float32
/// summation order in the networks (≈ 1e-6 relative on the regression outputs).
@Suite("MTCNN parity", .enabled(if: FacesFixtures.weightsAvailable, "../shared/data/mtcnn is absent: skipping MTCNN parity"))
struct MTCNNParityTests {
    static let tolerance = 0.5

    @Test("synthetic scenes: several faces at different scales and angles", arguments: FacesFixtures.expected.scenes.keys.sorted())
    func scenes(_ name: String) throws {
        let faces = try #require(FacesFixtures.detector).detect(try FacesFixtures.scene(name))
        let expected = FacesFixtures.expected.scenes[name]!
        try compare(faces, expected, label: name)
        #expect(faces.count == expected.placed, "\(name): \(faces.count) faces found, \(expected.placed!) placed")
    }

    @Test("the photos of ../shared/data/faces", .enabled(if: FacesFixtures.photosAvailable, "../shared/data/faces is absent"),
          arguments: FacesFixtures.expected.photos.keys.sorted())
    func photos(_ name: String) throws {
        let image = try Image(contentsOf: SharedTestData.url("faces/\(name)"))
        let faces = try #require(FacesFixtures.detector).detect(image)
        try compare(faces, FacesFixtures.expected.photos[name]!, label: name)
    }

    private func compare(_ faces: [DetectedFace], _ expected: FacesFixtures.Detections, label: String) throws {
        try #require(faces.count == expected.boxes.count, "\(label): \(faces.count) faces, reference \(expected.boxes.count)")
        var worstBox = 0.0, worstLandmark = 0.0
        for (face, (box, marks)) in zip(faces, zip(expected.boxes, expected.landmarks)) {
            let ours = [face.box.x1, face.box.y1, face.box.x2, face.box.y2]
            worstBox = max(worstBox, zip(ours, box).map { abs($0 - $1) }.max()!)
            for k in 0..<5 {
                worstLandmark = max(worstLandmark, abs(face.landmarks.points[k].x - marks[k]), abs(face.landmarks.points[k].y - marks[k + 5]))
            }
            #expect(abs(face.score - box[4]) < 1e-4, "\(label): score \(face.score) vs \(box[4])")
        }
        print("MTCNN parity \(label): \(faces.count) faces, box max error \(worstBox) px, landmark max error \(worstLandmark) px")
        #expect(worstBox <= Self.tolerance && worstLandmark <= Self.tolerance,
                "\(label): box error \(worstBox) px, landmark error \(worstLandmark) px")
    }
}
