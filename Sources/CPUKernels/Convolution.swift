/// Fast 2-D convolutions on raw NCHW buffers (see `ConvolutionGeometry`), using every core.
///
/// PLACEHOLDER: forwards to `ConvolutionReference` until the packed kernels land.
public enum Convolution {
    /// `output = conv2d(input, weight) + bias` (overwrites `output`).
    public static func forward(_ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        ConvolutionReference.forward(g, input: input, weight: weight, bias: bias, output: output)
    }

    /// `gradInput = ∂⟨output, gradOutput⟩/∂input` (overwrites). Also transposed convolution's forward.
    public static func backwardInput(_ g: ConvolutionGeometry, gradOutput: UnsafePointer<Float>,
                                     weight: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        ConvolutionReference.backwardInput(g, gradOutput: gradOutput, weight: weight, gradInput: gradInput)
    }

    /// `gradWeight = ∂⟨output, gradOutput⟩/∂weight` (overwrites).
    public static func backwardWeight(_ g: ConvolutionGeometry, gradOutput: UnsafePointer<Float>,
                                      input: UnsafePointer<Float>, gradWeight: UnsafeMutablePointer<Float>) {
        ConvolutionReference.backwardWeight(g, gradOutput: gradOutput, input: input, gradWeight: gradWeight)
    }
}
