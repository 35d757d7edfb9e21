import Foundation
import Imaging

/// The FFHQ recipe's padding: the photo mirrored outwards (numpy `pad(…, 'reflect')`), the new
/// border blended towards a Gaussian blur of itself and then towards the median colour, more so
/// the further from the photo, so the warp never samples a hard edge.
enum ReflectionPadding {
    /// Pads by the given amounts (each ≥ 1) and blends with a Gaussian of standard deviation
    /// `blur`, in float32 as numpy does, rounded back to 8 bits.
    static func padded(_ image: Image, left: Int, top: Int, right: Int, bottom: Int, blur sigma: Double) -> Image {
        let width = image.width + left + right, height = image.height + top + bottom
        // numpy's 'reflect': mirrored about the edge pixel, which is not repeated.
        func mirror(_ i: Int, _ n: Int) -> Int {
            guard n > 1 else { return 0 }
            let period = 2 * (n - 1)
            var k = i % period
            if k < 0 { k += period }
            return k < n ? k : period - k
        }
        var pixels = [Float](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let sy = mirror(y - top, image.height)
            for x in 0..<width {
                let s = (sy * image.width + mirror(x - left, image.width)) * 3, t = (y * width + x) * 3
                for c in 0..<3 { pixels[t + c] = Float(image.pixels[s + c]) }
            }
        }
        // Mask: 0 on the photo's border rows/columns rising to 1 at the padded edge; negative
        // inside. float32 coordinates divided by int64 pads: numpy computes it in float64.
        func maskValue(_ x: Int, _ y: Int) -> Double {
            let horizontal = 1.0 - min(Double(Float(x)) / Double(left), Double(Float(width - 1 - x)) / Double(right))
            let vertical = 1.0 - min(Double(Float(y)) / Double(top), Double(Float(height - 1 - y)) / Double(bottom))
            return max(horizontal, vertical)
        }
        let blurred = GaussianBlur.reflect(pixels, width: width, height: height, sigma: sigma)
        for y in 0..<height {
            for x in 0..<width {
                let weight = min(max(maskValue(x, y) * 3 + 1, 0), 1)
                guard weight > 0 else { continue }
                let t = (y * width + x) * 3
                for c in 0..<3 { pixels[t + c] = Float(Double(pixels[t + c]) + Double(blurred[t + c] - pixels[t + c]) * weight) }
            }
        }
        let medians = (0..<3).map { c in median(stride(from: c, to: pixels.count, by: 3).map { pixels[$0] }) }
        var bytes = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<height {
            for x in 0..<width {
                let weight = min(max(maskValue(x, y), 0), 1)
                let t = (y * width + x) * 3
                for c in 0..<3 {
                    var v = pixels[t + c]
                    if weight > 0 { v = Float(Double(v) + Double(medians[c] - v) * weight) }
                    bytes[t + c] = UInt8(min(max(v.rounded(.toNearestOrEven), 0), 255))
                }
            }
        }
        return Image(width: width, height: height, pixels: bytes)
    }

    /// numpy's median: the middle value, or the float32 mean of the two middle values.
    static func median(_ values: [Float]) -> Float {
        var v = values
        let n = v.count
        let upper = select(&v, n / 2)
        if n % 2 == 1 { return upper }
        // After selection, everything before n/2 is ≤ upper: the lower middle is their maximum.
        let lower = v[0..<(n / 2)].max()!
        return (lower + upper) / 2
    }

    /// Quickselect: the k-th smallest, with `values` partitioned around it.
    private static func select(_ values: inout [Float], _ k: Int) -> Float {
        var low = 0, high = values.count - 1
        var generator = SystemRandomNumberGenerator()
        while low < high {
            let pivot = values[Int.random(in: low...high, using: &generator)]
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { high = j } else if k >= i { low = i } else { return values[k] }
        }
        return values[k]
    }
}
