/// The convolutions of an `AttributePredictor`: 3×3 convolutions (padding 1, leaky ReLU 0.2), each
/// with its output channels and stride, then global average pooling and a linear head. Stored in
/// the predictor's file so a file always loads into the network it was trained as.
///
/// Two are named. `compact` — four stride-2 convolutions — is the first predictor this project
/// shipped; it read large, flat attributes (colours, hair, pose) well but not the mouth's shape:
/// against the true labels its smile reading correlated at r 0.08, so directions fitted from its
/// labels barely moved a smile. `deep` puts a stride-1 convolution before every stride-2 one
/// (widths 32…256): each scale sees a 3×3 neighbourhood twice before it is halved, which is what
/// telling a corner that rises from one that falls takes.
///
/// ```swift
/// let predictor = AttributePredictor(layout: layout, architecture: .deep, generator: RandomGenerator(seed: 0))
/// ```
public struct AttributePredictorArchitecture: Codable, Equatable, Sendable {
    public struct Layer: Codable, Equatable, Sendable {
        public var channels: Int
        public var stride: Int
        public init(channels: Int, stride: Int) {
            self.channels = channels
            self.stride = stride
        }
    }

    public var layers: [Layer]

    public init(layers: [Layer]) { self.layers = layers }

    /// The first shipped predictor: stride-2 convolutions of 32, 64, 128 and 128 channels.
    public static let compact = AttributePredictorArchitecture(layers: [32, 64, 128, 128].map { Layer(channels: $0, stride: 2) })

    /// A stride-1 and a stride-2 convolution at each of four scales: 32, 64, 128, 256 channels.
    public static let deep = AttributePredictorArchitecture(layers: [32, 64, 128, 256].flatMap {
        [Layer(channels: $0, stride: 1), Layer(channels: $0, stride: 2)]
    })

    /// The named architectures, for command-line options.
    public static let named: [String: AttributePredictorArchitecture] = ["compact": .compact, "deep": .deep]

    /// Its name in `named`, or "N-layer" for another.
    public var name: String { Self.named.first { $0.value == self }?.key ?? "\(layers.count)-layer" }

    /// Channels of the last convolution (the embedding's width).
    public var embeddingWidth: Int { layers.last?.channels ?? 3 }

    /// Refuses architectures a crafted file could use to allocate without bound: 1…32 layers of
    /// 1…1024 channels, strides 1 or 2, at least one stride-2 layer (the feature maps are taken
    /// after each).
    public func validate() throws {
        guard (1...32).contains(layers.count) else {
            throw PerceptualError.invalidInput("attribute predictor architecture: \(layers.count) layers (1…32)")
        }
        for (index, layer) in layers.enumerated() {
            guard (1...1024).contains(layer.channels), layer.stride == 1 || layer.stride == 2 else {
                throw PerceptualError.invalidInput("attribute predictor architecture: layer \(index) has \(layer.channels) channels and stride \(layer.stride) (1…1024 channels, stride 1 or 2)")
            }
        }
        guard layers.contains(where: { $0.stride == 2 }) else {
            throw PerceptualError.invalidInput("attribute predictor architecture: no stride-2 layer")
        }
    }
}
