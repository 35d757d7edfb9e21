import Foundation
import NeuralNetwork
import Perceptual
import Tensors
import Testing

@Suite struct AttributePredictorTests {
    static let layout = AttributeLayout(names: ["a", "kind", "b"], categorical: ["kind": 3])

    /// Outputs, loss terms, predicted label rows and a save/load round trip.
    @Test func lossPredictionsAndFiles() throws {
        let predictor = AttributePredictor(layout: Self.layout, generator: RandomGenerator(seed: 1))
        let images = Tensor.randomUniform([4, 3, 32, 32], low: -1, high: 1, generator: RandomGenerator(seed: 2))
        let outputs = predictor(images)
        #expect(outputs.shape == [4, 2 + 3])
        let labels = Tensor(shape: [4, 3], scalars: [0.5, 2, -0.5, 0, 0, 0, 1, 1, 1, -1, 2, 0.25])
        let (loss, terms) = predictor.loss(outputs, labels: labels)
        #expect(Set(terms.keys) == ["loss", "loss_continuous", "loss_kind"])
        #expect(abs(loss.item() - terms["loss_continuous"]! - terms["loss_kind"]!) < 1e-5)
        let rows = predictor.predictedLabels(outputs)
        #expect(rows.count == 4 && rows.allSatisfy { [0, 1, 2].contains($0[1]) })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("attributes-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try predictor.save(to: url, imageSize: 32)
        let (loaded, size) = try AttributePredictor.load(contentsOf: url)
        #expect(size == 32 && loaded.layout == Self.layout)
        #expect(loaded(images).scalars == outputs.scalars)
    }

    /// The architecture travels in the file: the deep and compact networks round-trip, a file
    /// without the metadata (written before it existed) loads as compact, and a crafted
    /// architecture is refused with a message naming the file instead of allocating.
    @Test func architectureInTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attributes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let images = Tensor.randomUniform([2, 3, 32, 32], low: -1, high: 1, generator: RandomGenerator(seed: 6))
        for architecture in [AttributePredictorArchitecture.deep, .compact] {
            let predictor = AttributePredictor(layout: Self.layout, architecture: architecture, generator: RandomGenerator(seed: 7))
            #expect(predictor.featureMaps(images).map { $0.shape[2] } == [16, 8, 4, 2])
            #expect(predictor.embedding(images).shape == [2, architecture.embeddingWidth])
            let url = directory.appendingPathComponent("predictor.safetensors")
            try predictor.save(to: url, imageSize: 32)
            let (loaded, _) = try AttributePredictor.load(contentsOf: url)
            #expect(loaded.architecture == architecture)
            #expect(loaded(images).scalars == predictor(images).scalars)
        }
        #expect(AttributePredictorArchitecture.deep.name == "deep" && AttributePredictorArchitecture.compact.name == "compact")
        #expect(AttributePredictorArchitecture(layers: [.init(channels: 8, stride: 2)]).name == "1-layer")
        let layoutJSON = String(decoding: try JSONEncoder().encode(Self.layout), as: UTF8.self)
        let compact = AttributePredictor(layout: Self.layout, architecture: .compact, generator: RandomGenerator(seed: 8))
        let legacy = directory.appendingPathComponent("legacy.safetensors")
        try compact.saveSafetensors(to: legacy, metadata: ["format": "styleprompter-attribute-predictor", "attribute_layout": layoutJSON])
        #expect(try AttributePredictor.load(contentsOf: legacy).predictor.architecture == .compact)
        for (architecture, message) in [("[{\"channels\": 100000, \"stride\": 2}]", "not a list of {channels, stride} layers"),
                                        ("{\"layers\": [{\"channels\": 100000, \"stride\": 2}]}", "100000 channels"),
                                        ("{\"layers\": [{\"channels\": 8, \"stride\": 1}]}", "no stride-2 layer")] {
            let crafted = directory.appendingPathComponent("crafted.safetensors")
            try compact.saveSafetensors(to: crafted, metadata: ["format": "styleprompter-attribute-predictor", "attribute_layout": layoutJSON,
                                                                "architecture": architecture])
            do {
                _ = try AttributePredictor.load(contentsOf: crafted)
                Issue.record("a crafted architecture \(architecture) loaded")
            } catch {
                let text = "\(error)"
                #expect(text.contains("crafted.safetensors"), "\(text)")
                if architecture.hasPrefix("{") { #expect(text.contains(message), "\(text)") }
            }
        }
    }

    /// A few Adam steps fit a fixed batch; the perceptual distance is zero for equal images and
    /// has a gradient.
    @Test func learnsAndMeasures() {
        let predictor = AttributePredictor(layout: Self.layout, generator: RandomGenerator(seed: 3))
        let images = Tensor.randomUniform([6, 3, 16, 16], low: -1, high: 1, generator: RandomGenerator(seed: 4))
        let labels = Tensor(shape: [6, 3], scalars: (0..<18).map { Float($0 % 3) })
        let optimizer = Adam(parameters: predictor.parameters(), learningRate: 3e-3)
        let first = predictor.loss(predictor(images), labels: labels).loss.item()
        for _ in 0..<30 {
            let (loss, _) = predictor.loss(predictor(images), labels: labels)
            optimizer.zeroGradients(); loss.backward(); optimizer.step()
        }
        #expect(predictor.loss(predictor(images), labels: labels).loss.item() < first * 0.5)
        #expect(predictor.perceptualDistance(images, images).item() == 0)
        let x = images.detached(); x.requiresGrad = true
        predictor.setRequiresGradient(false)
        predictor.perceptualDistance(x, images * 0.5).backward()
        #expect(x.grad != nil && x.grad!.scalars.contains { $0 != 0 })
    }

    /// Fréchet distance: zero for a set against itself, the squared mean shift for a shifted
    /// copy, and as the closed form for two Gaussians with different variances.
    @Test func frechetDistance() {
        let rng = RandomGenerator(seed: 5)
        let a = Tensor.randomNormal([4000, 3], generator: rng)
        #expect(abs(FrechetDistance.between(a, a)) < 1e-6)
        let shifted = a + 2
        #expect(abs(FrechetDistance.between(a, shifted) - 12) < 1e-6)
        let scaled = Tensor.randomNormal([4000, 3], generator: rng) * 3
        // Σ₁ ≈ I, Σ₂ ≈ 9I: 3·(1 + 9 − 2·3) = 12.
        #expect(abs(FrechetDistance.between(a, scaled) - 12) < 0.8)
    }
}
