import CPUKernels

/// StyleGAN2's modulated convolution in inference form (no graph is recorded for these ops):
/// per-sample folded weights, and the styled convolution's epilogue applied in place. See
/// `StyleModulation` for why; `ModulatedConv2d` and `StyledConv` take this path whenever
/// gradient recording is off.
extension Tensor {
    /// StyleGAN2's modulated weights, one set per sample, as rosinality's fused path computes them:
    /// `scale·weight·style`, each output channel then divided by its norm when `demodulate`.
    ///
    /// weight [O, I, k, k] or [1, O, I, k, k], styles [B, I] → [B·O, I, k, k] (a grouped
    /// convolution's weight, groups B), or with `transposed` [B·I, O, k, k] (`convTranspose2d`'s).
    /// Inference only: refused while recording a graph through `weight` or `styles`.
    public static func foldedModulationWeights(_ weight: Tensor, styles: Tensor, scale: Float, demodulate: Bool,
                                               transposed: Bool) -> Tensor {
        precondition(!(GradientMode.isEnabled && (weight.needsGradient || styles.needsGradient)),
                     "foldedModulationWeights: inference only (record the unfolded modulation for gradients)")
        let w = weight.rank == 5 && weight.shape[0] == 1 ? weight.squeeze(0) : weight
        precondition(w.rank == 4 && w.shape[2] == w.shape[3], "foldedModulationWeights: weight \(weight.shape), expected [O, I, k, k]")
        let (o, i, k) = (w.shape[0], w.shape[1], w.shape[2])
        precondition(styles.rank == 2 && styles.shape[1] == i, "foldedModulationWeights: styles \(styles.shape), expected [B, \(i)]")
        let batch = styles.shape[0]
        let out = Tensor(uninitializedShape: transposed ? [batch * i, o, k, k] : [batch * o, i, k, k])
        StyleModulation.foldWeights(weight: w.readData, styles: styles.readData, batch: batch, outputChannels: o,
                                    inputChannels: i, taps: k * k, scale: scale, demodulate: demodulate,
                                    transposed: transposed, folded: out.data)
        return out
    }

    /// Overwrites this tensor [B, C, H, W] with `leakyReLU(self + noiseWeight·noise + bias)·gain`:
    /// `NoiseInjection` then `FusedLeakyReLU` in one pass, for a freshly computed activation that
    /// nothing else holds. noise [B, 1, H, W] or [1, 1, H, W]; noiseWeight one element; bias [C].
    /// Inference only: refused while recording a graph through any of them.
    public func applyNoiseBiasLeakyReLU(noise: Tensor, noiseWeight: Tensor, bias: Tensor?, slope: Float, gain: Float) {
        precondition(!(GradientMode.isEnabled && [self, noise, noiseWeight, bias].contains { $0?.needsGradient == true }),
                     "applyNoiseBiasLeakyReLU: inference only (it overwrites its input)")
        Self.requireEpilogueOperands("applyNoiseBiasLeakyReLU", noise: noise, noiseWeight: noiseWeight, bias: bias, for: shape)
        StyleModulation.noiseBiasLeakyReLUInPlace(
            data, batch: shape[0], channels: shape[1], pixels: shape[2] * shape[3],
            noise: noise.readData, noiseBatch: noise.shape[0], noiseWeight: noiseWeight.item(),
            bias: bias?.readData, slope: slope, gain: gain)
    }

    /// Stops `op` unless the noise fits an activation of `shape`, the noise weight is one element
    /// and the bias (if any) has one value per channel.
    fileprivate static func requireEpilogueOperands(_ op: String, noise: Tensor, noiseWeight: Tensor, bias: Tensor?, for shape: [Int]) {
        precondition(acceptsNoise(noise, for: shape), "\(op): noise \(noise.shape) does not fit \(shape)")
        precondition(noiseWeight.count == 1, "\(op): noise weight \(noiseWeight.shape), expected one element")
        if let bias { precondition(bias.shape == [shape[1]], "\(op): bias \(bias.shape), expected [\(shape[1])]") }
    }

    /// Whether `applyNoiseBiasLeakyReLU` takes `noise` for an activation of `shape` (one plane per
    /// sample, or one for all).
    public static func acceptsNoise(_ noise: Tensor, for shape: [Int]) -> Bool {
        shape.count == 4 && noise.rank == 4 && noise.shape[1] == 1 && (noise.shape[0] == 1 || noise.shape[0] == shape[0])
            && noise.shape[2] == shape[2] && noise.shape[3] == shape[3]
    }
}

extension RowSource {
    /// This source with `applyNoiseBiasLeakyReLU(noise:…)` applied to every range of rows it fills
    /// (the same bits as applying it to the whole activation). Noise `[1 or N, 1, H, W]`.
    public func applyingNoiseBiasLeakyReLU(noise: Tensor, noiseWeight: Tensor, bias: Tensor?, slope: Float, gain: Float) -> RowSource {
        Tensor.requireEpilogueOperands("applyingNoiseBiasLeakyReLU", noise: noise, noiseWeight: noiseWeight, bias: bias, for: shape)
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let strength = noiseWeight.item()
        return then { rows, target, planeStride in
            StyleModulation.noiseBiasLeakyReLUInPlace(
                target, batch: batch, channels: channels, pixels: rows.count * width, planeStride: planeStride,
                noise: noise.readData + rows.lowerBound * width, noiseBatch: noise.shape[0], noisePlaneStride: height * width,
                noiseWeight: strength, bias: bias?.readData, slope: slope, gain: gain)
        }
    }
}
