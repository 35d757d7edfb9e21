import Foundation

/// StyleGAN2's modulated convolution in inference form: the style folded into per-sample weights
/// (rosinality's `fused=True` path), and the layer's epilogue — noise, bias, leaky ReLU, gain — in
/// one pass over the convolution's output, in place.
///
/// Folding replaces two passes over the activations (input × style before the convolution,
/// output × demodulation after it), each a fresh buffer as large as the layer's activations,
/// with a pass over the weights (at most 512·512·9 per sample); the fused epilogue replaces three
/// more (noise add, bias add, activation). At 1024 px those buffers are 64–128 MiB each, so the
/// passes and their first-touch page faults were a fifth of a generation.
package enum StyleModulation {
    /// `folded[b, o, i, t] = scale·weight[o, i, t]·styles[b, i]·d[b, o]`, with
    /// `d[b, o] = 1/√(Σᵢₜ (scale·weight[o, i, t]·styles[b, i])² + 1e-8)` when `demodulate`, else 1.
    ///
    /// weight [O, I, taps], styles [B, I] → folded [B, O, I, taps]; with `transposed`, the layout
    /// `conv_transpose2d` takes for the upsampling convolution, [B, I, O, taps].
    package static func foldWeights(weight: UnsafePointer<Float>, styles: UnsafePointer<Float>,
                                    batch: Int, outputChannels: Int, inputChannels: Int, taps: Int,
                                    scale: Float, demodulate: Bool, transposed: Bool,
                                    folded: UnsafeMutablePointer<Float>) {
        let rowLength = inputChannels * taps
        Parallel.forRanges(count: batch * outputChannels, minimumPerThread: 8) { range in
            var row = [Float](repeating: 0, count: rowLength)
            row.withUnsafeMutableBufferPointer { row in
                let row = row.baseAddress!
                for index in range {
                    let b = index / outputChannels, o = index % outputChannels
                    let w = weight + o * rowLength, s = styles + b * inputChannels
                    for i in 0..<inputChannels {
                        let factor = scale * s[i]
                        for t in 0..<taps { row[i * taps + t] = w[i * taps + t] * factor }
                    }
                    // In lanes: a 256-channel 3×3 row is 2,304 dependent adds in one chain.
                    let energy = VectorMath.sumInDouble(row, count: rowLength, squares: true)
                    let d = demodulate ? Float(1 / (energy + 1e-8).squareRoot()) : 1
                    if transposed {
                        // [B, I, O, taps]
                        for i in 0..<inputChannels {
                            let destination = folded + ((b * inputChannels + i) * outputChannels + o) * taps
                            for t in 0..<taps { destination[t] = row[i * taps + t] * d }
                        }
                    } else {
                        let destination = folded + index * rowLength
                        for k in 0..<rowLength { destination[k] = row[k] * d }
                    }
                }
            }
        }
    }

    /// `x[b, c, p] ← leakyReLU(x[b, c, p] + noiseWeight·noise[b, p] + bias[c])·gain` in place,
    /// StyledConv's `NoiseInjection` followed by `FusedLeakyReLU`. x [B, C, P]; noise [B, P] or,
    /// with `noiseBatch` 1, one [P] plane shared by every sample; bias [C] or nil.
    /// `planeStride` and `noisePlaneStride` (default `pixels`): floats from one plane of x (of
    /// noise) to the next — P pixels of a taller plane, such as a band of its rows.
    package static func noiseBiasLeakyReLUInPlace(_ x: UnsafeMutablePointer<Float>, batch: Int, channels: Int, pixels: Int,
                                                  planeStride: Int? = nil,
                                                  noise: UnsafePointer<Float>?, noiseBatch: Int, noisePlaneStride: Int? = nil,
                                                  noiseWeight: Float, bias: UnsafePointer<Float>?, slope: Float, gain: Float) {
        let xStride = planeStride ?? pixels, noiseStride = noisePlaneStride ?? pixels
        Parallel.forRanges(count: batch * channels, minimumPerThread: Swift.max(1, 16_384 / Swift.max(1, pixels))) { range in
            for plane in range {
                let b = plane / channels, c = plane % channels
                let values = x + plane * xStride
                let shift = bias?[c] ?? 0
                if let noise, noiseWeight != 0 {
                    let n = noise + (noiseBatch == 1 ? 0 : b * noiseStride)
                    for p in 0..<pixels {
                        // Same order of additions as the unfused ops: (x + w·noise) + bias.
                        let v = (values[p] + noiseWeight * n[p]) + shift
                        values[p] = v >= 0 ? v * gain : v * slope * gain
                    }
                } else {
                    for p in 0..<pixels {
                        let v = values[p] + shift
                        values[p] = v >= 0 ? v * gain : v * slope * gain
                    }
                }
            }
        }
    }
}
