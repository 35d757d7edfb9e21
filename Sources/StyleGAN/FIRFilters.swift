import NeuralNetwork
import Tensors

/// The separable FIR kernel StyleGAN blurs with: outer([1,3,3,1]) normalised to sum 1, then
/// scaled by `gain` (factor² when it follows an upsampling).
public func makeBlurKernel(_ taps: [Float], gain: Float = 1) -> Tensor {
    let n = taps.count
    var values = [Float](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { values[i * n + j] = taps[i] * taps[j] } }
    let total = values.reduce(0, +)
    return Tensor(shape: [n, n], scalars: values.map { $0 / total * gain })
}

/// Blur with `kernel` and padding `(pad0, pad1)` on both axes (buffer key `kernel`).
public final class Blur: Layer {
    @Buffer public var kernel: Tensor
    public let padding: (Int, Int)

    public init(taps: [Float], padding: (Int, Int), upsampleFactor: Int = 1) {
        kernel = makeBlurKernel(taps, gain: Float(upsampleFactor * upsampleFactor))
        self.padding = padding
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        Tensor.upfirdn2d(input, kernel: kernel, padding: (padding.0, padding.1, padding.0, padding.1))
    }
}

/// ×2 FIR upsampling, as ToRGB applies to the skip image (buffer key `kernel`).
public final class Upsample: Layer {
    @Buffer public var kernel: Tensor
    let factor: Int
    let padding: (Int, Int)

    public init(taps: [Float], factor: Int = 2) {
        kernel = makeBlurKernel(taps, gain: Float(factor * factor))
        self.factor = factor
        let p = taps.count - factor
        padding = ((p + 1) / 2 + factor - 1, p / 2)
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        Tensor.upfirdn2d(input, kernel: kernel, up: (factor, factor), padding: (padding.0, padding.1, padding.0, padding.1))
    }
}
