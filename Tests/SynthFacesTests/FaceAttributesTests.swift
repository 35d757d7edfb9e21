import SynthFaces
import Testing

@Suite("FaceAttributes")
struct FaceAttributesTests {
    @Test func labelsMatchTheirNamesAndRanges() {
        #expect(FaceAttributes.labelNames.count == Set(FaceAttributes.labelNames).count)
        for required in ["smile", "mouthOpen", "glasses", "hairLength", "hairStyle", "yaw", "skinTone", "eyeOpenness"] {
            #expect(FaceAttributes.labelNames.contains(required), "missing \(required)")
        }
        for seed in UInt64(0)..<200 {
            let labels = FaceAttributes(seed: seed).labels
            #expect(labels.count == FaceAttributes.labelNames.count)
            for (name, value) in zip(FaceAttributes.labelNames, labels) {
                if FaceAttributes.categoricalLabelNames.contains(name) {
                    #expect(value >= 0 && value == value.rounded() && value <= 4, "\(name) = \(value)")
                } else {
                    #expect(value >= -1 && value <= 1, "\(name) = \(value)")
                }
            }
        }
    }

    @Test func samplingIsDeterministicAndSeedsDiffer() {
        #expect(FaceAttributes(seed: 12) == FaceAttributes(seed: 12))
        #expect(FaceAttributes(seed: 12) != FaceAttributes(seed: 13))
        // The first draws of the generator are fixed forever: changing them changes every face.
        var random = SplitMix64(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
    }

    /// The prototype's findings: glasses on about half the faces, hair styles balanced, a wide yaw range.
    @Test func distributionsOverFiveHundredSeeds() {
        let faces = (UInt64(1000)..<1500).map(FaceAttributes.init(seed:))
        let withGlasses = faces.filter { $0.glasses != .none }.count
        #expect(withGlasses > 200 && withGlasses < 300, "\(withGlasses) of 500 with glasses")
        for style in FaceAttributes.HairStyle.allCases {
            let count = faces.filter { $0.hairStyle == style }.count
            #expect(count > 95 && count < 155, "\(style): \(count) of 500")
        }
        let yaws = faces.map(\.yaw)
        #expect(yaws.min()! < -0.9 && yaws.max()! > 0.9)
        #expect(yaws.filter { abs($0) > 0.5 }.count > 200, "yaw should often be large")
        let smiles = faces.map(\.smile)
        #expect(smiles.filter { $0 > 0.5 }.count > 100 && smiles.filter { $0 < -0.5 }.count > 100)
        #expect(faces.filter { $0.hairStyle == .none }.allSatisfy { $0.hairLength == -1 })
    }
}
