/// The shape of a rosinality-layout StyleGAN2 generator.
///
/// ```swift
/// let ffhq = GeneratorConfiguration(size: 1024)                 // config-f: 18 latents
/// let small = GeneratorConfiguration(size: 64, styleDimension: 64, mappingLayers: 4,
///                                    channels: [4: 32, 8: 32, 16: 32, 32: 16, 64: 16])
/// ```
public struct GeneratorConfiguration: Equatable, Sendable, Codable {
    /// Output resolution (a power of two, 8…1024… ).
    public var size: Int
    public var styleDimension: Int
    public var mappingLayers: Int
    public var mappingLearningRateMultiplier: Float
    /// Feature channels per resolution (4, 8, …, size).
    public var channels: [Int: Int]
    public var blurKernel: [Float]

    public init(size: Int, styleDimension: Int = 512, mappingLayers: Int = 8, channelMultiplier: Int = 2,
                mappingLearningRateMultiplier: Float = 0.01, channels: [Int: Int]? = nil, blurKernel: [Float] = [1, 3, 3, 1]) {
        precondition(size >= 8 && size & (size - 1) == 0, "GeneratorConfiguration: size \(size) is not a power of two ≥ 8")
        self.size = size
        self.styleDimension = styleDimension
        self.mappingLayers = mappingLayers
        self.mappingLearningRateMultiplier = mappingLearningRateMultiplier
        self.channels = channels ?? GeneratorConfiguration.standardChannels(multiplier: channelMultiplier)
        self.blurKernel = blurKernel
    }

    /// The same without the size precondition, for configurations read from files, which
    /// `validate(file:)` then checks.
    init(validating size: Int, styleDimension: Int, mappingLayers: Int, channels: [Int: Int], blurKernel: [Float]) {
        self.size = size
        self.styleDimension = styleDimension
        self.mappingLayers = mappingLayers
        self.mappingLearningRateMultiplier = 0.01
        self.channels = channels
        self.blurKernel = blurKernel
    }

    /// What decides the weights' shapes, in words: "64 px, style 256, 4 mapping layers, channels 4:256 8:256 …"
    /// (channels of resolutions above `size`, which no layer uses, left out). Two configurations
    /// with the same summary hold interchangeable weights.
    public var summary: String {
        let table = sequence(first: 4) { $0 * 2 }.prefix { $0 <= size }.map { "\($0):\(channels[$0].map(String.init) ?? "?")" }
        return "\(size) px, style \(styleDimension), \(mappingLayers) mapping layers, channels \(table.joined(separator: " "))"
    }

    /// rosinality's table: 512 up to 32 px, then 256·m, 128·m, 64·m, 32·m, 16·m.
    public static func standardChannels(multiplier m: Int) -> [Int: Int] {
        [4: 512, 8: 512, 16: 512, 32: 512, 64: 256 * m, 128: 128 * m, 256: 64 * m, 512: 32 * m, 1024: 16 * m]
    }

    /// log₂(size).
    public var logSize: Int { size.trailingZeroBitCount }
    /// Rows of W+ the synthesis consumes: 2·log₂(size) − 2 (18 at 1024).
    public var latentCount: Int { logSize * 2 - 2 }
    /// Noise inputs / styled convolutions: 2·(log₂(size) − 2) + 1.
    public var layerCount: Int { (logSize - 2) * 2 + 1 }

    func channelCount(_ resolution: Int) -> Int {
        guard let c = channels[resolution] else { preconditionFailure("GeneratorConfiguration: no channel count for \(resolution) px") }
        return c
    }
}
