import Foundation
import Imaging

/// A fixed tiny data set for training tests: `count` 32×32 PNGs (a coloured disc on a
/// gradient, different per index) in a fresh temporary folder, some in a subfolder.
enum TinyDataSet {
    static func make(count: Int = 8, side: Int = 32, extraFiles: [String: [UInt8]] = [:]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for i in 0..<count {
            try image(i, side: side).write(to: folder.appendingPathComponent(i % 3 == 0 ? "sub/img\(i).png" : "img\(i).png"))
        }
        for (name, bytes) in extraFiles { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    static func image(_ index: Int, side: Int) -> Image {
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        let cx = Float(side) * (0.3 + 0.05 * Float(index % 5)), cy = Float(side) * (0.4 + 0.04 * Float(index % 4))
        let radius = Float(side) * 0.25
        for y in 0..<side {
            for x in 0..<side {
                let inside = (Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy) < radius * radius
                let base = 3 * (y * side + x)
                pixels[base] = inside ? UInt8(200 - 10 * (index % 7)) : UInt8(x * 255 / side)
                pixels[base + 1] = inside ? UInt8(60 + 20 * (index % 5)) : UInt8(y * 255 / side)
                pixels[base + 2] = inside ? 40 : 128
            }
        }
        return Image(width: side, height: side, pixels: pixels)
    }
}
