import Foundation
import NeuralNetwork
import Tensors

/// Swin-V2 window attention with StylePrompter's latent tokens appended to every window.
///
/// Cosine attention `cos(q, k)·exp(min(logit_scale, ln 100))`; the continuous position bias
/// `16·sigmoid(cpb_mlp(table))` and the shift mask (−100) are added to the patch×patch block
/// only — tokens get neither. Keys: `logit_scale` [h,1,1], `q_bias`, `v_bias` (k has no bias),
/// `qkv.weight`, `proj.*`, `cpb_mlp.{0,2}.*`, buffers `relative_coords_table`,
/// `relative_position_index`.
public final class WindowAttention: Module {
    public var logitScale: Tensor
    public var cpbMlp: Sequential
    public var qkv: Linear
    public var qBias: Tensor
    public var vBias: Tensor
    public var proj: Linear
    @Buffer public var relativeCoordsTable: Tensor
    @Buffer public var relativePositionIndex: Tensor
    public let dimension: Int, heads: Int, window: Int

    public override class var keyRenames: [String: String] {
        ["logitScale": "logit_scale", "cpbMlp": "cpb_mlp", "qBias": "q_bias", "vBias": "v_bias",
         "relativeCoordsTable": "relative_coords_table", "relativePositionIndex": "relative_position_index"]
    }

    public init(dimension: Int, window: Int, heads: Int, generator: RandomGenerator? = nil) {
        self.dimension = dimension
        self.heads = heads
        self.window = window
        logitScale = Tensor.full([heads, 1, 1], value: Foundation.log(10), requiresGrad: true)
        cpbMlp = Sequential([Linear(2, 512, generator: generator), Activation(.relu), Linear(512, heads, bias: false, generator: generator)])
        qkv = Linear(dimension, dimension * 3, bias: false, generator: generator)
        qBias = Tensor.zeros([dimension], requiresGrad: true)
        vBias = Tensor.zeros([dimension], requiresGrad: true)
        proj = Linear(dimension, dimension, generator: generator)
        relativeCoordsTable = WindowAttention.coordinatesTable(window: window)
        relativePositionIndex = WindowAttention.positionIndex(window: window)
    }

    /// Log-spaced relative offsets, [1, 2w−1, 2w−1, 2]: offsets/(w−1)·8, then sign·log₂(|x|+1)/3.
    static func coordinatesTable(window w: Int) -> Tensor {
        var values: [Float] = []
        let span = Float(max(w - 1, 1))
        for dy in -(w - 1)...(w - 1) {
            for dx in -(w - 1)...(w - 1) {
                for offset in [dy, dx] {
                    let x = Float(offset) / span * 8
                    let sign: Float = x > 0 ? 1 : (x < 0 ? -1 : 0)
                    values.append(sign * log2(abs(x) + 1) / log2(8))
                }
            }
        }
        return Tensor(shape: [1, 2 * w - 1, 2 * w - 1, 2], scalars: values)
    }

    /// For every (query, key) pair of a window, the row of the bias table, [w², w²].
    static func positionIndex(window w: Int) -> Tensor {
        // Written straight into the tensor, no division per entry: built by appending to an
        // array, the twelve blocks' indices took ~10 ms of loading the released model.
        let side = 2 * w - 1
        let index = Tensor(uninitializedShape: [w * w, w * w])
        var out = index.data
        for iy in 0..<w {
            for ix in 0..<w {
                for jy in 0..<w {
                    let row = Float((iy - jy + w - 1) * side + ix + w - 1)
                    for jx in 0..<w { out[jx] = row - Float(jx) }
                    out += w
                }
            }
        }
        return index
    }

    /// The position bias of the patch×patch block, [heads, w², w²].
    func positionBias() -> Tensor {
        // 16·sigmoid on the table's (2w−1)² rows, then the gather: each bias is its table entry's
        // 16·sigmoid either way (the same values), computed (2w−1)² times instead of w⁴ — two
        // passes over [h, w², w²] per block (6 % of the encoder's time went to positionBias).
        let table = cpbMlp(relativeCoordsTable).reshape([-1, heads]).sigmoid() * 16     // [(2w−1)², h]
        let index = relativePositionIndex.scalars.map { Int($0) }
        let bias = table.indexSelect(0, indices: index).reshape([window * window, window * window, heads])
        return bias.permute([2, 0, 1])
    }

    /// `x` [B·nW, w² + T, C] (patches then tokens) → same shape. `mask` [nW, w², w²] or nil.
    public func callAsFunction(_ x: Tensor, mask: Tensor?) -> Tensor {
        let (windows, n, c) = (x.shape[0], x.shape[1], x.shape[2])
        let area = window * window, headDimension = c / heads
        let bias = Tensor.concat([qBias, Tensor.zeros([c]), vBias], axis: 0)
        let projected = Tensor.linear(x, weight: qkv.weight, bias: bias)
            .reshape([windows, n, 3, heads, headDimension]).permute([2, 0, 3, 1, 4])     // [3, B·nW, h, N, d]
        let q = projected.narrow(0, start: 0, length: 1).squeeze(0)
        let k = projected.narrow(0, start: 1, length: 1).squeeze(0)
        let v = projected.narrow(0, start: 2, length: 1).squeeze(0)
        var attention = Tensor.matmul(q.l2Normalized(), k.l2Normalized(), transposeB: true)  // [B·nW, h, N, N]
        attention = attention * logitScale.clamp(max: Foundation.log(100)).exp()
        // Bias (and mask) on the patch×patch block, zero where tokens are involved.
        let tokens = n - area
        var additive = positionBias().pad([(0, tokens), (0, tokens)]).unsqueeze(0)       // [1, h, N, N]
        if let mask {
            let windowsPerImage = mask.shape[0]
            let maskBlock = mask.pad([(0, tokens), (0, tokens)]).unsqueeze(1)            // [nW, 1, N, N]
            additive = (additive + maskBlock).unsqueeze(0)                               // [1, nW, h, N, N]
            attention = (attention.reshape([windows / windowsPerImage, windowsPerImage, heads, n, n]) + additive)
                .reshape([windows, heads, n, n])
        } else {
            attention = attention + additive
        }
        let out = Tensor.matmul(attention.softmax(), v)                                 // [B·nW, h, N, d]
        return proj(out.transposed(1, 2).reshape([windows, n, c]))
    }
}
