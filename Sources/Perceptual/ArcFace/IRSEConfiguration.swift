/// The shape of an ArcFace IR / IR-SE backbone (`Backbone` in pSp's `model_irse.py`).
///
/// ```swift
/// let configuration = IRSEConfiguration.irSE50   // pSp's model_ir_se50.pth
/// ```
public struct IRSEConfiguration: Equatable, Sendable, Codable {
    /// One stage of residual units: the first has stride 2, the others stride 1.
    public struct Stage: Equatable, Sendable, Codable {
        public var depth: Int
        public var units: Int
        public init(depth: Int, units: Int) {
            self.depth = depth
            self.units = units
        }
    }

    /// Input side: 112 (7×7 before the embedding) or 224 (14×14).
    public var inputSize: Int
    /// Channels of the stem (`input_layer`: Conv 3×3 3→stem, BatchNorm, PReLU).
    public var stemChannels: Int
    public var stages: [Stage]
    /// IR-SE (`mode='ir_se'`) rather than plain IR units.
    public var squeezeExcitation: Bool
    public var reduction: Int
    public var embeddingSize: Int
    /// Whether the final `BatchNorm1d` has weight and bias (`affine`; pSp's IDLoss: true).
    public var affineEmbeddingNorm: Bool
    /// Body unit indices whose outputs the multi-layer ID loss compares (pSp's `[2, 6, 20, 23]`).
    public var featureTaps: [Int]

    public init(inputSize: Int = 112, stemChannels: Int = 64, stages: [Stage], squeezeExcitation: Bool = true,
                reduction: Int = 16, embeddingSize: Int = 512, affineEmbeddingNorm: Bool = true,
                featureTaps: [Int] = [2, 6, 20, 23]) {
        self.inputSize = inputSize
        self.stemChannels = stemChannels
        self.stages = stages
        self.squeezeExcitation = squeezeExcitation
        self.reduction = reduction
        self.embeddingSize = embeddingSize
        self.affineEmbeddingNorm = affineEmbeddingNorm
        self.featureTaps = featureTaps
    }

    /// `get_blocks(50)` widths and unit counts.
    public static func stages(layers: Int) -> [Stage] {
        let units: [Int] = switch layers {
        case 100: [3, 13, 30, 3]
        case 152: [3, 8, 36, 3]
        default: [3, 4, 14, 3]
        }
        return zip([64, 128, 256, 512], units).map { Stage(depth: $0, units: $1) }
    }

    /// pSp's ID network: `Backbone(112, 50, mode='ir_se', drop_ratio=0.6)` (`model_ir_se50.pth`).
    public static let irSE50 = IRSEConfiguration(stages: stages(layers: 50))

    /// Side of the last feature map (input / 16: four stride-2 stages).
    public var finalSide: Int { inputSize / 16 }

    /// `(inputChannels, depth, stride)` of every body unit, in order.
    public var units: [(inputChannels: Int, depth: Int, stride: Int)] {
        var result: [(inputChannels: Int, depth: Int, stride: Int)] = []
        var channels = stemChannels
        for stage in stages {
            for u in 0..<stage.units {
                result.append((inputChannels: u == 0 ? channels : stage.depth, depth: stage.depth, stride: u == 0 ? 2 : 1))
            }
            channels = stage.depth
        }
        return result
    }
}
