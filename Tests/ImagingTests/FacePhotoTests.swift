import Foundation
import Imaging
import Testing

/// The real inputs of the pipeline (`../shared/data/faces`): 256² CelebA-HQ crops and 1024²
/// photos, all baseline 4:2:0. PIL's decode and BILINEAR resize are summarised in the manifest
/// (CRC-32 of all pixels, channel means, a 64×64 centre crop).
///
/// Bound: the decoder follows libjpeg-turbo's integer arithmetic, so the expected difference is
/// zero; the test allows a mean of 1 level and a maximum of 4 (the rounding an IDCT or
/// upsampling variant could introduce) so that a libjpeg update upstream does not break it.
/// Measured with Pillow 13.0 / libjpeg-turbo 3.2.0: all 10 decodes and all 6 resizes (BILINEAR,
/// BICUBIC, LANCZOS to 256²) are bit-exact (CRC-32 of every pixel equal); a difference is printed.
@Suite("Face photos", .enabled(if: Fixtures.facesAvailable, "../shared/data/faces is absent: skipping face photo parity"))
struct FacePhotoTests {
    @Test(arguments: Fixtures.manifest.faces.map(\.file))
    func decodeMatchesPIL(_ file: String) throws {
        let reference = Fixtures.manifest.faces.first { $0.file == file }!
        let image = try Image(contentsOf: Fixtures.facesDirectory.appendingPathComponent(file))
        try compare(image, reference, label: file)
    }

    @Test(arguments: Fixtures.manifest.faceResizes.indices)
    func resizeTo256MatchesPIL(_ index: Int) throws {
        let reference = Fixtures.manifest.faceResizes[index]
        let filter: ResamplingFilter = ["bilinear": .bilinear, "bicubic": .bicubic, "lanczos": .lanczos][reference.filter!]!
        let photo = try Image(contentsOf: Fixtures.facesDirectory.appendingPathComponent(reference.file))
        let small = photo.resized(width: 256, height: 256, filter: filter)
        try compare(small, reference, label: "\(reference.file) → 256² \(reference.filter!)")
    }

    private func compare(_ image: Image, _ reference: ImagingManifest.PhotoSummary, label: String) throws {
        #expect(image.width == reference.width && image.height == reference.height)
        let exact = Checksum.crc32(image.pixels) == reference.crc32
        let meanError = zip(image.channelMeans, reference.mean).map { abs($0 - $1) }.max()!
        #expect(meanError <= 1, "\(label): channel means differ by \(meanError)")
        if let crop = reference.crop {
            let difference = PixelDifference(try image.cropBytes(x: crop.x, y: crop.y, size: crop.size), try Fixtures.bytes(crop.rgb))
            #expect(difference.mean <= 1 && difference.maximum <= 4, "\(label): centre crop \(difference)")
        }
        if !exact { print("\(label): not bit-exact with PIL (channel means within \(meanError))") }
    }
}
