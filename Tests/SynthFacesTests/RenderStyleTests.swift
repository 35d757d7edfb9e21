import Foundation
import Imaging
import SynthFaces
import Testing

/// `RenderStyle.largeMouth`: the same faces with a larger mouth and a clearer smile, and nothing
/// else changed; `classic` keeps the bytes the first default model was trained on (the golden
/// checksums in `FaceRendererTests`).
@Suite("RenderStyle")
struct RenderStyleTests {
    /// Same seed, same bytes on every machine, as for classic renders.
    @Test func largeMouthGoldenChecksums() {
        let golden: [(seed: UInt64, size: Int, checksum: UInt64)] = [
            (0, 64, 0xE882_F748_A6C7_8498), (3, 64, 0x2D52_FC31_FBD7_9EDC), (2, 128, 0x164A_FDE3_369B_F50A),
        ]
        for entry in golden {
            let image = FaceRenderer.render(seed: entry.seed, size: entry.size, style: .largeMouth)
            #expect(image == FaceRenderer.render(seed: entry.seed, size: entry.size, style: .largeMouth))
            let sum = FaceRendererTests.checksum(image)
            #expect(sum == entry.checksum, "seed \(entry.seed) at \(entry.size) px: checksum 0x\(String(sum, radix: 16, uppercase: true))")
        }
    }

    @Test func classicIsTheDefault() {
        for seed in UInt64(0)..<4 {
            #expect(FaceRenderer.render(seed: seed, size: 32) == FaceRenderer.render(seed: seed, size: 32, style: .classic))
        }
        let faces = (UInt64(5)..<9).map(FaceAttributes.init(seed:))
        #expect(FaceRenderer.render(faces, size: 32, style: .largeMouth, threads: 3) == faces.map { FaceRenderer.render($0, size: 32, style: .largeMouth) })
    }

    /// Only the mouth moves: nothing above the nostrils changes, and the mouth covers more pixels.
    @Test func largeMouthChangesOnlyTheMouthAndEnlargesIt() {
        for seed in UInt64(0)..<12 {
            let face = FaceRendererTests.plainFace(seed: seed)
            let classic = FaceRenderer.render(face, size: 64), large = FaceRenderer.render(face, size: 64, style: .largeMouth)
            #expect(FaceRendererTests.difference(classic, large, x: 0..<64, y: 0..<34) == 0, "seed \(seed): the upper face changed")
            #expect(FaceRendererTests.difference(classic, large, x: 0..<64, y: 34..<64) > 10, "seed \(seed): the mouth did not change")
            #expect(Self.lipPixels(large) > Self.lipPixels(classic) * 5 / 4, "seed \(seed): lips \(Self.lipPixels(large)) against \(Self.lipPixels(classic))")
        }
    }

    /// Grin against frown: the corners travel further and more pixels change than in classic renders.
    @Test func largeMouthMakesTheSmileClearer() {
        for seed in UInt64(0)..<12 {
            var face = FaceRendererTests.plainFace(seed: seed)
            face.mouthOpen = -1
            var lift: [RenderStyle: Float] = [:], changed: [RenderStyle: Int] = [:]
            for style in RenderStyle.allCases {
                face.smile = 1
                let grin = FaceRenderer.render(face, size: 64, style: style)
                face.smile = -1
                let frown = FaceRenderer.render(face, size: 64, style: style)
                lift[style] = FaceRendererTests.cornerLift(grin) - FaceRendererTests.cornerLift(frown)
                changed[style] = FaceRendererTests.difference(grin, frown, x: 0..<64, y: 0..<64)
            }
            #expect(lift[.largeMouth]! > lift[.classic]! + 1, "seed \(seed): corner travel \(lift[.largeMouth]!) against \(lift[.classic]!)")
            #expect(changed[.largeMouth]! > changed[.classic]! * 5 / 4, "seed \(seed): \(changed[.largeMouth]!) pixels against \(changed[.classic]!)")
        }
    }

    @Test func namesAreTheCommandLineSpellings() {
        #expect(RenderStyle.allCases.map(\.rawValue) == ["classic", "large-mouth"])
        #expect(RenderStyle(rawValue: "large-mouth") == .largeMouth)
        #expect(RenderStyle(rawValue: "largeMouth") == nil)
    }

    /// Lip-red pixels in the lower half.
    static func lipPixels(_ image: Image) -> Int {
        var count = 0
        for row in (image.height / 2)..<image.height {
            for column in 0..<image.width {
                let p = image[column, row]
                if Int(p.red) - Int(p.green) > 70 && p.blue < 140 { count += 1 }
            }
        }
        return count
    }
}
