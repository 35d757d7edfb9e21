import Faces
import Foundation
import Imaging
import TestSupport
import Testing

/// FFHQ alignment against the NumPy/PIL transcription of `recreate_aligned_images` in
/// `Scripts/make_faces_fixtures.py`, given the same five points: cases that shrink the photo,
/// pad it with blurred reflection, roll the face, and skip the final resize.
/// Bound: 1/255 (one level) per channel — the warp and resizes are PIL-exact, the float32 blend
/// of the padding may round the other way where numpy's float64 intermediates differ.
/// Cases cut from ../shared/data/faces are left out when that folder is absent; the scene case
/// always runs.
@Suite("FFHQ alignment parity")
struct AlignmentParityTests {
    static let available = FacesFixtures.alignmentCases.indices.filter {
        let source = FacesFixtures.alignmentCases[$0].source
        return source.hasPrefix("scene:") || SharedTestData.exists("faces/\(source)")
    }

    @Test(arguments: available)
    func matchesRecipe(_ index: Int) throws {
        let record = FacesFixtures.alignmentCases[index]
        let photo: Image
        if record.source.hasPrefix("scene:") {
            photo = try FacesFixtures.scene(String(record.source.dropFirst(6)))
        } else {
            photo = try Image(contentsOf: SharedTestData.url("faces/\(record.source)"))
        }
        let landmarks = FaceLandmarks(record.points.map { FacePoint($0[0], $0[1]) })
        let aligned = try FaceAlignment.align(photo, landmarks: landmarks, outputSize: record.outputSize,
                                              transformSize: record.transformSize)
        let expected = try Image(contentsOf: FacesFixtures.directory.appendingPathComponent(record.crop))
        #expect(aligned.image.width == expected.width && aligned.image.height == expected.height)
        let differences = zip(aligned.image.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }
        let maximum = differences.max() ?? 0
        let unequal = differences.filter { $0 != 0 }.count
        print("alignment parity \(record.source) → \(record.outputSize)² via \(record.transformSize)²: max error \(maximum)/255, \(unequal) of \(differences.count) values differ")
        #expect(maximum <= 1, "\(record.source): max error \(maximum)/255")
    }
}
