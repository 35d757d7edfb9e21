import Foundation
import NeuralNetwork
import Perceptual
import Tensors
import Testing
import TestSupport

/// IR-SE units and a narrow IR-SE backbone (24 units, pSp's taps) against the released
/// `helpers.py` / `model_irse.py` / `id_loss.py` (`irse_blocks.*`, `irse_mini.*`).
struct ArcFaceTests {
    @Test(arguments: [("se_same_stride2", 16, 16, 2, true), ("se_widen_stride2", 16, 32, 2, true),
                      ("se_same_stride1", 32, 32, 1, true), ("ir_widen_stride1", 16, 24, 1, false)])
    func bottleneckMatchesReleasedUnit(name: String, inputChannels: Int, depth: Int, stride: Int, squeeze: Bool) throws {
        let fixtures = try PerceptualFixtures.fixtures("irse_blocks.safetensors")
        let gaps = PerceptualFixtures.gaps(fixtures)
        let unit = BottleneckIR(inputChannels: inputChannels, depth: depth, stride: stride, squeezeExcitation: squeeze)
        try unit.load(contentsOf: PerceptualFixtures.file("irse_blocks.pt"), prefix: "\(name).")
        unit.eval()
        let x = try fixtures.tensor("\(name).x")
        x.requiresGrad = true
        let y = unit(x)
        let yError = relativeError(y, try fixtures.tensor("\(name).y"))
        let dx = gradients(of: y, withRespectTo: [x], seed: try fixtures.tensor("\(name).gout"))[0]
        let dxError = relativeError(dx, try fixtures.tensor("\(name).dx"))
        print("parity \(name): y \(yError) (gap \(gaps["\(name).y"]!)), dx \(dxError) (gap \(gaps["\(name).dx"]!))")
        #expect(yError <= PerceptualFixtures.bound(gaps["\(name).y"]))
        #expect(dxError <= PerceptualFixtures.bound(gaps["\(name).dx"]))
    }

    @Test func bottleneckFiniteDifferences() throws {
        let unit = BottleneckIR(inputChannels: 16, depth: 16, stride: 2)
        try unit.load(contentsOf: PerceptualFixtures.file("irse_blocks.pt"), prefix: "se_same_stride2.")
        unit.eval()
        let x = try PerceptualFixtures.fixtures("irse_blocks.safetensors").tensor("se_same_stride2.x")
        let errors = FiniteDifferences.relativeErrors(of: { unit($0[0]) }, at: [x], step: 1e-2)
        #expect(errors[0] < 2e-2, "\(errors)")
    }

    @Test func configurationIsInferredFromTheStateDict() throws {
        let facenet = try IRSEBackbone.load(contentsOf: PerceptualFixtures.file("irse_mini.pt"))
        let c = facenet.configuration
        #expect(c.stemChannels == 16 && c.inputSize == 112 && c.embeddingSize == 16 && c.squeezeExcitation && c.affineEmbeddingNorm)
        #expect(c.stages == [.init(depth: 16, units: 3), .init(depth: 20, units: 4), .init(depth: 16, units: 14), .init(depth: 20, units: 3)])
        #expect(c.reduction == 16 && c.featureTaps == [2, 6, 20, 23])
        #expect(IRSEConfiguration.irSE50.units.count == 24)
    }

    @Test func irSE50HasTheReleasedKeysAndSizes() {
        // Backbone(112, 50, 'ir_se'): 397 state-dict entries, 43,797,696 parameters.
        let facenet = IRSEBackbone(configuration: .irSE50)
        #expect(facenet.stateDictionary().count == 397)
        #expect(facenet.parameters().reduce(0) { $0 + $1.count } == 43_797_696)
        #expect(facenet.stateDictionary().map(\.key).contains("body.23.res_layer.5.fc2.weight"))
        #expect(facenet.stateDictionary().map(\.key).contains("body.3.shortcut_layer.1.running_var"))
    }

    @Test func backboneMatchesReleasedForward() throws {
        let fixtures = try PerceptualFixtures.fixtures("irse_mini.safetensors")
        let gaps = PerceptualFixtures.gaps(fixtures)
        let facenet = try IRSEBackbone.load(contentsOf: PerceptualFixtures.file("irse_mini.pt"))
        let faces = PerceptualFixtures.blocky(try fixtures.tensor("faces_base"), factor: 4, height: 112, width: 112)
        faces.requiresGrad = true
        let (embedding, features) = facenet.forward(faces, returnFeatures: true)
        let error = relativeError(embedding, try fixtures.tensor("embedding"))
        print("parity irse_mini embedding: \(error) (gap \(gaps["embedding"]!))")
        #expect(error <= PerceptualFixtures.bound(gaps["embedding"]))
        #expect(features.count == 4)
        for (i, feature) in features.enumerated() {
            let e: Double
            if fixtures.contains("feature\(i)") {
                e = relativeError(feature, try fixtures.tensor("feature\(i)"))
            } else {
                e = Swift.max(relativeError(feature.mean(axes: [2, 3]), try fixtures.tensor("feature\(i)_channel_mean")),
                              try PerceptualFixtures.sampleError(feature, fixtures: fixtures, key: "feature\(i)"))
            }
            print("parity irse_mini feature\(i): \(e) (gap \(gaps["feature\(i)"]!))")
            #expect(e <= PerceptualFixtures.bound(gaps["feature\(i)"]))
        }
        let dFaces = gradients(of: embedding, withRespectTo: [faces], seed: try fixtures.tensor("gout_embedding"))[0]
        let (blocks, sample) = try PerceptualFixtures.gradientErrors(dFaces, fixtures: fixtures, key: "embedding_dfaces", factor: 4)
        print("parity irse_mini d embedding / d faces: blocks \(blocks), sample \(sample) (gap \(gaps["embedding_dfaces"]!))")
        #expect(blocks <= PerceptualFixtures.bound(gaps["embedding_dfaces"]))
        #expect(sample <= PerceptualFixtures.bound(gaps["embedding_dfaces"]))
        // Unit-length rows.
        let norms = (embedding * embedding).sum(axis: 1).scalars
        #expect(norms.allSatisfy { abs($0 - 1) < 1e-5 })
    }

    @Test func identityLossMatchesReleasedIDLoss() throws {
        let fixtures = try PerceptualFixtures.fixtures("irse_mini.safetensors")
        let identity = IdentityLoss(facenet: try IRSEBackbone.load(contentsOf: PerceptualFixtures.file("irse_mini.pt")))
        try Self.checkIdentityLoss(identity, fixtures: fixtures, label: "irse_mini")
    }

    /// Single- and multi-layer losses, their gradients and the similarity metric (shared with the
    /// full-size opt-in test).
    static func checkIdentityLoss(_ identity: IdentityLoss, fixtures: FixtureFile, label: String) throws {
        let gaps = PerceptualFixtures.gaps(fixtures)
        let image = { (key: String) in PerceptualFixtures.blocky(try fixtures.tensor(key), factor: 8, height: 256, width: 256) }
        let target = try image("y_base")
        for (multi, key) in [(false, "id_loss"), (true, "id_loss_multi")] {
            let generated = try image("yhat_base")
            generated.requiresGrad = true
            let loss = identity(generated, target, multiLayer: multi)
            let expected = try fixtures.tensor(key)
            let error = relativeError([Double(loss.item())], [Double(expected.item())])
            let dGenerated = gradients(of: loss, withRespectTo: [generated])[0]
            let (blocks, sample) = try PerceptualFixtures.gradientErrors(dGenerated, fixtures: fixtures, key: key + "_dyhat", factor: 8)
            print("parity \(label) \(key): \(loss.item()) vs \(expected.item()), relative \(error) (gap \(gaps[key]!)); gradient blocks \(blocks), sample \(sample) (gap \(gaps[key + "_dyhat"]!))")
            #expect(error <= PerceptualFixtures.bound(gaps[key]))
            #expect(blocks <= PerceptualFixtures.bound(gaps[key + "_dyhat"]))
            #expect(sample <= PerceptualFixtures.bound(gaps[key + "_dyhat"]))
        }
        let embedding = GradientMode.withoutGradients { identity.embedding(try! image("yhat_base")) }
        let embeddingError = relativeError(embedding, try fixtures.tensor("yhat_embedding"))
        print("parity \(label) embedding of the face crop: \(embeddingError)")
        // The script measured the gap on the embedding of this network (not of each crop): the same kind of value.
        #expect(embeddingError <= PerceptualFixtures.bound(gaps["embedding"]))
        let similarity = GradientMode.withoutGradients { identity.similarity(try! image("yhat_base"), target) }
        #expect(relativeError(similarity, try fixtures.tensor("id_similarity")) <= PerceptualFixtures.bound(gaps["embedding"]))
    }

    /// The loss's own pieces (crop, adaptive pooling, CosineEmbeddingLoss's cosine) against
    /// finite differences. (The whole network's gradient is checked against PyTorch above: on a
    /// deep random network with PReLU/ReLU kinks, float32 finite differences cannot resolve it
    /// better than a few per cent.)
    @Test func identityLossPiecesFiniteDifferences() throws {
        let fixtures = try PerceptualFixtures.fixtures("irse_mini.safetensors")
        let image = try fixtures.tensor("yhat_base")   // [2, 3, 32, 32]
        let reference = Tensor(shape: [2, 3 * 7 * 7], scalars: (0..<(2 * 147)).map { Float(($0 * 37) % 19) / 19 - 0.4 })
        let errors = FiniteDifferences.relativeErrors(of: { inputs in
            let pooled = IdentityLoss.faceCrop(inputs[0]).adaptiveAveragePool2d(outputHeight: 7, outputWidth: 7)
            return IdentityLoss.cosine(pooled.reshape([2, 147]), inputs[1])
        }, at: [image, reference], step: 1e-2)
        #expect(errors.allSatisfy { $0 < 1e-2 }, "\(errors)")
    }

    @Test func faceCropIsPSPs() {
        let images = Tensor(shape: [1, 1, 256, 256], scalars: (0..<65536).map { Float($0) })
        let crop = IdentityLoss.faceCrop(images)
        #expect(crop.shape == [1, 1, 188, 188])
        #expect(crop.scalars[0] == Float(35 * 256 + 32))
    }

    @Test func cosineIsCosineEmbeddingLosss() {
        let a = Tensor(shape: [2, 3], scalars: [1, 0, 0, 1, 2, 3])
        let b = Tensor(shape: [2, 3], scalars: [2, 0, 0, -1, -2, -3])
        #expect(IdentityLoss.cosine(a, b).scalars.map { ($0 * 1e5).rounded() / 1e5 } == [1, -1])
    }

    @Test func wrongFileIsRefusedWithItsName() throws {
        #expect(throws: PerceptualError.self) {
            _ = try IRSEBackbone.load(contentsOf: PerceptualFixtures.file("lpips_small_trunk.pt"))
        }
    }
}
