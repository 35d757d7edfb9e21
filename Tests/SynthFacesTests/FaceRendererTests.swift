import Foundation
import Imaging
import SynthFaces
import Testing

@Suite("FaceRenderer")
struct FaceRendererTests {
    /// FNV-1a over the pixel bytes.
    static func checksum(_ image: Image) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in image.pixels { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// A face with the distracting attributes fixed: frontal, upright, bald, no glasses or blush,
    /// light skin, a plain blue background.
    static func plainFace(seed: UInt64) -> FaceAttributes {
        var face = FaceAttributes(seed: seed)
        face.yaw = 0
        face.roll = 0
        face.hairStyle = .none
        face.hairLength = -1
        face.glasses = .none
        face.blush = -1
        face.skinTone = -0.8
        face.backgroundHue = 0.3
        face.backgroundGradient = -1
        face.backgroundLightness = 0.5
        return face
    }

    static func difference(_ a: Image, _ b: Image, x: Range<Int>, y: Range<Int>) -> Int {
        var changed = 0
        for row in y {
            for column in x {
                let p = a[column, row], q = b[column, row]
                if abs(Int(p.red) - Int(q.red)) + abs(Int(p.green) - Int(q.green)) + abs(Int(p.blue) - Int(q.blue)) > 30 { changed += 1 }
            }
        }
        return changed
    }

    /// Same seed, same bytes — on every machine: the checksums were recorded once and must not
    /// move (only + − × ÷ and square root reach the pixels).
    @Test func goldenChecksums() {
        let golden: [(seed: UInt64, size: Int, checksum: UInt64)] = [
            (0, 64, 0xF2CE_2E32_45AA_E493), (1, 64, 0x6424_7734_023D_B5D0), (2, 128, 0x0026_4DCB_0230_17D8),
            (3, 64, 0xF363_E797_7DBD_F0E2), (123_456_789, 256, 0xE368_BC32_1861_29C8),
        ]
        for entry in golden {
            let image = FaceRenderer.render(seed: entry.seed, size: entry.size)
            #expect(image == FaceRenderer.render(seed: entry.seed, size: entry.size))
            let sum = Self.checksum(image)
            #expect(sum == entry.checksum, "seed \(entry.seed) at \(entry.size) px: checksum 0x\(String(sum, radix: 16, uppercase: true))")
        }
    }

    @Test func batchEqualsSingleRendersForAnyThreadCount() {
        let seeds = Array(UInt64(40)..<53)
        let singles = seeds.map { FaceRenderer.render(seed: $0, size: 64) }
        for threads in [1, 2, 3, 8] {
            #expect(FaceRenderer.render(seeds: seeds, size: 64, threads: threads) == singles, "threads \(threads)")
        }
    }

    @Test func glassesPutFrameColouredPixelsAroundTheEyes() {
        let size = 64
        for seed in UInt64(0)..<16 {
            var face = Self.plainFace(seed: seed)
            face.frameColor = .red
            let bare = FaceRenderer.render(face, size: size)
            for kind in [FaceAttributes.Glasses.thin, .thick] {
                face.glasses = kind
                let glasses = FaceRenderer.render(face, size: size)
                var red = 0, redWithout = 0
                for row in (size * 3 / 10)..<(size * 6 / 10) {
                    for column in 0..<size {
                        let p = glasses[column, row], q = bare[column, row]
                        if p.red > 150 && p.green < 90 && p.blue < 100 { red += 1 }
                        if q.red > 150 && q.green < 90 && q.blue < 100 { redWithout += 1 }
                    }
                }
                #expect(redWithout == 0 && red > (kind == .thick ? 60 : 25), "seed \(seed) \(kind): \(red) red pixels")
            }
        }
    }

    /// Lip-red pixels in the lower face: their mean row at the corners against the centre.
    static func cornerLift(_ image: Image) -> Float {
        let size = image.width
        var rows: [[Int]] = Array(repeating: [], count: size)
        for row in (size / 2)..<size {
            for column in 0..<size {
                let p = image[column, row]
                if Int(p.red) - Int(p.green) > 70 && p.blue < 140 { rows[column].append(row) }
            }
        }
        let columns = (0..<size).filter { !rows[$0].isEmpty }
        guard let first = columns.first, let last = columns.last, last - first > 6 else { return .nan }
        func meanRow(_ range: ClosedRange<Int>) -> Float {
            let values = range.flatMap { rows[$0] }
            return Float(values.reduce(0, +)) / Float(max(values.count, 1))
        }
        let width = last - first
        let corners = (meanRow(first...(first + width / 6)) + meanRow((last - width / 6)...last)) * 0.5
        let middle = meanRow((first + width * 2 / 5)...(last - width * 2 / 5))
        return middle - corners        // > 0: corners higher than the middle (y grows downwards)
    }

    @Test func smileRaisesTheMouthCornersAndFrownLowersThem() {
        for seed in UInt64(0)..<12 {
            var face = Self.plainFace(seed: seed)
            face.mouthOpen = -1
            face.smile = 1
            let grin = FaceRenderer.render(face, size: 64)
            face.smile = -1
            let frown = FaceRenderer.render(face, size: 64)
            #expect(Self.difference(grin, frown, x: 0..<64, y: 0..<30) == 0, "smile changed the upper face")
            let (up, down) = (Self.cornerLift(grin), Self.cornerLift(frown))
            #expect(up > 1.5 && down < -1.5, "seed \(seed): corner lift grin \(up), frown \(down)")
        }
    }

    @Test func openMouthDarkensTheMouth() {
        for seed in UInt64(0)..<12 {
            var face = Self.plainFace(seed: seed)
            face.mouthOpen = -1
            let closed = FaceRenderer.render(face, size: 64)
            face.mouthOpen = 1
            let open = FaceRenderer.render(face, size: 64)
            #expect(Self.difference(closed, open, x: 0..<64, y: 38..<64) > 15)
            #expect(Self.difference(closed, open, x: 0..<64, y: 0..<34) == 0)
        }
    }

    /// The mean column of the very dark pixels (pupils and lid lines) in the eye band.
    static func darkCentroid(_ image: Image) -> Float {
        var sum = 0, count = 0
        for row in (image.height / 4)..<(image.height * 3 / 5) {
            for column in 0..<image.width {
                let p = image[column, row]
                if Int(p.red) + Int(p.green) + Int(p.blue) < 150 { sum += column; count += 1 }
            }
        }
        return Float(sum) / Float(max(count, 1))
    }

    @Test func yawMovesTheEyesAndNoseTowardsItsSign() {
        for seed in UInt64(0)..<12 {
            var face = Self.plainFace(seed: seed)
            face.hairLightness = 1       // light brows, so dark pixels are the eyes
            face.yaw = -1
            let left = FaceRenderer.render(face, size: 64)
            face.yaw = 1
            let right = FaceRenderer.render(face, size: 64)
            face.yaw = 0
            let front = FaceRenderer.render(face, size: 64)
            let (l, f, r) = (Self.darkCentroid(left), Self.darkCentroid(front), Self.darkCentroid(right))
            #expect(l < f - 4 && r > f + 4, "seed \(seed): eye centroids \(l) \(f) \(r)")
            // The nose, lower down, moves as well.
            #expect(Self.difference(left, right, x: 0..<64, y: 38..<44) > 6)
        }
    }

    @Test func hairStyleChangesTheSidesAndTop() {
        for seed in UInt64(0)..<12 {
            var face = Self.plainFace(seed: seed)
            face.hairLightness = -1
            let bald = FaceRenderer.render(face, size: 64)
            face.hairStyle = .long
            face.hairLength = 1
            let long = FaceRenderer.render(face, size: 64)
            face.hairStyle = .short
            let short = FaceRenderer.render(face, size: 64)
            // Long hair falls beside the face and neck; short hair stops above the ears.
            let sidesLong = Self.difference(bald, long, x: 0..<64, y: 38..<60)
            let sidesShort = Self.difference(bald, short, x: 0..<64, y: 38..<60)
            #expect(sidesLong > 150 && sidesShort < 10, "seed \(seed): sides long \(sidesLong), short \(sidesShort)")
            #expect(Self.difference(bald, short, x: 16..<48, y: 0..<14) > 60)
        }
    }

    /// Every attribute at its extremes, at the smallest and a large size: a face is drawn (the
    /// centre differs from the corner) and nothing traps.
    @Test func extremeAttributesRender() {
        let continuous: [WritableKeyPath<FaceAttributes, Float>] = [
            \.faceWidth, \.faceLength, \.jawSquareness, \.chin, \.skinTone, \.hairLength, \.hairLightness, \.hairWarmth,
            \.eyeSize, \.eyeOpenness, \.eyeSpacing, \.irisColor, \.browThickness, \.browTilt, \.browRaise, \.noseSize,
            \.mouthWidth, \.smile, \.mouthOpen, \.blush, \.lightDirection, \.backgroundHue, \.backgroundLightness,
            \.backgroundGradient, \.backgroundAngle, \.yaw, \.roll,
        ]
        for value in [Float(-1), 1] {
            for style in FaceAttributes.HairStyle.allCases {
                for glasses in FaceAttributes.Glasses.allCases {
                    var face = FaceAttributes(seed: 0)
                    for path in continuous { face[keyPath: path] = value }
                    face.hairStyle = style
                    face.glasses = glasses
                    for size in [16, 256] {
                        let image = FaceRenderer.render(face, size: size)
                        #expect(image[size / 2, size / 2] != image[0, 0], "\(value) \(style) \(glasses) at \(size)")
                    }
                }
            }
        }
    }

    /// Edges are anti-aliased: where the background meets the head, a pixel lies strictly
    /// between the two colours.
    @Test func edgesHaveIntermediateValues() {
        var blended = 0
        for seed in UInt64(0)..<20 {
            let image = FaceRenderer.render(Self.plainFace(seed: seed), size: 64)
            let row = 32
            let background = image[0, row]
            guard let edge = (1..<32).first(where: { image[$0, row] != background }) else { continue }
            let inside = image[edge + 3, row]
            let p = image[edge, row]
            func between(_ v: UInt8, _ a: UInt8, _ b: UInt8) -> Bool { min(a, b) < v && v < max(a, b) }
            if between(p.red, background.red, inside.red) || between(p.green, background.green, inside.green) { blended += 1 }
        }
        #expect(blended >= 16, "\(blended) of 20 edges blended")
    }

    /// With SYNTHFACES_SAMPLES=/some/dir set, writes sample sheets there for looking at.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SYNTHFACES_SAMPLES"] != nil))
    func writeSampleSheets() throws {
        let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["SYNTHFACES_SAMPLES"]!)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for size in [64, 128] {
            let faces = FaceRenderer.render(seeds: 0..<64, size: size)
            let rows = stride(from: 0, to: 64, by: 8).map { Array(faces[$0..<($0 + 8)]) }
            try ImageGrid.make(rows: rows, margin: 2).write(to: folder.appendingPathComponent("samples-\(size).png"))
        }
        // One row per attribute, swept from −1 to +1 on one face.
        let sweeps: [WritableKeyPath<FaceAttributes, Float>] = [\.smile, \.mouthOpen, \.yaw, \.eyeOpenness, \.skinTone,
                                                                 \.hairLength, \.browTilt, \.roll, \.lightDirection, \.faceWidth]
        var base = FaceAttributes(seed: 5)
        base.hairStyle = .long
        base.glasses = .none
        base.yaw = 0
        base.roll = 0
        let sweepSize = Int(ProcessInfo.processInfo.environment["SYNTHFACES_SWEEP_SIZE"] ?? "64") ?? 64
        var rows = sweeps.map { path in
            (0..<8).map { step -> Image in
                var face = base
                face[keyPath: path] = -1 + Float(step) * 2 / 7
                return FaceRenderer.render(face, size: sweepSize)
            }
        }
        rows.append(FaceAttributes.HairStyle.allCases.flatMap { style in
            [FaceAttributes.Glasses.none, .thick].map { glasses in
                var face = base
                face.hairStyle = style
                face.hairLength = 0
                face.glasses = glasses
                return FaceRenderer.render(face, size: sweepSize)
            }
        })
        try ImageGrid.make(rows: rows, margin: 2).write(to: folder.appendingPathComponent("sweeps-\(sweepSize).png"))
        // Random faces with the shape, expression and pose attributes at −1 (top row) or +1 (bottom row).
        let extremes = [Float(-1), 1].map { value in
            (UInt64(0)..<8).map { seed -> Image in
                var face = FaceAttributes(seed: seed)
                face.faceWidth = value; face.faceLength = value; face.chin = value; face.jawSquareness = value
                face.eyeSize = value; face.eyeOpenness = value; face.browTilt = value; face.browRaise = value
                face.smile = value; face.mouthOpen = value; face.mouthWidth = value; face.noseSize = value
                face.yaw = value; face.roll = value; face.hairLength = face.hairStyle == .none ? -1 : value
                return FaceRenderer.render(face, size: sweepSize)
            }
        }
        try ImageGrid.make(rows: extremes, margin: 2).write(to: folder.appendingPathComponent("extremes-\(sweepSize).png"))
        let start = Date()
        let count = 2000
        _ = FaceRenderer.render(seeds: 0..<UInt64(count), size: 64, threads: 2)
        print("SynthFaces: \(Double(count) / Date().timeIntervalSince(start)) faces/s at 64 px on 2 threads")
    }
}
