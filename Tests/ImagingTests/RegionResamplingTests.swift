import Imaging
import Testing

/// `resized(…, region:)` is a crop of the whole resize, byte for byte, whichever pass goes first.
@Suite("Region resampling")
struct RegionResamplingTests {
    @Test(arguments: [ResamplingFilter.bilinear, .bicubic, .lanczos])
    func equalsResizeThenCrop(_ filter: ResamplingFilter) throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<40 {
            let (w, h) = (1 + next(90), 1 + next(90))
            let image = Image(width: w, height: h, pixels: (0..<(w * h * 3)).map { _ in UInt8(next(256)) })
            let (ow, oh) = (1 + next(120), 1 + next(120))
            let x = next(ow), y = next(oh)
            let region = (x: x, y: y, width: 1 + next(ow - x), height: 1 + next(oh - y))
            let whole = try image.resized(width: ow, height: oh, filter: filter)
                .cropped(x: region.x, y: region.y, width: region.width, height: region.height)
            #expect(image.resized(width: ow, height: oh, filter: filter, region: region) == whole,
                    "\(w)×\(h) → \(ow)×\(oh), region \(region)")
        }
    }
}
