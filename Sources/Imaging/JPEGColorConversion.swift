/// Chroma upsampling and YCbCr → RGB as libjpeg-turbo does them by default, so results match
/// PIL: "fancy" upsampling (a triangle filter, weights 3/4 and 1/4, for 2× horizontal and/or
/// vertical factors; plain replication for other factors) and 16-bit fixed-point colour maths.
enum ColorConversion {
    /// Upsamples every plane to the image size and interleaves them (converting YCbCr to RGB).
    static func interleave(_ frame: JPEG.Frame, planes: [[UInt8]], adobeTransform: Int?) throws -> [UInt8] {
        let width = frame.width, height = frame.height
        let full = zip(frame.components, planes).map { component, plane in upsample(component, plane, frame) }
        if full.count == 1 {
            var out = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height { for x in 0..<width { out[y * width + x] = full[0].plane[y * full[0].stride + x] } }
            return out
        }
        // Adobe transform 0, or components named 'R','G','B', mean the samples are already RGB.
        let isRGB = adobeTransform == 0 || frame.components.map(\.id) == [82, 71, 66]
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let (p0, p1, p2) = (full[0].plane, full[1].plane, full[2].plane)
        let (s0, s1, s2) = (full[0].stride, full[1].stride, full[2].stride)
        p0.withUnsafeBufferPointer { a in
            p1.withUnsafeBufferPointer { b in
                p2.withUnsafeBufferPointer { c in
                    out.withUnsafeMutableBufferPointer { o in
                        for y in 0..<height {
                            for x in 0..<width {
                                let luma = Int(a[y * s0 + x]), cb = Int(b[y * s1 + x]), cr = Int(c[y * s2 + x])
                                let at = (y * width + x) * 3
                                if isRGB {
                                    o[at] = UInt8(luma); o[at + 1] = UInt8(cb); o[at + 2] = UInt8(cr)
                                } else {
                                    o[at] = InverseDCT.clampSample(luma + crToR[cr])
                                    o[at + 1] = InverseDCT.clampSample(luma + ((cbToG[cb] + crToG[cr]) >> 16))
                                    o[at + 2] = InverseDCT.clampSample(luma + cbToB[cb])
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    // libjpeg's jdcolor.c tables: FIX(x) = round(x·2^16), ONE_HALF folded in where it does.
    private static func fix(_ x: Double) -> Int { Int(x * 65536 + 0.5) }
    private static let crToR: [Int] = (0..<256).map { (fix(1.40200) * ($0 - 128) + 32768) >> 16 }
    private static let cbToB: [Int] = (0..<256).map { (fix(1.77200) * ($0 - 128) + 32768) >> 16 }
    private static let crToG: [Int] = (0..<256).map { -fix(0.71414) * ($0 - 128) }
    private static let cbToG: [Int] = (0..<256).map { -fix(0.34414) * ($0 - 128) + 32768 }

    /// A component brought to full resolution (at least `width × height`, row stride `stride`).
    private static func upsample(_ c: JPEG.Component, _ plane: [UInt8], _ frame: JPEG.Frame) -> (plane: [UInt8], stride: Int) {
        let inStride = c.storedBlocksAcross * 8
        let fx = frame.maxHorizontal / c.horizontalSampling
        let fy = frame.maxVertical / c.verticalSampling
        let w = c.width, h = c.height
        if fx == 1 && fy == 1 { return (plane, inStride) }
        let outStride = w * fx, outHeight = h * fy
        var out = [UInt8](repeating: 0, count: outStride * outHeight)
        @inline(__always) func at(_ x: Int, _ y: Int) -> Int { Int(plane[y * inStride + x]) }
        // libjpeg uses the triangle filter only for factor 2 and (horizontally) more than 2 columns.
        let fancyH = fx == 2 && w > 2
        if fy == 2 && (fx == 1 || fancyH) {
            for y in 0..<h {
                // The rows above the first and below the last repeat the edge row.
                let above = Swift.max(y - 1, 0), below = Swift.min(y + 1, h - 1)
                for (half, neighbour) in [(0, above), (1, below)] {
                    let outRow = (2 * y + half) * outStride
                    if fx == 1 {
                        let bias = half == 0 ? 1 : 2
                        for x in 0..<w { out[outRow + x] = UInt8((at(x, y) * 3 + at(x, neighbour) + bias) >> 2) }
                        continue
                    }
                    // Column sums of the vertical triangle, then the horizontal one (h2v2_fancy_upsample).
                    @inline(__always) func sum(_ x: Int) -> Int { at(x, y) * 3 + at(x, neighbour) }
                    var this = sum(0), last = this
                    out[outRow] = UInt8((this * 4 + 8) >> 4)
                    for x in 0..<w {
                        if x > 0 { out[outRow + 2 * x] = UInt8((this * 3 + last + 8) >> 4) }
                        if x + 1 < w {
                            let next = sum(x + 1)
                            out[outRow + 2 * x + 1] = UInt8((this * 3 + next + 7) >> 4)
                            last = this
                            this = next
                        } else {
                            out[outRow + 2 * x + 1] = UInt8((this * 4 + 7) >> 4)
                        }
                    }
                }
            }
            return (out, outStride)
        }
        if fy == 1 && fancyH {
            for y in 0..<h {
                let outRow = y * outStride
                for x in 0..<w {
                    let v = at(x, y) * 3
                    out[outRow + 2 * x] = x == 0 ? UInt8(at(x, y)) : UInt8((v + at(x - 1, y) + 1) >> 2)
                    out[outRow + 2 * x + 1] = x == w - 1 ? UInt8(at(x, y)) : UInt8((v + at(x + 1, y) + 2) >> 2)
                }
            }
            return (out, outStride)
        }
        // Replication for every other factor combination (libjpeg's int_upsample).
        for y in 0..<outHeight {
            for x in 0..<outStride { out[y * outStride + x] = plane[(y / fy) * inStride + x / fx] }
        }
        return (out, outStride)
    }
}
