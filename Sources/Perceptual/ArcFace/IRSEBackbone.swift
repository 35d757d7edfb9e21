import NeuralNetwork
import Tensors

/// The ArcFace face-recognition network of pSp's ID loss (`Backbone` in `model_irse.py`, after
/// TreB1eN's InsightFace_Pytorch): a 112×112 face → a unit-length embedding (512-d for IR-SE50).
///
/// - `input_layer`: Conv 3×3 3→64 (no bias), BatchNorm, PReLU — keys `input_layer.{0,1,2}`;
/// - `body.N`: the `BottleneckIR` units of the configuration (IR-SE50: 3, 4, 14, 3 units of
///   depth 64, 128, 256, 512, each stage starting with stride 2);
/// - `output_layer`: BatchNorm2d(512), Dropout, Flatten, Linear(512·7·7 → 512),
///   BatchNorm1d(512) — keys `output_layer.{0,3,4}`;
/// - the embedding is `x / ‖x‖₂` (`l2_norm`, no epsilon).
///
/// It is built in evaluation mode with frozen parameters, as the ID loss uses it; gradients
/// still flow to the input image. Keep it out of a trained module's tree (`IdentityLoss` is not
/// a `Module`, so holding one there is safe): a parent's `train()` would switch its BatchNorms to
/// batch statistics.
///
/// ```swift
/// let facenet = try IRSEBackbone.load(contentsOf: irse50URL)     // model_ir_se50.pth
/// let embedding = facenet(faces112)                              // [N, 512], unit rows
/// ```
public final class IRSEBackbone: Module {
    public let configuration: IRSEConfiguration
    public var inputLayer: Sequential
    public var body: Sequential
    public var outputLayer: Sequential

    public override class var keyRenames: [String: String] {
        ["inputLayer": "input_layer", "outputLayer": "output_layer"]
    }

    public init(configuration: IRSEConfiguration = .irSE50, dropout: Float = 0.6) {
        self.configuration = configuration
        let c = configuration
        inputLayer = Sequential([
            Conv2d(3, c.stemChannels, kernelSize: 3, padding: 1, bias: false),
            BatchNorm(channels: c.stemChannels),
            PReLU(channels: c.stemChannels),
        ])
        body = Sequential(c.units.map {
            BottleneckIR(inputChannels: $0.inputChannels, depth: $0.depth, stride: $0.stride,
                         squeezeExcitation: c.squeezeExcitation, reduction: c.reduction)
        })
        let last = c.stages.last?.depth ?? c.stemChannels
        outputLayer = Sequential([
            BatchNorm(channels: last),
            Dropout(dropout),
            Flatten(),
            Linear(last * c.finalSide * c.finalSide, c.embeddingSize),
            BatchNorm(channels: c.embeddingSize, affine: c.affineEmbeddingNorm),
        ])
        super.init()
        eval()
        setRequiresGradient(false)
    }

    /// The unit-length embedding of `faces [N, 3, S, S]` (S = `configuration.inputSize`).
    public func callAsFunction(_ faces: Tensor) -> Tensor {
        forward(faces, returnFeatures: false).embedding
    }

    /// The embedding and, with `returnFeatures`, the outputs of the body units listed in
    /// `configuration.featureTaps` (pSp's `return_features=True`: those maps, then the embedding).
    public func forward(_ faces: Tensor, returnFeatures: Bool) -> (embedding: Tensor, features: [Tensor]) {
        let side = configuration.inputSize
        precondition(faces.rank == 4 && faces.shape[1] == 3 && faces.shape[2] == side && faces.shape[3] == side,
                     "IRSEBackbone: input \(faces.shape) is not [N, 3, \(side), \(side)]")
        var x = inputLayer(faces)
        var features: [Tensor] = []
        for (index, unit) in body.layers.enumerated() {
            x = unit(x)
            if returnFeatures && configuration.featureTaps.contains(index) { features.append(x) }
        }
        let projected = outputLayer(x)
        let embedding = projected / (projected * projected).sum(axis: 1, keepDims: true).sqrt()
        return (embedding, features)
    }
}
