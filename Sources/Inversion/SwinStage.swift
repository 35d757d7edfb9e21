import NeuralNetwork
import Tensors

/// 2×2 neighbourhoods concatenated (x[0::2,0::2], x[1::2,0::2], x[0::2,1::2], x[1::2,1::2]),
/// reduced 4C → 2C without bias, then normalised (keys `reduction.weight`, `norm.*`).
public final class PatchMerging: Module {
    public var reduction: Linear
    public var norm: LayerNorm
    public let resolution: Int

    public init(dimension: Int, resolution: Int, generator: RandomGenerator?) {
        self.resolution = resolution
        reduction = Linear(4 * dimension, 2 * dimension, bias: false, generator: generator)
        norm = LayerNorm(2 * dimension)
    }

    /// [B, H·W, C] → [B, H/2·W/2, 2C].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let (b, c, half) = (x.shape[0], x.shape[2], resolution / 2)
        // [B, H/2, hi, W/2, wi, C] → [B, H/2, W/2, wi, hi, C]: concatenation index wi·2 + hi.
        let merged = x.reshape([b, half, 2, half, 2, c]).permute([0, 1, 3, 4, 2, 5]).reshape([b, half * half, 4 * c])
        return norm(reduction(merged))
    }
}

/// One Swin stage (`BasicLayer`): its blocks, then patch merging except in the last stage.
public final class SwinStage: Module {
    public var blocks: [SwinBlock]
    public var downsample: PatchMerging?

    public init(configuration: SwinConfiguration, stage i: Int, dropPaths: [Float], generator: RandomGenerator?) {
        let c = configuration
        blocks = (0..<c.depths[i]).map { j in
            SwinBlock(dimension: c.dimension(stage: i), resolution: c.resolution(stage: i), heads: c.heads[i],
                      window: c.window(stage: i), shift: c.shift(stage: i, block: j), mlpRatio: c.mlpRatio,
                      dropPath: dropPaths[j], generator: generator)
        }
        downsample = i < c.depths.count - 1
            ? PatchMerging(dimension: c.dimension(stage: i), resolution: c.resolution(stage: i), generator: generator) : nil
    }

    public func callAsFunction(_ x: Tensor, tokens: Tensor) -> (Tensor, Tensor) {
        var (x, tokens) = (x, tokens)
        for block in blocks { (x, tokens) = block(x, tokens: tokens) }
        if let downsample { x = downsample(x) }
        return (x, tokens)
    }
}
