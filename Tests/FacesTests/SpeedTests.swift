import CPUKernels
import Faces
import Foundation
import Imaging
import TestSupport
import Testing

/// Detection and alignment of a 12-megapixel photo (4000×3000, one face about 1,300 px tall),
/// timed; runs when `FACES_SPEED=1` (timings on a shared machine are not a pass/fail matter).
@Suite("Faces speed", .enabled(if: ProcessInfo.processInfo.environment["FACES_SPEED"] != nil && FacesFixtures.photosAvailable,
                               "set FACES_SPEED=1 to time detection and alignment at 12 MP"))
struct SpeedTests {
    static func twelveMegapixels() throws -> Image {
        let face = try DetectionTests.photo("sp_input_1.jpg")
        return try PasteBack.paste(face, into: TestScenes.background(width: 4000, height: 3000, seed: 3),
                                   transform: DetectionTests.placement(x: 2300, y: 1400, side: 1400, angle: 8),
                                   options: DetectionTests.wholeSquare)
    }

    @Test func twelveMegapixelPhoto() throws {
        let threads = Parallel.threadCount
        Parallel.threadCount = 2
        defer { Parallel.threadCount = threads }
        let photo = try Self.twelveMegapixels()
        if let path = ProcessInfo.processInfo.environment["FACES_SPEED_WRITE"] { try photo.write(to: URL(fileURLWithPath: path)) }
        let weights = SharedTestData.url("mtcnn")
        func time<T>(_ label: String, repeats: Int = 3, _ body: () throws -> T) rethrows -> T {
            var best = Double.infinity
            var result: T? = nil
            for _ in 0..<repeats {
                let start = Date()
                result = try body()
                best = min(best, Date().timeIntervalSince(start))
            }
            print(String(format: "faces speed: %@: %.3f s (best of %d, 2 threads)", label, best, repeats))
            return result!
        }
        for side in [1600, 1024, 0] {
            var options = MTCNN.Options()
            options.maximumSide = side == 0 ? nil : side
            let detector = try MTCNN(weightsDirectory: weights, options: options)
            let faces = time("detect 4000×3000, maximumSide \(side == 0 ? "none (every pixel)" : String(side))", repeats: side == 0 ? 1 : 3) {
                FaceSelection().faces(in: detector.detect(photo))
            }
            #expect(faces.count == 1)
            guard side == 1600, let face = faces.first else { continue }
            for (size, transform) in [(256, 256), (256, 1024), (1024, 1024), (1024, 4096)] {
                _ = try time("align to \(size)² via \(transform)²") {
                    try FaceAlignment.align(photo, face: face, outputSize: size, transformSize: transform)
                }
            }
        }
    }
}
