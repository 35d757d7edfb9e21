import Foundation
import NeuralNetwork
import Tensors

/// The layer MTCNN needs that is not in `NeuralNetwork` (its PReLU and ceil-mode max pooling
/// are: `PReLU.apply`, `Tensor.maxPool2d(…, ceilMode: true)`), as an inference-only function.
enum MTCNNLayers {
    /// pSp's `Flatten`: `x.transpose(3, 2)` before flattening, because the Caffe weights were
    /// trained on transposed (column-major) crops. `[N, C, H, W]` → `[N, C·W·H]`.
    static func flattenTransposed(_ input: Tensor) -> Tensor {
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let output = Tensor(uninitializedShape: [n, c * w * h])
        let source = input.readData, target = output.data
        for image in 0..<n {
            for channel in 0..<c {
                let base = (image * c + channel) * h * w
                for x in 0..<w { for y in 0..<h { target[base + x * h + y] = source[base + y * w + x] } }
            }
        }
        return output
    }

    /// Softmax over two logits per row, returning the second probability (the face score).
    static func faceProbability(_ first: Float, _ second: Float) -> Float {
        let m = max(first, second)
        let a = (first - m).exp, b = (second - m).exp
        return b / (a + b)
    }
}

extension Float {
    fileprivate var exp: Float { Float(Foundation.exp(Double(self))) }
}

/// A PReLU's slopes as a module, so its key is `prelu1.weight` as in pSp's `nn.PReLU`.
public final class ChannelSlopes: Module {
    public var weight: Tensor
    init(channels: Int) { weight = Tensor.full([channels], value: 0.25) }
}

/// Per-row softmax of `[N, 2]` logits → the face probability of each row.
func probabilities(_ logits: Tensor) -> [Float] {
    let l = logits.readData
    return (0..<logits.shape[0]).map { MTCNNLayers.faceProbability(l[2 * $0], l[2 * $0 + 1]) }
}
