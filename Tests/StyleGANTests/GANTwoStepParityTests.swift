import Foundation
import NeuralNetwork
import StyleGAN
import Tensors
import Testing
import TestSupport

/// Two iterations of `GANTrainer` against two iterations of rosinality's `train.py` loop
/// (`Scripts/make_gan_training_fixtures.py`): same weights (`train64.pt`), same real batches,
/// and the same random draws — z's, mixing decisions, crossovers, per-layer noise, path probe —
/// replayed through `GANTrainer.RandomSource`. Iteration 0 runs D, R1, G and path length;
/// iteration 1 runs D and G; Adam with the lazy-regularisation corrections, EMA.
@Suite struct GANTwoStepParityTests {
    static let fx = StyleGANFixtures.load("train64_two_steps.safetensors")

    /// Replays the recorded draws in the order the trainer asks for them.
    final class RecordedDraws: GANTrainer.RandomSource {
        struct Call { var latents: [Tensor]; var crossover: Int?; var noise: [Tensor] }
        var calls: [Call]
        var probes: [Tensor]
        var current: Call?

        init(_ fx: FixtureFile) throws {
            struct Meta: Decodable { var batch: Int; var mixed: Bool; var crossover: Int? }
            let meta = try JSONDecoder().decode([String: Meta].self, from: Data(fx.metadata["calls"]!.utf8))
            calls = try ["0.d", "0.g", "0.path", "1.d", "1.g"].map { key in
                let m = meta[key]!
                return Call(latents: try (0..<(m.mixed ? 2 : 1)).map { try fx.tensor("call.\(key).z.\($0)") },
                            crossover: m.crossover,
                            noise: try (0..<9).map { try fx.tensor("call.\(key).noise.\($0)") })
            }
            probes = [try fx.tensor("path_probe")]
        }

        func latents(batch: Int, dimension: Int, mixingProbability: Float) -> [Tensor] {
            current = calls.removeFirst()
            precondition(current!.latents[0].shape == [batch, dimension], "replay out of order")
            return current!.latents
        }

        // rosinality draws no crossover for an unmixed call; the trainer's default stream
        // does, so any value is fine there.
        func crossover(latentCount: Int) -> Int { current?.crossover ?? 1 }

        func noise() -> NoiseMode { .explicit(current!.noise) }

        func pathLengthProbe(like images: Tensor) -> Tensor {
            probes.removeFirst() * (1 / Float(images.shape[2] * images.shape[3]).squareRoot())
        }
    }

    static func gaps(_ name: String) -> [String: Double] {
        (try? JSONDecoder().decode([String: Double].self, from: Data(fx.metadata[name]!.utf8))) ?? [:]
    }

    @Test func twoIterationsMatchRosinality() throws {
        let url = StyleGANFixtures.folder.appendingPathComponent("train64.pt")
        let generator = Generator(StyleGANFixtures.configuration), ema = Generator(StyleGANFixtures.configuration)
        try generator.load(contentsOf: url, prefix: "g.")
        let discriminator = Discriminator(size: 64, channels: StyleGANFixtures.configuration.channels)
        try discriminator.load(contentsOf: url, prefix: "d.")
        let initial = Dictionary(uniqueKeysWithValues: (generator.namedParameters().map { ("g.\($0.key)", $0.tensor.scalars) })
            + discriminator.namedParameters().map { ("d.\($0.key)", $0.tensor.scalars) })
        let trainer = GANTrainer(generator: generator, discriminator: discriminator, ema: ema)
        trainer.randomSource = try RecordedDraws(Self.fx)
        let gaps = Self.gaps("gap"), changeGaps = Self.gaps("change_gap")

        func checkScalar(_ value: Float?, _ key: String) throws {
            let value = try #require(value, "\(key) missing")
            let expected = try Self.fx.tensor(key).scalars
            let error = relativeError([Double(value)], [Double(expected[0])])
            // A loss: a handful of float32 roundings of a scalar (its f32-vs-f64 gap is ≤ 6e-7).
            let bound = ParityTolerance.bound(gap: gaps[key])
            print("parity two-step \(key): \(value) vs \(expected[0]), rel \(error) (gap \(gaps[key] ?? 0))")
            #expect(error <= bound, "\(key): \(error) > \(bound)")
        }

        for step in 0..<2 {
            let losses = trainer.step(realImages: try Self.fx.tensor("real.\(step)"))
            try checkScalar(losses.discriminator, "step.\(step).d_loss")
            try checkScalar(losses.generator, "step.\(step).g_loss")
            if step == 0 {
                try checkScalar(losses.r1, "step.0.r1_loss")
                try checkScalar(losses.pathLength, "step.0.path_loss")
                try checkScalar(losses.meanPathLength, "step.0.path_mean")
            } else {
                #expect(losses.r1 == nil && losses.pathLength == nil)
            }
            for (name, module) in [("g", generator as Module), ("d", discriminator), ("g_ema", ema)] {
                var worstWeight = 0.0, worstChange = 0.0, worstKey = ""
                for (key, p) in module.namedParameters() {
                    let fixtureKey = "step.\(step).\(name).\(key)"
                    let expected = try Self.fx.tensor(fixtureKey)
                    let error = relativeError(p, expected)
                    // Weights: 8× PyTorch's own f32-vs-f64 gap of the same weights, floored at 2e-6.
                    let bound = ParityTolerance.bound(gap: gaps[fixtureKey])
                    #expect(error <= bound, "\(fixtureKey): \(error) > \(bound)")
                    if error > worstWeight { worstWeight = error; worstKey = key }
                    // Changes (w − w₀) for g and d: Adam's first steps move each weight by ≈ ±lr
                    // whatever the gradient's size, so a near-zero gradient whose rounding differs
                    // can move its weight differently; PyTorch's own f32-vs-f64 run shows that
                    // amplification (change_gap up to ~1.6e-3). Bound: 4× that gap, floored at 1e-4.
                    if name != "g_ema", let w0 = initial["\(name).\(key)"] {
                        let change = zip(p.scalars, w0).map { Double($0) - Double($1) }
                        let expectedChange = zip(expected.scalars, w0).map { Double($0) - Double($1) }
                        let changeError = relativeError(change, expectedChange)
                        worstChange = max(worstChange, changeError)
                        let changeBound = max(4 * (changeGaps[fixtureKey] ?? 0), 1e-4)
                        #expect(changeError <= changeBound, "\(fixtureKey) change: \(changeError) > \(changeBound)")
                    }
                }
                print("parity two-step step \(step) \(name): worst weight rel L2 \(worstWeight) (\(worstKey)), worst change rel L2 \(worstChange)")
            }
        }
    }
}
