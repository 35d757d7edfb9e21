import Tensors

/// `torch.nn.MaxPool2d` (square window, no dilation); no parameters.
///
/// ```swift
/// let pool = MaxPool2d(kernelSize: 3, stride: 2)   // AlexNet's
/// let shortcut = MaxPool2d(kernelSize: 1, stride: 2) // IR-SE's identity shortcut with stride
/// ```
public final class MaxPool2d: Layer {
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let ceilMode: Bool

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
    }

    public override func callAsFunction(_ input: Tensor) -> Tensor {
        input.maxPool2d(kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
    }
}
