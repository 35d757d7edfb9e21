import CPUKernels
import Foundation

/// scipy's `gaussian_filter(image, [sigma, sigma, 0])` on float32 HWC data: a kernel of radius
/// `⌊4σ + ½⌋`, mode `reflect` (half-sample symmetric: `d c b a | a b c d`), rows then columns,
/// each pass accumulated in float64 and stored as float32.
enum GaussianBlur {
    static func reflect(_ pixels: [Float], width: Int, height: Int, sigma: Double) -> [Float] {
        let radius = Int(4 * sigma + 0.5)
        var kernel = (-radius...radius).map { exp(-0.5 / (sigma * sigma) * Double($0 * $0)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        func symmetric(_ i: Int, _ n: Int) -> Int {
            let period = 2 * n
            var k = i % period
            if k < 0 { k += period }
            return k < n ? k : period - 1 - k
        }
        var vertical = [Float](repeating: 0, count: pixels.count)
        var output = [Float](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            vertical.withUnsafeMutableBufferPointer { target in
                let out = SharedPointer(target.baseAddress!)
                Parallel.forRanges(count: height, minimumPerThread: 8) { rows in
                    var accumulator = [Double](repeating: 0, count: width * 3)
                    for y in rows {
                        for i in accumulator.indices { accumulator[i] = 0 }
                        for k in -radius...radius {
                            let w = kernel[k + radius], row = symmetric(y + k, height) * width * 3
                            for i in 0..<(width * 3) { accumulator[i] += w * Double(source[row + i]) }
                        }
                        for i in 0..<(width * 3) { out[y * width * 3 + i] = Float(accumulator[i]) }
                    }
                }
            }
        }
        vertical.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                let out = SharedPointer(target.baseAddress!)
                Parallel.forRanges(count: height, minimumPerThread: 8) { rows in
                    for y in rows {
                        let row = y * width * 3
                        for x in 0..<width {
                            for c in 0..<3 {
                                var sum = 0.0
                                for k in -radius...radius { sum += kernel[k + radius] * Double(source[row + symmetric(x + k, width) * 3 + c]) }
                                out[row + x * 3 + c] = Float(sum)
                            }
                        }
                    }
                }
            }
        }
        return output
    }
}
