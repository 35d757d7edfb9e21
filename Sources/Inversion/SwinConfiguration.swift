/// The shape of StylePrompter's Swin-V2 encoder.
///
/// ```swift
/// let tiny = SwinConfiguration()                                  // Swin-V2-T, 256 px, 18 tokens
/// let small = SwinConfiguration(embedDimension: 24, depths: [2, 2, 2, 2], heads: [1, 2, 2, 4], latentTokens: 8)
/// ```
public struct SwinConfiguration: Equatable, Sendable, Codable {
    public var imageSize = 256
    public var patchSize = 4
    public var embedDimension = 96
    public var depths = [2, 2, 6, 2]
    public var heads = [3, 6, 12, 24]
    public var windowSize = 16
    public var mlpRatio = 4
    public var dropPathRate: Float = 0.1
    /// W+ rows the tokens predict (18 for a 1024 generator, 14 for 256).
    public var latentTokens = 18
    public var headHiddenDimension = 1024
    public var styleDimension = 512

    public init(imageSize: Int = 256, patchSize: Int = 4, embedDimension: Int = 96, depths: [Int] = [2, 2, 6, 2],
                heads: [Int] = [3, 6, 12, 24], windowSize: Int = 16, mlpRatio: Int = 4, dropPathRate: Float = 0.1,
                latentTokens: Int = 18, headHiddenDimension: Int = 1024, styleDimension: Int = 512) {
        self.imageSize = imageSize; self.patchSize = patchSize; self.embedDimension = embedDimension
        self.depths = depths; self.heads = heads; self.windowSize = windowSize; self.mlpRatio = mlpRatio
        self.dropPathRate = dropPathRate; self.latentTokens = latentTokens
        self.headHiddenDimension = headHiddenDimension; self.styleDimension = styleDimension
    }

    /// Side of the patch grid entering stage `i`.
    public func resolution(stage i: Int) -> Int { (imageSize / patchSize) >> i }
    /// Channels of stage `i`.
    public func dimension(stage i: Int) -> Int { embedDimension << i }
    /// The window of stage `i`: clipped to the grid when the grid is no larger than it.
    public func window(stage i: Int) -> Int { min(windowSize, resolution(stage: i)) }
    /// The cyclic shift of block `j` of stage `i` (none where the window covers the grid).
    public func shift(stage i: Int, block j: Int) -> Int {
        resolution(stage: i) <= windowSize || j % 2 == 0 ? 0 : windowSize / 2
    }
    /// Drop-path probability of each block, increasing linearly from 0 over all blocks.
    public var dropPathRates: [Float] {
        let total = depths.reduce(0, +)
        return (0..<total).map { total == 1 ? 0 : dropPathRate * Float($0) / Float(total - 1) }
    }
    /// (side, channels) of the four feature maps handed to SMART, deepest first.
    public var featureShapes: [(side: Int, channels: Int)] {
        let stages = depths.count
        return (0..<stages).reversed().map { i in
            let merged = i < stages - 1
            return (merged ? resolution(stage: i) / 2 : resolution(stage: i), merged ? dimension(stage: i) * 2 : dimension(stage: i))
        }
    }
}
