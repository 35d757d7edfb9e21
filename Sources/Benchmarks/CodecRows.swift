import Foundation
import Imaging

/// Rows for the image codecs, compared with libjpeg-turbo by `Scripts/bench_jpeg.sh` (not by
/// `bench.sh`, whose other side is PyTorch): run only when named in `--rows`. The PNG row's
/// comparison is zlib's level 6 (what PIL's PNG writer calls) on the same filtered rows.
extension BenchmarkRow {
    static var codecs: [BenchmarkRow] { [
        jpeg(quality: 95, subsampling: .yuv420, name: "jpeg_q95_420"),
        jpeg(quality: 75, subsampling: .yuv420, name: "jpeg_q75_420"),
        jpeg(quality: 95, subsampling: .yuv444, name: "jpeg_q95_444"),
        png(),
    ] }

    /// `PNG.encode` of the middle 1024² of the synthetic photo, the size `invert` and `generate`
    /// write; its ±6-level noise makes it the slow case for deflate (many short matches).
    /// `BENCH_CODEC_OUT` as for the JPEG rows (`png_1024.png`).
    static func png() -> BenchmarkRow {
        BenchmarkRow(name: "png_1024", summary: "PNG encode, middle 1024×1024 of the synthetic photo (filters per row, deflate)", flops: 0) {
            let side = 1024, photo = syntheticPhoto(), x0 = (photoWidth - side) / 2, y0 = (photoHeight - side) / 2
            var pixels: [UInt8] = []
            for y in y0..<(y0 + side) {
                let start: Int = (y * photoWidth + x0) * 3
                pixels += photo[start..<(start + side * 3)]
            }
            if let folder = ProcessInfo.processInfo.environment["BENCH_CODEC_OUT"] {
                FileManager.default.createFile(atPath: folder + "/png_1024.png",
                                               contents: Data(PNG.encode(width: side, height: side, channels: 3, pixels: pixels)))
            }
            return { _ = PNG.encode(width: side, height: side, channels: 3, pixels: pixels) }
        }
    }

    /// `JPEG.encode` of the 12-MP synthetic photo.
    static func jpeg(quality: Int, subsampling: JPEG.ChromaSubsampling, name: String) -> BenchmarkRow {
        BenchmarkRow(name: name, summary: "JPEG encode, 4000×3000 synthetic photo, quality \(quality), \(subsampling)", flops: 0) {
            let pixels = syntheticPhoto()
            // BENCH_CODEC_OUT=DIR: the encoded file is also written there (NAME.jpg), for
            // `bench_jpeg.sh` to decode with libjpeg-turbo and compare with the pixels.
            if let folder = ProcessInfo.processInfo.environment["BENCH_CODEC_OUT"] {
                let file = JPEG.encode(width: photoWidth, height: photoHeight, pixels: pixels, quality: quality, subsampling: subsampling)
                FileManager.default.createFile(atPath: folder + "/" + name + ".jpg", contents: Data(file))
            }
            return { _ = JPEG.encode(width: photoWidth, height: photoHeight, pixels: pixels, quality: quality, subsampling: subsampling) }
        }
    }

    static let photoWidth = 4000, photoHeight = 3000

    /// Smooth gradients, texture and ±6-level noise — the formula of `Scripts/bench_jpeg_turbo.c`,
    /// so both sides encode the same pixels (glibc's `sin` and `cos` on both).
    static func syntheticPhoto() -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: photoWidth * photoHeight * 3)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for y in 0..<photoHeight {
            for x in 0..<photoWidth {
                for c in 0..<3 {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let noise = Int((state >> 33) % 13) - 6
                    let v = 128 + 60 * sin(Double(x) * 0.0013 + Double(c)) + 50 * cos(Double(y) * 0.0021 - Double(c))
                        + 20 * sin(Double(x + y) * 0.011 + 2 * Double(c)) + Double(noise)
                    pixels[(y * photoWidth + x) * 3 + c] = UInt8(v < 0 ? 0 : v > 255 ? 255 : Int(v))
                }
            }
        }
        return pixels
    }
}
