import Foundation
import Tensors

/// Pixel-wise metrics of image batches `[N, C, H, W]`.
///
/// ```swift
/// let mse = PixelMetrics.meanSquaredError(generated, target)   // [N], on [−1, 1] values
/// let psnr = PixelMetrics.peakSignalToNoiseRatio(generated, target)   // [N], dB
/// ```
public enum PixelMetrics {
    /// Mean squared error of each image pair over C·H·W, in the images' own units — on [−1, 1]
    /// images this is pSp's and StylePrompter's "MSE"/L2 (`F.mse_loss` is its batch mean).
    /// Differentiable.
    public static func meanSquaredError(_ x: Tensor, _ y: Tensor) -> Tensor {
        precondition(x.shape == y.shape && x.rank >= 2, "meanSquaredError: shapes \(x.shape) and \(y.shape)")
        let difference = x - y
        return (difference * difference).mean(axes: Array(1..<x.rank))
    }

    /// `10·log10(range² / MSE)` per image, in dB, where `range` is the width of `inputRange`
    /// (2 for [−1, 1] images: the same value as on their [0, 1] version with peak 1). Computed on
    /// the float values, without quantising to 8 bits. Identical images give +∞.
    public static func peakSignalToNoiseRatio(_ x: Tensor, _ y: Tensor, inputRange: ClosedRange<Float> = -1...1) -> [Double] {
        let peak = Double(inputRange.upperBound - inputRange.lowerBound)
        return GradientMode.withoutGradients { meanSquaredError(x, y) }.scalars.map { mse in
            10 * Foundation.log10(peak * peak / Double(mse))
        }
    }
}
