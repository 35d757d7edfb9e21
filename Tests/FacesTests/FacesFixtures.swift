import Faces
import Foundation
import Imaging
import TestSupport

/// The files `Scripts/make_faces_fixtures.py` writes, and the shared MTCNN weights.
enum FacesFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var weightsAvailable: Bool { SharedTestData.exists("mtcnn/pnet.npy") }
    static var photosAvailable: Bool { SharedTestData.exists("faces") && weightsAvailable }

    /// What pSp's `detect_faces` returned: rows `(x1, y1, x2, y2, score)` and `(x1…x5, y1…y5)`.
    struct Detections: Decodable {
        let boxes: [[Double]]
        let landmarks: [[Double]]
        let placed: Int?
    }
    struct Expected: Decodable {
        let photos: [String: Detections]
        let scenes: [String: Detections]
    }
    struct AlignmentCase: Decodable {
        let source: String
        let points: [[Double]]
        let outputSize: Int
        let transformSize: Int
        let crop: String
    }

    static let expected: Expected = try! JSONDecoder().decode(
        Expected.self, from: Data(contentsOf: directory.appendingPathComponent("mtcnn_expected.json")))
    static let alignmentCases: [AlignmentCase] = try! JSONDecoder().decode(
        [AlignmentCase].self, from: Data(contentsOf: directory.appendingPathComponent("alignment_expected.json")))

    /// One detector for the whole test run (loading is cheap; the networks are stateless).
    nonisolated(unsafe) static let detector: MTCNN? = weightsAvailable
        ? try? MTCNN(weightsDirectory: SharedTestData.url("mtcnn")) : nil

    static func scene(_ name: String) throws -> Image {
        try Image(contentsOf: directory.appendingPathComponent("mtcnn_scenes/\(name).jpg"))
    }
}
