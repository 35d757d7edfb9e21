import Foundation
import TestSupport
import Imaging

/// The reference files written by `Scripts/make_imaging_fixtures.py`, described by its manifest.
struct ImagingManifest: Decodable {
    struct PNGCase: Decodable {
        let file: String, width: Int, height: Int
        let channels: Int?, bitDepth: Int?, samples: String?, rgb: String?
    }
    struct JPEGCase: Decodable { let file: String, width: Int, height: Int, rgb: String, grayscale: Bool }
    struct ResizeCase: Decodable { let source: String, width: Int, height: Int, filter: String, rgb: String }
    struct Crop: Decodable { let x: Int, y: Int, size: Int, rgb: String }
    struct PhotoSummary: Decodable {
        let file: String, width: Int, height: Int, crc32: UInt32, mean: [Double]
        let crop: Crop?
        let filter: String?
    }
    let png: [PNGCase]
    let jpeg: [JPEGCase]
    let resize: [ResizeCase]
    let faces: [PhotoSummary]
    let faceResizes: [PhotoSummary]
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("imaging")

    /// `../shared/data/faces` next to the repository root.
    static let facesDirectory = SharedTestData.url("faces")

    static var facesAvailable: Bool { SharedTestData.exists("faces") }

    static let manifest: ImagingManifest = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try! JSONDecoder().decode(ImagingManifest.self, from: data)
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

/// Per-byte differences between two equal-length buffers.
struct PixelDifference: CustomStringConvertible {
    let mean: Double
    let maximum: Int

    init(_ a: [UInt8], _ b: [UInt8]) {
        precondition(a.count == b.count, "PixelDifference: \(a.count) vs \(b.count) bytes")
        var total = 0, maximum = 0
        for i in a.indices {
            let d = abs(Int(a[i]) - Int(b[i]))
            total += d
            maximum = max(maximum, d)
        }
        mean = a.isEmpty ? 0 : Double(total) / Double(a.count)
        self.maximum = maximum
    }

    var description: String { "mean |Δ| \(mean), max |Δ| \(maximum)" }
}

extension Image {
    /// A `size × size` crop's bytes (for comparing with stored crops).
    func cropBytes(x: Int, y: Int, size: Int) throws -> [UInt8] { try cropped(x: x, y: y, width: size, height: size).pixels }

    var channelMeans: [Double] {
        var sums = [0.0, 0.0, 0.0]
        for i in 0..<(width * height) { for c in 0..<3 { sums[c] += Double(pixels[3 * i + c]) } }
        return sums.map { $0 / Double(width * height) }
    }
}
