import NeuralNetwork
import Tensors
import Testing

/// A module shaped like the pieces of the real models, to check key naming.
private final class ToyBlock: Module {
    var norm1 = LayerNorm(4)
    var attn = ToyAttention()
    var mlp = Sequential([Linear(4, 8), Activation(.gelu), Linear(8, 4)])
    var heads = [Linear(4, 2), Linear(4, 2, bias: false)]
    var latentTokens = Tensor.zeros([3, 4], requiresGrad: true)
    @Buffer var relativeIndex = Tensor.zeros([5])
    var scratch: [String: Tensor] = ["noise_10": Tensor.zeros([1]), "noise_2": Tensor.zeros([1])]
    var notATensor = 3

    override class var keyRenames: [String: String] { ["latentTokens": "latent_tok", "relativeIndex": "relative_position_index"] }
}

private final class ToyAttention: Module {
    var qkv = Linear(4, 12, bias: false)
    var qBias = Tensor.zeros([4], requiresGrad: true)
    override class var keyRenames: [String: String] { ["qBias": "q_bias"] }
}

@Suite struct ModuleTests {
    @Test func parametersAndBuffersAreNamedLikePyTorch() {
        let block = ToyBlock()
        #expect(block.namedParameters().map(\.key) == [
            "norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.q_bias",
            "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias",
            "heads.0.weight", "heads.0.bias", "heads.1.weight", "latent_tok",
        ])
        #expect(block.namedBuffers().map(\.key) == ["relative_position_index", "scratch.noise_2", "scratch.noise_10"])
        #expect(block.stateDictionary().count == 15)
    }

    @Test func trainAndEvalReachEveryDescendant() {
        let block = ToyBlock()
        block.eval()
        #expect(!block.training && !block.attn.training && !block.mlp.layers[1].training)
        block.train()
        #expect(block.heads[1].training)
    }

    @Test func loadingReportsMissingUnexpectedAndMisshapenKeysByName() throws {
        let block = ToyBlock()
        var values = Dictionary(uniqueKeysWithValues: block.stateDictionary().map { ($0.key, Tensor.ones($0.tensor.shape)) })
        values.removeValue(forKey: "attn.q_bias")
        values["attn.k_bias"] = Tensor.ones([4])
        values["mlp.0.weight"] = Tensor.ones([8, 5])
        do {
            try block.load(stateDictionary: values, source: "toy.pt")
            Issue.record("strict load of a mismatched state dict succeeded")
        } catch let error as StateDictionaryError {
            let message = error.description
            #expect(message.hasPrefix("toy.pt: "))
            #expect(message.contains("missing keys attn.q_bias"))
            #expect(message.contains("unexpected keys attn.k_bias"))
            #expect(message.contains("'mlp.0.weight' has shape [8, 5], expected [8, 4]"))
            #expect(!message.contains("\n"))
        }
        // Strict failure copies nothing.
        #expect(block.norm1.weight!.scalars.allSatisfy { $0 == 1 } && block.attn.qkv.weight.scalars.contains { $0 != 1 })

        let report = try block.load(stateDictionary: values, strict: false)
        #expect(report.missingKeys == ["attn.q_bias"] && report.unexpectedKeys == ["attn.k_bias"])
        #expect(report.shapeMismatches.map(\.key) == ["mlp.0.weight"])
        #expect(block.attn.qkv.weight.scalars.allSatisfy { $0 == 1 })
        #expect(block.mlp.layers[0] is Linear && (block.mlp.layers[0] as! Linear).weight.scalars.contains { $0 != 1 })
    }

    @Test func linearAndConvolutionMatchTheirFunctionalForms() {
        let rng = RandomGenerator(seed: 3)
        let linear = Linear(5, 3, generator: rng)
        let x = Tensor.randomNormal([2, 4, 5], generator: rng)
        let y = linear(x)
        #expect(y.shape == [2, 4, 3])
        let expected = Tensor.matmul(x.reshape([8, 5]), linear.weight, transposeB: true) + linear.bias!
        #expect(y.reshape([8, 3]).scalars == expected.scalars)
        // PyTorch's default initialisation bound is 1/√fanIn.
        #expect(linear.weight.scalars.allSatisfy { abs($0) <= 1 / Float(5).squareRoot() })

        let conv = Conv2d(4, 6, kernelSize: 3, stride: 2, padding: 1, groups: 2, generator: rng)
        #expect(conv.weight.shape == [6, 2, 3, 3])
        #expect(conv(Tensor.randomNormal([1, 4, 9, 9], generator: rng)).shape == [1, 6, 5, 5])
    }

    @Test func dropoutAndDropPathScaleKeptValuesAndVanishInEvaluation() {
        let rng = RandomGenerator(seed: 5)
        let x = Tensor.ones([8, 1000])
        let dropout = Dropout(0.25, generator: rng)
        let y = dropout(x).scalars
        #expect(Set(y).isSubset(of: [0, 1 / 0.75]))
        let keptFraction = Double(y.filter { $0 != 0 }.count) / Double(y.count)
        #expect(abs(keptFraction - 0.75) < 0.02)
        let dropPath = DropPath(0.5, generator: rng)
        let z = dropPath(x)
        for sample in 0..<8 {
            let row = Set(z.narrow(0, start: sample, length: 1).scalars)
            #expect(row == [0] || row == [2])
        }
        dropout.eval(); dropPath.eval()
        #expect(dropout(x) === x && dropPath(x) === x)
    }
}

/// PReLU's one-pass inference path equals its differentiable one.
@Suite struct PReLUPathsTests {
    @Test func inferenceMatchesTheDifferentiablePath() {
        let x = Tensor.randomNormal([2, 3, 4, 4], generator: RandomGenerator(seed: 3))
        let layer = PReLU(channels: 3)
        layer.weight = Tensor(shape: [3], scalars: [0.1, -0.5, 2], requiresGrad: true)
        let trained = layer(x)                                               // weight requires grad: ops path
        let inferred = GradientMode.withoutGradients { layer(x) }            // one pass
        #expect(trained.scalars == inferred.scalars)
        #expect(PReLU.apply(x, slope: Tensor(shape: [1], scalars: [0.25])).scalars
                == x.scalars.map { $0 > 0 ? $0 : 0.25 * $0 })
    }
}
