import NeuralNetwork
import Tensors

/// StyleGAN2's modulated convolution: per-sample input scaling by the style, optional weight
/// demodulation, optional ×2 upsampling (transposed conv + blur).
///
/// Keys: `weight` [1, out, in, k, k], `modulation.{weight,bias}`, and `blur.kernel` when upsampling.
///
/// Computed in the algebraically equal "input-scaling" form — `conv(x·s, W)·d` rather than a
/// grouped conv with per-sample weights `W·s·d` — so the whole batch shares one convolution and
/// no per-sample weights are built. The demodulation `d[b,o] = rsqrt(Σᵢ s[b,i]²·Σ_k W[o,i,k]² + 1e-8)`
/// is one small matrix product.
public final class ModulatedConv2d: Module {
    public var weight: Tensor
    public var modulation: EqualLinear
    public var blur: Blur?
    public let inputChannels: Int, outputChannels: Int, kernelSize: Int
    public let demodulate: Bool
    public let upsample: Bool
    let scale: Float

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, styleDimension: Int,
                demodulate: Bool = true, upsample: Bool = false, blurKernel: [Float] = [1, 3, 3, 1],
                generator: RandomGenerator? = nil) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.demodulate = demodulate
        self.upsample = upsample
        scale = 1 / Float(inputChannels * kernelSize * kernelSize).squareRoot()
        weight = Initialization.normal([1, outputChannels, inputChannels, kernelSize, kernelSize], generator: generator)
        modulation = EqualLinear(styleDimension, inputChannels, biasInit: 1, generator: generator)
        if upsample {
            let factor = 2
            let p = (blurKernel.count - factor) - (kernelSize - 1)
            blur = Blur(taps: blurKernel, padding: ((p + 1) / 2 + factor - 1, p / 2 + 1), upsampleFactor: factor)
        }
    }

    /// `input` [B, in, H, W], `style` [B, styleDimension] → [B, out, H′, W′].
    public func callAsFunction(_ input: Tensor, style: Tensor) -> Tensor {
        if !GradientMode.isEnabled { return foldedForward(input, style: style) }
        let batch = input.shape[0]
        let s = modulation(style)                                               // [B, in]
        let w = (weight * scale).reshape([outputChannels, inputChannels, kernelSize, kernelSize])
        let x = input * s.reshape([batch, inputChannels, 1, 1])
        var out: Tensor
        if upsample, let blur {
            let transposedWeight = w.transposed(0, 1)                          // [in, out, k, k]
            out = blur(Tensor.convTranspose2d(x, weight: transposedWeight, options: .init(stride: 2)))
        } else {
            out = Tensor.conv2d(x, weight: w, options: .init(padding: kernelSize / 2))
        }
        if demodulate {
            let energy = (w * w).sum(axes: [2, 3])                              // [out, in]
            let d = (Tensor.matmul(s * s, energy, transposeB: true) + 1e-8).rsqrt()   // [B, out]
            out = out * d.reshape([batch, outputChannels, 1, 1])
        }
        return out
    }

    /// Inference: the style folded into per-sample weights and one grouped convolution (groups B),
    /// as rosinality's `fused=True` path — no activation-sized product before or after it.
    func foldedForward(_ input: Tensor, style: Tensor) -> Tensor {
        let (batch, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        let s = modulation(style)                                               // [B, in]
        let grouped = input.reshape([1, batch * inputChannels, height, width])
        if upsample, let blur {
            let weights = Tensor.foldedModulationWeights(weight, styles: s, scale: scale, demodulate: demodulate,
                                                         transposed: true)     // [B·in, out, k, k]
            // The blur filters the transposed convolution's rows as they come (one pass, no
            // unblurred intermediate); its planes are the same whether grouped or per sample.
            let out = Tensor.convTranspose2dBlurred(grouped, weight: weights, options: .init(stride: 2, groups: batch),
                                                    blurKernel: blur.kernel,
                                                    padding: (blur.padding.0, blur.padding.1, blur.padding.0, blur.padding.1))
            return out.reshape([batch, outputChannels, out.shape[2], out.shape[3]])
        }
        let weights = Tensor.foldedModulationWeights(weight, styles: s, scale: scale, demodulate: demodulate,
                                                     transposed: false)        // [B·out, in, k, k]
        let out = Tensor.conv2d(grouped, weight: weights, options: .init(padding: kernelSize / 2, groups: batch))
        return out.reshape([batch, outputChannels, height, width])
    }
}

extension ModulatedConv2d {
    /// Inference, not upsampling: `foldedForward`'s output handed over in bands of about
    /// `bandRows` rows (`Tensor.conv2dInRowBands`): `consume(band [B, out, r, W], rows)`, the same
    /// bits as those rows of `foldedForward`. A band is valid only during its call.
    func foldedForwardInRowBands(_ input: Tensor, style: Tensor, bandRows: Int,
                                 _ consume: (_ band: Tensor, _ rows: Range<Int>) -> Void) {
        precondition(!upsample, "ModulatedConv2d.foldedForwardInRowBands: not for an upsampling convolution")
        let (batch, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        let s = modulation(style)                                               // [B, in]
        let grouped = input.reshape([1, batch * inputChannels, height, width])
        let weights = Tensor.foldedModulationWeights(weight, styles: s, scale: scale, demodulate: demodulate,
                                                     transposed: false)        // [B·out, in, k, k]
        Tensor.conv2dInRowBands(grouped, weight: weights, options: .init(padding: kernelSize / 2, groups: batch),
                                bandRows: bandRows) { band, rows in
            consume(band.reshape([batch, outputChannels, rows.count, width]), rows)
        }
    }

    /// `foldedForwardInRowBands` of an input that arrives a window of rows at a time
    /// (`Tensor.conv2dInRowBands(_: RowSource, …)`): the same bands, without the input whole.
    func foldedForwardInRowBands(_ input: RowSource, style: Tensor, bandRows: Int,
                                 _ consume: (_ band: Tensor, _ rows: Range<Int>) -> Void) {
        precondition(!upsample, "ModulatedConv2d.foldedForwardInRowBands: not for an upsampling convolution")
        let (batch, width) = (input.shape[0], input.shape[3])
        let s = modulation(style)                                               // [B, in]
        let weights = Tensor.foldedModulationWeights(weight, styles: s, scale: scale, demodulate: demodulate,
                                                     transposed: false)        // [B·out, in, k, k]
        Tensor.conv2dInRowBands(input.reshapedPlanes(1, batch * inputChannels), weight: weights,
                                options: .init(padding: kernelSize / 2, groups: batch), bandRows: bandRows) { band, rows in
            consume(band.reshape([batch, outputChannels, rows.count, width]), rows)
        }
    }

    /// Inference, upsampling: `foldedForward`'s output as a `RowSource` — rows computed when
    /// asked for (`Tensor.convTranspose2dBlurredRows`), the same bits. Nil where the fused
    /// up-convolution does not apply (then run `foldedForward`).
    func foldedRowSource(_ input: Tensor, style: Tensor) -> RowSource? {
        guard upsample, let blur, !GradientMode.isEnabled else { return nil }
        let (batch, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        let s = modulation(style)                                               // [B, in]
        let grouped = input.reshape([1, batch * inputChannels, height, width])
        let weights = Tensor.foldedModulationWeights(weight, styles: s, scale: scale, demodulate: demodulate,
                                                     transposed: true)         // [B·in, out, k, k]
        return Tensor.convTranspose2dBlurredRows(grouped, weight: weights, options: .init(stride: 2, groups: batch),
                                                 blurKernel: blur.kernel,
                                                 padding: (blur.padding.0, blur.padding.1, blur.padding.0, blur.padding.1))?
            .reshapedPlanes(batch, outputChannels)
    }
}

/// Adds `strength · noise` (key `weight` [1]); the noise is [1 or B, 1, H, W].
public final class NoiseInjection: Module {
    public var weight: Tensor

    public override init() {
        weight = Tensor.zeros([1], requiresGrad: true)
    }

    public func callAsFunction(_ image: Tensor, noise: Tensor) -> Tensor {
        image + weight * noise
    }
}

/// Modulated conv → noise → fused leaky ReLU (keys `conv.*`, `noise.weight`, `activate.bias`).
public final class StyledConv: Module {
    public var conv: ModulatedConv2d
    public var noise = NoiseInjection()
    public var activate: FusedLeakyReLU

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, styleDimension: Int,
                upsample: Bool = false, blurKernel: [Float] = [1, 3, 3, 1], generator: RandomGenerator? = nil) {
        conv = ModulatedConv2d(inputChannels, outputChannels, kernelSize: kernelSize, styleDimension: styleDimension,
                               upsample: upsample, blurKernel: blurKernel, generator: generator)
        activate = FusedLeakyReLU(outputChannels)
    }

    public func callAsFunction(_ input: Tensor, style: Tensor, noise noiseImage: Tensor) -> Tensor {
        let convolved = conv(input, style: style)
        if !GradientMode.isEnabled, Tensor.acceptsNoise(noiseImage, for: convolved.shape) {
            // The convolution's output is fresh and ours alone: noise, bias and activation in place.
            convolved.applyNoiseBiasLeakyReLU(noise: noiseImage, noiseWeight: noise.weight, bias: activate.bias,
                                              slope: 0.2, gain: Float(2).squareRoot())
            return convolved
        }
        return activate(noise(convolved, noise: noiseImage))
    }
}

extension StyledConv {
    /// Inference, an upsampling layer: its output (noise, bias and activation applied) as a
    /// `RowSource`, for a next layer that takes its input a window of rows at a time
    /// (`streamingInto(_:source:…)`). Nil where it cannot (then call the layer).
    func rowSource(_ input: Tensor, style: Tensor, noise noiseImage: Tensor) -> RowSource? {
        guard !GradientMode.isEnabled, let source = conv.foldedRowSource(input, style: style),
              Tensor.acceptsNoise(noiseImage, for: source.shape) else { return nil }
        return source.applyingNoiseBiasLeakyReLU(noise: noiseImage, noiseWeight: noise.weight, bias: activate.bias,
                                                 slope: 0.2, gain: Float(2).squareRoot())
    }

    /// Inference: this layer (not upsampling) feeding only a ToRGB — the output's rows in bands,
    /// each with noise, bias and activation applied, handed to `toRGB` and then dropped, so the
    /// activation never exists whole (`ToRGB.Streaming`). Nil where the layer cannot stream (it
    /// upsamples, or the noise is not one plane per sample or one for all); then run it whole.
    func streamingInto(_ toRGB: ToRGB, input: Tensor, style: Tensor, noise noiseImage: Tensor,
                       rgbStyle: Tensor, skip: Tensor?) -> Tensor? {
        streaming(toRGB, inputShape: input.shape, noise: noiseImage, rgbStyle: rgbStyle, skip: skip) { bandRows, consume in
            conv.foldedForwardInRowBands(input, style: style, bandRows: bandRows, consume)
        }
    }

    /// `streamingInto` of an input that arrives a window of rows at a time (the upsampling
    /// layer before it, `rowSource`): neither activation of the level exists whole.
    func streamingInto(_ toRGB: ToRGB, source: RowSource, style: Tensor, noise noiseImage: Tensor,
                       rgbStyle: Tensor, skip: Tensor?) -> Tensor? {
        streaming(toRGB, inputShape: source.shape, noise: noiseImage, rgbStyle: rgbStyle, skip: skip) { bandRows, consume in
            conv.foldedForwardInRowBands(source, style: style, bandRows: bandRows, consume)
        }
    }

    /// The bands that `bands(bandRows, consume)` hands over, each given noise, bias and
    /// activation and added into the image by ToRGB; nil (before any work) where this layer
    /// cannot stream.
    private func streaming(_ toRGB: ToRGB, inputShape: [Int], noise noiseImage: Tensor, rgbStyle: Tensor, skip: Tensor?,
                           bands: (_ bandRows: Int, _ consume: (Tensor, Range<Int>) -> Void) -> Void) -> Tensor? {
        let (batch, height, width) = (inputShape[0], inputShape[2], inputShape[3])
        guard !GradientMode.isEnabled, !conv.upsample, conv.kernelSize % 2 == 1,
              Tensor.acceptsNoise(noiseImage, for: [batch, conv.outputChannels, height, width]) else { return nil }
        // About 2 MiB of activation per band: it stays in cache between the convolution that
        // writes it and the ToRGB that reads it.
        let rowBytes = batch * conv.outputChannels * width * MemoryLayout<Float>.stride
        let image = ToRGB.Streaming(toRGB, batch: batch, height: height, width: width, style: rgbStyle, skip: skip)
        bands(max(1, (2 << 20) / rowBytes)) { band, rows in
            band.applyNoiseBiasLeakyReLU(noise: noiseImage.narrow(2, start: rows.lowerBound, length: rows.count),
                                         noiseWeight: noise.weight, bias: activate.bias, slope: 0.2, gain: Float(2).squareRoot())
            image.add(band, rows: rows)
        }
        return image.result
    }
}

/// Modulated 1×1 conv to RGB (no demodulation) + bias, plus the upsampled previous skip image
/// (keys `conv.*`, `bias` [1, 3, 1, 1], `upsample.kernel`).
public final class ToRGB: Module {
    public var conv: ModulatedConv2d
    public var bias: Tensor
    public var upsample: Upsample?

    public init(_ inputChannels: Int, styleDimension: Int, upsample: Bool = true, blurKernel: [Float] = [1, 3, 3, 1],
                generator: RandomGenerator? = nil) {
        conv = ModulatedConv2d(inputChannels, 3, kernelSize: 1, styleDimension: styleDimension, demodulate: false,
                               generator: generator)
        bias = Tensor.zeros([1, 3, 1, 1], requiresGrad: true)
        self.upsample = upsample ? Upsample(taps: blurKernel) : nil
    }

    public func callAsFunction(_ input: Tensor, style: Tensor, skip: Tensor?) -> Tensor {
        let out = conv(input, style: style) + bias
        guard let skip, let upsample else { return out }
        return out + upsample(skip)
    }
}

extension ToRGB {
    /// ToRGB applied to an activation that arrives in bands of rows (`StyledConv.streamingInto`):
    /// `add(band, rows:)` writes those rows of the image. Each row is computed as `callAsFunction`
    /// computes it — `(conv(band) + bias) + upsample(skip)` — so the image is the same bits.
    final class Streaming {
        private let toRGB: ToRGB
        private let style: Tensor
        /// The image: the upsampled skip image, which the bands' rows are added to (without a skip
        /// image, the bands' rows themselves).
        let result: Tensor
        private let hasSkip: Bool

        fileprivate init(_ toRGB: ToRGB, batch: Int, height: Int, width: Int, style: Tensor, skip: Tensor?) {
            self.toRGB = toRGB
            self.style = style
            if let skip, let upsample = toRGB.upsample {
                result = upsample(skip)
                precondition(result.shape == [batch, 3, height, width],
                             "ToRGB: upsampled skip \(result.shape), expected [\(batch), 3, \(height), \(width)]")
                hasSkip = true
            } else {
                result = Tensor(uninitializedShape: [batch, 3, height, width])   // every row is set
                hasSkip = false
            }
        }

        func add(_ band: Tensor, rows: Range<Int>) {
            let rgb = toRGB.conv(band, style: style) + toRGB.bias
            result.setRows(rows, from: rgb, adding: hasSkip)
        }
    }
}

/// The learned 4×4 constant the synthesis starts from (key `input` [1, C, 4, 4]).
public final class ConstantInput: Module {
    public var input: Tensor

    public init(channels: Int, size: Int = 4, generator: RandomGenerator? = nil) {
        input = Initialization.normal([1, channels, size, size], generator: generator)
    }

    /// The constant repeated over `batch`.
    public func callAsFunction(batch: Int) -> Tensor {
        input.broadcast(to: [batch] + Array(input.shape.dropFirst()))
    }
}
