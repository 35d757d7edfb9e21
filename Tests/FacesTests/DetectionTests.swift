import Faces
import Foundation
import Imaging
import TestSupport
import Testing

/// Detection on real photos and on awkward inputs: no face, tiny faces, many faces, extreme
/// aspect ratios, greyscale, EXIF rotation.
@Suite("Face detection", .enabled(if: FacesFixtures.photosAvailable, "../shared/data (faces, mtcnn) is absent: skipping detection tests"))
struct DetectionTests {
    var detector: MTCNN { FacesFixtures.detector! }

    static let photos = ["celebahq_00044.jpg", "celebahq_00051.jpg", "celebahq_00085.jpg", "celebahq_00247.jpg", "celebahq_00251.jpg",
                         "celebahq_00418.jpg", "celebahq_00467.jpg", "celebahq_00511.jpg", "sp_input_0.jpg", "sp_input_1.jpg"]

    static func photo(_ name: String) throws -> Image { try Image(contentsOf: SharedTestData.url("faces/\(name)")) }

    /// Eyes level-ish and apart, nose between and below them, mouth below the nose, all inside
    /// the box.
    static func expectPlausible(_ face: DetectedFace, _ label: String) {
        let l = face.landmarks
        let eyeDistance = l.rightEye.x - l.leftEye.x
        #expect(eyeDistance > 0.2 * face.box.width && eyeDistance < 0.7 * face.box.width, "\(label): eyes \(eyeDistance) px apart in a \(face.box.width)-px box")
        #expect(l.nose.y > max(l.leftEye.y, l.rightEye.y) && l.nose.x > l.leftEye.x && l.nose.x < l.rightEye.x, "\(label): nose \(l.nose)")
        #expect(min(l.mouthLeft.y, l.mouthRight.y) > l.nose.y && l.mouthLeft.x < l.mouthRight.x, "\(label): mouth \(l.mouthLeft) \(l.mouthRight)")
        for p in l.points {
            #expect(p.x >= face.box.x1 && p.x <= face.box.x2 && p.y >= face.box.y1 && p.y <= face.box.y2, "\(label): \(p) outside the box")
        }
    }

    @Test("each photo: exactly one face worth aligning, with plausible landmarks", arguments: photos)
    func oneFacePerPhoto(_ name: String) throws {
        let faces = FaceSelection().faces(in: detector.detect(try Self.photo(name)))
        try #require(faces.count == 1, "\(name): \(faces.count) faces")
        Self.expectPlausible(faces[0], name)
    }

    @Test("a photo with no face gives no detection")
    func noFace() {
        #expect(detector.detect(TestScenes.background(width: 640, height: 480)).isEmpty)
        #expect(detector.detect(Image(width: 300, height: 200, red: 128, green: 128, blue: 128)).isEmpty)
    }

    @Test("images too small for P-Net, and tiny faces, give nothing and do not crash")
    func tiny() throws {
        #expect(detector.detect(Image(width: 1, height: 1)).isEmpty)
        #expect(detector.detect(Image(width: 11, height: 300)).isEmpty)
        let face = try Self.photo("celebahq_00051.jpg").resized(width: 14, height: 14)
        let canvas = try PasteBack.paste(face, into: TestScenes.background(width: 200, height: 160), transform: Self.placement(x: 90, y: 70, side: 14, angle: 0), options: Self.wholeSquare)
        #expect(FaceSelection().faces(in: detector.detect(canvas)).isEmpty)
    }

    @Test("many faces in one photo: each found once")
    func manyFaces() throws {
        var canvas = TestScenes.background(width: 720, height: 520)
        var centres: [FacePoint] = []
        for (i, name) in Self.photos.prefix(8).enumerated() {
            let side = [90.0, 110, 130, 150][i % 4]
            let column = Double(i % 4), row = Double(i / 4)
            let centre = FacePoint(100 + column * 170, 130 + row * 250)
            canvas = try PasteBack.paste(try Self.photo(name), into: canvas, transform: Self.placement(x: centre.x, y: centre.y, side: side, angle: Double(i) * 4 - 14), options: Self.wholeSquare)
            centres.append(centre)
        }
        let faces = FaceSelection().faces(in: detector.detect(canvas))
        #expect(faces.count == 8, "\(faces.count) faces of 8")
        for centre in centres {
            let hits = faces.filter { face in
                let middle = FacePoint((face.box.x1 + face.box.x2) / 2, (face.box.y1 + face.box.y2) / 2)
                return abs(middle.x - centre.x) < 40 && abs(middle.y - centre.y) < 40
            }
            #expect(hits.count == 1, "face at \(centre): \(hits.count) detections")
            hits.forEach { Self.expectPlausible($0, "face at \(centre)") }
        }
    }

    @Test("extreme aspect ratios: a 20:1 strip with a face, a 1:30 strip without")
    func extremeAspectRatios() throws {
        let strip = try PasteBack.paste(try Self.photo("celebahq_00085.jpg"), into: TestScenes.background(width: 2400, height: 120),
                                        transform: Self.placement(x: 1700, y: 60, side: 110, angle: 0), options: Self.wholeSquare)
        let faces = FaceSelection().faces(in: detector.detect(strip))
        #expect(faces.count == 1)
        #expect(detector.detect(TestScenes.background(width: 30, height: 900)).isEmpty)
    }

    /// MTCNN was trained on colour; on grey its landmarks move by 1.6–3 % of the box (measured
    /// 3.8 px in a 120-px box, 8.3 px in a 520-px one): bound 4 % + 1 px.
    @Test("greyscale photos: the same face, landmarks within 4 % of the box of the colour photo's")
    func greyscale() throws {
        for name in ["celebahq_00247.jpg", "sp_input_1.jpg"] {
            let colour = try Self.photo(name)
            let a = try #require(FaceSelection().faces(in: detector.detect(colour)).first)
            let grey = FaceSelection().faces(in: detector.detect(TestScenes.greyscale(colour)))
            try #require(grey.count == 1, "\(name): \(grey.count) faces in grey")
            let shift = zip(a.landmarks.points, grey[0].landmarks.points).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max()!
            #expect(shift < 0.04 * a.box.width + 1, "\(name): landmarks move \(shift) px in grey")
        }
    }

    @Test("EXIF-rotated JPEG: found upright, where the upright photo has it")
    func exifRotation() throws {
        let rotated = try Image(contentsOf: FacesFixtures.directory.appendingPathComponent("exif_rotated.jpg"))
        let upright = try #require(FaceSelection().faces(in: detector.detect(try Self.photo("celebahq_00044.jpg"))).first)
        let faces = FaceSelection().faces(in: detector.detect(rotated))
        try #require(faces.count == 1)
        Self.expectPlausible(faces[0], "exif_rotated.jpg")
        let shift = zip(upright.landmarks.points, faces[0].landmarks.points).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max()!
        #expect(shift < 3, "landmarks \(shift) px from the upright photo's")
    }

    @Test("maximumSide: detection on a downscaled copy finds the same face, scaled back")
    func downscaledDetection() throws {
        let photo = try Self.photo("sp_input_1.jpg")
        let full = try #require(FaceSelection().faces(in: detector.detect(photo)).first)
        var options = detector.options
        options.maximumSide = 400
        let fast = MTCNN(proposal: detector.proposal, refinement: detector.refinement, output: detector.output, options: options)
        let small = try #require(FaceSelection().faces(in: fast.detect(photo)).first)
        let shift = zip(full.landmarks.points, small.landmarks.points).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max()!
        print("maximumSide 400: landmarks within \(shift) px of full-resolution detection (\(full.box.width)-px face)")
        #expect(shift < 0.02 * full.box.width, "landmarks \(shift) px apart in a \(full.box.width)-px face")
    }

    /// Paste-back settings that copy the whole square (used here to place faces into scenes).
    static var wholeSquare: PasteBack.Options {
        var o = PasteBack.Options()
        o.radii = (10, 10)
        o.feather = 0.001
        return o
    }

    /// The transform of a square of `side` pixels centred on `(x, y)`, turned by `angle` degrees.
    static func placement(x: Double, y: Double, side: Double, angle: Double) -> AlignmentTransform {
        let a = angle * .pi / 180
        let ux = FacePoint(cos(a), sin(a)) * side / 2, uy = FacePoint(-sin(a), cos(a)) * side / 2
        let c = FacePoint(x, y) - 0.5
        return AlignmentTransform(quad: [c - ux - uy, c - ux + uy, c + ux + uy, c + ux - uy], outputSize: Int(side.rounded()))
    }
}
