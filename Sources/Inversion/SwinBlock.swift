import NeuralNetwork
import Tensors

/// Swin-V2 MLP: fc1 → GELU → fc2 (keys `fc1.*`, `fc2.*`).
public final class SwinMLP: Module {
    public var fc1: Linear
    public var fc2: Linear

    public init(dimension: Int, hidden: Int, generator: RandomGenerator?) {
        fc1 = Linear(dimension, hidden, generator: generator)
        fc2 = Linear(hidden, dimension, generator: generator)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).gelu()) }
}

/// One Swin-V2 block carrying StylePrompter's latent tokens (REFERENCE §2).
///
/// Patches follow Swin-V2 (post-norm residuals). The tokens [B, T, C] join every window of
/// their own image after the cyclic shift; each window's token outputs are summed over that
/// image's windows and added back through `norm1`; tokens skip the MLP.
///
/// The released code tiles tokens across the batch with `repeat` and sums them with `chunk`,
/// which pairs windows of one image with another image's tokens when B > 1. Here each image
/// only ever meets its own tokens, so a batch gives every image its batch-of-one result.
public final class SwinBlock: Module {
    public var norm1: LayerNorm
    public var attn: WindowAttention
    public var norm2: LayerNorm
    public var mlp: SwinMLP
    /// Only shifted blocks have a mask (PyTorch registers None otherwise).
    @Buffer public var attnMask: Tensor?
    let dropPath: DropPath
    public let resolution: Int, window: Int, shift: Int

    public override class var keyRenames: [String: String] { ["attnMask": "attn_mask"] }

    public init(dimension: Int, resolution: Int, heads: Int, window: Int, shift: Int, mlpRatio: Int,
                dropPath: Float, generator: RandomGenerator? = nil) {
        self.resolution = resolution
        self.window = window
        self.shift = shift
        norm1 = LayerNorm(dimension)
        attn = WindowAttention(dimension: dimension, window: window, heads: heads, generator: generator)
        norm2 = LayerNorm(dimension)
        mlp = SwinMLP(dimension: dimension, hidden: dimension * mlpRatio, generator: generator)
        self.dropPath = DropPath(dropPath, generator: generator)
        attnMask = shift > 0 ? SwinBlock.shiftMask(resolution: resolution, window: window, shift: shift) : nil
    }

    /// −100 between patches that came from different regions before the cyclic shift,
    /// [nW, w², w²]. Written straight into the tensor (a Swin-V2-T's first stage has a 4 MiB
    /// mask: built by appending to an array and copied, the masks took ~25 ms of loading).
    static func shiftMask(resolution r: Int, window w: Int, shift s: Int) -> Tensor {
        func region(_ i: Int) -> Int { i < r - w ? 0 : (i < r - s ? 1 : 2) }
        let perSide = r / w, area = w * w
        let mask = Tensor(uninitializedShape: [perSide * perSide, area, area])
        var cells = [Int](repeating: 0, count: area)
        var out = mask.data
        for wy in 0..<perSide {
            for wx in 0..<perSide {
                for k in 0..<area { cells[k] = region(wy * w + k / w) * 3 + region(wx * w + k % w) }
                for a in cells {
                    for b in cells { out.pointee = a == b ? 0 : -100; out += 1 }
                }
            }
        }
        return mask
    }

    /// [B, H, W, C] → [B·nW, w², C], windows of each image in raster order.
    func partition(_ x: Tensor) -> Tensor {
        let (b, c, n) = (x.shape[0], x.shape[3], resolution / window)
        return x.reshape([b, n, window, n, window, c]).permute([0, 1, 3, 2, 4, 5]).reshape([b * n * n, window * window, c])
    }

    /// The inverse of `partition`.
    func merge(_ windows: Tensor, batch b: Int) -> Tensor {
        let (c, n) = (windows.shape[2], resolution / window)
        return windows.reshape([b, n, n, window, window, c]).permute([0, 1, 3, 2, 4, 5]).reshape([b, resolution, resolution, c])
    }

    /// `x` [B, L, C] patches, `tokens` [B, T, C] → updated (patches, tokens).
    public func callAsFunction(_ x: Tensor, tokens: Tensor) -> (Tensor, Tensor) {
        let (b, l, c) = (x.shape[0], x.shape[1], x.shape[2])
        let t = tokens.shape[1], area = window * window
        precondition(l == resolution * resolution, "SwinBlock: \(l) patches for a \(resolution)² grid")
        var grid = x.reshape([b, resolution, resolution, c])
        if shift > 0 { grid = grid.roll(-shift, axis: 1).roll(-shift, axis: 2) }
        let windows = partition(grid)                                                   // [B·nW, w², C]
        let perImage = windows.shape[0] / b
        let windowTokens = tokens.unsqueeze(1).broadcast(to: [b, perImage, t, c]).reshape([b * perImage, t, c])
        let attended = attn(Tensor.concat([windows, windowTokens], axis: 1), mask: attnMask)

        let tokenSum = attended.narrow(1, start: area, length: t).reshape([b, perImage, t, c]).sum(axis: 1)
        let newTokens = tokens + dropPath(norm1(tokenSum))

        var patches = merge(attended.narrow(1, start: 0, length: area), batch: b)
        if shift > 0 { patches = patches.roll(shift, axis: 1).roll(shift, axis: 2) }
        var out = x + dropPath(norm1(patches.reshape([b, l, c])))
        out = out + dropPath(norm2(mlp(out)))
        return (out, newTokens)
    }
}
