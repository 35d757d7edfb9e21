import Foundation
import Tensors

/// SSIM and MS-SSIM (Wang et al. 2003/2004) exactly as the `pytorch_msssim` package computes
/// them (`ssim`, `ms_ssim`, v1.0.0) — the standard definition with a fixed data range. (For the
/// numbers that ReStyle's and HyperStyle's evaluation scripts print, which guess the range per
/// image and skip the ReLU, use `PSPFamilySSIM`.) An 11-tap Gaussian window with σ = 1.5
/// (float32, normalised to sum 1), applied separably with NO padding (valid positions only;
/// skipped along a side shorter than the window), K₁ = 0.01, K₂ = 0.03, `C₁ = (K₁·L)²`,
/// `C₂ = (K₂·L)²`:
///
/// `cs = (2σxy + C₂) / (σx² + σy² + C₂)`, `ssim = (2μxμy + C₁) / (μx² + μy² + C₁) · cs`,
/// each averaged over positions per channel, then over channels.
///
/// MS-SSIM: five scales with weights `[0.0448, 0.2856, 0.3001, 0.2363, 0.1333]`; between
/// scales a 2×2 average pool (zero-padding odd sides by one, counted in the average);
/// `Π_{i<5} relu(csᵢ)^wᵢ · relu(ssim₅)^w₅` per channel, then the channel mean. Images need a
/// shorter side above 160 px.
///
/// Inputs are `[N, C, H, W]` with values in `inputRange` (default [−1, 1], the project's); they
/// are mapped to [0, 1] and compared with data range L = 1 — the same numbers as
/// `ssim((x+1)/2, (y+1)/2, data_range=1)` (and as `data_range=255` on 8-bit values). Both
/// are differentiable.
///
/// ```swift
/// let ssim = StructuralSimilarity.ssim(generated, target)       // [N]
/// let msssim = StructuralSimilarity.msssim(generated, target)   // [N]
/// ```
public enum StructuralSimilarity {
    public static let windowSize = 11
    public static let windowSigma: Float = 1.5
    public static let k1: Float = 0.01
    public static let k2: Float = 0.03
    public static let msssimWeights: [Float] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]

    /// SSIM of each image pair, `[N]`.
    public static func ssim(_ x: Tensor, _ y: Tensor, inputRange: ClosedRange<Float> = -1...1) -> Tensor {
        let (a, b) = unitRange(x, y, inputRange)
        return components(a, b).ssim.mean(axis: 1)
    }

    /// MS-SSIM of each image pair, `[N]`.
    public static func msssim(_ x: Tensor, _ y: Tensor, inputRange: ClosedRange<Float> = -1...1,
                              weights: [Float] = msssimWeights) -> Tensor {
        var (a, b) = unitRange(x, y, inputRange)
        let smaller = Swift.min(a.shape[2], a.shape[3])
        precondition(smaller > (windowSize - 1) * (1 << (weights.count - 1)),
                     "msssim: images \(a.shape) too small for \(weights.count) scales (side must exceed \((windowSize - 1) * (1 << (weights.count - 1))))")
        var product: Tensor?
        for (level, weight) in weights.enumerated() {
            let (ssim, cs) = components(a, b)
            let isLast = level == weights.count - 1
            let term = (isLast ? ssim : cs).relu().pow(weight)   // [N, C]
            product = product.map { $0 * term } ?? term
            if !isLast {
                a = downsample(a)
                b = downsample(b)
            }
        }
        return product!.mean(axis: 1)
    }

    /// The normalised 1-D Gaussian window of `_fspecial_gauss_1d`, with its float32 values bit
    /// for bit: float32 arguments `−c²/(2σ²)`, exponentials rounded correctly (through double, as
    /// PyTorch's are; `expf` is off by an ulp on some taps), the sum rounded once from double (as
    /// PyTorch's reduction gives here), then float32 division. SSIM is sensitive to these bits:
    /// `σ² = E[x²] − μ²` cancels, so a window summing to 1 + 6e-8 instead of 1 − 3e-8 shifts
    /// flat regions' contrast terms by ~1e-5 of C₂.
    public static func gaussianWindow(size: Int = windowSize, sigma: Float = windowSigma) -> [Float] {
        let twoSigmaSquared = Float(2 * Double(sigma) * Double(sigma))
        let values = (0..<size).map { i -> Float in
            let c = Float(i - size / 2)
            return Float(Foundation.exp(Double(-(c * c) / twoSigmaSquared)))
        }
        let total = Float(values.reduce(0.0) { $0 + Double($1) })
        return values.map { $0 / total }
    }

    /// Per-channel SSIM and contrast-structure means, each `[N, C]`, of [0, 1] images.
    static func components(_ x: Tensor, _ y: Tensor) -> (ssim: Tensor, cs: Tensor) {
        let c1 = (k1 * 1) * (k1 * 1), c2 = (k2 * 1) * (k2 * 1)
        let window = gaussianWindow()
        let muX = filter(x, window), muY = filter(y, window)
        let muXX = muX * muX, muYY = muY * muY, muXY = muX * muY
        let sigmaXX = filter(x * x, window) - muXX
        let sigmaYY = filter(y * y, window) - muYY
        let sigmaXY = filter(x * y, window) - muXY
        let csMap = (2 * sigmaXY + c2) / (sigmaXX + sigmaYY + c2)
        let ssimMap = ((2 * muXY + c1) / (muXX + muYY + c1)) * csMap
        return (ssimMap.mean(axes: [2, 3]), csMap.mean(axes: [2, 3]))
    }

    /// The separable valid Gaussian blur of every channel (`gaussian_filter`): along H, then W.
    static func filter(_ input: Tensor, _ window: [Float]) -> Tensor {
        let channels = input.shape[1], size = window.count
        var out = input
        if input.shape[2] >= size {
            let kernel = Tensor(shape: [1, 1, size, 1], scalars: window).broadcast(to: [channels, 1, size, 1])
            out = Tensor.conv2d(out, weight: kernel, options: .init(stride: 1, padding: 0, groups: channels))
        }
        if input.shape[3] >= size {
            let kernel = Tensor(shape: [1, 1, 1, size], scalars: window).broadcast(to: [channels, 1, 1, size])
            out = Tensor.conv2d(out, weight: kernel, options: .init(stride: 1, padding: 0, groups: channels))
        }
        return out
    }

    /// `avg_pool2d(kernel 2, padding = side % 2)` with the padding counted in the average.
    static func downsample(_ x: Tensor) -> Tensor {
        let padH = x.shape[2] % 2, padW = x.shape[3] % 2
        let padded = padH + padW == 0 ? x : x.pad([(0, 0), (0, 0), (padH, padH), (padW, padW)])
        return padded.averagePool2d(kernel: 2)
    }

    static func unitRange(_ x: Tensor, _ y: Tensor, _ range: ClosedRange<Float>) -> (Tensor, Tensor) {
        precondition(x.shape == y.shape && x.rank == 4, "StructuralSimilarity: inputs \(x.shape) and \(y.shape) must be equal NCHW")
        if range == 0...1 { return (x, y) }
        let width = range.upperBound - range.lowerBound
        return ((x - range.lowerBound) / width, (y - range.lowerBound) / width)
    }
}
