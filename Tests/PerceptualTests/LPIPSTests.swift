import Foundation
import NeuralNetwork
import Perceptual
import Tensors
import Testing
import TestSupport

/// LPIPS against the released `criteria/lpips` (pSp / StylePrompter): a narrow trunk in every
/// accepted file layout, and the full-width metric with the real v0.1 heads.
struct LPIPSTests {
    static let smallLayouts: [[String]] = [
        ["lpips_small_trunk.pt", "lpips_small_heads.pth"],   // torchvision trunk + legacy head file
        ["lpips_small_psp.pt"],                               // pSp's LPIPS state dict, one file
        ["lpips_small_richzhang.pt"],                         // lpips package layout, one file
    ]

    @Test(arguments: smallLayouts)
    func smallTrunkMatchesReleasedLPIPS(files: [String]) throws {
        let lpips = try LPIPS.load(from: files.map(PerceptualFixtures.file))
        #expect(lpips.net.channels == [8, 16, 24, 16, 16])
        let fixtures = try PerceptualFixtures.fixtures("lpips_small.safetensors")
        try Self.check(lpips, fixtures: fixtures, factor: 2, size: 64, label: "lpips_small \(files.joined(separator: "+"))")
    }

    static func check(_ lpips: LPIPS, fixtures: FixtureFile, factor: Int, size: Int, label: String) throws {
        let gaps = PerceptualFixtures.gaps(fixtures)
        let x = PerceptualFixtures.blocky(try fixtures.tensor("x_base"), factor: factor, height: size, width: size)
        let y = PerceptualFixtures.blocky(try fixtures.tensor("y_base"), factor: factor, height: size, width: size)
        x.requiresGrad = true
        let loss = lpips(x, y)
        let lossError = relativeError([Double(loss.item())], [Double(try fixtures.tensor("loss").item())])
        let perImage = GradientMode.withoutGradients { lpips.distances(x, y) }
        let perImageError = relativeError(perImage, try fixtures.tensor("per_image"))
        let dx = gradients(of: loss, withRespectTo: [x])[0]
        let (blocks, sample) = try PerceptualFixtures.gradientErrors(dx, fixtures: fixtures, key: "dx", factor: factor)
        print("parity \(label): loss \(loss.item()) relative \(lossError) (gap \(gaps["loss"]!)), per image \(perImageError), dx blocks \(blocks) sample \(sample) (gap \(gaps["dx"]!))")
        #expect(lossError <= PerceptualFixtures.bound(gaps["loss"]))
        #expect(perImageError <= PerceptualFixtures.bound(gaps["per_image"]))
        #expect(blocks <= PerceptualFixtures.bound(gaps["dx"]))
        #expect(sample <= PerceptualFixtures.bound(gaps["dx"]))
    }

    @Test(.enabled(if: PerceptualFixtures.hasSharedAlexHeads, "needs ../shared/data/lpips/v0.1_alex.pth"))
    func alexNetWithRealHeadsMatchesReleasedLPIPS() throws {
        let heads = PerceptualFixtures.sharedAlexHeads
        let fixtures = try PerceptualFixtures.fixtures("lpips_alex.safetensors")
        // The trunk is regenerated bit for bit from SplitMix64, as the script drew it.
        var random = SplitMix64(seed: 0x1795)
        var trunk: [String: Tensor] = [:]
        let alex = AlexNetFeatures()
        for index in AlexNetFeatures.convolutionIndices {
            let conv = alex.layers.layers[index] as! Conv2d
            let fanIn = conv.weight.count / conv.weight.shape[0]
            let bound = (6.0 / Double(fanIn)).squareRoot()
            trunk["features.\(index).weight"] = Tensor(shape: conv.weight.shape, scalars: (0..<conv.weight.count).map { _ in
                Float(Double(random.nextSigned()) * bound)
            })
            trunk["features.\(index).bias"] = Tensor(shape: conv.bias!.shape, scalars: (0..<conv.bias!.count).map { _ in
                Float(Double(random.nextSigned()) * 0.05)
            })
        }
        #expect(trunk["features.0.weight"]!.scalars.prefix(4).elementsEqual(try fixtures.tensor("check_conv0_weight_first").scalars))
        #expect(trunk["features.10.bias"]!.scalars.suffix(4).elementsEqual(try fixtures.tensor("check_conv10_bias_last").scalars))
        let headWeights = try CheckpointTensors.load(heads)
        let lpips = LPIPS()
        var combined = [String: Tensor]()
        for (key, value) in trunk.merging(headWeights, uniquingKeysWith: { a, _ in a }) {
            if let canonical = LPIPS.canonicalKey(key) { combined[canonical] = value }
        }
        try lpips.load(stateDictionary: combined)
        try Self.check(lpips, fixtures: fixtures, factor: 4, size: 128, label: "lpips_alex (real v0.1 heads)")
    }

    @Test(.enabled(if: PerceptualFixtures.hasSharedAlexHeads, "needs ../shared/data/lpips/v0.1_alex.pth"))
    func realHeadFileLoads() throws {
        let heads = PerceptualFixtures.sharedAlexHeads
        let weights = try CheckpointTensors.load(heads)
        #expect(Set(weights.keys) == Set((0..<5).map { "lin\($0).model.1.weight" }))
        for (k, channels) in AlexNetFeatures.standardChannels.enumerated() {
            let w = weights["lin\(k).model.1.weight"]!
            #expect(w.shape == [1, channels, 1, 1])
            #expect(w.scalars.allSatisfy { $0 >= 0 })   // LPIPS heads are clamped non-negative
        }
        // A head file alone has no trunk: the error says which layout was expected.
        #expect(throws: PerceptualError.self) { _ = try LPIPS.load(from: [heads]) }
    }

    @Test func incompleteOrMismatchedFilesAreRefusedByKey() throws {
        // A trunk without heads: the missing head keys are named.
        do {
            _ = try LPIPS.load(from: [PerceptualFixtures.file("lpips_small_trunk.pt")])
            Issue.record("a trunk without heads loaded")
        } catch let error as StateDictionaryError {
            #expect(error.report.missingKeys == (0..<5).map { "lin.\($0).1.weight" })
        }
        // The real (full-width) heads on a narrow trunk: shape mismatches, by key.
        let heads = PerceptualFixtures.sharedAlexHeads
        guard FileManager.default.fileExists(atPath: heads.path) else { return }
        do {
            _ = try LPIPS.load(trunk: PerceptualFixtures.file("lpips_small_trunk.pt"), heads: heads)
            Issue.record("mismatched heads loaded")
        } catch let error as StateDictionaryError {
            #expect(error.report.shapeMismatches.map(\.key) == (0..<5).map { "lin.\($0).1.weight" })
        }
    }

    @Test func canonicalKeysCoverEveryLayout() {
        let cases: [(String, String?)] = [
            ("features.3.weight", "net.layers.3.weight"), ("net.layers.10.bias", "net.layers.10.bias"),
            ("net.slice2.3.weight", "net.layers.3.weight"), ("lin4.model.1.weight", "lin.4.1.weight"),
            ("lin.2.1.weight", "lin.2.1.weight"), ("0.1.weight", "lin.0.1.weight"),
            ("module.features.0.bias", "net.layers.0.bias"), ("classifier.1.weight", nil), ("net.mean", nil),
            ("scaling_layer.shift", nil),
        ]
        for (key, expected) in cases { #expect(LPIPS.canonicalKey(key) == expected, "\(key)") }
    }

    @Test func keysAndShapes() {
        let keys = LPIPS().stateDictionary().map(\.key)
        #expect(keys == ["net.layers.0.weight", "net.layers.0.bias", "net.layers.3.weight", "net.layers.3.bias",
                         "net.layers.6.weight", "net.layers.6.bias", "net.layers.8.weight", "net.layers.8.bias",
                         "net.layers.10.weight", "net.layers.10.bias",
                         "lin.0.1.weight", "lin.1.1.weight", "lin.2.1.weight", "lin.3.1.weight", "lin.4.1.weight"])
        let taps = GradientMode.withoutGradients { AlexNetFeatures().features(Tensor.zeros([1, 3, 256, 256])) }
        #expect(taps.map(\.shape) == [[1, 64, 63, 63], [1, 192, 31, 31], [1, 384, 15, 15], [1, 256, 15, 15], [1, 256, 15, 15]])
    }

    @Test func lpipsFiniteDifferences() throws {
        let lpips = try LPIPS.load(from: Self.smallLayouts[1].map(PerceptualFixtures.file))
        let fixtures = try PerceptualFixtures.fixtures("lpips_small.safetensors")
        let x = try fixtures.tensor("x_base"), y = try fixtures.tensor("y_base")
        let errors = FiniteDifferences.relativeErrors(of: { lpips.distances($0[0], $0[1]) }, at: [x, y], step: 1e-2)
        #expect(errors.allSatisfy { $0 < 2e-2 }, "\(errors)")
    }

    @Test func identicalImagesAreAtDistanceZero() throws {
        let lpips = try LPIPS.load(from: Self.smallLayouts[1].map(PerceptualFixtures.file))
        let x = try PerceptualFixtures.fixtures("lpips_small.safetensors").tensor("x_base")
        #expect(lpips.distances(x, x).scalars == [0, 0])
    }
}
