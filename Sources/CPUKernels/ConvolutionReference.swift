/// Direct-loop convolutions: the reference the fast `Convolution` kernels are tested against.
package enum ConvolutionReference {
    /// `output[n, o, y, x] = bias[o] + Σ input[n, g·cpg + c, y·s − p + i, x·s − p + j] · weight[o, c, i, j]`.
    package static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let ho = g.outputHeight, wo = g.outputWidth, cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        for n in 0..<g.batch {
            for o in 0..<g.outputChannels {
                let group = o / opg
                for y in 0..<ho {
                    for x in 0..<wo {
                        var sum: Double = bias.map { Double($0[o]) } ?? 0
                        for c in 0..<cpg {
                            let ic = group * cpg + c
                            for i in 0..<g.kernelHeight {
                                let iy = y * g.strideHeight - g.paddingHeight + i
                                if iy < 0 || iy >= g.inputHeight { continue }
                                for j in 0..<g.kernelWidth {
                                    let ix = x * g.strideWidth - g.paddingWidth + j
                                    if ix < 0 || ix >= g.inputWidth { continue }
                                    let xv = input[((n * g.inputChannels + ic) * g.inputHeight + iy) * g.inputWidth + ix]
                                    let wv = weight[((o * cpg + c) * g.kernelHeight + i) * g.kernelWidth + j]
                                    sum += Double(xv) * Double(wv)
                                }
                            }
                        }
                        output[((n * g.outputChannels + o) * ho + y) * wo + x] = Float(sum)
                    }
                }
            }
        }
    }

    /// `gradInput = ∂⟨output, gradOutput⟩/∂input` (overwrites `gradInput`). Also the forward of
    /// a transposed convolution.
    package static func backwardInput(_ g: ConvolutionGeometry, gradOutput: UnsafePointer<Float>,
                                     weight: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        let ho = g.outputHeight, wo = g.outputWidth, cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        gradInput.update(repeating: 0, count: g.inputCount)
        for n in 0..<g.batch {
            for o in 0..<g.outputChannels {
                let group = o / opg
                for y in 0..<ho {
                    for x in 0..<wo {
                        let go = gradOutput[((n * g.outputChannels + o) * ho + y) * wo + x]
                        for c in 0..<cpg {
                            let ic = group * cpg + c
                            for i in 0..<g.kernelHeight {
                                let iy = y * g.strideHeight - g.paddingHeight + i
                                if iy < 0 || iy >= g.inputHeight { continue }
                                for j in 0..<g.kernelWidth {
                                    let ix = x * g.strideWidth - g.paddingWidth + j
                                    if ix < 0 || ix >= g.inputWidth { continue }
                                    gradInput[((n * g.inputChannels + ic) * g.inputHeight + iy) * g.inputWidth + ix] +=
                                        go * weight[((o * cpg + c) * g.kernelHeight + i) * g.kernelWidth + j]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `gradWeight = ∂⟨output, gradOutput⟩/∂weight` (overwrites `gradWeight`).
    package static func backwardWeight(_ g: ConvolutionGeometry, gradOutput: UnsafePointer<Float>,
                                      input: UnsafePointer<Float>, gradWeight: UnsafeMutablePointer<Float>) {
        let ho = g.outputHeight, wo = g.outputWidth, cpg = g.inputChannelsPerGroup, opg = g.outputChannelsPerGroup
        for o in 0..<g.outputChannels {
            let group = o / opg
            for c in 0..<cpg {
                let ic = group * cpg + c
                for i in 0..<g.kernelHeight {
                    for j in 0..<g.kernelWidth {
                        var sum: Double = 0
                        for n in 0..<g.batch {
                            for y in 0..<ho {
                                let iy = y * g.strideHeight - g.paddingHeight + i
                                if iy < 0 || iy >= g.inputHeight { continue }
                                for x in 0..<wo {
                                    let ix = x * g.strideWidth - g.paddingWidth + j
                                    if ix < 0 || ix >= g.inputWidth { continue }
                                    sum += Double(gradOutput[((n * g.outputChannels + o) * ho + y) * wo + x]) *
                                        Double(input[((n * g.inputChannels + ic) * g.inputHeight + iy) * g.inputWidth + ix])
                                }
                            }
                        }
                        gradWeight[((o * cpg + c) * g.kernelHeight + i) * g.kernelWidth + j] = Float(sum)
                    }
                }
            }
        }
    }
}
