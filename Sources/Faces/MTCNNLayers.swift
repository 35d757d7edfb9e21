import Foundation
import NeuralNetwork
import Tensors

/// The two layers MTCNN needs that are not in `NeuralNetwork`, as inference-only functions on
/// contiguous NCHW tensors (detection never trains, so no gradient rules).
enum MTCNNLayers {
    /// `torch.nn.PReLU(channels)`: `x` where `x > 0`, else `slope[c] · x`.
    /// input `[N, C, …]`, slope `[C]`; returns a new tensor.
    static func prelu(_ input: Tensor, slope: Tensor) -> Tensor {
        let channels = input.shape[1]
        precondition(slope.count == channels, "PReLU: \(slope.count) slopes for \(channels) channels")
        let plane = input.count / (input.shape[0] * channels)
        let output = Tensor(uninitializedShape: input.shape)
        let source = input.readData, target = output.data, slopes = slope.readData
        for image in 0..<input.shape[0] {
            for channel in 0..<channels {
                let base = (image * channels + channel) * plane
                let a = slopes[channel]
                for i in base..<(base + plane) {
                    let v = source[i]
                    target[i] = v > 0 ? v : a * v
                }
            }
        }
        return output
    }

    /// `torch.nn.MaxPool2d(kernel, stride, ceil_mode=True)` without padding: output
    /// `⌈(H − kernel) / stride⌉ + 1` per side, less one when the last window would start past
    /// the input (PyTorch's rule); windows at the edge are clipped.
    /// input `[N, C, H, W]` → `[N, C, Ho, Wo]`.
    static func maxPoolCeil(_ input: Tensor, kernel: Int, stride: Int) -> Tensor {
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        func outputSize(_ size: Int) -> Int {
            var out = (size - kernel + stride - 1) / stride + 1
            if (out - 1) * stride >= size { out -= 1 }
            return out
        }
        let outH = outputSize(h), outW = outputSize(w)
        let output = Tensor(uninitializedShape: [n, c, outH, outW])
        let source = input.readData, target = output.data
        for plane in 0..<(n * c) {
            let planeIn = source + plane * h * w, planeOut = target + plane * outH * outW
            for i in 0..<outH {
                let rows = (i * stride)..<min(i * stride + kernel, h)
                for j in 0..<outW {
                    let columns = (j * stride)..<min(j * stride + kernel, w)
                    var best = -Float.infinity
                    for r in rows { for col in columns { best = max(best, planeIn[r * w + col]) } }
                    planeOut[i * outW + j] = best
                }
            }
        }
        return output
    }

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
