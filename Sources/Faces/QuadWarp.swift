import CPUKernels
import Foundation
import Imaging

/// PIL's `Image.transform(size, Image.QUAD, data, Image.BILINEAR)` on RGB images.
enum QuadWarp {
    /// `quad`: the source corners (top-left, bottom-left, bottom-right, top-right) in continuous
    /// coordinates. Output pixel `(x, y)` samples the source at the bilinear map of
    /// `(x + ½, y + ½)`; outside the source it is black; values are truncated to 8 bits, as
    /// Pillow's `bilinear_filter32RGB` does.
    static func warp(_ source: Image, quad: [FacePoint], size: Int) -> Image {
        let (nw, sw, se, ne) = (quad[0], quad[1], quad[2], quad[3])
        let step = 1.0 / Double(size)
        // Pillow's coefficients, in its order of operations.
        let a0 = nw.x, a1 = (ne.x - nw.x) * step, a2 = (sw.x - nw.x) * step, a3 = (se.x - sw.x - ne.x + nw.x) * step * step
        let a4 = nw.y, a5 = (ne.y - nw.y) * step, a6 = (sw.y - nw.y) * step, a7 = (se.y - sw.y - ne.y + nw.y) * step * step
        var output = [UInt8](repeating: 0, count: size * size * 3)
        let (width, height) = (source.width, source.height)
        // Per-column terms, computed once; the sums keep Pillow's order
        // ((a0 + a1·x) + a2·y) + (a3·x)·y, so every coordinate is the same double.
        let xs = (0..<size).map { Double($0) + 0.5 }
        let columnX = xs.map { a0 + a1 * $0 }, columnY = xs.map { a4 + a5 * $0 }
        let crossX = xs.map { a3 * $0 }, crossY = xs.map { a7 * $0 }
        source.pixels.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                let target = SharedPointer(out.baseAddress!)
                Parallel.forRanges(count: size, minimumPerThread: 16) { rows in
                    for y in rows {
                        let yin = Double(y) + 0.5
                        let rowX = a2 * yin, rowY = a6 * yin
                        for x in 0..<size {
                            var sx = columnX[x] + rowX + crossX[x] * yin
                            var sy = columnY[x] + rowY + crossY[x] * yin
                            guard sx >= 0 && sx < Double(width) && sy >= 0 && sy < Double(height) else { continue }
                            sx -= 0.5; sy -= 0.5
                            let ix = Int(sx.rounded(.down)), iy = Int(sy.rounded(.down))
                            let dx = sx - Double(ix), dy = sy - Double(iy)
                            let x0 = min(max(ix, 0), width - 1) * 3, x1 = min(max(ix + 1, 0), width - 1) * 3
                            let row0 = min(max(iy, 0), height - 1) * width * 3
                            let hasNext = iy + 1 >= 0 && iy + 1 < height
                            let row1 = hasNext ? (iy + 1) * width * 3 : row0
                            let o = (y * size + x) * 3
                            for c in 0..<3 {
                                let p00 = Double(input[row0 + x0 + c]), p01 = Double(input[row0 + x1 + c])
                                let v1 = p00 + (p01 - p00) * dx
                                var v2 = v1
                                if hasNext {
                                    let p10 = Double(input[row1 + x0 + c]), p11 = Double(input[row1 + x1 + c])
                                    v2 = p10 + (p11 - p10) * dx
                                }
                                target[o + c] = UInt8(v1 + (v2 - v1) * dy)
                            }
                        }
                    }
                }
            }
        }
        return Image(width: size, height: size, pixels: output)
    }
}
